package dev.fovea.simd.conv;

import dev.fovea.simd.internal.FloatSpecies;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link ConvChannelLanesWeightGrad}; loaded only on the vector path.
 * One block is 12 taps for one vector of output channels: 12 accumulators, and per output
 * position one vector load of the transposed output gradient, 12 broadcast input values and 12
 * FMAs. Written out without arrays of vectors so that C2 keeps the accumulators in registers; the
 * operands are heap arrays so that the input's index checks leave the inner loop.
 */
final class ConvChannelLanesWeightGradVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;

    private ConvChannelLanesWeightGradVector() {}

    /**
     * Adds to 12 accumulators {@code acc[t]} (vectors at {@code state[stateOff + t * lanes]}) the
     * lane-wise products {@code dy[dyOff + q * lanes + lane] * x[xOff + r * rowStep + c * colStep
     * + shift[t]]} over the positions {@code q = r * cols + c}, rows {@code r < rows} and columns
     * {@code c < cols} in order, and stores them back. Every index must lie in its array.
     */
    static void block(float[] dy, int dyOff, float[] x, int xOff, int[] shift, int rows, int rowStep, int cols,
                      int colStep, float[] state, int stateOff) {
        FloatVector a0 = FloatVector.fromArray(S, state, stateOff + 0 * L);
        FloatVector a1 = FloatVector.fromArray(S, state, stateOff + 1 * L);
        FloatVector a2 = FloatVector.fromArray(S, state, stateOff + 2 * L);
        FloatVector a3 = FloatVector.fromArray(S, state, stateOff + 3 * L);
        FloatVector a4 = FloatVector.fromArray(S, state, stateOff + 4 * L);
        FloatVector a5 = FloatVector.fromArray(S, state, stateOff + 5 * L);
        FloatVector a6 = FloatVector.fromArray(S, state, stateOff + 6 * L);
        FloatVector a7 = FloatVector.fromArray(S, state, stateOff + 7 * L);
        FloatVector a8 = FloatVector.fromArray(S, state, stateOff + 8 * L);
        FloatVector a9 = FloatVector.fromArray(S, state, stateOff + 9 * L);
        FloatVector a10 = FloatVector.fromArray(S, state, stateOff + 10 * L);
        FloatVector a11 = FloatVector.fromArray(S, state, stateOff + 11 * L);
        int s0 = shift[0]; int s1 = shift[1]; int s2 = shift[2]; int s3 = shift[3]; int s4 = shift[4]; int s5 = shift[5];
        int s6 = shift[6]; int s7 = shift[7]; int s8 = shift[8]; int s9 = shift[9]; int s10 = shift[10]; int s11 = shift[11];
        int d = dyOff;
        for (int r = 0; r < rows; r++) {
            int first = xOff + r * rowStep;
            if (colStep == 1) {
                // j is the loop's induction variable, so C2 hoists the 12 index checks out of the loop
                int end = first + cols;
                for (int j = first; j < end; j++, d += L) {
                    FloatVector v = FloatVector.fromArray(S, dy, d);
                    a0 = v.fma(FloatVector.broadcast(S, x[j + s0]), a0);
                    a1 = v.fma(FloatVector.broadcast(S, x[j + s1]), a1);
                    a2 = v.fma(FloatVector.broadcast(S, x[j + s2]), a2);
                    a3 = v.fma(FloatVector.broadcast(S, x[j + s3]), a3);
                    a4 = v.fma(FloatVector.broadcast(S, x[j + s4]), a4);
                    a5 = v.fma(FloatVector.broadcast(S, x[j + s5]), a5);
                    a6 = v.fma(FloatVector.broadcast(S, x[j + s6]), a6);
                    a7 = v.fma(FloatVector.broadcast(S, x[j + s7]), a7);
                    a8 = v.fma(FloatVector.broadcast(S, x[j + s8]), a8);
                    a9 = v.fma(FloatVector.broadcast(S, x[j + s9]), a9);
                    a10 = v.fma(FloatVector.broadcast(S, x[j + s10]), a10);
                    a11 = v.fma(FloatVector.broadcast(S, x[j + s11]), a11);
                }
            } else {
                for (int c = 0; c < cols; c++, d += L) {
                    int j = first + c * colStep;
                    FloatVector v = FloatVector.fromArray(S, dy, d);
                    a0 = v.fma(FloatVector.broadcast(S, x[j + s0]), a0);
                    a1 = v.fma(FloatVector.broadcast(S, x[j + s1]), a1);
                    a2 = v.fma(FloatVector.broadcast(S, x[j + s2]), a2);
                    a3 = v.fma(FloatVector.broadcast(S, x[j + s3]), a3);
                    a4 = v.fma(FloatVector.broadcast(S, x[j + s4]), a4);
                    a5 = v.fma(FloatVector.broadcast(S, x[j + s5]), a5);
                    a6 = v.fma(FloatVector.broadcast(S, x[j + s6]), a6);
                    a7 = v.fma(FloatVector.broadcast(S, x[j + s7]), a7);
                    a8 = v.fma(FloatVector.broadcast(S, x[j + s8]), a8);
                    a9 = v.fma(FloatVector.broadcast(S, x[j + s9]), a9);
                    a10 = v.fma(FloatVector.broadcast(S, x[j + s10]), a10);
                    a11 = v.fma(FloatVector.broadcast(S, x[j + s11]), a11);
                }
            }
        }
        a0.intoArray(state, stateOff + 0 * L);
        a1.intoArray(state, stateOff + 1 * L);
        a2.intoArray(state, stateOff + 2 * L);
        a3.intoArray(state, stateOff + 3 * L);
        a4.intoArray(state, stateOff + 4 * L);
        a5.intoArray(state, stateOff + 5 * L);
        a6.intoArray(state, stateOff + 6 * L);
        a7.intoArray(state, stateOff + 7 * L);
        a8.intoArray(state, stateOff + 8 * L);
        a9.intoArray(state, stateOff + 9 * L);
        a10.intoArray(state, stateOff + 10 * L);
        a11.intoArray(state, stateOff + 11 * L);
    }
}
