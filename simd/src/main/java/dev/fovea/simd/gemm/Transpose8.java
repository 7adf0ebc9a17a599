package dev.fovea.simd.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packs 8 source rows into 8-wide interleaved columns with 8 x 8 register transposes: 8 loads of
 * 8 floats, 24 two-source shuffles (3 butterfly stages) and 8 stores per 64 floats. On Zen 4 it
 * packed A at 0.17 ns per float against 0.31-0.37 for the best scalar loop (a 1024 x 768 A,
 * /tmp experiment of issue 3), which is 3-4% of a 1024^3 GEMM. Only loaded on the vector path.
 */
final class Transpose8 {
    private static final VectorSpecies<Float> H = FloatVector.SPECIES_256;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /* Negative indexes pick lanes of the second vector: a0 b0 a2 b2 ..., then pairs, then halves. */
    private static final VectorShuffle<Float> LO1 = VectorShuffle.fromValues(H, 0, -8, 2, -6, 4, -4, 6, -2);
    private static final VectorShuffle<Float> HI1 = VectorShuffle.fromValues(H, 1, -7, 3, -5, 5, -3, 7, -1);
    private static final VectorShuffle<Float> LO2 = VectorShuffle.fromValues(H, 0, 1, -8, -7, 4, 5, -4, -3);
    private static final VectorShuffle<Float> HI2 = VectorShuffle.fromValues(H, 2, 3, -6, -5, 6, 7, -2, -1);
    private static final VectorShuffle<Float> LO3 = VectorShuffle.fromValues(H, 0, 1, 2, 3, -8, -7, -6, -5);
    private static final VectorShuffle<Float> HI3 = VectorShuffle.fromValues(H, 4, 5, 6, 7, -4, -3, -2, -1);

    private Transpose8() {}

    /**
     * Writes {@code dst[base + p * stride + r] = s[src + r * ld + p]} for rows r in 0..7 and
     * p in 0..kc-1 (element indexes).
     */
    static void rows(MemorySegment s, long src, int ld, int kc, float[] dst, int base, int stride) {
        long st = (long) ld * Float.BYTES;
        long o = src * Float.BYTES;
        int p = 0;
        for (; p + 8 <= kc; p += 8, o += 8 * Float.BYTES) {
            FloatVector t0 = FloatVector.fromMemorySegment(H, s, o, NO);
            FloatVector t1 = FloatVector.fromMemorySegment(H, s, o + st, NO);
            FloatVector t2 = FloatVector.fromMemorySegment(H, s, o + 2 * st, NO);
            FloatVector t3 = FloatVector.fromMemorySegment(H, s, o + 3 * st, NO);
            FloatVector t4 = FloatVector.fromMemorySegment(H, s, o + 4 * st, NO);
            FloatVector t5 = FloatVector.fromMemorySegment(H, s, o + 5 * st, NO);
            FloatVector t6 = FloatVector.fromMemorySegment(H, s, o + 6 * st, NO);
            FloatVector t7 = FloatVector.fromMemorySegment(H, s, o + 7 * st, NO);
            FloatVector u0 = t0.rearrange(LO1, t1);
            FloatVector u1 = t0.rearrange(HI1, t1);
            FloatVector u2 = t2.rearrange(LO1, t3);
            FloatVector u3 = t2.rearrange(HI1, t3);
            FloatVector u4 = t4.rearrange(LO1, t5);
            FloatVector u5 = t4.rearrange(HI1, t5);
            FloatVector u6 = t6.rearrange(LO1, t7);
            FloatVector u7 = t6.rearrange(HI1, t7);
            t0 = u0.rearrange(LO2, u2);
            t2 = u0.rearrange(HI2, u2);
            t1 = u1.rearrange(LO2, u3);
            t3 = u1.rearrange(HI2, u3);
            t4 = u4.rearrange(LO2, u6);
            t6 = u4.rearrange(HI2, u6);
            t5 = u5.rearrange(LO2, u7);
            t7 = u5.rearrange(HI2, u7);
            int d = base + p * stride;
            t0.rearrange(LO3, t4).intoArray(dst, d);
            t1.rearrange(LO3, t5).intoArray(dst, d + stride);
            t2.rearrange(LO3, t6).intoArray(dst, d + 2 * stride);
            t3.rearrange(LO3, t7).intoArray(dst, d + 3 * stride);
            t0.rearrange(HI3, t4).intoArray(dst, d + 4 * stride);
            t1.rearrange(HI3, t5).intoArray(dst, d + 5 * stride);
            t2.rearrange(HI3, t6).intoArray(dst, d + 6 * stride);
            t3.rearrange(HI3, t7).intoArray(dst, d + 7 * stride);
        }
        for (; p < kc; p++) {
            int d = base + p * stride;
            for (int r = 0; r < 8; r++) {
                dst[d + r] = s.getAtIndex(F, src + (long) r * ld + p);
            }
        }
    }
}
