package dev.fovea.simd.conv;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API inner loop of {@link ConvCol2im#col2im} for stride 1 along W: a contiguous
 * {@code dst += src}. Loaded only on the vector path ({@code Simd.VECTOR}). Each element is one
 * float addition, exactly as the scalar loop, so both paths give the same bits.
 */
final class ConvCol2imVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ConvCol2imVector() {}

    /** {@code dst[dstOff + i] += src[srcOff + i]} for {@code i < len} (element offsets). */
    static void addInto(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, int len) {
        int i = 0;
        for (; i <= len - L; i += L) {
            long d = (dstOff + i) * Float.BYTES;
            FloatVector.fromMemorySegment(S, dst, d, O)
                    .add(FloatVector.fromMemorySegment(S, src, (srcOff + i) * Float.BYTES, O))
                    .intoMemorySegment(dst, d, O);
        }
        for (; i < len; i++) {
            dst.setAtIndex(F, dstOff + i, dst.getAtIndex(F, dstOff + i) + src.getAtIndex(F, srcOff + i));
        }
    }
}
