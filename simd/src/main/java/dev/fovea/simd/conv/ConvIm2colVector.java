package dev.fovea.simd.conv;

import dev.fovea.simd.internal.FloatSpecies;
import dev.fovea.simd.internal.LanePermutes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API copies of the im2col family: the gather of {@link ConvIm2colCopy} for stride 2
 * along W (two loads of L floats and one two-source permute give L outputs) and short row copies
 * ({@link #copyShort}). Loaded only on the vector path.
 */
final class ConvIm2colVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = S.length();
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Lanes 0, 2, .. of two vectors (index vector of a two-source {@code selectFrom}). */
    private static final FloatVector EVEN = LanePermutes.of(j -> 2 * j);

    private ConvIm2colVector() {}

    /**
     * Writes {@code col[dst + i] = in[src + 2 i]} for {@code i in [0, count)}; {@code readable}
     * floats from {@code src} may be read (the rest of the input row), so a vector's second load
     * never leaves the row.
     */
    static void everyOther(MemorySegment in, long src, int readable, MemorySegment col, long dst, int count) {
        int i = 0;
        long b = Float.BYTES;
        for (; i + L <= count && 2 * (i + L) <= readable; i += L) {
            long at = (src + 2L * i) * b;
            EVEN.selectFrom(FloatVector.fromMemorySegment(S, in, at, O),
                    FloatVector.fromMemorySegment(S, in, at + L * b, O)).intoMemorySegment(col, (dst + i) * b, O);
        }
        // the last (at most L) outputs: loads masked to the row, a store masked to the outputs,
        // where both windows lie inside their segments (a masked access reaching past the end
        // leaves the intrinsic); a ResNet-18 stride-2 phase row of 28 or 29 outputs otherwise
        // copied its last 12 or 13 one float at a time, 24% of the 3x3 stride-2 layer's time
        long at = (src + 2L * i) * b;
        if (i < count && at + 2L * L * b <= in.byteSize() && (dst + i + L) * b <= col.byteSize()) {
            int left = readable - 2 * i;
            EVEN.selectFrom(FloatVector.fromMemorySegment(S, in, at, O, S.indexInRange(0, left)),
                    FloatVector.fromMemorySegment(S, in, at + L * b, O, S.indexInRange(L, left)))
                    .intoMemorySegment(col, (dst + i) * b, O, S.indexInRange(0, count - i));
            return;
        }
        for (; i < count; i++) {
            col.setAtIndex(F, dst + i, in.getAtIndex(F, src + 2L * i));
        }
    }

    /**
     * Copies {@code count} floats (element offsets) with whole vectors and one masked last vector;
     * a last vector whose window would reach past the end of either segment (a masked access
     * there leaves the intrinsic and allocates) is copied float by float. The segments must not
     * overlap.
     */
    static void copyShort(MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int count) {
        long b = Float.BYTES;
        long from = srcOff * b;
        long to = dstOff * b;
        int i = 0;
        for (; i + L <= count; i += L) {
            FloatVector.fromMemorySegment(S, src, from + i * b, O).intoMemorySegment(dst, to + i * b, O);
        }
        if (i == count) {
            return;
        }
        long window = L * b;
        if (from + i * b + window <= src.byteSize() && to + i * b + window <= dst.byteSize()) {
            VectorMask<Float> m = VectorMask.fromLong(S, (1L << (count - i)) - 1);
            FloatVector.fromMemorySegment(S, src, from + i * b, O, m).intoMemorySegment(dst, to + i * b, O, m);
        } else {
            for (; i < count; i++) {
                dst.setAtIndex(F, dstOff + i, src.getAtIndex(F, srcOff + i));
            }
        }
    }

    /**
     * Copies {@code rows} runs of {@code count} floats, run r from {@code src[srcOff + r * srcStride]}
     * to {@code dst[dstOff + r * dstStride]} (element offsets, strides at least {@code count}), with
     * whole vectors and one masked vector per run, the mask made once; where the last run's masked
     * window would pass the end of either segment, run by run through {@link #copyShort}.
     */
    static void copyRows(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                         long dstStride, int rows, int count) {
        long b = Float.BYTES;
        int full = count / L * L;
        int rem = count - full;
        long lastSrc = (srcOff + (rows - 1) * srcStride + full) * b;
        long lastDst = (dstOff + (rows - 1) * dstStride + full) * b;
        if (rem != 0 && (lastSrc + L * b > src.byteSize() || lastDst + L * b > dst.byteSize())) {
            for (int r = 0; r < rows; r++) {
                copyShort(src, srcOff + r * srcStride, dst, dstOff + r * dstStride, count);
            }
            return;
        }
        VectorMask<Float> m = VectorMask.fromLong(S, (1L << rem) - 1);
        for (int r = 0; r < rows; r++) {
            long from = (srcOff + r * srcStride) * b;
            long to = (dstOff + r * dstStride) * b;
            for (int i = 0; i < full; i += L) {
                FloatVector.fromMemorySegment(S, src, from + i * b, O).intoMemorySegment(dst, to + i * b, O);
            }
            if (rem != 0) {
                FloatVector.fromMemorySegment(S, src, from + full * b, O, m).intoMemorySegment(dst, to + full * b, O, m);
            }
        }
    }
}
