package dev.fovea.simd.gemm;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 512-bit packing of an 8-row A panel from a transposed A ({@link SgemmPack#panelFromColumns}):
 * each k step's 8 rows are 8 contiguous floats of the source, so two k steps fill one vector (two
 * masked loads, one blend, one store). The scalar loop went through a segment access per float;
 * inside a whole network C2 sometimes left that access's checks uninlined, and packing the
 * transposed operand of Winograd's small-n GEMMs (ResNet-18 layer 3) took a quarter of the
 * layer's time. Only loaded when {@link FloatSpecies#LANES} is 16.
 */
final class ColumnPanels512 {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final VectorMask<Float> LOW8 = S.indexInRange(0, 8);
    private static final VectorMask<Float> HIGH8 = LOW8.not();

    private ColumnPanels512() {}

    /**
     * Writes {@code dst[base + p * 8 + r] = s[src + p * ld + r]} for r in 0..7 and p in 0..kc-1
     * (element indexes).
     */
    static void columns8(MemorySegment s, long src, int ld, int kc, float[] dst, int base) {
        long b = Float.BYTES;
        int p = 0;
        for (; p + 2 <= kc; p += 2) {
            long row = src + (long) p * ld;
            // lanes 8..15 of the second load read the next k step's 8 floats
            FloatVector lo = FloatVector.fromMemorySegment(S, s, row * b, NO, LOW8);
            FloatVector hi = FloatVector.fromMemorySegment(S, s, (row + ld - 8) * b, NO, HIGH8);
            lo.blend(hi, HIGH8).intoArray(dst, base + p * 8);
        }
        if (p < kc) {
            FloatVector.fromMemorySegment(S, s, (src + (long) p * ld) * b, NO, LOW8).intoArray(dst, base + p * 8, LOW8);
        }
    }
}
