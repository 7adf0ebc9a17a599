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
 * {@code stride} floats apart: two per 16-lane store when the stride is 8 (A panels), else
 * through a scratch block, each half stored under a mask (B^T panels, stride 32). It keeps the
 * 512-bit kernels free of 256-bit vectors (see {@link LanePermutes} on mixing species). Only
 * loaded when {@link FloatSpecies#LANES} is 16.
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
    /** A transposed block on its way to columns more than 8 floats apart (see {@link #spread}). */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[128]);

    private Transpose8x16() {}

    /**
     * Writes {@code dst[base + p * stride + r] = s[src + r * ld + p]} for rows r in 0..7 and p in
     * 0..kc-1 (element indexes); {@code stride >= 8}.
     */
    static void rows(MemorySegment s, long src, int ld, int kc, float[] dst, int base, int stride) {
        long st = (long) ld * Float.BYTES;
        long o = src * Float.BYTES;
        float[] scratch = stride == 8 || kc < 16 ? null : SCRATCH.get();
        int p = 0;
        for (; p + 16 <= kc; p += 16, o += 16 * Float.BYTES) {
            if (scratch == null) {
                block(s, o, st, dst, base + p * stride);
            } else {
                block(s, o, st, scratch, 0);
                spread(scratch, dst, base + p * stride, stride);
            }
        }
        for (; p < kc; p++) {
            int d = base + p * stride;
            for (int r = 0; r < 8; r++) {
                dst[d + r] = s.getAtIndex(F, src + (long) r * ld + p);
            }
        }
    }

    // Every vector is stored with the intrinsics inside the method that made it. A store helper
    // with a branch on the stride (39 bytecodes) was not always inlined by C2, and then every
    // vector was boxed: 98 KB of heap per 256^3 GEMM with a transposed B. A block with its 16
    // masked stores written out was too big for C1 ("out of virtual registers"), which can leave
    // a method in a tier that never reaches C2. So a strided block is transposed into a scratch
    // of 128 floats and spread from there (8 loads that hit L1, against 24 permutes).

    /** One 8 x 16 block into 16 columns of 8 floats, one after the other from {@code d}. */
    private static void block(MemorySegment s, long o, long st, float[] dst, int d) {
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
        QUADS_LO.selectFrom(e0, f0).intoArray(dst, d);
        QUADS_HI.selectFrom(e0, f0).intoArray(dst, d + 16);
        QUADS_LO.selectFrom(e1, f1).intoArray(dst, d + 32);
        QUADS_HI.selectFrom(e1, f1).intoArray(dst, d + 48);
        QUADS_LO.selectFrom(e2, f2).intoArray(dst, d + 64);
        QUADS_HI.selectFrom(e2, f2).intoArray(dst, d + 80);
        QUADS_LO.selectFrom(e3, f3).intoArray(dst, d + 96);
        QUADS_HI.selectFrom(e3, f3).intoArray(dst, d + 112);
    }

    /**
     * Copies the 16 columns of 8 floats of {@code scratch} (a block in the packed layout) to
     * {@code dst}, column c at {@code d + c * stride}.
     */
    private static void spread(float[] scratch, float[] dst, int d, int stride) {
        for (int c = 0; c < 16; c += 2, d += 2 * stride) {
            FloatVector g = FloatVector.fromArray(S, scratch, c * 8);
            g.intoArray(dst, d, LOW8);
            g.intoArray(dst, d + stride - 8, HIGH8);
        }
    }
}
