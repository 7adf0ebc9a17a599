package dev.fovea.simd.conv;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels of {@link ConvShiftedDataGrad}; loaded only on the vector path. A block
 * is 6 output rows by 4 vectors (or by 1, for a row's last vectors): for each of {@code k}
 * shifted input rows, 4 vector loads and 6 broadcast weights feed 24 FMAs. Written out without
 * arrays of vectors or helpers so that C2 keeps every accumulator in a register.
 */
final class ConvShiftedDataGradVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final long VB = (long) FloatSpecies.LANES * Float.BYTES;
    private static final ByteOrder O = ByteOrder.nativeOrder();

    private ConvShiftedDataGradVector() {}

    /**
     * {@code out[outBase + r * outRow + v * VB] = sum over p < k in order of
     * w[p * 6 + r] * in[base + rowOff[p] + v * VB]} for rows r < 6 and vectors v < 4 (byte offsets; the
     * vectors at consecutive addresses). Every addressed vector must lie in its segment.
     */
    static void block4(float[] w, int k, MemorySegment in, long base, long[] rowOff, MemorySegment out,
                       long outBase, long outRow) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c02 = FloatVector.zero(S);
        FloatVector c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c12 = FloatVector.zero(S);
        FloatVector c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c22 = FloatVector.zero(S);
        FloatVector c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c32 = FloatVector.zero(S);
        FloatVector c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c42 = FloatVector.zero(S);
        FloatVector c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c52 = FloatVector.zero(S);
        FloatVector c53 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            long at = base + rowOff[p];
            FloatVector x0 = FloatVector.fromMemorySegment(S, in, at, O);
            FloatVector x1 = FloatVector.fromMemorySegment(S, in, at + VB, O);
            FloatVector x2 = FloatVector.fromMemorySegment(S, in, at + 2 * VB, O);
            FloatVector x3 = FloatVector.fromMemorySegment(S, in, at + 3 * VB, O);
            int wi = p * 6;
            FloatVector w0 = FloatVector.broadcast(S, w[wi + 0]);
            c00 = x0.fma(w0, c00);
            c01 = x1.fma(w0, c01);
            c02 = x2.fma(w0, c02);
            c03 = x3.fma(w0, c03);
            FloatVector w1 = FloatVector.broadcast(S, w[wi + 1]);
            c10 = x0.fma(w1, c10);
            c11 = x1.fma(w1, c11);
            c12 = x2.fma(w1, c12);
            c13 = x3.fma(w1, c13);
            FloatVector w2 = FloatVector.broadcast(S, w[wi + 2]);
            c20 = x0.fma(w2, c20);
            c21 = x1.fma(w2, c21);
            c22 = x2.fma(w2, c22);
            c23 = x3.fma(w2, c23);
            FloatVector w3 = FloatVector.broadcast(S, w[wi + 3]);
            c30 = x0.fma(w3, c30);
            c31 = x1.fma(w3, c31);
            c32 = x2.fma(w3, c32);
            c33 = x3.fma(w3, c33);
            FloatVector w4 = FloatVector.broadcast(S, w[wi + 4]);
            c40 = x0.fma(w4, c40);
            c41 = x1.fma(w4, c41);
            c42 = x2.fma(w4, c42);
            c43 = x3.fma(w4, c43);
            FloatVector w5 = FloatVector.broadcast(S, w[wi + 5]);
            c50 = x0.fma(w5, c50);
            c51 = x1.fma(w5, c51);
            c52 = x2.fma(w5, c52);
            c53 = x3.fma(w5, c53);
        }
        c00.intoMemorySegment(out, outBase + 0 * outRow + 0 * VB, O);
        c01.intoMemorySegment(out, outBase + 0 * outRow + 1 * VB, O);
        c02.intoMemorySegment(out, outBase + 0 * outRow + 2 * VB, O);
        c03.intoMemorySegment(out, outBase + 0 * outRow + 3 * VB, O);
        c10.intoMemorySegment(out, outBase + 1 * outRow + 0 * VB, O);
        c11.intoMemorySegment(out, outBase + 1 * outRow + 1 * VB, O);
        c12.intoMemorySegment(out, outBase + 1 * outRow + 2 * VB, O);
        c13.intoMemorySegment(out, outBase + 1 * outRow + 3 * VB, O);
        c20.intoMemorySegment(out, outBase + 2 * outRow + 0 * VB, O);
        c21.intoMemorySegment(out, outBase + 2 * outRow + 1 * VB, O);
        c22.intoMemorySegment(out, outBase + 2 * outRow + 2 * VB, O);
        c23.intoMemorySegment(out, outBase + 2 * outRow + 3 * VB, O);
        c30.intoMemorySegment(out, outBase + 3 * outRow + 0 * VB, O);
        c31.intoMemorySegment(out, outBase + 3 * outRow + 1 * VB, O);
        c32.intoMemorySegment(out, outBase + 3 * outRow + 2 * VB, O);
        c33.intoMemorySegment(out, outBase + 3 * outRow + 3 * VB, O);
        c40.intoMemorySegment(out, outBase + 4 * outRow + 0 * VB, O);
        c41.intoMemorySegment(out, outBase + 4 * outRow + 1 * VB, O);
        c42.intoMemorySegment(out, outBase + 4 * outRow + 2 * VB, O);
        c43.intoMemorySegment(out, outBase + 4 * outRow + 3 * VB, O);
        c50.intoMemorySegment(out, outBase + 5 * outRow + 0 * VB, O);
        c51.intoMemorySegment(out, outBase + 5 * outRow + 1 * VB, O);
        c52.intoMemorySegment(out, outBase + 5 * outRow + 2 * VB, O);
        c53.intoMemorySegment(out, outBase + 5 * outRow + 3 * VB, O);
    }

    /** As {@link #block4} for one vector per row. */
    static void block1(float[] w, int k, MemorySegment in, long base, long[] rowOff, MemorySegment out,
                       long outBase, long outRow) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S);
        FloatVector c5 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            FloatVector x = FloatVector.fromMemorySegment(S, in, base + rowOff[p], O);
            int wi = p * 6;
            c0 = x.fma(FloatVector.broadcast(S, w[wi + 0]), c0);
            c1 = x.fma(FloatVector.broadcast(S, w[wi + 1]), c1);
            c2 = x.fma(FloatVector.broadcast(S, w[wi + 2]), c2);
            c3 = x.fma(FloatVector.broadcast(S, w[wi + 3]), c3);
            c4 = x.fma(FloatVector.broadcast(S, w[wi + 4]), c4);
            c5 = x.fma(FloatVector.broadcast(S, w[wi + 5]), c5);
        }
        c0.intoMemorySegment(out, outBase + 0 * outRow, O);
        c1.intoMemorySegment(out, outBase + 1 * outRow, O);
        c2.intoMemorySegment(out, outBase + 2 * outRow, O);
        c3.intoMemorySegment(out, outBase + 3 * outRow, O);
        c4.intoMemorySegment(out, outBase + 4 * outRow, O);
        c5.intoMemorySegment(out, outBase + 5 * outRow, O);
    }
}
