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
 * reads the row with unaligned loads; stride 2 reduces two vectors at full resolution and keeps
 * their even lanes with one two-vector rearrange; larger strides gather. Full output vectors are
 * stored straight to the segment, a row's tail masked. Max pooling at strides 1 and 2 and average
 * pooling at stride 1 run a whole plane per call ({@link #planeMax}, {@link #planeSumStride1}):
 * two calls per output row cost a fifth of the time (Zen 4, scratch harness: max 2x2 s2 on
 * 64 x 112 x 112 0.214 to 0.190 ms, 3x3 s2 p1 0.30 to 0.245, average 3x3 s1 p1 on 64 x 56 x 56
 * 0.205 to 0.167); same-size pooling at stride 1 takes {@link PoolSameSize} instead. Divisors
 * are applied as products of reciprocals (one rounding more than PyTorch's division, far inside
 * the summation's own error).
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

    /**
     * The tables and heap buffers of one spec on one thread: for output row {@code r = od * outH + oh},
     * its input rows' plane offsets {@code rowOffsets[rowStart[r] .. rowStart[r + 1])} and the row
     * part of its divisor; the padded reduced row, a full-resolution column buffer for stride 2,
     * the output tail and the column part of the divisors.
     */
    static final class Buffers {
        final int[] rowStart;
        final int[] rowOffsets;
        final float[] rowTaps;
        final float[] row;
        final float[] outRow;
        final float[] colInv;
        final int[] gather;

        Buffers(PoolSpec s, boolean max) {
            int outW = s.out(2);
            int outWr = (outW + L - 1) / L * L;
            int reach = (s.kernel(2) - 1) * s.dilation(2);
            int len = Math.max(s.padBegin(2) + s.in(2) + L, outWr * s.stride(2) + reach + 2 * L);
            row = new float[len];
            Arrays.fill(row, max ? Float.NEGATIVE_INFINITY : 0f);
            outRow = new float[outWr];
            colInv = new float[outWr];
            for (int ow = 0; ow < outW; ow++) {
                colInv[ow] = 1f / (s.divisorOverride() > 0 ? s.divisorOverride() : PoolNaive.taps(s, 2, ow));
            }
            gather = new int[L];
            for (int j = 0; j < L; j++) {
                gather[j] = j * s.stride(2);
            }
            int rows = s.out(0) * s.out(1);
            rowStart = new int[rows + 1];
            rowOffsets = new int[rows * s.kernel(0) * s.kernel(1)];
            rowTaps = new float[rows];
            int at = 0;
            for (int od = 0, r = 0; od < s.out(0); od++) {
                for (int oh = 0; oh < s.out(1); oh++, r++) {
                    rowStart[r] = at;
                    for (int kd = 0; kd < s.kernel(0); kd++) {
                        int id = PoolNaive.pos(s, 0, od, kd);
                        for (int kh = 0; kh < s.kernel(1) && id >= 0; kh++) {
                            int ih = PoolNaive.pos(s, 1, oh, kh);
                            if (ih >= 0) {
                                rowOffsets[at++] = (id * s.in(1) + ih) * s.in(2);
                            }
                        }
                    }
                    rowTaps[r] = s.divisorOverride() > 0 ? 1f
                            : (float) ((long) PoolNaive.taps(s, 0, od) * PoolNaive.taps(s, 1, oh));
                }
            }
            rowStart[rows] = at;
        }
    }

    /**
     * Each thread's buffers for its 8 most recent specs (the kernels write only a row's interior,
     * so they stay valid from call to call).
     */
    private static final RecentPerSpec<Buffers> BUFFERS = new RecentPerSpec<>(8, Buffers::new);

    /** Max (values only) or average pooling of planes {@code [p0, p1)}, as {@link PoolNaive#max} and {@link PoolNaive#avg}. */
    static void forward(PoolSpec s, boolean max, MemorySegment in, long inOff, MemorySegment out, long outOff,
                        int p0, int p1) {
        if (PoolWhole.applies(s)) {
            PoolWhole.forward(s, max, in, inOff, out, outOff, p0, p1);
            return;
        }
        if (PoolSameSize.applies(s)) {
            PoolSameSize.forward(s, max, in, inOff, out, outOff, p0, p1);
            return;
        }
        if (Pool2x2.applies(s)) {
            Pool2x2.forward(s, max, in, inOff, out, outOff, p0, p1);
            return;
        }
        Buffers b = BUFFERS.get(s, max);
        int outW = s.out(2);
        int rows = s.out(0) * s.out(1);
        for (int p = p0; p < p1; p++) {
            long inBase = inOff + p * s.inPlane();
            long outRowAt = outOff + p * s.outPlane();
            if (!max && s.stride(2) == 1) {
                planeSumStride1(s, in, inBase, out, outRowAt, b);
                continue;
            }
            if (max && s.stride(2) <= 2) {
                planeMax(s, in, inBase, out, outRowAt, b);
                continue;
            }
            for (int r = 0; r < rows; r++, outRowAt += outW) {
                reduceRows(s, max, in, inBase, b, b.rowStart[r], b.rowStart[r + 1]);
                if (max) {
                    maxColumns(s, b, out, outRowAt);
                } else {
                    sumColumns(s, b, b.rowTaps[r], out, outRowAt);
                }
            }
        }
    }

    /** Average pooling of one plane at stride 1 along W: rows summed into the row buffer, then columns summed. */
    private static void planeSumStride1(PoolSpec s, MemorySegment in, long inBase, MemorySegment out, long outRowAt,
                                        Buffers b) {
        int inW = s.in(2);
        int outW = s.out(2);
        int kW = s.kernel(2);
        int dW = s.dilation(2);
        int pad = s.padBegin(2);
        int rows = s.out(0) * s.out(1);
        float[] row = b.row;
        float[] colInv = b.colInv;
        int[] offsets = b.rowOffsets;
        long fit = in.byteSize() / Float.BYTES - L - inBase;
        for (int r = 0; r < rows; r++, outRowAt += outW) {
            int r0 = b.rowStart[r];
            int r1 = b.rowStart[r + 1];
            int iw = 0;
            for (; iw < inW && iw + offsets[r1 - 1] <= fit; iw += L) {
                FloatVector acc = FloatVector.fromMemorySegment(S, in, (inBase + offsets[r0] + iw) * Float.BYTES, O);
                for (int k = r0 + 1; k < r1; k++) {
                    acc = acc.add(FloatVector.fromMemorySegment(S, in, (inBase + offsets[k] + iw) * Float.BYTES, O));
                }
                if (iw + L <= inW) {
                    acc.intoArray(row, pad + iw);
                } else {
                    acc.intoArray(row, pad + iw, S.indexInRange(iw, inW));
                }
            }
            for (; iw < inW; iw++) {
                float acc = 0;
                for (int k = r0; k < r1; k++) {
                    acc += in.getAtIndex(F, inBase + offsets[k] + iw);
                }
                row[pad + iw] = acc;
            }
            float rowInv = 1f / b.rowTaps[r];
            for (int ow = 0; ow < outW; ow += L) {
                FloatVector acc = FloatVector.fromArray(S, row, ow);
                for (int kw = 1; kw < kW; kw++) {
                    acc = acc.add(FloatVector.fromArray(S, row, ow + kw * dW));
                }
                acc = acc.mul(FloatVector.fromArray(S, colInv, ow)).mul(rowInv);
                long at = (outRowAt + ow) * Float.BYTES;
                if (ow + L <= outW) {
                    acc.intoMemorySegment(out, at, O);
                } else {
                    acc.intoArray(b.outRow, ow);
                    storeTail(b, out, outRowAt, ow, outW);
                }
            }
        }
    }

    /** Max pooling of one plane at stride 1 or 2 along W, as {@link #planeSumStride1}. */
    private static void planeMax(PoolSpec s, MemorySegment in, long inBase, MemorySegment out, long outRowAt,
                                 Buffers b) {
        int inW = s.in(2);
        int outW = s.out(2);
        int kW = s.kernel(2);
        int dW = s.dilation(2);
        int pad = s.padBegin(2);
        boolean two = s.stride(2) == 2;
        int rows = s.out(0) * s.out(1);
        float[] row = b.row;
        int[] offsets = b.rowOffsets;
        long fit = in.byteSize() / Float.BYTES - L - inBase;
        for (int r = 0; r < rows; r++, outRowAt += outW) {
            int r0 = b.rowStart[r];
            int r1 = b.rowStart[r + 1];
            int iw = 0;
            for (; iw < inW && iw + offsets[r1 - 1] <= fit; iw += L) {
                FloatVector acc = FloatVector.fromMemorySegment(S, in, (inBase + offsets[r0] + iw) * Float.BYTES, O);
                for (int k = r0 + 1; k < r1; k++) {
                    acc = acc.max(FloatVector.fromMemorySegment(S, in, (inBase + offsets[k] + iw) * Float.BYTES, O));
                }
                if (iw + L <= inW) {
                    acc.intoArray(row, pad + iw);
                } else {
                    acc.intoArray(row, pad + iw, S.indexInRange(iw, inW));
                }
            }
            for (; iw < inW; iw++) {
                float acc = in.getAtIndex(F, inBase + offsets[r0] + iw);
                for (int k = r0 + 1; k < r1; k++) {
                    acc = Math.max(acc, in.getAtIndex(F, inBase + offsets[k] + iw));
                }
                row[pad + iw] = acc;
            }
            for (int ow = 0; ow < outW; ow += L) {
                FloatVector acc;
                if (two) {
                    // Reduce at full resolution over two vectors, then keep the even lanes.
                    int at = 2 * ow;
                    FloatVector lo = FloatVector.fromArray(S, row, at);
                    FloatVector hi = FloatVector.fromArray(S, row, at + L);
                    for (int kw = 1; kw < kW; kw++) {
                        lo = lo.max(FloatVector.fromArray(S, row, at + kw * dW));
                        hi = hi.max(FloatVector.fromArray(S, row, at + kw * dW + L));
                    }
                    acc = lo.rearrange(EVEN, hi);
                } else {
                    acc = FloatVector.fromArray(S, row, ow);
                    for (int kw = 1; kw < kW; kw++) {
                        acc = acc.max(FloatVector.fromArray(S, row, ow + kw * dW));
                    }
                }
                if (ow + L <= outW) {
                    acc.intoMemorySegment(out, (outRowAt + ow) * Float.BYTES, O);
                } else {
                    acc.intoArray(b.outRow, ow);
                    storeTail(b, out, outRowAt, ow, outW);
                }
            }
        }
    }

    /** Reduces the input rows at {@code b.rowOffsets[r0..r1)} into {@code b.row} after its left padding. */
    private static void reduceRows(PoolSpec s, boolean max, MemorySegment in, long inBase, Buffers b, int r0, int r1) {
        int inW = s.in(2);
        int at = s.padBegin(2);
        float[] row = b.row;
        // Full vectors while the last row's window stays inside the segment (rows ascend); the
        // row's last vector is stored masked, so the padding after it keeps its identity.
        long fit = in.byteSize() / Float.BYTES - L - (inBase + b.rowOffsets[r1 - 1]);
        int iw = 0;
        for (; iw < inW && iw <= fit; iw += L) {
            FloatVector acc = FloatVector.fromMemorySegment(S, in, (inBase + b.rowOffsets[r0] + iw) * Float.BYTES, O);
            for (int k = r0 + 1; k < r1; k++) {
                FloatVector x = FloatVector.fromMemorySegment(S, in, (inBase + b.rowOffsets[k] + iw) * Float.BYTES, O);
                acc = max ? acc.max(x) : acc.add(x);
            }
            if (iw + L <= inW) {
                acc.intoArray(row, at + iw);
            } else {
                acc.intoArray(row, at + iw, S.indexInRange(iw, inW));
            }
        }
        for (; iw < inW; iw++) {
            float acc = in.getAtIndex(F, inBase + b.rowOffsets[r0] + iw);
            for (int k = r0 + 1; k < r1; k++) {
                float x = in.getAtIndex(F, inBase + b.rowOffsets[k] + iw);
                acc = max ? Math.max(acc, x) : acc + x;
            }
            row[at + iw] = acc;
        }
    }

    /** Max pooling's columns at strides above 2 (gathers; strides 1 and 2 are {@link #planeMax}). */
    private static void maxColumns(PoolSpec s, Buffers b, MemorySegment out, long outRowAt) {
        int outW = s.out(2);
        int kW = s.kernel(2);
        int dW = s.dilation(2);
        int sW = s.stride(2);
        float[] row = b.row;
        for (int ow = 0; ow < outW; ow += L) {
            FloatVector acc = FloatVector.fromArray(S, row, ow * sW, b.gather, 0);
            for (int kw = 1; kw < kW; kw++) {
                acc = acc.max(FloatVector.fromArray(S, row, ow * sW + kw * dW, b.gather, 0));
            }
            if (ow + L <= outW) {
                acc.intoMemorySegment(out, (outRowAt + ow) * Float.BYTES, O);
            } else {
                acc.intoArray(b.outRow, ow);
                storeTail(b, out, outRowAt, ow, outW);
            }
        }
    }

    /** Average pooling's columns at stride 2 or more (stride 1 is {@link #planeSumStride1}). */
    private static void sumColumns(PoolSpec s, Buffers b, float rowTaps, MemorySegment out, long outRowAt) {
        int outW = s.out(2);
        int kW = s.kernel(2);
        int dW = s.dilation(2);
        int sW = s.stride(2);
        float[] row = b.row;
        float rowInv = 1f / rowTaps;
        for (int ow = 0; ow < outW; ow += L) {
            FloatVector acc;
            if (sW == 2) {
                int at = 2 * ow;
                FloatVector lo = FloatVector.fromArray(S, row, at);
                FloatVector hi = FloatVector.fromArray(S, row, at + L);
                for (int kw = 1; kw < kW; kw++) {
                    lo = lo.add(FloatVector.fromArray(S, row, at + kw * dW));
                    hi = hi.add(FloatVector.fromArray(S, row, at + kw * dW + L));
                }
                acc = lo.rearrange(EVEN, hi);
            } else {
                acc = FloatVector.fromArray(S, row, ow * sW, b.gather, 0);
                for (int kw = 1; kw < kW; kw++) {
                    acc = acc.add(FloatVector.fromArray(S, row, ow * sW + kw * dW, b.gather, 0));
                }
            }
            acc = acc.mul(FloatVector.fromArray(S, b.colInv, ow)).mul(rowInv);
            if (ow + L <= outW) {
                acc.intoMemorySegment(out, (outRowAt + ow) * Float.BYTES, O);
            } else {
                acc.intoArray(b.outRow, ow);
                storeTail(b, out, outRowAt, ow, outW);
            }
        }
    }

    /**
     * Writes lanes {@code [ow, outW)} of an output row's last vector, which the caller stored at
     * {@code b.outRow[ow..]}, to the segment. No helper here takes a vector: a call C2 does not
     * inline boxes every vector that may reach it (a ResNet-18 max pool allocated 1.1 MB per run
     * that way in a JVM whose profiles other models had shaped).
     */
    private static void storeTail(Buffers b, MemorySegment out, long outRowAt, int ow, int outW) {
        MemorySegment.copy(b.outRow, ow, out, F, (outRowAt + ow) * Float.BYTES, outW - ow);
    }
}
