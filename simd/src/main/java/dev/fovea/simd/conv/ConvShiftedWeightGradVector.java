package dev.fovea.simd.conv;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link ConvShiftedWeightGrad}; loaded only on the vector path. One
 * block is 6 rows of the wide output gradient by 4 shifted input rows: 24 accumulators, and per
 * vector of columns 4 + 6 loads for 24 FMAs. Written out without arrays or helpers so that C2
 * keeps every vector in a register (arrays of vectors are not scalar-replaced).
 */
final class ConvShiftedWeightGradVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final long VB = (long) L * Float.BYTES;
    private static final ByteOrder O = ByteOrder.nativeOrder();

    private ConvShiftedWeightGradVector() {}

    /**
     * Adds to 24 accumulators {@code acc[r * 4 + c]} (vectors at {@code state[stateOff + (r * 4 + c)
     * * lanes]}) the lane-wise products
     * {@code a[aBase + i * aImage + r * aRow + j] * b[i * bImage + shifts[c] + j]} for images
     * {@code n0 <= i < n1}, columns {@code j < width} in order, rows r < 6 and taps c < 4, and
     * stores them back. Offsets and strides in bytes except {@code width} (floats, a multiple of
     * the lanes); every addressed vector must lie in its segment.
     */
    static void block(MemorySegment a, long aBase, long aImage, long aRow, MemorySegment b, long bImage,
                      long[] shifts, int n0, int n1, int width, float[] state, int stateOff) {
        FloatVector c00 = FloatVector.fromArray(S, state, stateOff + 0 * L);
        FloatVector c01 = FloatVector.fromArray(S, state, stateOff + 1 * L);
        FloatVector c02 = FloatVector.fromArray(S, state, stateOff + 2 * L);
        FloatVector c03 = FloatVector.fromArray(S, state, stateOff + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, state, stateOff + 4 * L);
        FloatVector c11 = FloatVector.fromArray(S, state, stateOff + 5 * L);
        FloatVector c12 = FloatVector.fromArray(S, state, stateOff + 6 * L);
        FloatVector c13 = FloatVector.fromArray(S, state, stateOff + 7 * L);
        FloatVector c20 = FloatVector.fromArray(S, state, stateOff + 8 * L);
        FloatVector c21 = FloatVector.fromArray(S, state, stateOff + 9 * L);
        FloatVector c22 = FloatVector.fromArray(S, state, stateOff + 10 * L);
        FloatVector c23 = FloatVector.fromArray(S, state, stateOff + 11 * L);
        FloatVector c30 = FloatVector.fromArray(S, state, stateOff + 12 * L);
        FloatVector c31 = FloatVector.fromArray(S, state, stateOff + 13 * L);
        FloatVector c32 = FloatVector.fromArray(S, state, stateOff + 14 * L);
        FloatVector c33 = FloatVector.fromArray(S, state, stateOff + 15 * L);
        FloatVector c40 = FloatVector.fromArray(S, state, stateOff + 16 * L);
        FloatVector c41 = FloatVector.fromArray(S, state, stateOff + 17 * L);
        FloatVector c42 = FloatVector.fromArray(S, state, stateOff + 18 * L);
        FloatVector c43 = FloatVector.fromArray(S, state, stateOff + 19 * L);
        FloatVector c50 = FloatVector.fromArray(S, state, stateOff + 20 * L);
        FloatVector c51 = FloatVector.fromArray(S, state, stateOff + 21 * L);
        FloatVector c52 = FloatVector.fromArray(S, state, stateOff + 22 * L);
        FloatVector c53 = FloatVector.fromArray(S, state, stateOff + 23 * L);
        long s0 = shifts[0];
        long s1 = shifts[1];
        long s2 = shifts[2];
        long s3 = shifts[3];
        int bytes = width * Float.BYTES;
        for (int i = n0; i < n1; i++) {
            long ai = aBase + i * aImage;
            long bi = i * bImage;
            long b0i = bi + s0;
            long b1i = bi + s1;
            long b2i = bi + s2;
            long b3i = bi + s3;
            for (int j = 0; j < bytes; j += (int) VB) {
                FloatVector b0 = FloatVector.fromMemorySegment(S, b, b0i + j, O);
                FloatVector b1 = FloatVector.fromMemorySegment(S, b, b1i + j, O);
                FloatVector b2 = FloatVector.fromMemorySegment(S, b, b2i + j, O);
                FloatVector b3 = FloatVector.fromMemorySegment(S, b, b3i + j, O);
                long r = ai + j;
                FloatVector x = FloatVector.fromMemorySegment(S, a, r, O);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                c02 = x.fma(b2, c02);
                c03 = x.fma(b3, c03);
                x = FloatVector.fromMemorySegment(S, a, r + aRow, O);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                c12 = x.fma(b2, c12);
                c13 = x.fma(b3, c13);
                x = FloatVector.fromMemorySegment(S, a, r + 2 * aRow, O);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                c22 = x.fma(b2, c22);
                c23 = x.fma(b3, c23);
                x = FloatVector.fromMemorySegment(S, a, r + 3 * aRow, O);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                c32 = x.fma(b2, c32);
                c33 = x.fma(b3, c33);
                x = FloatVector.fromMemorySegment(S, a, r + 4 * aRow, O);
                c40 = x.fma(b0, c40);
                c41 = x.fma(b1, c41);
                c42 = x.fma(b2, c42);
                c43 = x.fma(b3, c43);
                x = FloatVector.fromMemorySegment(S, a, r + 5 * aRow, O);
                c50 = x.fma(b0, c50);
                c51 = x.fma(b1, c51);
                c52 = x.fma(b2, c52);
                c53 = x.fma(b3, c53);
            }
        }
        c00.intoArray(state, stateOff + 0 * L);
        c01.intoArray(state, stateOff + 1 * L);
        c02.intoArray(state, stateOff + 2 * L);
        c03.intoArray(state, stateOff + 3 * L);
        c10.intoArray(state, stateOff + 4 * L);
        c11.intoArray(state, stateOff + 5 * L);
        c12.intoArray(state, stateOff + 6 * L);
        c13.intoArray(state, stateOff + 7 * L);
        c20.intoArray(state, stateOff + 8 * L);
        c21.intoArray(state, stateOff + 9 * L);
        c22.intoArray(state, stateOff + 10 * L);
        c23.intoArray(state, stateOff + 11 * L);
        c30.intoArray(state, stateOff + 12 * L);
        c31.intoArray(state, stateOff + 13 * L);
        c32.intoArray(state, stateOff + 14 * L);
        c33.intoArray(state, stateOff + 15 * L);
        c40.intoArray(state, stateOff + 16 * L);
        c41.intoArray(state, stateOff + 17 * L);
        c42.intoArray(state, stateOff + 18 * L);
        c43.intoArray(state, stateOff + 19 * L);
        c50.intoArray(state, stateOff + 20 * L);
        c51.intoArray(state, stateOff + 21 * L);
        c52.intoArray(state, stateOff + 22 * L);
        c53.intoArray(state, stateOff + 23 * L);
    }
}
