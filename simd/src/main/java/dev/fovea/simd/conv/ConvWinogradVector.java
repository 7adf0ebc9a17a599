package dev.fovea.simd.conv;

import dev.fovea.simd.eltwise.impl.ActivationScalar;
import dev.fovea.simd.internal.FloatSpecies;
import dev.fovea.simd.internal.LanePermutes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API parts of {@link ConvWinogradTransforms}, loaded only on the vector path.
 *
 * <p><b>1-d transforms:</b> lane {@code l} is tile {@code t + l}, so each of the {@code alpha}
 * inputs is one contiguous load and the transform is straight-line arithmetic on named locals.
 *
 * <p><b>Splitting and merging rows:</b> the tiles of one tile row start every {@code m} columns,
 * so element {@code j} of consecutive tiles sits at stride {@code m} in an input row.
 * {@link #splitRow} turns an input row into {@code alpha} staging rows with two-source selects
 * ({@code selectFrom(v1, v2)}, one permute instruction each): for F(4x4) four loads of
 * {@code 4L} floats give elements 0..3 of {@code L} tiles in 8 selects, and the same loads
 * shifted by one tile give elements 4 and 5 in 4 more (a gather instruction per element was 4x
 * slower here). {@link #mergeRow} is the inverse, interleaving the {@code m} output columns of a
 * tile back into an output row. Both go through a heap row buffer with bulk copies to and from
 * the segments, so no vector access is masked or crosses a segment's end.
 *
 * <p>The methods are deliberately small (no arrays of {@code FloatVector}): big Vector API methods
 * can stay in C1 and run 10x slower (PERFORMANCE-NOTES.md, "Traps found").
 */
final class ConvWinogradVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();

    /** Stride 2, from a pair of vectors: element 0 / 1 of each of their L two-float groups. */
    private static final FloatVector EVEN = LanePermutes.of(i -> 2 * i);
    private static final FloatVector ODD = LanePermutes.of(i -> 2 * i + 1);
    /**
     * Stride 4, first step, from a pair of vectors (L/2 four-float groups): lanes [0, L/2) get
     * element 0 (resp. 2) of each group, lanes [L/2, L) element 1 (resp. 3).
     */
    private static final FloatVector PHASE01 = LanePermutes.of(i -> i < L / 2 ? 4 * i : 4 * (i - L / 2) + 1);
    private static final FloatVector PHASE23 = LanePermutes.of(i -> i < L / 2 ? 4 * i + 2 : 4 * (i - L / 2) + 3);
    /** Stride 4, second step: the lower (resp. upper) halves of two first-step results. */
    private static final FloatVector LOWER = LanePermutes.of(i -> i < L / 2 ? i : L + i - L / 2);
    private static final FloatVector UPPER = LanePermutes.of(i -> i < L / 2 ? i + L / 2 : L + i);
    /** Interleaving (inverse of EVEN/ODD): lanes [0, L/2) (resp. [L/2, L)) of a and b as a0 b0 a1 b1 .. */
    private static final FloatVector ZIP_LOWER = LanePermutes.interleave(1, false);
    private static final FloatVector ZIP_UPPER = LanePermutes.interleave(1, true);
    /** Interleaving pairs: pairs [0, L/4) (resp. [L/4, L/2)) of a and c as a0 a1 c0 c1 a2 a3 c2 c3 .. */
    private static final FloatVector PAIRS_LOWER = LanePermutes.interleave(2, false);
    private static final FloatVector PAIRS_UPPER = LanePermutes.interleave(2, true);

    private ConvWinogradVector() {}

    /** Float length of a row buffer for {@link #splitRow} over {@code tilesW} tiles of stride {@code m}. */
    static int rowBufferLength(int m, int tilesW) {
        return chunks(tilesW) * L * m + m + L;
    }

    /** Vectors of tiles covering {@code tilesW} tiles. */
    static int chunks(int tilesW) {
        return (tilesW + L - 1) / L;
    }

    /**
     * Copies {@code len} floats of {@code src} at element {@code off} to {@code row[at..]}, a bulk
     * copy (the row buffer's padding around them is never written and stays zero).
     */
    static void copyRow(MemorySegment src, long off, int len, float[] row, int at) {
        MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED, off * Float.BYTES, row, at, len);
    }

    /**
     * Splits one (zero-padded) input row into the {@code alpha} staging rows of its tiles: tile
     * {@code t} starts at {@code row[t * m]}; its element {@code j} goes to
     * {@code d[dOff + j * ds + t]}, for {@code chunks} vectors of tiles (whole vectors are
     * written, so up to {@code L - 1} lanes past the last tile get garbage).
     */
    static void splitRow(boolean f4, float[] row, int chunks, MemorySegment d, long dOff, long ds) {
        for (int k = 0; k < chunks; k++) {
            if (f4) {
                splitF4(row, k * 4 * L, d, dOff + (long) k * L, ds);
            } else {
                splitF2(row, k * 2 * L, d, dOff + (long) k * L, ds);
            }
        }
    }

    private static void splitF4(float[] row, int at, MemorySegment d, long dOff, long ds) {
        FloatVector v0 = FloatVector.fromArray(S, row, at);
        FloatVector v1 = FloatVector.fromArray(S, row, at + L);
        FloatVector v2 = FloatVector.fromArray(S, row, at + 2 * L);
        FloatVector v3 = FloatVector.fromArray(S, row, at + 3 * L);
        FloatVector e01 = PHASE01.selectFrom(v0, v1);
        FloatVector e23 = PHASE23.selectFrom(v0, v1);
        FloatVector g01 = PHASE01.selectFrom(v2, v3);
        FloatVector g23 = PHASE23.selectFrom(v2, v3);
        store(LOWER.selectFrom(e01, g01), d, dOff);
        store(UPPER.selectFrom(e01, g01), d, dOff + ds);
        store(LOWER.selectFrom(e23, g23), d, dOff + 2 * ds);
        store(UPPER.selectFrom(e23, g23), d, dOff + 3 * ds);
        // elements 4 and 5 are elements 0 and 1 of the row shifted by one tile
        FloatVector w0 = FloatVector.fromArray(S, row, at + 4);
        FloatVector w1 = FloatVector.fromArray(S, row, at + 4 + L);
        FloatVector w2 = FloatVector.fromArray(S, row, at + 4 + 2 * L);
        FloatVector w3 = FloatVector.fromArray(S, row, at + 4 + 3 * L);
        FloatVector f01 = PHASE01.selectFrom(w0, w1);
        FloatVector h01 = PHASE01.selectFrom(w2, w3);
        store(LOWER.selectFrom(f01, h01), d, dOff + 4 * ds);
        store(UPPER.selectFrom(f01, h01), d, dOff + 5 * ds);
    }

    private static void splitF2(float[] row, int at, MemorySegment d, long dOff, long ds) {
        FloatVector v0 = FloatVector.fromArray(S, row, at);
        FloatVector v1 = FloatVector.fromArray(S, row, at + L);
        store(EVEN.selectFrom(v0, v1), d, dOff);
        store(ODD.selectFrom(v0, v1), d, dOff + ds);
        FloatVector w0 = FloatVector.fromArray(S, row, at + 2);
        FloatVector w1 = FloatVector.fromArray(S, row, at + 2 + L);
        store(EVEN.selectFrom(w0, w1), d, dOff + 2 * ds);
        store(ODD.selectFrom(w0, w1), d, dOff + 3 * ds);
    }

    /**
     * Merges {@code m} staging rows ({@code y[yOff + s * ys + t]}, column {@code s} of tile
     * {@code t}) plus {@code bias} into {@code width} floats of an output row at
     * {@code out[outOff..]}: tile {@code t}, column {@code s} goes to {@code t * m + s}, after the
     * activation {@code act} ({@link DepthwisePlanes#ACT_NONE}, {@code ACT_RELU}, or
     * {@code ACT_HARDTANH} with bounds {@code lo, hi}: the expressions of
     * {@code ActivationVector}, so the same bits as a separate pass).
     * Reads {@code ceil(width / (m L))} vectors of tiles from each staging row. Whole vectors go
     * to {@code rowBuf} ({@link #mergeBufferLength} floats), then {@code width} floats are copied
     * out: no masked store at the right edge (see {@link PartialVectors}), and no vector crosses
     * a call.
     */
    static void mergeRow(boolean f4, MemorySegment y, long yOff, long ys, float bias, int act, float lo, float hi,
                         float[] rowBuf, MemorySegment residual, long residualShift, MemorySegment out, long outOff,
                         int width) {
        int span = (f4 ? 4 : 2) * L;
        // with a residual, the activation comes after its sum, in addRow
        int mergeAct = residual == null ? act : DepthwisePlanes.ACT_NONE;
        for (int k = 0; k * span < width; k++) {
            if (f4) {
                mergeF4(y, yOff + (long) k * L, ys, bias, mergeAct, lo, hi, rowBuf, k * span);
            } else {
                mergeF2(y, yOff + (long) k * L, ys, bias, mergeAct, lo, hi, rowBuf, k * span);
            }
        }
        if (residual == null) {
            MemorySegment.copy(rowBuf, 0, out, ValueLayout.JAVA_FLOAT_UNALIGNED, outOff * Float.BYTES, width);
        } else {
            addRow(rowBuf, residual, outOff + residualShift, act, lo, hi, out, outOff, width);
        }
    }

    /**
     * {@code out[outOff + i] = act(row[i] + residual[resOff + i])} for {@code i < width}: whole
     * vectors, then the last {@code width mod L} elements one by one (a vector past the row could
     * leave the residual's segment). ReLU and hardtanh as in {@link #mergeF4}; the scalar forms of
     * {@code ActivationScalar} give the same values.
     */
    private static void addRow(float[] row, MemorySegment residual, long resOff, int act, float lo, float hi,
                               MemorySegment out, long outOff, int width) {
        int i = 0;
        for (; i + L <= width; i += L) {
            FloatVector v = FloatVector.fromArray(S, row, i).add(load(residual, resOff + i));
            if (act == DepthwisePlanes.ACT_RELU) {
                v = v.blend(0f, v.compare(VectorOperators.LE, 0f));
            } else if (act == DepthwisePlanes.ACT_HARDTANH) {
                v = v.blend(hi, v.compare(VectorOperators.GT, hi)).blend(lo, v.compare(VectorOperators.LT, lo));
            }
            store(v, out, outOff + i);
        }
        for (; i < width; i++) {
            float v = row[i] + residual.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, resOff + i);
            if (act == DepthwisePlanes.ACT_RELU) {
                v = ActivationScalar.relu(v, 0f, 0f);
            } else if (act == DepthwisePlanes.ACT_HARDTANH) {
                v = ActivationScalar.hardtanh(v, lo, hi);
            }
            out.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, outOff + i, v);
        }
    }

    /** Float length of {@link #mergeRow}'s row buffer for rows of {@code tilesW} tiles of {@code m} columns. */
    static int mergeBufferLength(int m, int tilesW) {
        return chunks(tilesW) * L * m;
    }

    private static void mergeF4(MemorySegment y, long yOff, long ys, float bias, int act, float lo, float hi,
                                float[] row, int at) {
        FloatVector b = FloatVector.broadcast(S, bias);
        FloatVector y0 = load(y, yOff).add(b);
        FloatVector y1 = load(y, yOff + ys).add(b);
        FloatVector y2 = load(y, yOff + 2 * ys).add(b);
        FloatVector y3 = load(y, yOff + 3 * ys).add(b);
        if (act == DepthwisePlanes.ACT_RELU) {
            y0 = y0.blend(0f, y0.compare(VectorOperators.LE, 0f));
            y1 = y1.blend(0f, y1.compare(VectorOperators.LE, 0f));
            y2 = y2.blend(0f, y2.compare(VectorOperators.LE, 0f));
            y3 = y3.blend(0f, y3.compare(VectorOperators.LE, 0f));
        } else if (act == DepthwisePlanes.ACT_HARDTANH) {
            y0 = y0.blend(hi, y0.compare(VectorOperators.GT, hi)).blend(lo, y0.compare(VectorOperators.LT, lo));
            y1 = y1.blend(hi, y1.compare(VectorOperators.GT, hi)).blend(lo, y1.compare(VectorOperators.LT, lo));
            y2 = y2.blend(hi, y2.compare(VectorOperators.GT, hi)).blend(lo, y2.compare(VectorOperators.LT, lo));
            y3 = y3.blend(hi, y3.compare(VectorOperators.GT, hi)).blend(lo, y3.compare(VectorOperators.LT, lo));
        }
        FloatVector a = ZIP_LOWER.selectFrom(y0, y1);
        FloatVector bb = ZIP_UPPER.selectFrom(y0, y1);
        FloatVector c = ZIP_LOWER.selectFrom(y2, y3);
        FloatVector d = ZIP_UPPER.selectFrom(y2, y3);
        PAIRS_LOWER.selectFrom(a, c).intoArray(row, at);
        PAIRS_UPPER.selectFrom(a, c).intoArray(row, at + L);
        PAIRS_LOWER.selectFrom(bb, d).intoArray(row, at + 2 * L);
        PAIRS_UPPER.selectFrom(bb, d).intoArray(row, at + 3 * L);
    }

    private static void mergeF2(MemorySegment y, long yOff, long ys, float bias, int act, float lo, float hi,
                                float[] row, int at) {
        FloatVector b = FloatVector.broadcast(S, bias);
        FloatVector y0 = load(y, yOff).add(b);
        FloatVector y1 = load(y, yOff + ys).add(b);
        if (act == DepthwisePlanes.ACT_RELU) {
            y0 = y0.blend(0f, y0.compare(VectorOperators.LE, 0f));
            y1 = y1.blend(0f, y1.compare(VectorOperators.LE, 0f));
        } else if (act == DepthwisePlanes.ACT_HARDTANH) {
            y0 = y0.blend(hi, y0.compare(VectorOperators.GT, hi)).blend(lo, y0.compare(VectorOperators.LT, lo));
            y1 = y1.blend(hi, y1.compare(VectorOperators.GT, hi)).blend(lo, y1.compare(VectorOperators.LT, lo));
        }
        ZIP_LOWER.selectFrom(y0, y1).intoArray(row, at);
        ZIP_UPPER.selectFrom(y0, y1).intoArray(row, at + L);
    }

    /** Rounds {@code nt} up to whole vectors; the caller's rows are {@code ld >= } that long. */
    static int roundUp(int nt, int ld) {
        int c = (nt + L - 1) / L * L;
        assert c <= ld : "staging row of " + ld + " floats is shorter than " + c;
        return c;
    }

    private static FloatVector load(MemorySegment s, long off) {
        return FloatVector.fromMemorySegment(S, s, off * Float.BYTES, O);
    }

    private static void store(FloatVector v, MemorySegment d, long off) {
        v.intoMemorySegment(d, off * Float.BYTES, O);
    }

    /** 1-d B^T of F(4x4,3x3) over {@code count} (a multiple of the lanes) tiles. */
    static void inputF4(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t += L) {
            FloatVector d0 = load(s, sOff + t);
            FloatVector d1 = load(s, sOff + ss + t);
            FloatVector d2 = load(s, sOff + 2 * ss + t);
            FloatVector d3 = load(s, sOff + 3 * ss + t);
            FloatVector d4 = load(s, sOff + 4 * ss + t);
            FloatVector d5 = load(s, sOff + 5 * ss + t);
            FloatVector a = d4.sub(d2.mul(4f));
            FloatVector b = d3.sub(d1.mul(4f));
            FloatVector c = d4.sub(d2);
            FloatVector e = d3.sub(d1).mul(2f);
            store(d0.mul(4f).sub(d2.mul(5f)).add(d4), d, dOff + t);
            store(a.add(b), d, dOff + ds + t);
            store(a.sub(b), d, dOff + 2 * ds + t);
            store(c.add(e), d, dOff + 3 * ds + t);
            store(c.sub(e), d, dOff + 4 * ds + t);
            store(d1.mul(4f).sub(d3.mul(5f)).add(d5), d, dOff + 5 * ds + t);
        }
    }

    /** 1-d A^T of F(4x4,3x3) over {@code count} tiles. */
    static void outputF4(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t += L) {
            FloatVector m0 = load(s, sOff + t);
            FloatVector m1 = load(s, sOff + ss + t);
            FloatVector m2 = load(s, sOff + 2 * ss + t);
            FloatVector m3 = load(s, sOff + 3 * ss + t);
            FloatVector m4 = load(s, sOff + 4 * ss + t);
            FloatVector m5 = load(s, sOff + 5 * ss + t);
            FloatVector p12 = m1.add(m2);
            FloatVector d12 = m1.sub(m2);
            FloatVector p34 = m3.add(m4);
            FloatVector d34 = m3.sub(m4);
            store(m0.add(p12).add(p34), d, dOff + t);
            store(d12.add(d34.mul(2f)), d, dOff + ds + t);
            store(p12.add(p34.mul(4f)), d, dOff + 2 * ds + t);
            store(d12.add(d34.mul(8f)).add(m5), d, dOff + 3 * ds + t);
        }
    }

    /** 1-d B^T of F(2x2,3x3) over {@code count} tiles. */
    static void inputF2(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t += L) {
            FloatVector d0 = load(s, sOff + t);
            FloatVector d1 = load(s, sOff + ss + t);
            FloatVector d2 = load(s, sOff + 2 * ss + t);
            FloatVector d3 = load(s, sOff + 3 * ss + t);
            store(d0.sub(d2), d, dOff + t);
            store(d1.add(d2), d, dOff + ds + t);
            store(d2.sub(d1), d, dOff + 2 * ds + t);
            store(d1.sub(d3), d, dOff + 3 * ds + t);
        }
    }

    /** 1-d A^T of F(2x2,3x3) over {@code count} tiles. */
    static void outputF2(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t += L) {
            FloatVector m0 = load(s, sOff + t);
            FloatVector m1 = load(s, sOff + ss + t);
            FloatVector m2 = load(s, sOff + 2 * ss + t);
            FloatVector m3 = load(s, sOff + 3 * ss + t);
            store(m0.add(m1).add(m2), d, dOff + t);
            store(m1.sub(m2).sub(m3), d, dOff + ds + t);
        }
    }
}
