package dev.fovea.simd.pool;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of pooling whose window is the whole plane (global pooling: ONNX's
 * GlobalAveragePool and GlobalMaxPool, PyTorch's {@code adaptive_avg_pool2d(x, 1)}): each plane is
 * one contiguous run of elements reduced to one output, in full vectors and a scalar tail. On the
 * per-row path of {@link PoolVector} such a window is a stride-W gather per output, whose index
 * checks ran as Java code: MobileNetV2's 1280 x 7 x 7 average took 1.5% of a whole run. Zen 4, 1
 * thread, scratch harness: average 1280 x 7 x 7 98 -> 8-9.5 us, max 112 -> 15-18 us; ResNet-18's
 * 512 x 7 x 7 average 40 -> 3.5-3.9 us; 64 x 56 x 56 average 38 -> 7.5-8.3 us, max 74 -> 16-17 us.
 *
 * <p>Max pooling is exact ({@code Math.max} semantics, NaN included). Average pooling sums in
 * four lane-wise partial sums and divides by the plane's element count (or the divisor override):
 * the result differs from the reference loops' sum in (d, h, w) order by a few float roundings of
 * the plane's absolute sum.
 */
final class PoolWhole {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final long B = Float.BYTES;

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
            long at = (inOff + p * n) * B;
            float v = max ? max(in, at, n) : sum(in, at, n) / divisor;
            out.setAtIndex(F, outOff + p, v);
        }
    }

    /** The sum of the {@code n} floats at byte offset {@code at}. */
    private static float sum(MemorySegment in, long at, long n) {
        long full = n - n % L;
        long quad = n - n % (4L * L);
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        long i = 0;
        for (; i < quad; i += 4L * L) {
            long a = at + i * B;
            s0 = s0.add(FloatVector.fromMemorySegment(S, in, a, O));
            s1 = s1.add(FloatVector.fromMemorySegment(S, in, a + L * B, O));
            s2 = s2.add(FloatVector.fromMemorySegment(S, in, a + 2 * L * B, O));
            s3 = s3.add(FloatVector.fromMemorySegment(S, in, a + 3 * L * B, O));
        }
        for (; i < full; i += L) {
            s0 = s0.add(FloatVector.fromMemorySegment(S, in, at + i * B, O));
        }
        float total = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            total += in.get(F, at + i * B);
        }
        return total;
    }

    /** The largest of the {@code n >= 1} floats at byte offset {@code at}, NaN if any is NaN. */
    private static float max(MemorySegment in, long at, long n) {
        long full = n - n % L;
        long quad = n - n % (4L * L);
        float best = Float.NEGATIVE_INFINITY;
        if (full > 0) {
            FloatVector m0 = FloatVector.fromMemorySegment(S, in, at, O);
            long i = L;
            if (quad > 0) {
                FloatVector m1 = FloatVector.fromMemorySegment(S, in, at + L * B, O);
                FloatVector m2 = FloatVector.fromMemorySegment(S, in, at + 2 * L * B, O);
                FloatVector m3 = FloatVector.fromMemorySegment(S, in, at + 3 * L * B, O);
                for (i = 4L * L; i < quad; i += 4L * L) {
                    long a = at + i * B;
                    m0 = m0.max(FloatVector.fromMemorySegment(S, in, a, O));
                    m1 = m1.max(FloatVector.fromMemorySegment(S, in, a + L * B, O));
                    m2 = m2.max(FloatVector.fromMemorySegment(S, in, a + 2 * L * B, O));
                    m3 = m3.max(FloatVector.fromMemorySegment(S, in, a + 3 * L * B, O));
                }
                m0 = m0.max(m1).max(m2.max(m3));
            }
            for (; i < full; i += L) {
                m0 = m0.max(FloatVector.fromMemorySegment(S, in, at + i * B, O));
            }
            best = m0.reduceLanes(VectorOperators.MAX);
        }
        for (long i = full; i < n; i++) {
            best = Math.max(best, in.get(F, at + i * B));
        }
        return best;
    }
}
