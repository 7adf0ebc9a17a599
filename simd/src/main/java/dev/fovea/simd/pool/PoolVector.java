package dev.fovea.simd.pool;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API forward kernels of max pooling (values only) and average pooling; loaded only on
 * the vector path. Pooling is separable, so each output row is made in two passes over heap
 * buffers of one thread:
 * <pre>
 *   input rows (kd, kh) of the window ──max/add──▶ row [ pad │ inW reduced │ pad ... ]
 *   row[ow * strideW + kw * dilW], kw < kW ──max/add──▶ out[ow]   (all of outW, in vectors)
 * </pre>
 * The row's padding cells hold the identity of the reduction (-inf for max, 0 for the sum), so
 * every output column takes the same branch-free vector code, borders and tails included. Stride 1
 * reads the row with unaligned loads, stride 2 de-interleaves two loads with a two-vector
 * rearrange, larger strides gather. The finished row is copied to the output in bulk.
 *
 * <p>Max pooling is exact, so it equals {@link PoolNaive#max} (up to the sign of a zero: lanes
 * take {@code Math.max} semantics, NaN included). Average pooling adds the rows first and the
 * columns second, a different order than the reference's (kd, kh, kw): each output differs from
 * it by a few float roundings of the window's absolute sum.
 */
final class PoolVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Lane j takes lane 2j of the pair (v0, v1): indexes >= L are exceptional and select from v1. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, j -> 2 * j);

    private PoolVector() {}

    /** The heap buffers of one thread for one spec: the padded reduced row, the output row and the divisors. */
    static final class Buffers {
        final float[] row;
        final float[] outRow;
        final float[] colTaps;
        final int[] gather;
        final int[] rowOffsets;

        Buffers(PoolSpec s, boolean max) {
            int outW = s.out(2);
            int outWr = (outW + L - 1) / L * L;
            int reach = (s.kernel(2) - 1) * s.dilation(2);
            int len = Math.max(s.padBegin(2) + s.in(2) + L, outWr * s.stride(2) + reach + 2 * L);
            row = new float[len];
            Arrays.fill(row, max ? Float.NEGATIVE_INFINITY : 0f);
            outRow = new float[outWr];
            colTaps = new float[outWr];
            Arrays.fill(colTaps, 1f);
            for (int ow = 0; ow < outW; ow++) {
                colTaps[ow] = PoolNaive.taps(s, 2, ow);
            }
            gather = new int[L];
            for (int j = 0; j < L; j++) {
                gather[j] = j * s.stride(2);
            }
            rowOffsets = new int[s.kernel(0) * s.kernel(1)];
        }
    }

    /** Max (values only) or average pooling of planes {@code [p0, p1)}, as {@link PoolNaive#max} and {@link PoolNaive#avg}. */
    static void forward(PoolSpec s, boolean max, MemorySegment in, long inOff, MemorySegment out, long outOff,
                        int p0, int p1) {
        Buffers b = new Buffers(s, max);
        int outW = s.out(2);
        for (int p = p0; p < p1; p++) {
            long inBase = inOff + p * s.inPlane();
            long outRowAt = outOff + p * s.outPlane();
            for (int od = 0; od < s.out(0); od++) {
                for (int oh = 0; oh < s.out(1); oh++, outRowAt += outW) {
                    int rows = 0;
                    for (int kd = 0; kd < s.kernel(0); kd++) {
                        int id = PoolNaive.pos(s, 0, od, kd);
                        for (int kh = 0; kh < s.kernel(1) && id >= 0; kh++) {
                            int ih = PoolNaive.pos(s, 1, oh, kh);
                            if (ih >= 0) {
                                b.rowOffsets[rows++] = (id * s.in(1) + ih) * s.in(2);
                            }
                        }
                    }
                    reduceRows(s, max, in, inBase, b, rows);
                    if (max) {
                        maxColumns(s, b);
                    } else {
                        float rowCount = s.divisorOverride() > 0 ? 1f
                                : (float) ((long) PoolNaive.taps(s, 0, od) * PoolNaive.taps(s, 1, oh));
                        sumColumns(s, b, rowCount);
                    }
                    MemorySegment.copy(b.outRow, 0, out, F, outRowAt * Float.BYTES, outW);
                }
            }
        }
    }

    /** Reduces the input rows at {@code b.rowOffsets[0..rows)} into {@code b.row} after its left padding. */
    private static void reduceRows(PoolSpec s, boolean max, MemorySegment in, long inBase, Buffers b, int rows) {
        int inW = s.in(2);
        int at = s.padBegin(2);
        float[] row = b.row;
        // Full vectors while the last row's window stays inside the segment (rows ascend).
        long fit = in.byteSize() / Float.BYTES - L - (inBase + b.rowOffsets[rows - 1]);
        int iw = 0;
        for (; iw < inW && iw <= fit; iw += L) {
            FloatVector acc = FloatVector.fromMemorySegment(S, in, (inBase + b.rowOffsets[0] + iw) * Float.BYTES, O);
            for (int r = 1; r < rows; r++) {
                FloatVector x = FloatVector.fromMemorySegment(S, in, (inBase + b.rowOffsets[r] + iw) * Float.BYTES, O);
                acc = max ? acc.max(x) : acc.add(x);
            }
            acc.intoArray(row, at + iw);
        }
        for (; iw < inW; iw++) {
            float acc = in.getAtIndex(F, inBase + b.rowOffsets[0] + iw);
            for (int r = 1; r < rows; r++) {
                float x = in.getAtIndex(F, inBase + b.rowOffsets[r] + iw);
                acc = max ? Math.max(acc, x) : acc + x;
            }
            row[at + iw] = acc;
        }
        // The last vector may have run past the row: restore the right padding's identity.
        Arrays.fill(row, at + inW, Math.min(row.length, at + inW + L), max ? Float.NEGATIVE_INFINITY : 0f);
    }

    private static void maxColumns(PoolSpec s, Buffers b) {
        int outW = s.out(2);
        int kW = s.kernel(2);
        int dW = s.dilation(2);
        int sW = s.stride(2);
        float[] row = b.row;
        for (int ow = 0; ow < outW; ow += L) {
            FloatVector acc = column(row, ow * sW, sW, b.gather);
            for (int kw = 1; kw < kW; kw++) {
                acc = acc.max(column(row, ow * sW + kw * dW, sW, b.gather));
            }
            acc.intoArray(b.outRow, ow);
        }
    }

    private static void sumColumns(PoolSpec s, Buffers b, float rowCount) {
        int outW = s.out(2);
        int kW = s.kernel(2);
        int dW = s.dilation(2);
        int sW = s.stride(2);
        float[] row = b.row;
        boolean override = s.divisorOverride() > 0;
        FloatVector fixed = FloatVector.broadcast(S, (float) s.divisorOverride());
        for (int ow = 0; ow < outW; ow += L) {
            FloatVector acc = column(row, ow * sW, sW, b.gather);
            for (int kw = 1; kw < kW; kw++) {
                acc = acc.add(column(row, ow * sW + kw * dW, sW, b.gather));
            }
            FloatVector div = override ? fixed : FloatVector.fromArray(S, b.colTaps, ow).mul(rowCount);
            acc.div(div).intoArray(b.outRow, ow);
        }
    }

    /** Lanes {@code row[at + j * sW]}, j < L. */
    private static FloatVector column(float[] row, int at, int sW, int[] gather) {
        if (sW == 1) {
            return FloatVector.fromArray(S, row, at);
        }
        if (sW == 2) {
            return FloatVector.fromArray(S, row, at).rearrange(EVEN, FloatVector.fromArray(S, row, at + L));
        }
        return FloatVector.fromArray(S, row, at, gather, 0);
    }
}
