package dev.fovea.simd.gemm;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.impl.generated.ActivationVectorOps;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 512-bit micro-kernels: an 8 x 32 tile (16 zmm accumulators; per k step 2 vector loads of
 * packed B, 8 broadcasts of packed A, 16 FMAs), an 8 x 16 tile for a last B panel of 5 to 16
 * columns (wider last panels are padded to 32), and an 8 x 4 tile computed two k steps per vector
 * ({@link #micro8x4Pairs}) for a last panel of at most 4. Everything here, packing included, uses the
 * one 512-bit species: 256-bit edge kernels were 15% faster on their panels, but a second
 * species in the JVM made kernels compiled late run 10-30x slower (see {@code LanePermutes}).
 *
 * <p>Why 8 x 32: on Zen 4 it ran at 95-98% of the FMA peak with its panels in L1 (PERFORMANCE-NOTES;
 * re-measured here: 113-115 of 116 GFLOP/s). It needs 19 of the 32 zmm registers, so C2 does not
 * spill, and 8 rows divide the channel counts of real networks (16, 64, 512). One broadcast per
 * FMA (e.g. 16 x 16) is limited to ~70% by the broadcasts, so narrow panels are only for edges.
 */
final class SgemmKernel512 implements MicroKernel {
    static final SgemmKernel512 INSTANCE = new SgemmKernel512();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int L = 16;
    private static final int MR = 8;
    private static final int NR = 32;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Lanes 0-7 and 8-15: the even and the odd k step of a pair in {@link #micro8x4Pairs}. */
    private static final VectorMask<Float> LOW8 = S.indexInRange(0, 8);
    private static final VectorMask<Float> HIGH8 = LOW8.not();
    /** Where the narrow kernels put their accumulators in the tile buffer: after the tile and its spare slot. */
    private static final int SCRATCH = MR * NR + L;

    private SgemmKernel512() {}

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public int bits() {
        return 512;
    }

    /** A single last row gets its own 1-row panel ({@link #micro1xN}); 2..7 rows are padded to 8. */
    @Override
    public int panelRows(int rows) {
        return rows == 1 ? 1 : MR;
    }

    /**
     * Cost model in FMA-port cycles per k step, from the kernels' measured speeds on Zen 4: an
     * 8-row panel costs 16 (32 columns), 10.9 (16) or 5 (at most 4, {@link #micro8x4Pairs}); a
     * 1-row panel 4 (one FMA latency, whatever its width). The transposed product (C written
     * transposed) is chosen when n is below two vector panels (64) and it is 10% cheaper by that
     * model. It once also needed a deep k (4096) when 16 < n < 64, because C^T went to C one
     * element at a time; with two panels per vector ({@link #storeTransposedPair}) it pays at any
     * depth. A pre-packed, Intel Xeon family 6 model 207, 1 thread, transposed against not, two
     * alternated runs: 512 x 49 x 512 135-136 against 115-125 GFLOP/s, 256 x 49 x 256 125-127
     * against 108-118, 128 x 49 x 1152 121-130 against 106-116, 64 x 49 x 64 91 against 80-82,
     * 128 x 49 x 128 108-109 against 107, 64 x 49 x 576 102-103 against 100-108.
     */
    @Override
    public boolean prefersTransposed(int m, int n, int k) {
        return m >= NR && n < 2 * NR && cost(n, m) < 0.9 * cost(m, n);
    }

    private double cost(int rows, int cols) {
        int fullRows = rows / MR;
        int restRows = rows % MR;
        int fullCols = cols / NR;
        int restCols = cols % NR;
        double rowCost = fullCols * panelCost(NR) + (restCols == 0 ? 0 : panelCost(restCols));
        double lastRow = restRows == 0 ? 0 : restRows == 1 ? (fullCols + (restCols == 0 ? 0 : 1)) * 4.0 : rowCost;
        return fullRows * rowCost + lastRow;
    }

    private double panelCost(int cols) {
        return cols <= 4 ? 5.0 : panelCols(cols) == L ? 10.9 : 16.0;
    }

    @Override
    public int panelCols(int cols) {
        return cols <= L ? L : NR;
    }

    @Override
    public void multiply(float[] a, int ai, int h, float[] b, int bi, int w, int kc, float[] tile) {
        if (h == 1) {
            micro1xN(a, ai, b, bi, w, kc, tile);
            return;
        }
        switch (w) {
            case NR -> micro8x32(a, ai, b, bi, kc, tile);
            default -> micro8x16(a, ai, b, bi, kc, tile);
        }
    }

    @Override
    public void multiplyPackB(float[] a, int ai, MemorySegment b, long[] rows, long col, int ldb, float[] bp, int bi,
                              int kc, float[] tile) {
        if (rows == null) {
            micro8x32PackB(a, ai, b, col * Float.BYTES, (long) ldb * Float.BYTES, bp, bi, kc, tile);
        } else {
            micro8x32PackRows(a, ai, b, rows, col, bp, bi, kc, tile);
        }
    }

    @Override
    public void multiplyDirectB(float[] a, int ai, MemorySegment b, long[] rows, long col, int ldb, int kc,
                                float[] tile) {
        if (rows == null) {
            micro8x32PackB(a, ai, b, col * Float.BYTES, (long) ldb * Float.BYTES, null, 0, kc, tile);
        } else {
            micro8x32PackRows(a, ai, b, rows, col, null, 0, kc, tile);
        }
    }

    /** The main kernel; kept as one small method so that C2, not C1, ends up running it. */
    static void micro8x32(float[] a, int ai, float[] b, int bi, int kc, float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            ai += MR;
            bi += NR;
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + L);
        c60.intoArray(t, 6 * NR);
        c61.intoArray(t, 6 * NR + L);
        c70.intoArray(t, 7 * NR);
        c71.intoArray(t, 7 * NR + L);
    }

    /**
     * {@link #micro8x32} reading B straight from its segment (rows as in {@link MicroKernel})
     * and storing each row to the packed panel {@code bp} as it goes: the first A panel of a block
     * packs B while it multiplies, so the loads from L3/DRAM overlap with FMAs instead of running
     * as a separate packing pass (which cost ~20% at M = 64, K = 576, N = 3136). With {@code bp}
     * null it only reads B ({@link MicroKernel#multiplyDirectB}).
     */
    static void micro8x32PackB(float[] a, int ai, MemorySegment b, long bByte, long ldbBytes, float[] bp, int bi,
                               int kc, float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        boolean pack = bp != null; // loop-invariant: C2 unswitches the loop on it
        for (int p = 0; p < kc; p++, bByte += ldbBytes) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bByte, NO);
            FloatVector b1 = FloatVector.fromMemorySegment(S, b, bByte + L * Float.BYTES, NO);
            if (pack) {
                b0.intoArray(bp, bi);
                b1.intoArray(bp, bi + L);
            }
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            ai += MR;
            bi += NR;
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + L);
        c60.intoArray(t, 6 * NR);
        c61.intoArray(t, 6 * NR + L);
        c70.intoArray(t, 7 * NR);
        c71.intoArray(t, 7 * NR + L);
    }

    /**
     * {@link #micro8x32PackB} for an indirect B: row p at element {@code rows[p] + col}. A separate
     * method because one loop testing {@code rows == null} made the ordinary fused packing 8%
     * slower overall at 40 x 3136 x 576 (B from DRAM): C2 did not split that loop cleanly.
     */
    static void micro8x32PackRows(float[] a, int ai, MemorySegment b, long[] rows, long col, float[] bp, int bi,
                                 int kc, float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        boolean pack = bp != null; // loop-invariant: C2 unswitches the loop on it
        for (int p = 0; p < kc; p++) {
            long bByte = (rows[p] + col) * Float.BYTES;
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bByte, NO);
            FloatVector b1 = FloatVector.fromMemorySegment(S, b, bByte + L * Float.BYTES, NO);
            if (pack) {
                b0.intoArray(bp, bi);
                b1.intoArray(bp, bi + L);
            }
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            ai += MR;
            bi += NR;
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + L);
        c60.intoArray(t, 6 * NR);
        c61.intoArray(t, 6 * NR + L);
        c70.intoArray(t, 7 * NR);
        c71.intoArray(t, 7 * NR + L);
    }

    /**
     * The edge kernel for a last B panel of at most 16 columns (packed 16 wide): one zmm
     * accumulator per row, one broadcast per FMA (83 GFLOP/s on Zen 4 with L1 panels; two ymm
     * halves per row reached 97, but a second vector species in the JVM puts every kernel at
     * risk of the profile trap described in {@code LanePermutes}).
     */
    static void micro8x16(float[] a, int ai, float[] b, int bi, int kc, float[] t) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            c0 = FloatVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[ai + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[ai + 5]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[ai + 6]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[ai + 7]).fma(b0, c7);
            ai += MR;
            bi += L;
        }
        c0.intoArray(t, 0);
        c1.intoArray(t, NR);
        c2.intoArray(t, 2 * NR);
        c3.intoArray(t, 3 * NR);
        c4.intoArray(t, 4 * NR);
        c5.intoArray(t, 5 * NR);
        c6.intoArray(t, 6 * NR);
        c7.intoArray(t, 7 * NR);
    }

    /** Last panels of up to 4 columns. */
    @Override
    public boolean hasNarrow(int cols) {
        return cols <= 4;
    }

    @Override
    public int tileFloats() {
        return SCRATCH + 4 * L;
    }

    @Override
    public void multiplyNarrow(float[] a, int ai, float[] b, int bi, int w, int kc, float[] tile) {
        micro8x4Pairs(a, ai, b, bi, w, kc, tile);
        addPairHalves(tile);
    }

    @Override
    public void multiplyNarrowDirectB(float[] a, int ai, MemorySegment b, long col, int ldb, int kc, float[] tile) {
        micro8x4PairsDirect(a, ai, b, col * Float.BYTES, (long) ldb * Float.BYTES, kc, tile);
        addPairHalves(tile);
    }

    /** Writes the 8 x 4 tile: each column's even-step and odd-step halves from the scratch, added. */
    private static void addPairHalves(float[] tile) {
        for (int r = 0; r < MR; r++) {
            for (int j = 0; j < 4; j++) {
                tile[r * NR + j] = tile[SCRATCH + j * L + r] + tile[SCRATCH + j * L + MR + r];
            }
        }
    }

    /** {@link #micro8x4Pairs} reading B's rows from its segment, {@code ldbBytes} apart. */
    static void micro8x4PairsDirect(float[] a, int ai, MemorySegment b, long bByte, long ldbBytes, int kc, float[] t) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        for (int q = 0; q < kc / 2; q++) {
            FloatVector x = FloatVector.fromArray(S, a, ai);
            long next = bByte + ldbBytes;
            c0 = x.fma(FloatVector.broadcast(S, b.get(F, bByte)).blend(FloatVector.broadcast(S, b.get(F, next)),
                    HIGH8), c0);
            c1 = x.fma(FloatVector.broadcast(S, b.get(F, bByte + 4)).blend(FloatVector.broadcast(S, b.get(F, next + 4)),
                    HIGH8), c1);
            c2 = x.fma(FloatVector.broadcast(S, b.get(F, bByte + 8)).blend(FloatVector.broadcast(S, b.get(F, next + 8)),
                    HIGH8), c2);
            c3 = x.fma(FloatVector.broadcast(S, b.get(F, bByte + 12)).blend(
                    FloatVector.broadcast(S, b.get(F, next + 12)), HIGH8), c3);
            ai += 2 * MR;
            bByte += 2 * ldbBytes;
        }
        if ((kc & 1) != 0) {
            FloatVector x = FloatVector.fromArray(S, a, ai, LOW8);
            c0 = x.fma(FloatVector.broadcast(S, b.get(F, bByte)), c0);
            c1 = x.fma(FloatVector.broadcast(S, b.get(F, bByte + 4)), c1);
            c2 = x.fma(FloatVector.broadcast(S, b.get(F, bByte + 8)), c2);
            c3 = x.fma(FloatVector.broadcast(S, b.get(F, bByte + 12)), c3);
        }
        c0.intoArray(t, SCRATCH);
        c1.intoArray(t, SCRATCH + L);
        c2.intoArray(t, SCRATCH + 2 * L);
        c3.intoArray(t, SCRATCH + 3 * L);
    }

    /**
     * The kernel of a last B panel of at most 4 columns (packed {@code w} wide): lanes 0-7 hold
     * the 8 rows at an even k step and lanes 8-15 the next step, so one load of the packed A panel
     * serves two k steps, and each column's FMA takes B(p, j) and B(p + 1, j) as two broadcasts
     * blended. Its accumulators, even steps in lanes 0-7 and odd ones in 8-15, go to the tile's
     * scratch; {@link #multiplyNarrow} adds the halves. 5.0 cycles per k step on Zen 4 for
     * kc = 150 against 11 for {@link #micro8x16}. An odd last step loads only A's lanes 0-7 (the
     * others zero), so whatever follows the panel in {@code a}, infinities included, never
     * enters the sums.
     */
    static void micro8x4Pairs(float[] a, int ai, float[] b, int bi, int w, int kc, float[] t) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        for (int q = 0; q < kc / 2; q++) {
            FloatVector x = FloatVector.fromArray(S, a, ai);
            int bj = bi + w;
            c0 = x.fma(FloatVector.broadcast(S, b[bi]).blend(FloatVector.broadcast(S, b[bj]), HIGH8), c0);
            c1 = x.fma(FloatVector.broadcast(S, b[bi + 1]).blend(FloatVector.broadcast(S, b[bj + 1]), HIGH8), c1);
            c2 = x.fma(FloatVector.broadcast(S, b[bi + 2]).blend(FloatVector.broadcast(S, b[bj + 2]), HIGH8), c2);
            c3 = x.fma(FloatVector.broadcast(S, b[bi + 3]).blend(FloatVector.broadcast(S, b[bj + 3]), HIGH8), c3);
            ai += 2 * MR;
            bi += 2 * w;
        }
        if ((kc & 1) != 0) {
            FloatVector x = FloatVector.fromArray(S, a, ai, LOW8);
            c0 = x.fma(FloatVector.broadcast(S, b[bi]), c0);
            c1 = x.fma(FloatVector.broadcast(S, b[bi + 1]), c1);
            c2 = x.fma(FloatVector.broadcast(S, b[bi + 2]), c2);
            c3 = x.fma(FloatVector.broadcast(S, b[bi + 3]), c3);
        }
        c0.intoArray(t, SCRATCH);
        c1.intoArray(t, SCRATCH + L);
        c2.intoArray(t, SCRATCH + 2 * L);
        c3.intoArray(t, SCRATCH + 3 * L);
    }

    /**
     * The kernel of a 1-row A panel (a batch-1 linear layer, or the 49th row of a transposed
     * N = 49 product) against a B panel of packed width w (16 or 32): one or two zmm accumulators,
     * one FMA chain each, instead of padding the row to 8 (four interleaved chains per accumulator
     * measured no faster on LeNet-5's linear layers). The loads are unmasked (a packed panel is exactly w
     * wide): a masked load whose all-false lanes reached past the buffer's end left the intrinsic
     * in a JVM whose profiles other code had shaped, and allocated a boolean[16] per call (32 B
     * per ResNet-18 run in the conformance suite's JVM).
     */
    static void micro1xN(float[] a, int ai, float[] b, int bi, int w, int kc, float[] t) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        if (w == NR) {
            for (int p = 0; p < kc; p++) {
                FloatVector x = FloatVector.broadcast(S, a[ai + p]);
                c0 = x.fma(FloatVector.fromArray(S, b, bi), c0);
                c1 = x.fma(FloatVector.fromArray(S, b, bi + L), c1);
                bi += NR;
            }
        } else {
            for (int p = 0; p < kc; p++) {
                c0 = FloatVector.broadcast(S, a[ai + p]).fma(FloatVector.fromArray(S, b, bi), c0);
                bi += L;
            }
        }
        c0.intoArray(t, 0);
        c1.intoArray(t, L);
    }

    @Override
    public void accumulate(float[] tile, float[] acc, int off, boolean first) {
        for (int i = 0; i < MR * NR; i += L) {
            FloatVector x = FloatVector.fromArray(S, tile, i);
            (first ? x : x.add(FloatVector.fromArray(S, acc, off + i))).intoArray(acc, off + i);
        }
    }

    /** Two tiles per vector through {@link TransposedStore512}. */
    @Override
    public boolean storeTransposedPair(float[] acc, int ti, int cols, MemorySegment c, long cIdx, int ldc,
                                       float alpha, float beta, Epilogue epilogue, int row0, int col0) {
        TransposedStore512.pair(acc, ti, cols, c, cIdx, ldc, alpha, beta, epilogue, row0, col0);
        return true;
    }

    @Override
    public void store(float[] tile, int rows, int cols, MemorySegment c, long cIdx, int ldc, float alpha, float beta,
                      Epilogue epilogue, int row0, int col0) {
        // the epilogue decoded once per tile; no vector crosses a method call below (see TileEpilogue)
        int bias = TileEpilogue.bias(epilogue);
        int act = TileEpilogue.activation(epilogue);
        float lo = TileEpilogue.lo(epilogue);
        float hi = TileEpilogue.hi(epilogue);
        float slope = TileEpilogue.slope(epilogue);
        MemorySegment biasSeg = bias == TileEpilogue.BIAS_NONE ? null : epilogue.biasSegment();
        long biasOff = bias == TileEpilogue.BIAS_NONE ? 0 : epilogue.biasOffset();
        MemorySegment addend = TileEpilogue.addend(epilogue);
        long addendShift = TileEpilogue.addendShiftBytes(epilogue);
        FloatVector vb = FloatVector.broadcast(S, beta);
        int full = cols & -L;
        for (int r = 0; r < rows; r++) {
            long rowByte = (cIdx + (long) r * ldc) * Float.BYTES;
            float rowBias = bias == TileEpilogue.BIAS_ROW ? biasSeg.getAtIndex(F, biasOff + row0 + r) : 0f;
            for (int q = 0; q < full; q += L) {
                FloatVector x = FloatVector.fromArray(S, tile, r * NR + q).mul(alpha);
                long at = rowByte + (long) q * Float.BYTES;
                if (beta != 0f) {
                    x = FloatVector.fromMemorySegment(S, c, at, NO).fma(vb, x);
                }
                if (bias == TileEpilogue.BIAS_ROW) {
                    x = x.add(rowBias);
                } else if (bias == TileEpilogue.BIAS_COLUMN) {
                    x = x.add(FloatVector.fromMemorySegment(S, biasSeg, (biasOff + col0 + q) * Float.BYTES, NO));
                }
                if (addend != null) {
                    x = x.add(FloatVector.fromMemorySegment(S, addend, at + addendShift, NO));
                }
                if (act == TileEpilogue.ACT_RELU) {
                    x = x.max(0f);
                } else if (act == TileEpilogue.ACT_CLIP) {
                    x = x.max(lo).min(hi);
                } else if (act == TileEpilogue.ACT_LEAKY) {
                    x = x.blend(x.mul(slope), x.lt(0f));
                }
                x.intoMemorySegment(c, at, NO);
            }
            if (full > 0 && act == TileEpilogue.ACT_OTHER) {
                ActivationFunction f = ((Activation.Function) epilogue.activation()).function();
                long at = rowByte / Float.BYTES;
                ActivationVectorOps.forward(f.kind(), f.alpha(), f.beta(), c, at, c, at, full);
            }
            if (full < cols) {
                SgemmTail.store(tile, r * NR, full, cols, c, rowByte / Float.BYTES, alpha, beta, epilogue, row0 + r,
                        col0);
            }
        }
    }

    /**
     * Packs one row of a narrow last B panel ({@code width} 16 or 32): masked 16-lane loads
     * read the {@code rest} valid floats and give zeros in the other lanes. At the end of B's
     * segment, where a 16-lane window would leave it, the row is copied with scalars: a masked
     * access past the segment's end falls off the intrinsic (see {@link SgemmTail}).
     */
    private static void packEdgeRow(MemorySegment b, long srcByte, int rest, int width, float[] dst, int di) {
        if (srcByte + (long) width * Float.BYTES > b.byteSize()) {
            SgemmTail.packRow(b, srcByte / Float.BYTES, rest, width, dst, di);
            return;
        }
        for (int q = 0; q < width; q += L) {
            FloatVector.fromMemorySegment(S, b, srcByte + (long) q * Float.BYTES, NO, S.indexInRange(q, rest))
                    .intoArray(dst, di + q);
        }
    }

    @Override
    public void packB(MemorySegment b, long[] rows, long col, int ldb, int kc, int nc, float[] dst, boolean edgeOnly) {
        int fullPanels = nc / NR;
        int rest = nc - fullPanels * NR;
        int restWidth = rest == 0 ? 0 : panelCols(rest);
        for (int p = 0; p < kc; p++) {
            long src = (rows == null ? col + (long) p * ldb : rows[p] + col) * Float.BYTES;
            int di = p * NR;
            if (edgeOnly) {
                src += (long) fullPanels * NR * Float.BYTES;
            }
            for (int t = edgeOnly ? fullPanels : 0; t < fullPanels; t++, src += NR * Float.BYTES, di += NR * kc) {
                FloatVector.fromMemorySegment(S, b, src, NO).intoArray(dst, di);
                FloatVector.fromMemorySegment(S, b, src + L * Float.BYTES, NO).intoArray(dst, di + L);
            }
            if (rest > 0) {
                packEdgeRow(b, src, rest, restWidth, dst, fullPanels * NR * kc + p * restWidth);
            }
        }
    }
}
