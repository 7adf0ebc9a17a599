package dev.fovea.simd.pool;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of max pooling with indices (the forward of training, whose backward
 * scatters through the indices). Each output vector scans its windows' taps in PyTorch's order
 * (kd, kh, kw), keeping per lane the best value and its flat input index: a tap replaces them
 * where it is greater, where it is NaN, or where nothing is kept yet, so ties keep the first
 * index and NaN propagates exactly as in {@link PoolNaive#max}, bit for bit and index for index.
 *
 * <p>The input rows of an output row are first copied into heap rows with {@code -inf} borders,
 * so every tap is one unmasked load (stride 1), two loads and a two-vector permute (stride 2) or
 * a gather (larger strides); padding lanes are excluded by their column, never chosen.
 */
final class PoolMaxIndices {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final VectorSpecies<Integer> SI = S.withLanes(int.class);
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    /** Lane j takes lane 2j of the pair (v0, v1). */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, j -> 2 * j);
    private static final IntVector IOTA = IntVector.zero(SI).addIndex(1);

    private PoolMaxIndices() {}

    /** Max pooling of planes {@code [p0, p1)} with int32 plane-local indices, as {@link PoolNaive#max}. */
    static void forward(PoolSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff,
                        MemorySegment idx, long idxOff, int p0, int p1) {
        int inH = s.in(1);
        int inW = s.in(2);
        int outW = s.out(2);
        int kW = s.kernel(2);
        int sW = s.stride(2);
        int dW = s.dilation(2);
        int pW = s.padBegin(2);
        int taps = s.kernel(0) * s.kernel(1);
        // Heap rows: pW cells of -inf, the input row, then -inf for the farthest vector read.
        int rowLen = Math.max(pW + inW, (outW + L) * sW + (kW - 1) * dW + 2 * L) + L;
        float[][] rows = new float[taps][rowLen];
        for (float[] r : rows) {
            Arrays.fill(r, Float.NEGATIVE_INFINITY);
        }
        int[] rowAt = new int[taps];
        int[] gather = new int[L];
        for (int j = 0; j < L; j++) {
            gather[j] = j * sW;
        }
        float[] outTail = new float[L];
        int[] idxTail = new int[L];
        long o = (long) p0 * s.outPlane();
        for (int p = p0; p < p1; p++) {
            long base = inOff + p * s.inPlane();
            for (int od = 0; od < s.out(0); od++) {
                for (int oh = 0; oh < s.out(1); oh++, o += outW) {
                    // The valid input rows of the window, in (kd, kh) order, copied into the heap rows.
                    int n = 0;
                    for (int kd = 0; kd < s.kernel(0); kd++) {
                        int id = PoolNaive.pos(s, 0, od, kd);
                        for (int kh = 0; kh < s.kernel(1) && id >= 0; kh++) {
                            int ih = PoolNaive.pos(s, 1, oh, kh);
                            if (ih >= 0) {
                                rowAt[n] = (id * inH + ih) * inW;
                                MemorySegment.copy(in, F, (base + rowAt[n]) * Float.BYTES, rows[n], pW, inW);
                                n++;
                            }
                        }
                    }
                    for (int ow = 0; ow < outW; ow += L) {
                        FloatVector best = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                        IntVector bestAt = IntVector.broadcast(SI, -1);
                        for (int t = 0; t < n; t++) {
                            float[] row = rows[t];
                            for (int kw = 0; kw < kW; kw++) {
                                // Lane q reads input column iw = (ow + q) sW - pW + kw dW, at row[iw + pW].
                                int at = ow * sW + kw * dW;
                                FloatVector x;
                                if (sW == 1) {
                                    x = FloatVector.fromArray(S, row, at);
                                } else if (sW == 2) {
                                    x = FloatVector.fromArray(S, row, at)
                                            .rearrange(EVEN, FloatVector.fromArray(S, row, at + L));
                                } else {
                                    x = FloatVector.fromArray(S, row, at, gather, 0);
                                }
                                IntVector iw = IOTA.mul(sW).add(at - pW);
                                VectorMask<Float> valid = iw.compare(VectorOperators.GE, 0)
                                        .and(iw.compare(VectorOperators.LT, inW)).cast(S);
                                VectorMask<Float> take = x.compare(VectorOperators.GT, best)
                                        .or(x.test(VectorOperators.IS_NAN))
                                        .or(bestAt.compare(VectorOperators.LT, 0).cast(S))
                                        .and(valid);
                                best = best.blend(x, take);
                                bestAt = bestAt.blend(iw.add(rowAt[t]), take.cast(SI));
                            }
                        }
                        long outAt = (outOff + o + ow) * Float.BYTES;
                        long idxAt = (idxOff + o + ow) * Integer.BYTES;
                        if (ow + L <= outW) {
                            best.intoMemorySegment(out, outAt, O);
                            bestAt.intoMemorySegment(idx, idxAt, O);
                        } else {
                            best.intoArray(outTail, 0);
                            bestAt.intoArray(idxTail, 0);
                            MemorySegment.copy(outTail, 0, out, F, outAt, outW - ow);
                            MemorySegment.copy(idxTail, 0, idx, I, idxAt, outW - ow);
                        }
                    }
                }
            }
        }
    }
}
