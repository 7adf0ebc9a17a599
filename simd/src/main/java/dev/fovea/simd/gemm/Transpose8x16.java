package dev.fovea.simd.gemm;

import dev.fovea.simd.internal.FloatSpecies;
import dev.fovea.simd.internal.LanePermutes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 512-bit packing of {@link Transpose8}: 8 source rows of 16 floats become 16 columns of 8
 * in 3 interleaving stages of 8 two-source permutes each, 24 permutes per 128 floats. Columns
 * {@code stride} floats apart: two per 16-lane store when the stride is 8 (A panels), else each
 * half stored under a mask (B^T panels, stride 32). It keeps the 512-bit kernels free of 256-bit vectors (see {@link LanePermutes} on
 * mixing species). Only loaded when {@link FloatSpecies#LANES} is 16.
 */
final class Transpose8x16 {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final FloatVector ZIP_LO = LanePermutes.interleave(1, false);
    private static final FloatVector ZIP_HI = LanePermutes.interleave(1, true);
    private static final FloatVector PAIRS_LO = LanePermutes.interleave(2, false);
    private static final FloatVector PAIRS_HI = LanePermutes.interleave(2, true);
    private static final FloatVector QUADS_LO = LanePermutes.interleave(4, false);
    private static final FloatVector QUADS_HI = LanePermutes.interleave(4, true);
    private static final VectorMask<Float> LOW8 = S.indexInRange(0, 8);
    private static final VectorMask<Float> HIGH8 = LOW8.not();

    private Transpose8x16() {}

    /**
     * Writes {@code dst[base + p * stride + r] = s[src + r * ld + p]} for rows r in 0..7 and p in
     * 0..kc-1 (element indexes); {@code stride >= 8}.
     */
    static void rows(MemorySegment s, long src, int ld, int kc, float[] dst, int base, int stride) {
        long st = (long) ld * Float.BYTES;
        long o = src * Float.BYTES;
        int p = 0;
        for (; p + 16 <= kc; p += 16, o += 16 * Float.BYTES) {
            block(s, o, st, dst, base + p * stride, stride);
        }
        for (; p < kc; p++) {
            int d = base + p * stride;
            for (int r = 0; r < 8; r++) {
                dst[d + r] = s.getAtIndex(F, src + (long) r * ld + p);
            }
        }
    }

    private static void block(MemorySegment s, long o, long st, float[] dst, int d, int stride) {
        FloatVector t0 = FloatVector.fromMemorySegment(S, s, o, NO);
        FloatVector t1 = FloatVector.fromMemorySegment(S, s, o + st, NO);
        FloatVector t2 = FloatVector.fromMemorySegment(S, s, o + 2 * st, NO);
        FloatVector t3 = FloatVector.fromMemorySegment(S, s, o + 3 * st, NO);
        FloatVector t4 = FloatVector.fromMemorySegment(S, s, o + 4 * st, NO);
        FloatVector t5 = FloatVector.fromMemorySegment(S, s, o + 5 * st, NO);
        FloatVector t6 = FloatVector.fromMemorySegment(S, s, o + 6 * st, NO);
        FloatVector t7 = FloatVector.fromMemorySegment(S, s, o + 7 * st, NO);
        // rows 0,1 / 2,3 / 4,5 / 6,7 interleaved: columns 0..7 (lo) and 8..15 (hi)
        FloatVector a0 = ZIP_LO.selectFrom(t0, t1);
        FloatVector a1 = ZIP_HI.selectFrom(t0, t1);
        FloatVector b0 = ZIP_LO.selectFrom(t2, t3);
        FloatVector b1 = ZIP_HI.selectFrom(t2, t3);
        FloatVector c0 = ZIP_LO.selectFrom(t4, t5);
        FloatVector c1 = ZIP_HI.selectFrom(t4, t5);
        FloatVector d0 = ZIP_LO.selectFrom(t6, t7);
        FloatVector d1 = ZIP_HI.selectFrom(t6, t7);
        // rows 0..3 (e) and 4..7 (f) of columns 0-3, 4-7, 8-11, 12-15
        FloatVector e0 = PAIRS_LO.selectFrom(a0, b0);
        FloatVector e1 = PAIRS_HI.selectFrom(a0, b0);
        FloatVector e2 = PAIRS_LO.selectFrom(a1, b1);
        FloatVector e3 = PAIRS_HI.selectFrom(a1, b1);
        FloatVector f0 = PAIRS_LO.selectFrom(c0, d0);
        FloatVector f1 = PAIRS_HI.selectFrom(c0, d0);
        FloatVector f2 = PAIRS_LO.selectFrom(c1, d1);
        FloatVector f3 = PAIRS_HI.selectFrom(c1, d1);
        // rows 0..7 of two columns per vector
        store(QUADS_LO.selectFrom(e0, f0), dst, d, stride);
        store(QUADS_HI.selectFrom(e0, f0), dst, d + 2 * stride, stride);
        store(QUADS_LO.selectFrom(e1, f1), dst, d + 4 * stride, stride);
        store(QUADS_HI.selectFrom(e1, f1), dst, d + 6 * stride, stride);
        store(QUADS_LO.selectFrom(e2, f2), dst, d + 8 * stride, stride);
        store(QUADS_HI.selectFrom(e2, f2), dst, d + 10 * stride, stride);
        store(QUADS_LO.selectFrom(e3, f3), dst, d + 12 * stride, stride);
        store(QUADS_HI.selectFrom(e3, f3), dst, d + 14 * stride, stride);
    }

    /** Stores two columns of 8 (lanes 0-7 and 8-15) at {@code d} and {@code d + stride}. */
    private static void store(FloatVector v, float[] dst, int d, int stride) {
        if (stride == 8) {
            v.intoArray(dst, d);
        } else {
            v.intoArray(dst, d, LOW8);
            v.intoArray(dst, d + stride - 8, HIGH8);
        }
    }
}
