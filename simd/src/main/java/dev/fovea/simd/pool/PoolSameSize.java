package dev.fovea.simd.pool;

import dev.fovea.simd.internal.FloatSpecies;
import dev.fovea.simd.internal.PartialVectors;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of "same-size" pooling, max or average: stride 1 and dilation 1 in H and W
 * and padding {@code begin + end = kernel - 1}, so every {@code H x W} slice maps onto an
 * {@code H x W} slice (GoogLeNet's 3x3 s1 p1 branch pools, YOLO's 5x5 s1 p2 SPP pools, Keras'
 * {@code padding="same"} at stride 1). Input and output rows then have one length, and a band of
 * rows can be swept as one flat run of elements, with no per-row tails:
 * <pre>
 *   1. vertical:   v[i] = reduce_r in[i + (r - padTop) * W]      flat over the band's inner rows,
 *                                                                then each border row on its own
 *   2. horizontal: out[i] = reduce_j v[i + j - padLeft]          flat over the whole band
 * </pre>
 * Step 2 reads across row ends, so each tap {@code j} is masked to the lanes whose column it
 * keeps inside their row: a table of lane masks indexed by the column at which a vector starts
 * ({@link Lanes}). The band of vertical sums stays in L1 ({@link #BAND_FLOATS}). Average pooling
 * multiplies by per-lane reciprocals of the inner rows' divisors; the vertical sums of border rows
 * with another divisor ({@code countIncludePad} false) are scaled by {@code innerTaps / taps} first. On Zen 4 (JMH, 1 thread) average
 * 3x3 s1 p1 on 64 x 56 x 56 took 0.160 ms per call on the per-row path of {@link PoolVector}, 0.119
 * here with the border columns fixed up in scalar code, 0.098 with the masks, and 0.065 once the
 * vector loops held no inner loop over rows or taps (up to three in straight-line code, more in
 * further passes), so that C2 hoists their range checks and unrolls them.
 *
 * <p>Max pooling is exact. Average pooling sums rows first and columns second, and multiplies by
 * the reciprocal of the divisor: each output differs from the reference loops by a few float
 * roundings of the window's absolute sum, as in {@link PoolVector}.
 */
final class PoolSameSize {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Floats of vertical sums per band: 16 KiB, half of Zen 4's L1 data cache. */
    static final int BAND_FLOATS = 4096;

    /**
     * The widest rows taken: the lane tables hold {@code kernel * W} masks, and wider rows lose
     * little to the per-row tails of {@link PoolVector}.
     */
    static final int MAX_WIDTH = 1024;

    private PoolSameSize() {}

    /** Returns true if {@code s} is same-size pooling along H and W and leaves D alone. */
    static boolean applies(PoolSpec s) {
        return s.kernel(0) == 1 && s.stride(0) == 1 && s.out(0) == s.in(0)
                && s.stride(1) == 1 && s.stride(2) == 1 && s.dilation(1) == 1 && s.dilation(2) == 1
                && s.out(1) == s.in(1) && s.out(2) == s.in(2) && s.in(2) <= MAX_WIDTH;
    }

    /**
     * The buffers and tables of one spec (the band buffer is rewritten by every band, so it can be
     * reused by later calls), kept per thread ({@link RecentPerSpec}).
     */
    private static final class State {
        final float[] v;
        final float[] rowScale;
        final Lanes lanes;
        final float[] tail;

        State(PoolSpec s, boolean max) {
            int h = s.in(1);
            int w = s.in(2);
            int bandRows = Math.max(1, Math.min(h, BAND_FLOATS / w));
            int kW = s.kernel(2);
            // Margins: padLeft floats before the band, a vector and the kernel after it.
            this.v = new float[s.padBegin(2) + bandRows * w + L + kW];
            // Inner rows count kH taps; a border row's vertical sums are scaled by innerTaps / taps
            // (countIncludePad false) so that one table of reciprocals serves every row.
            int innerTaps = PoolNaive.taps(s, 1, Math.min(h - 1, s.padBegin(1)));
            this.rowScale = new float[h];
            for (int y = 0; y < h; y++) {
                int taps = PoolNaive.taps(s, 1, y);
                rowScale[y] = max || s.divisorOverride() > 0 || taps == innerTaps ? 1f : (float) innerTaps / taps;
            }
            float[] colInv = new float[w];
            for (int x = 0; x < w; x++) {
                colInv[x] = s.divisorOverride() > 0 ? 1f / s.divisorOverride() : 1f / PoolNaive.taps(s, 2, x);
            }
            this.lanes = Lanes.of(s, bandRows * w, s.divisorOverride() > 0 ? 1f : 1f / innerTaps, colInv);
            this.tail = new float[L];
        }
    }

    /** Each thread's state for its 4 most recent specs. */
    private static final RecentPerSpec<State> STATES = new RecentPerSpec<>(4, State::new);

    /** Max (values only) or average pooling of planes {@code [p0, p1)}; requires {@link #applies}. */
    static void forward(PoolSpec s, boolean max, MemorySegment in, long inOff, MemorySegment out, long outOff,
                        int p0, int p1) {
        int h = s.in(1);
        int w = s.in(2);
        int bandRows = Math.max(1, Math.min(h, BAND_FLOATS / w));
        State st = STATES.get(s, max);
        float[] v = st.v;
        float[] rowScale = st.rowScale;
        Lanes lanes = st.lanes;
        float[] tail = st.tail;
        long slice = (long) h * w;
        for (long at = (long) p0 * s.in(0); at < (long) p1 * s.in(0); at++) {
            long inBase = inOff + at * slice;
            long outBase = outOff + at * slice;
            for (int y0 = 0; y0 < h; y0 += bandRows) {
                int y1 = Math.min(h, y0 + bandRows);
                vertical(s, max, in, inBase, v, y0, y1, rowScale);
                horizontal(s, max, v, out, outBase, y0, y1, lanes, tail);
            }
        }
    }

    /** Reduces the window rows of output rows {@code [y0, y1)} into {@code v}, row {@code y0} at {@code padLeft}. */
    private static void vertical(PoolSpec s, boolean max, MemorySegment in, long inBase, float[] v, int y0, int y1,
                                 float[] rowScale) {
        int h = s.in(1);
        int w = s.in(2);
        int kH = s.kernel(1);
        int top = s.padBegin(1);
        int left = s.padBegin(2);
        // Rows whose whole window is inside the slice: one flat run.
        int inner0 = Math.max(y0, top);
        int inner1 = Math.min(y1, h - (kH - 1 - top));
        for (int y = y0; y < Math.min(y1, inner0); y++) {
            reduceRows(max, in, inBase, v, left + (y - y0) * w, (long) y * w, (long) y * w + w, rowFrom(s, y), rowTo(s, y), w,
                    rowScale[y]);
        }
        if (inner0 < inner1) {
            reduceRows(max, in, inBase, v, left + (inner0 - y0) * w, (long) inner0 * w, (long) inner1 * w, -top, kH - top, w, 1f);
        }
        for (int y = Math.max(inner0, inner1); y < y1; y++) {
            reduceRows(max, in, inBase, v, left + (y - y0) * w, (long) y * w, (long) y * w + w, rowFrom(s, y), rowTo(s, y), w,
                    rowScale[y]);
        }
    }

    /** The first window row of output row {@code y} inside the slice, relative to {@code y}. */
    private static int rowFrom(PoolSpec s, int y) {
        return Math.max(0, y - s.padBegin(1)) - y;
    }

    /** One past the last window row of output row {@code y} inside the slice, relative to {@code y}. */
    private static int rowTo(PoolSpec s, int y) {
        return Math.min(s.in(1), y - s.padBegin(1) + s.kernel(1)) - y;
    }

    /**
     * {@code v[vAt + e - e0] = scale * reduce over r in [r0, r1) of in[inBase + e + r * w]} for
     * elements {@code e} in {@code [e0, e1)} of the slice: full vectors, up to three rows per pass
     * (further passes accumulate into {@code v}), then a masked tail.
     */
    private static void reduceRows(boolean max, MemorySegment in, long inBase, float[] v, int vAt, long e0, long e1,
                                   int r0, int r1, int w, float scale) {
        int count = (int) (e1 - e0);
        int full = count - count % L;
        long first = (inBase + e0 + (long) r0 * w) * Float.BYTES;
        long rowBytes = (long) w * Float.BYTES;
        int taps = r1 - r0;
        // At most three rows in straight-line code keep the loop innermost, so C2 hoists its range
        // checks and unrolls it (a loop over the rows inside cost the vertical pass a third more).
        for (int r = 0; r < taps; r += 3) {
            int rows = Math.min(3, taps - r);
            boolean accumulate = r > 0;
            boolean scaled = r + rows == taps && scale != 1f;
            long at0 = first + r * rowBytes;
            for (int i = 0; i < full; i += L) {
                long at = at0 + (long) i * Float.BYTES;
                FloatVector acc = FloatVector.fromMemorySegment(S, in, at, O);
                if (rows >= 2) {
                    acc = op(max, acc, FloatVector.fromMemorySegment(S, in, at + rowBytes, O));
                }
                if (rows >= 3) {
                    acc = op(max, acc, FloatVector.fromMemorySegment(S, in, at + 2 * rowBytes, O));
                }
                if (accumulate) {
                    acc = op(max, acc, FloatVector.fromArray(S, v, vAt + i));
                }
                (scaled ? acc.mul(scale) : acc).intoArray(v, vAt + i);
            }
        }
        if (full == count) {
            return;
        }
        // The tail: masked loads while the windows fit the segment, else scalar.
        long at = first + (long) full * Float.BYTES;
        if (PartialVectors.fits(in, at + (taps - 1) * rowBytes)) {
            VectorMask<Float> m = S.indexInRange(full, count);
            FloatVector acc = FloatVector.fromMemorySegment(S, in, at, O, m);
            for (int r = 1; r < taps; r++) {
                acc = op(max, acc, FloatVector.fromMemorySegment(S, in, at + r * rowBytes, O, m));
            }
            (scale == 1f ? acc : acc.mul(scale)).intoArray(v, vAt + full);
            return;
        }
        for (int i = full; i < count; i++) {
            long e = inBase + e0 + i;
            float acc = in.getAtIndex(F, e + (long) r0 * w);
            for (int r = r0 + 1; r < r1; r++) {
                float x = in.getAtIndex(F, e + (long) r * w);
                acc = max ? Math.max(acc, x) : acc + x;
            }
            v[vAt + i] = scale == 1f ? acc : acc * scale;
        }
    }

    /** {@code max(a, b)} or {@code a + b}. */
    private static FloatVector op(boolean max, FloatVector a, FloatVector b) {
        return max ? a.max(b) : a.add(b);
    }

    /**
     * The lane tables of the horizontal sweep over a band, which always starts at column 0:
     * {@code tapBits[k * kW + j]}, the lanes of vector {@code k} whose tap {@code j} lies inside
     * their row (so a border column never reaches into the neighbouring row), and the reciprocals
     * of the inner rows' divisors, one {@code inv} if all columns share it, else per element in
     * {@code invs}.
     */
    private record Lanes(long[] tapBits, float inv, float[] invs) {
        static Lanes of(PoolSpec s, int bandElements, float innerRowInv, float[] colInv) {
            int w = s.in(2);
            int kW = s.kernel(2);
            int vectors = (bandElements + L - 1) / L;
            long[] bits = new long[vectors * kW];
            for (int k = 0; k < vectors; k++) {
                for (int j = 0; j < kW; j++) {
                    long b = 0;
                    for (int q = 0; q < L; q++) {
                        int col = (k * L + q) % w + j - s.padBegin(2);
                        b |= col >= 0 && col < w ? 1L << q : 0;
                    }
                    bits[k * kW + j] = b;
                }
            }
            boolean uniform = true;
            for (float c : colInv) {
                uniform &= c == colInv[0];
            }
            float[] invs = null;
            if (!uniform) {
                invs = new float[vectors * L];
                for (int e = 0; e < invs.length; e++) {
                    invs[e] = innerRowInv * colInv[e % w];
                }
            }
            return new Lanes(bits, innerRowInv * colInv[0], invs);
        }
    }

    /**
     * Reduces the columns of {@code v} (output rows {@code [y0, y1)}, row {@code y0} at
     * {@code padLeft}) into the output in one flat sweep, each tap masked to its row.
     */
    private static void horizontal(PoolSpec s, boolean max, float[] v, MemorySegment out, long outBase, int y0,
                                   int y1, Lanes lanes, float[] tail) {
        int w = s.in(2);
        int kW = s.kernel(2);
        int left = s.padBegin(2);
        int n = (y1 - y0) * w;
        int full = n / L;
        long outAt = outBase + (long) y0 * w;
        long[] bits = lanes.tapBits();
        float[] invs = lanes.invs();
        float inv = lanes.inv();
        if (left <= 1 && kW - left <= 2) {
            // Taps within one column of the centre: straight-line code, an innermost loop.
            boolean hasLeft = left == 1;
            boolean hasRight = kW - left == 2;
            for (int k = 0; k < full; k++) {
                int e = k * L;
                FloatVector acc = FloatVector.fromArray(S, v, e + left);
                if (hasLeft) {
                    acc = tap(max, acc, v, e, bits[k * kW]);
                }
                if (hasRight) {
                    acc = tap(max, acc, v, e + left + 1, bits[k * kW + left + 1]);
                }
                if (!max) {
                    acc = invs == null ? acc.mul(inv) : acc.mul(FloatVector.fromArray(S, invs, e));
                }
                acc.intoMemorySegment(out, (outAt + e) * Float.BYTES, O);
            }
        } else {
            for (int k = 0; k < full; k++) {
                sweep(max, v, k, kW, left, bits, inv, invs).intoMemorySegment(out, (outAt + k * L) * Float.BYTES, O);
            }
        }
        int e = full * L;
        if (e < n) {
            FloatVector acc = sweep(max, v, full, kW, left, bits, inv, invs);
            long at = (outAt + e) * Float.BYTES;
            if (PartialVectors.fits(out, at)) {
                acc.intoMemorySegment(out, at, O, S.indexInRange(e, n));
            } else {
                acc.intoArray(tail, 0);
                MemorySegment.copy(tail, 0, out, F, at, n - e);
            }
        }
    }

    /** Output vector {@code k} of the band, any window width: the centre tap, then the others. */
    private static FloatVector sweep(boolean max, float[] v, int k, int kW, int left, long[] bits, float inv,
                                     float[] invs) {
        int e = k * L;
        FloatVector acc = FloatVector.fromArray(S, v, e + left);
        for (int j = 0; j < kW; j++) {
            if (j != left) {
                acc = tap(max, acc, v, e + j, bits[k * kW + j]);
            }
        }
        if (max) {
            return acc;
        }
        return invs == null ? acc.mul(inv) : acc.mul(FloatVector.fromArray(S, invs, e));
    }

    /** Adds (or takes the max of) {@code v[at ..]} into the lanes of {@code acc} set in {@code bits}. */
    private static FloatVector tap(boolean max, FloatVector acc, float[] v, int at, long bits) {
        VectorMask<Float> m = VectorMask.fromLong(S, bits);
        FloatVector x = FloatVector.fromArray(S, v, at);
        return max ? acc.lanewise(VectorOperators.MAX, x, m) : acc.add(x, m);
    }
}
