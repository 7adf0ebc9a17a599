package dev.fovea.simd.resample;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels of {@link Resample}; loaded only on the vector path. Resampling is
 * separable, so each plane is made in passes over rows:
 * <pre>
 *   W pass   input row (heap copy) ──gather taps, FMA──▶ resized row [outW]   (cached per source row)
 *   H pass   resized rows iH[b][oh] ──FMA with wH──▶ output row (or a slice buffer, for 3-d)
 *   D pass   slices iD[a][od] ──FMA with wD──▶ output slice
 * </pre>
 * Source rows (and slices) are used by consecutive outputs in increasing order, so a cache of
 * {@code taps} rows keyed by {@code index % taps} computes each resized row once per slice. Nearest
 * modes gather each output row once and copy repeated rows and slices. The backward runs the
 * transposed passes: W by gathering each input position's contributions from a transposed table
 * (fixed fan, padded with a zero slot), then H and D as FMA row updates into the zeroed gradient.
 * Each lane does the scalar reference's operations in the same order, so results are bit-identical
 * to {@code ResampleNaive} (row tails run the same operations in scalar code).
 */
final class ResampleVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ResampleVector() {}

    /**
     * Heap buffers of one thread: an input row, the cache of resized rows and their tags, and the
     * rows and weights one output row combines (picked before its loop).
     */
    private static final class Rows {
        final float[] input;
        final float[][] resized;
        final int[] tag;
        final float[][] pick;
        final long[] pickAt;
        final float[] pickWeight;

        Rows(ResampleSpec s) {
            input = new float[s.in(2)];
            int taps = s.active(1) ? s.table(1).taps : 1;
            resized = new float[taps][AxisTable.padded(s.out(2))];
            tag = new int[taps];
            pick = new float[taps][];
            int maxTaps = Math.max(taps, s.table(0).taps);
            pickAt = new long[maxTaps];
            pickWeight = new float[maxTaps];
        }
    }

    static void forward(ResampleSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff, int p0, int p1) {
        Rows rows = new Rows(s);
        if (s.mode().taps() == 1) {
            for (int p = p0; p < p1; p++) {
                nearestPlane(s, rows, in, inOff + p * s.inPlane(), out, outOff + p * s.outPlane());
            }
            return;
        }
        long outHW = (long) s.out(1) * s.out(2);
        long inHW = (long) s.in(1) * s.in(2);
        AxisTable td = s.table(0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slices = s.active(0) ? arena.allocate(td.taps * outHW * Float.BYTES, 64) : null;
            int[] sliceTag = new int[td.taps];
            for (int p = p0; p < p1; p++) {
                long inBase = inOff + p * s.inPlane();
                long outBase = outOff + p * s.outPlane();
                if (!s.active(0)) {
                    slice(s, rows, in, inBase, out, outBase);
                    continue;
                }
                Arrays.fill(sliceTag, -1);
                for (int od = 0; od < s.out(0); od++) {
                    for (int a = 0; a < td.taps; a++) {
                        int id = td.index[a][od];
                        int slot = id % td.taps;
                        if (sliceTag[slot] != id) {
                            slice(s, rows, in, inBase + id * inHW, slices, slot * outHW);
                            sliceTag[slot] = id;
                        }
                    }
                    combineSlices(td, od, rows, slices, outHW, out, outBase + od * outHW);
                }
            }
        }
    }

    /** The H and W passes of one input slice into {@code outHW} floats of {@code dst} at {@code dstOff}. */
    private static void slice(ResampleSpec s, Rows rows, MemorySegment in, long inBase, MemorySegment dst,
                              long dstOff) {
        int outW = s.out(2);
        int inW = s.in(2);
        if (!s.active(1)) {
            resizeRow(s.table(2), rows, in, inBase, rows.resized[0]);
            MemorySegment.copy(rows.resized[0], 0, dst, F, dstOff * Float.BYTES, outW);
            return;
        }
        AxisTable th = s.table(1);
        Arrays.fill(rows.tag, -1);
        for (int oh = 0; oh < s.out(1); oh++) {
            for (int b = 0; b < th.taps; b++) {
                int ih = th.index[b][oh];
                int slot = ih % th.taps;
                if (rows.tag[slot] != ih) {
                    resizeRow(s.table(2), rows, in, inBase + (long) ih * inW, rows.resized[slot]);
                    rows.tag[slot] = ih;
                }
            }
            combineRows(th, oh, rows, outW, dst, dstOff + (long) oh * outW);
        }
    }

    /** The W pass: {@code dst[ow] = sum_c row[iW[c][ow]] * wW[c][ow]} over the padded width. */
    private static void resizeRow(AxisTable tw, Rows rows, MemorySegment in, long rowOff, float[] dst) {
        float[] src = rows.input;
        MemorySegment.copy(in, F, rowOff * Float.BYTES, src, 0, src.length);
        for (int ow = 0; ow < tw.out; ow += L) {
            FloatVector acc = FloatVector.fromArray(S, src, 0, tw.index[0], ow)
                    .mul(FloatVector.fromArray(S, tw.weight[0], ow));
            for (int c = 1; c < tw.taps; c++) {
                acc = FloatVector.fromArray(S, src, 0, tw.index[c], ow)
                        .fma(FloatVector.fromArray(S, tw.weight[c], ow), acc);
            }
            acc.intoArray(dst, ow);
        }
    }

    /** The H pass of output row {@code oh}: cached resized rows weighted by {@code wH}, stored to {@code dst}. */
    private static void combineRows(AxisTable th, int oh, Rows rows, int n, MemorySegment dst, long dstOff) {
        int taps = th.taps;
        float[][] r = rows.pick;
        float[] w = rows.pickWeight;
        for (int b = 0; b < taps; b++) {
            r[b] = rows.resized[th.index[b][oh] % taps];
            w[b] = th.weight[b][oh];
        }
        int x = 0;
        for (; x <= n - L; x += L) {
            FloatVector acc = FloatVector.fromArray(S, r[0], x).mul(w[0]);
            for (int b = 1; b < taps; b++) {
                acc = FloatVector.fromArray(S, r[b], x).fma(FloatVector.broadcast(S, w[b]), acc);
            }
            acc.intoMemorySegment(dst, (dstOff + x) * Float.BYTES, O);
        }
        for (; x < n; x++) {
            float acc = r[0][x] * w[0];
            for (int b = 1; b < taps; b++) {
                acc = Math.fma(r[b][x], w[b], acc);
            }
            dst.setAtIndex(F, dstOff + x, acc);
        }
    }

    /** The D pass of output slice {@code od}: cached slices weighted by {@code wD}, stored to {@code out}. */
    private static void combineSlices(AxisTable td, int od, Rows rows, MemorySegment slices, long n,
                                      MemorySegment out, long outOff) {
        int taps = td.taps;
        long[] at = rows.pickAt;
        float[] w = rows.pickWeight;
        for (int a = 0; a < taps; a++) {
            at[a] = (td.index[a][od] % taps) * n;
            w[a] = td.weight[a][od];
        }
        long x = 0;
        for (; x <= n - L; x += L) {
            FloatVector acc = FloatVector.fromMemorySegment(S, slices, (at[0] + x) * Float.BYTES, O).mul(w[0]);
            for (int a = 1; a < taps; a++) {
                acc = FloatVector.fromMemorySegment(S, slices, (at[a] + x) * Float.BYTES, O)
                        .fma(FloatVector.broadcast(S, w[a]), acc);
            }
            acc.intoMemorySegment(out, (outOff + x) * Float.BYTES, O);
        }
        for (; x < n; x++) {
            float acc = slices.getAtIndex(F, at[0] + x) * w[0];
            for (int a = 1; a < taps; a++) {
                acc = Math.fma(slices.getAtIndex(F, at[a] + x), w[a], acc);
            }
            out.setAtIndex(F, outOff + x, acc);
        }
    }

    /** Nearest modes: each new output row is one gather; repeated source rows and slices are copies. */
    private static void nearestPlane(ResampleSpec s, Rows rows, MemorySegment in, long inBase, MemorySegment out,
                                     long outBase) {
        AxisTable td = s.table(0);
        AxisTable th = s.table(1);
        AxisTable tw = s.table(2);
        int outW = s.out(2);
        long outHW = (long) s.out(1) * outW;
        float[] row = rows.resized[0];
        for (int od = 0; od < s.out(0); od++) {
            long sliceAt = outBase + od * outHW;
            if (od > 0 && td.index[0][od] == td.index[0][od - 1]) {
                MemorySegment.copy(out, (sliceAt - outHW) * Float.BYTES, out, sliceAt * Float.BYTES,
                        outHW * Float.BYTES);
                continue;
            }
            long inSlice = inBase + (long) td.index[0][od] * s.in(1) * s.in(2);
            for (int oh = 0; oh < s.out(1); oh++) {
                long rowAt = sliceAt + (long) oh * outW;
                if (oh > 0 && th.index[0][oh] == th.index[0][oh - 1]) {
                    MemorySegment.copy(out, (rowAt - outW) * Float.BYTES, out, rowAt * Float.BYTES,
                            (long) outW * Float.BYTES);
                    continue;
                }
                MemorySegment.copy(in, F, (inSlice + (long) th.index[0][oh] * s.in(2)) * Float.BYTES, rows.input, 0,
                        rows.input.length);
                int x = 0;
                for (; x <= outW - L; x += L) {
                    FloatVector.fromArray(S, rows.input, 0, tw.index[0], x).intoMemorySegment(out,
                            (rowAt + x) * Float.BYTES, O);
                }
                if (x < outW) {
                    FloatVector.fromArray(S, rows.input, 0, tw.index[0], x).intoArray(row, x);
                    MemorySegment.copy(row, x, out, F, (rowAt + x) * Float.BYTES, outW - x);
                }
            }
        }
    }

    static void backward(ResampleSpec s, AxisTable.Transposed tw, MemorySegment g, long gOff, MemorySegment gx,
                         long gxOff, int p0, int p1) {
        int outW = s.out(2);
        int inW = s.in(2);
        long inHW = (long) s.in(1) * inW;
        float[] gRow = new float[outW + 1];
        float[] row = new float[AxisTable.padded(inW)];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slice = s.active(0) ? arena.allocate(inHW * Float.BYTES, 64) : null;
            for (int p = p0; p < p1; p++) {
                long gxBase = gxOff + p * s.inPlane();
                long gRowAt = gOff + p * s.outPlane();
                if (s.active(1)) {
                    gx.asSlice(gxBase * Float.BYTES, s.inPlane() * Float.BYTES).fill((byte) 0);
                }
                for (int od = 0; od < s.out(0); od++) {
                    MemorySegment acc = s.active(0) ? slice : gx;
                    long accOff = s.active(0) ? 0 : gxBase;
                    if (s.active(0)) {
                        slice.fill((byte) 0);
                    }
                    for (int oh = 0; oh < s.out(1); oh++, gRowAt += outW) {
                        MemorySegment.copy(g, F, gRowAt * Float.BYTES, gRow, 0, outW);
                        transposeW(tw, gRow, row, inW);
                        if (!s.active(1)) {
                            MemorySegment.copy(row, 0, acc, F, accOff * Float.BYTES, inW);
                            continue;
                        }
                        AxisTable th = s.table(1);
                        for (int b = 0; b < th.taps; b++) {
                            fmaRow(row, th.weight[b][oh], acc, accOff + (long) th.index[b][oh] * inW, inW);
                        }
                    }
                    if (s.active(0)) {
                        AxisTable td = s.table(0);
                        for (int a = 0; a < td.taps; a++) {
                            fmaSlice(slice, td.weight[a][od], gx, gxBase + td.index[a][od] * inHW, inHW);
                        }
                    }
                }
            }
        }
    }

    /** The transposed W pass: {@code row[x] = sum_k gRow[outputs[k][x]] * weights[k][x]} over the padded width. */
    private static void transposeW(AxisTable.Transposed tw, float[] gRow, float[] row, int inW) {
        int[][] outputs = tw.outputs();
        float[][] weights = tw.weights();
        for (int x = 0; x < inW; x += L) {
            FloatVector acc = FloatVector.fromArray(S, gRow, 0, outputs[0], x)
                    .mul(FloatVector.fromArray(S, weights[0], x));
            for (int k = 1; k < tw.fan(); k++) {
                acc = FloatVector.fromArray(S, gRow, 0, outputs[k], x)
                        .fma(FloatVector.fromArray(S, weights[k], x), acc);
            }
            acc.intoArray(row, x);
        }
    }

    /** {@code dst[x] = fma(row[x], w, dst[x])} for {@code x < n}. */
    private static void fmaRow(float[] row, float w, MemorySegment dst, long dstOff, int n) {
        FloatVector wv = FloatVector.broadcast(S, w);
        int x = 0;
        for (; x <= n - L; x += L) {
            long at = (dstOff + x) * Float.BYTES;
            FloatVector.fromArray(S, row, x).fma(wv, FloatVector.fromMemorySegment(S, dst, at, O))
                    .intoMemorySegment(dst, at, O);
        }
        for (; x < n; x++) {
            dst.setAtIndex(F, dstOff + x, Math.fma(row[x], w, dst.getAtIndex(F, dstOff + x)));
        }
    }

    /** {@code dst[e] = fma(src[e], w, dst[e])} for {@code e < n}, {@code src} from element 0. */
    private static void fmaSlice(MemorySegment src, float w, MemorySegment dst, long dstOff, long n) {
        FloatVector wv = FloatVector.broadcast(S, w);
        long e = 0;
        for (; e <= n - L; e += L) {
            long at = (dstOff + e) * Float.BYTES;
            FloatVector.fromMemorySegment(S, src, e * Float.BYTES, O).fma(wv, FloatVector.fromMemorySegment(S, dst, at, O))
                    .intoMemorySegment(dst, at, O);
        }
        for (; e < n; e++) {
            dst.setAtIndex(F, dstOff + e, Math.fma(src.getAtIndex(F, e), w, dst.getAtIndex(F, dstOff + e)));
        }
    }
}
