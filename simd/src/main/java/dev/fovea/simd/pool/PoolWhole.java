package dev.fovea.simd.pool;

import dev.fovea.simd.reduce.impl.ReduceVector;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Pooling whose window is the whole plane (global pooling: ONNX's GlobalAveragePool and
 * GlobalMaxPool, PyTorch's {@code adaptive_avg_pool2d(x, 1)}): each plane is one contiguous run,
 * reduced by {@link ReduceVector} (the fixed-order blocked sum of {@code Reduce.sum}, and its max).
 * On the per-row path of {@link PoolVector} such a window is a stride-W gather per output, whose
 * index checks ran as Java code: MobileNetV2's 1280 x 7 x 7 average took 1.5% of a whole run. Zen
 * 4, 1 thread, scratch harness: average 1280 x 7 x 7 98 -> 34 us, max 112 -> 21 us (a loop of
 * its own with {@code reduceLanes(ADD)} took 8-9.5 us, but that order is left open by the Vector
 * API, so results could change with the JIT tier).
 *
 * <p>Max pooling is exact ({@code Math.max} semantics, NaN included). Average pooling divides the
 * sum by the plane's element count (or the divisor override); the sum's error is
 * {@code Reduce.sum}'s, a few float roundings of the plane's absolute sum.
 */
final class PoolWhole {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private PoolWhole() {}

    /** Returns true if {@code s}'s one window per plane covers the whole plane: no padding, dilation 1. */
    static boolean applies(PoolSpec s) {
        for (int a = 0; a < 3; a++) {
            if (s.out(a) != 1 || s.kernel(a) != s.in(a) || s.padBegin(a) != 0 || s.padEnd(a) != 0
                    || s.dilation(a) != 1) {
                return false;
            }
        }
        return true;
    }

    /** Max (values only) or average pooling of planes {@code [p0, p1)} of a spec that {@link #applies}. */
    static void forward(PoolSpec s, boolean max, MemorySegment in, long inOff, MemorySegment out, long outOff,
                        int p0, int p1) {
        long n = s.inPlane();
        float divisor = s.divisorOverride() > 0 ? s.divisorOverride() : (float) n;
        for (int p = p0; p < p1; p++) {
            long at = inOff + p * n;
            float v = max ? ReduceVector.max(in, at, 1, n) : ReduceVector.sum(in, at, 1, n) / divisor;
            out.setAtIndex(F, outOff + p, v);
        }
    }
}
