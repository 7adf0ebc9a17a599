package dev.fovea.simd.conv;

import dev.fovea.simd.internal.FloatSpecies;
import dev.fovea.simd.internal.LanePermutes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API gather of {@link ConvIm2colCopy} for stride 2 along W: two loads of L floats
 * and one two-source permute give L outputs. Loaded only on the vector path.
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
        for (; i < count; i++) {
            col.setAtIndex(F, dst + i, in.getAtIndex(F, src + 2L * i));
        }
    }
}
