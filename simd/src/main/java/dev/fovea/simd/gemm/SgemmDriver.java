package dev.fovea.simd.gemm;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.parallel.PartTask;
import java.lang.foreign.MemorySegment;

/**
 * The GotoBLAS/BLIS loops around a {@link MicroKernel}, for arguments already validated.
 *
 * <pre>
 * for each A block of mcA rows (all of k; packed once, or pre-packed)   (A_BLOCK_FLOATS, L3)
 *   [threads split the N panels, or the M panels when N is narrow]
 *   [one thread, or a split by M panels: each A panel is packed during the first jc block, in
 *    slices between the previous panel's kernel calls; a split by N packs A up front]
 *   for jc in the thread's columns, step <= NC                           (B block in L2)
 *     for k0 in 0..k, step kc = blockDepth(k) <= KC
 *       B[k0:k0+kc, jc:jc+nc] -> NR-wide panels in this thread's buffer: packed by the first
 *         A panel's kernel calls as they read it (B not transposed), else packed up front
 *       for each MR-row panel of A  (its MR x kc micro-panel stays in L1)
 *         for each NR-column panel of B  (streamed from L2)
 *           touch the next C tile (software prefetch) when C will be read
 *           micro-kernel: MR x NR tile over kc  -> tile buffer -> C (alpha, beta, epilogue)
 * </pre>
 * The k-blocks of an output element always run in the same order, each on one thread, with the
 * same kernel arithmetic, so the result does not depend on the thread count. C is scaled by beta
 * in the first k-block only and gets the epilogue in the last one.
 *
 * <p>A product with few columns (n < 64, e.g. 49 for a 7x7 feature map, 16 for the tiles of a
 * Winograd layer at 14 x 14) that would waste the kernel's 32 vector lanes runs transposed when
 * the kernel's cost model says so
 * ({@link MicroKernel#prefersTransposed}): {@code C^T = op(B)^T op(A)^T}, the n columns on the
 * 8 broadcast rows. Its k-block tiles are summed in a per-thread buffer and written to C
 * (transposed) once, with alpha, beta and the epilogue, two 8-row panels per vector where the
 * kernel can ({@link MicroKernel#storeTransposedPair}); a pre-packed A is re-packed once as
 * B panels for it ({@link PackedMatrix}). ResNet-18 layer 4 (512 x 49 x 4608, A pre-packed)
 * went from 75% to 80% of peak on Zen 4.
 */
final class SgemmDriver {
    /**
     * Largest depth of a k-block; k is cut into {@code ceil(k / KC)} blocks of equal depth
     * ({@link #blockDepth}), so any k up to 1024 is one block and C is written once, not
     * read back and rewritten for each further block. The A micro-panel (8 x 1024 floats =
     * 32 KiB at most) then no longer stays in L1, but it is only 32 bytes per k step against
     * B's 128, and L2 feeds both. Zen 4, 1 thread, scratch harness, three alternated runs:
     * 1024 cubed 100-103 GFLOP/s with KC = 640 (two blocks of 512), 106 with one block of 1024
     * (90% of peak); 768 cubed 105 -> 108; 2048 cubed (2 x 1024 against 4 x 512) 101-104 -> 105-106;
     * the conv shapes (k = 576 to 4608) unchanged within the noise.
     */
    static final int KC = 1024;
    /** Largest width of a B block (a multiple of every kernel's NR); see {@link #B_BLOCK_FLOATS}. */
    static final int NC = 256;
    /**
     * Size bound of a packed B block: kc x nc floats (640 KiB) sit in the 1 MiB L2 while every A
     * micro-panel of the block streams over them, so a block is {@code NC} columns wide up to
     * kc = 640 and narrower for deeper blocks ({@link #blockCols}: 160 columns at kc = 1024).
     */
    static final int B_BLOCK_FLOATS = 640 * NC;
    /**
     * Upper bound on a packed A block (2 Mi floats = 8 MiB, a quarter of the 32 MiB L3): an
     * A block of mcA rows and all of k is packed once and reused for every column of C.
     */
    static final int A_BLOCK_FLOATS = 1 << 21;
    /**
     * Below this many flops (2.1 M, about 20 us on one Zen 4 core) a call runs on the calling
     * thread only. The bound was 16.8 M while a fork woke a parked pool thread (tens of
     * microseconds); with {@link ComputeContext}'s spinning workers a fork costs well under a
     * microsecond between back-to-back calls. Zen 4, 2 threads over 1, hot loop: 128^3 1.00 ->
     * 1.38x, 192^3 1.01 -> 1.53x; MobileNetV2 session at 2 threads 8.0 -> 5.9 ms (its 1x1
     * convolutions at 28 x 28 to 7 x 7 are 9.6-15 M flops). A call after more than 0.1 ms idle
     * finds the workers parked and pays their wake-up.
     */
    static final double PARALLEL_MIN_FLOPS = 1 << 21;
    /**
     * Products with at most this many rows read full B panels straight from B instead of packing
     * them ({@link MicroKernel#multiplyDirectB}): with at most 4 A panels (8-row kernel) a packed
     * B panel is reused too few times to repay the copy. Zen 4, 1 thread, A pre-packed, same JVM:
     * 16 x 100 x 150 (LeNet-5 conv2) 68 -> 80 GFLOP/s, 16 x 96 x 150 77 -> 92-106, 32 x 256 x 256
     * 98 -> 109, 32 x 3136 x 288 88 -> 100. At 64 rows it was even (64^3, ResNet layer 1) or worse
     * (VGG conv1_2, B from DRAM, 86 -> 80: the packed copy is what the later panels read from L2).
     */
    static final int DIRECT_B_MAX_ROWS = 32;
    /**
     * What packing a B block costs, in A panel rows' worth of kernel calls over it. The fused
     * packing kernel alone runs 28% slower than the packed one with B in L2, but a split by rows
     * makes both threads read all of B from L3: at 0.3, layer2's implicit GEMM (16 A panels, 27 B
     * panels) split by rows and ran 9% slower on 2 threads; at 1.0 it stays split by columns.
     */
    static final double PACK_PANEL_ROWS = 1.0;
    /** Below this many A elements a split-over-N call packs A on the caller: one fork-join, not two. */
    static final int PARALLEL_PACK_MIN = 1 << 18;


    private SgemmDriver() {}

    /** Runs a GEMM, packing A itself. */
    static void gemm(ComputeContext ctx, SgemmJob job) {
        if (job.m == 0 || job.n == 0) {
            return;
        }
        if (job.k == 0 || job.alpha == 0f) {
            scaleC(job);
            return;
        }
        if (!job.transC && job.kern.prefersTransposed(job.m, job.n, job.k)) {
            job = job.transposed(null, SgemmBuffers.local().transposedEpilogue(job.epilogue));
        }
        run(ctx, job);
    }

    private static void run(ComputeContext ctx, SgemmJob job) {
        int threads = threads(ctx, job);
        int mcA = blockRows(job.kern, job.m, job.k);
        float[] aBuf = SgemmBuffers.local().a(SgemmPack.paddedRows(job.kern, mcA) * job.k);
        for (int i0 = 0; i0 < job.m; i0 += mcA) {
            runBlock(ctx, threads, job, i0, Math.min(mcA, job.m - i0), aBuf, false);
        }
    }

    /** Runs a GEMM whose A (all m rows, all k) is the pre-packed {@code a}. */
    static void gemmPrepacked(ComputeContext ctx, SgemmJob job, PackedMatrix a) {
        if (job.m == 0 || job.n == 0) {
            return;
        }
        if (job.k == 0 || job.alpha == 0f) {
            scaleC(job);
            return;
        }
        if (job.bRows == null && job.kern.prefersTransposed(job.m, job.n, job.k)) {
            run(ctx, job.transposed(a.panelsAsB(), a.transposedEpilogue(job.epilogue)));
        } else {
            runBlock(ctx, threads(ctx, job), job, 0, job.m, a.data(), true);
        }
    }

    /** Returns the rows of an A block: all of m when m x k fits A_BLOCK_FLOATS, else a multiple of MR. */
    static int blockRows(MicroKernel kern, int m, int k) {
        int mr = kern.mr();
        long fit = Math.max(mr, (A_BLOCK_FLOATS / Math.max(k, 1)) / mr * mr);
        return (int) Math.min(m, fit);
    }

    /**
     * Returns how many threads to use: 1 for small problems, a 1-thread context, or when an operand
     * lives in a thread-confined arena (the pool's threads could not read it).
     */
    static int threads(ComputeContext ctx, SgemmJob job) {
        if (ctx.threads() == 1 || 2.0 * job.m * job.n * job.k < PARALLEL_MIN_FLOPS
                || !shareable(job.a, job.b, job.c, job.epilogue)) {
            return 1;
        }
        int panels = Math.max(ceilDiv(job.m, job.kern.mr()), ceilDiv(job.n, job.kern.nr()));
        return Math.min(ctx.threads(), panels);
    }

    /** Computes rows [i0, i0 + rows) of C for all columns, with A packed (or pre-packed) in aBuf. */
    private static void runBlock(ComputeContext ctx, int threads, SgemmJob job, int i0, int rows, float[] aBuf,
                                 boolean prepacked) {
        MicroKernel kern = job.kern;
        int panelsM = ceilDiv(rows, kern.mr());
        int panelsN = ceilDiv(job.n, kern.nr());
        if (threads == 1) {
            compute(job, i0, rows, aBuf, 0, panelsM, 0, job.n, !prepacked);
            return;
        }
        BlockTask task = SgemmBuffers.local().blockTask();
        if (splitsOverN(panelsM, panelsN, threads)) {
            if (!prepacked && (long) rows * job.k < PARALLEL_PACK_MIN) {
                SgemmPack.packA(kern, job.a, job.aOff, job.lda, job.transA, i0, rows, job.k, 0, panelsM, aBuf, 0);
            } else if (!prepacked) {
                ctx.run(threads, task.set(BlockTask.PACK_A, job, i0, rows, aBuf, panelsM, panelsN));
            }
            ctx.run(threads, task.set(BlockTask.BY_COLUMNS, job, i0, rows, aBuf, panelsM, panelsN));
        } else {
            ctx.run(threads, task.set(prepacked ? BlockTask.BY_ROWS : BlockTask.PACK_AND_BY_ROWS, job, i0, rows, aBuf,
                    panelsM, panelsN));
        }
        task.clear();
    }

    /**
     * The threaded parts of {@link #runBlock}, one reusable object per calling thread
     * ({@link SgemmBuffers#blockTask()}) instead of a capturing lambda per call (40 B of heap
     * per threaded GEMM call, about 12 KB per 2-thread ResNet-18 run).
     */
    static final class BlockTask implements PartTask {
        /** Packs A panels split over the parts. */
        static final int PACK_A = 0;
        /** Splits the B panels (columns of C) over the parts. */
        static final int BY_COLUMNS = 1;
        /** Splits the A panels (rows of C) over the parts, A pre-packed. */
        static final int BY_ROWS = 2;
        /** Splits the A panels over the parts, each part packing its own as it first uses them. */
        static final int PACK_AND_BY_ROWS = 3;
        private int kind;
        private SgemmJob job;
        private int i0;
        private int rows;
        private float[] aBuf;
        private int panelsM;
        private int panelsN;

        BlockTask set(int kind, SgemmJob job, int i0, int rows, float[] aBuf, int panelsM, int panelsN) {
            this.kind = kind;
            this.job = job;
            this.i0 = i0;
            this.rows = rows;
            this.aBuf = aBuf;
            this.panelsM = panelsM;
            this.panelsN = panelsN;
            return this;
        }

        /** Drops the references of the last call. */
        void clear() {
            job = null;
            aBuf = null;
        }

        @Override
        public void run(int part, int parts) {
            MicroKernel kern = job.kern;
            if (kind == BY_COLUMNS) {
                int j0 = Math.min(job.n, ComputeContext.partBegin(panelsN, parts, part) * kern.nr());
                int j1 = Math.min(job.n, ComputeContext.partBegin(panelsN, parts, part + 1) * kern.nr());
                compute(job, i0, rows, aBuf, 0, panelsM, j0, j1, false);
                return;
            }
            int t0 = ComputeContext.partBegin(panelsM, parts, part);
            int t1 = ComputeContext.partBegin(panelsM, parts, part + 1);
            if (kind == PACK_A) {
                SgemmPack.packA(kern, job.a, job.aOff, job.lda, job.transA, i0, rows, job.k, t0, t1, aBuf, 0);
            } else {
                compute(job, i0, rows, aBuf, t0, t1, 0, job.n, kind == PACK_AND_BY_ROWS);
            }
        }
    }

    /**
     * Returns true if {@code threads} threads should share a block's work by B panels (columns),
     * false if by A panels (rows): whichever leaves the busiest thread fewer kernel calls, counting
     * the packing of B ({@link #PACK_PANEL_ROWS}): split by columns, each thread packs its own B
     * panels; split by rows, every thread packs all of them. ResNet-18 layer3 as an implicit GEMM
     * per image (256 x 224 x 2304: 7 B panels, 32 A panels) went from a 4 + 3 column split to
     * 16 + 16 rows: batch 8 on 2 threads 13.1 -> 11.8 ms, 1.54x -> 1.71x over 1 thread (Zen 4,
     * scratch harness, alternated twice). The squares and the ResNet-18 im2col shapes of the
     * benchmarks split by columns, as before.
     */
    static boolean splitsOverN(int panelsM, int panelsN, int threads) {
        double byColumns = ceilDiv(panelsN, threads) * (panelsM + PACK_PANEL_ROWS);
        double byRows = (ceilDiv(panelsM, threads) + PACK_PANEL_ROWS) * panelsN;
        return byColumns <= byRows;
    }

    /**
     * On the current thread: C[rows of A panels t0..t1 of the block][j0, j1) for the full depth;
     * with {@code packA}, the panels are packed into aBuf as they are first used.
     */
    private static void compute(SgemmJob job, int i0, int rows, float[] aBuf, int t0, int t1, int j0, int j1,
                                boolean packA) {
        if (t0 < t1 && j0 < j1) {
            SgemmBuffers.local().share().init(job, i0, rows, aBuf, t0, t1, packA).run(j0, j1);
        }
    }

    /**
     * One thread's share of an A block: A panels [t0, t1), with this thread's buffers. Each
     * thread reuses one ({@link SgemmBuffers#share()}), filled by {@link #init} per call.
     */
    static final class Share {
        private SgemmJob job;
        private MicroKernel kern;
        private int mr;
        private int nr;
        private int i0;
        private int rows;
        private int t0;
        private int t1;
        private int mPad;
        private int depth;
        private float[] aBuf;
        private float[] bBuf;
        private float[] tile;
        private float[] acc;
        /** An indirect B's rows of the current k-block (element index of column 0), else null. */
        private long[] bRowIdx;
        /** Full B panels are read from B, not packed (see DIRECT_B_MAX_ROWS). */
        private boolean directB;
        /** A is packed here, each panel just before its first kernel call ({@link #panelRow}). */
        private boolean packA;

        /**
         * Sets up this share for A panels [t0, t1) of the block of {@code rows} rows at i0, to pack
         * them into aBuf itself if {@code packA}; returns it.
         */
        Share init(SgemmJob job, int i0, int rows, float[] aBuf, int t0, int t1, boolean packA) {
            this.job = job;
            this.kern = job.kern;
            this.mr = kern.mr();
            this.nr = kern.nr();
            this.i0 = i0;
            this.rows = rows;
            this.t0 = t0;
            this.t1 = t1;
            this.aBuf = aBuf;
            this.mPad = SgemmPack.paddedRows(kern, rows);
            this.depth = blockDepth(job.k);
            SgemmBuffers bufs = SgemmBuffers.local();
            this.bBuf = bufs.b(B_BLOCK_FLOATS);
            this.tile = bufs.tile(kern.tileFloats());
            this.acc = job.transC ? bufs.acc((t1 - t0) * mr * NC) : null;
            this.bRowIdx = job.bRows == null ? null : bufs.rows(depth);
            this.directB = readsBDirectly(job);
            this.packA = packA;
            return this;
        }

        void run(int j0, int j1) {
            int step = blockCols(j1 - j0, nr, depth);
            for (int jc = j0; jc < j1; jc += step) {
                int nc = Math.min(step, j1 - jc);
                for (int k0 = 0; k0 < job.k; k0 += depth) {
                    int kc = Math.min(depth, job.k - k0);
                    // B not transposed: the full panels are packed by the first A panel's kernel
                    // calls (a full MR-row panel: a 1-row panel's kernel cannot pack).
                    boolean fused = !directB && !job.transB && job.packedB == null
                            && Math.min(mr, rows - t0 * mr) == mr;
                    int bBase = 0;
                    boolean tailDirect = directB && bRowIdx == null && readsTailDirectly(jc, nc, k0, kc);
                    if (job.packedB != null) {
                        bBase = k0 * SgemmPack.paddedCols(kern, job.n) + jc * kc;
                    } else if (!job.transB) {
                        if (!tailDirect) {
                            kern.packB(job.b, rowIndexes(k0, kc), bColumn(k0, jc), job.ldb, kc, nc, bBuf,
                                    fused || directB);
                        }
                    } else {
                        SgemmPack.packBTransposed(kern, job.b, job.bOff, job.ldb, k0, kc, jc, nc, bBuf);
                    }
                    for (int t = t0; t < t1; t++) {
                        panelRow(t, jc, nc, k0, kc, bBase, fused && t == t0, tailDirect, packA && jc == j0);
                    }
                }
                if (job.transC) {
                    flushTransposed(jc, nc);
                }
            }
        }

        /**
         * Returns true if the block's last B panel is narrow (see {@link MicroKernel#hasNarrow})
         * and its rows can be read 4 floats wide inside B's segment: a direct-B job then reads it
         * with {@link MicroKernel#multiplyNarrowDirectB} instead of packing it (LeNet-5 conv2,
         * 16 x 100 x 150: packing its last 4 columns cost ~6 cycles per row, as much as a kernel).
         */
        private boolean readsTailDirectly(int jc, int nc, int k0, int kc) {
            int nv = nc % nr;
            long last = bColumn(k0, jc + nc - nv) + (long) (kc - 1) * job.ldb + 4;
            return nv > 0 && kern.hasNarrow(nv) && last <= job.b.byteSize() / Float.BYTES;
        }

        /**
         * Returns the B row table of k-block {@code [k0, k0 + kc)} for the kernels (see
         * {@link MicroKernel}): null for an ordinary B, else {@link #bRowIdx} filled with the
         * element index of each indirect row's column 0.
         */
        private long[] rowIndexes(int k0, int kc) {
            if (bRowIdx != null) {
                for (int p = 0; p < kc; p++) {
                    bRowIdx[p] = job.bOff + job.bRows[k0 + p];
                }
            }
            return bRowIdx;
        }

        /** Returns the kernels' {@code col} for column j of k-block k0: relative to the row table, or absolute. */
        private long bColumn(int k0, int j) {
            return bRowIdx != null ? j : job.bOff + (long) k0 * job.ldb + j;
        }

        /**
         * Multiplies A panel t by every B panel of the block and stores (or accumulates) the tiles.
         * With {@code packingA} (the first B block of a share that packs A itself), the first panel
         * packs its own k-block and every panel packs the next one's in slices, one before each of
         * its kernel calls: the packing's loads from L3/DRAM then overlap with FMAs instead of
         * running as a pass of their own before any of them. Intel Xeon model 207, 1 thread,
         * scratch harness, A per call against pre-packed in the same run, best of 15 s, twice each:
         * 1024 cubed 0.947-0.965 -> 0.974-0.975, 512 cubed 0.946-0.948 -> 0.958; 2048 cubed (a per-call
         * A is packed in blocks of 1024 rows) 1.01-1.04 either way.
         */
        private void panelRow(int t, int jc, int nc, int k0, int kc, int bBase, boolean packing, boolean tailDirect,
                              boolean packingA) {
            if (packingA && t == t0) {
                SgemmPack.packAPanel(kern, job.a, job.aOff, job.lda, job.transA, i0, rows, k0, kc, t, aBuf, 0);
            }
            boolean packNextA = packingA && t + 1 < t1;
            int parts = ceilDiv(nc, nr);
            int r0 = t * mr;
            int mv = Math.min(mr, rows - r0);
            int h = mv == mr ? mr : kern.panelRows(mv);
            int ai = k0 * mPad + r0 * kc;
            float[] bp = job.packedB != null ? job.packedB : bBuf;
            float beta = k0 == 0 ? job.beta : 1f;
            Epilogue ep = k0 + kc == job.k ? job.epilogue : null;
            long cRow = job.cOff + (long) (i0 + r0) * job.ldc + jc;
            for (int c0 = 0; c0 < nc; c0 += nr) {
                int nv = Math.min(nr, nc - c0);
                int w = nv == nr ? nr : kern.panelCols(nv);
                if (beta != 0f && c0 + nr < nc && !job.transC) {
                    tile[mr * nr] += touch(job.c, cRow + c0 + nr, mv, Math.min(nr, nc - c0 - nr), job.ldc);
                }
                if (packNextA) {
                    SgemmPack.packAPanelPart(kern, job.a, job.aOff, job.lda, job.transA, i0, rows, k0, kc, t + 1,
                            c0 / nr, parts, aBuf, 0);
                }
                if (directB && nv == nr) {
                    kern.multiplyDirectB(aBuf, ai, job.b, bRowIdx, bColumn(k0, jc + c0), job.ldb, kc, tile);
                } else if (packing && nv == nr) {
                    kern.multiplyPackB(aBuf, ai, job.b, bRowIdx, bColumn(k0, jc + c0), job.ldb, bBuf, c0 * kc, kc,
                            tile);
                } else if (tailDirect && nv < nr) {
                    kern.multiplyNarrowDirectB(aBuf, ai, job.b, bColumn(k0, jc + c0), job.ldb, kc, tile);
                } else if (h == mr && kern.hasNarrow(nv)) {
                    kern.multiplyNarrow(aBuf, ai, bp, bBase + c0 * kc, w, kc, tile);
                } else {
                    kern.multiply(aBuf, ai, h, bp, bBase + c0 * kc, w, kc, tile);
                }
                if (job.transC) {
                    kern.accumulate(tile, acc, ((t - t0) * NC + c0) * mr, k0 == 0);
                } else {
                    kern.store(tile, mv, nv, job.c, cRow + c0, job.ldc, job.alpha, beta, ep, i0 + r0, jc + c0);
                }
            }
        }

        /**
         * Writes the accumulated tiles of a transposed job's block to C, each once: with k-blocks
         * summed in a buffer (L1/L2) first, the scalar transposed store runs once per tile, not
         * once per tile and k-block (it cost 23% of the time of N = 49 that way).
         */
        private void flushTransposed(int jc, int nc) {
            for (int t = t0; t < t1; t++) {
                int r0 = t * mr;
                int mv = Math.min(mr, rows - r0);
                if (t + 1 < t1 && rows - r0 >= 2 * mr && flushPair(t, jc, nc)) {
                    t++; // this panel and the next one are written
                    continue;
                }
                for (int c0 = 0; c0 < nc; c0 += nr) {
                    int ti = ((t - t0) * NC + c0) * mr;
                    int cols = Math.min(nr, nc - c0);
                    long cIdx = job.cOff + (long) (jc + c0) * job.ldc + i0 + r0;
                    if (mv == 1 && job.ldc == 1) {
                        // one row of C^T into a column vector C (a batch-1 linear layer): its
                        // elements are contiguous, so the kernel's vector store writes them
                        System.arraycopy(acc, ti, tile, 0, cols);
                        kern.store(tile, 1, cols, job.c, cIdx, 1, job.alpha, job.beta, job.epilogue, i0 + r0,
                                jc + c0);
                    } else {
                        SgemmTail.storeTransposed(acc, ti, nr, mv, cols, job.c, cIdx, job.ldc, job.alpha, job.beta,
                                job.epilogue, i0 + r0, jc + c0);
                    }
                }
            }
        }

        /**
         * Writes full A panels t and t + 1 of the block with {@link MicroKernel#storeTransposedPair}
         * (16 contiguous floats of a C row per vector); false, with nothing written, if the kernel
         * has no such store.
         */
        private boolean flushPair(int t, int jc, int nc) {
            int r0 = t * mr;
            for (int c0 = 0; c0 < nc; c0 += nr) {
                int ti = ((t - t0) * NC + c0) * mr;
                long cIdx = job.cOff + (long) (jc + c0) * job.ldc + i0 + r0;
                if (!kern.storeTransposedPair(acc, ti, Math.min(nr, nc - c0), job.c, cIdx, job.ldc, job.alpha,
                        job.beta, job.epilogue, i0 + r0, jc + c0)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Returns true if the job reads its full B panels straight from B: few rows (every A panel a
     * full one, as the direct kernel computes mr rows), B not transposed, a vector kernel.
     */
    static boolean readsBDirectly(SgemmJob job) {
        MicroKernel kern = job.kern;
        int lastRows = job.m % kern.mr() == 0 ? kern.mr() : job.m % kern.mr();
        return job.m <= DIRECT_B_MAX_ROWS && !job.transB && job.packedB == null && kern.bits() > 0
                && kern.panelRows(lastRows) == kern.mr();
    }

    /**
     * Returns the depth of the k-blocks of a GEMM with this k (the last one may be shallower):
     * {@code ceil(k / ceil(k / KC))}, e.g. 576 for k = 576, 1024 for 1024, 768 for 2304. A function
     * of k only, so that the blocking, and with it every rounding, is the same on any thread
     * count and for pre-packed and per-call A.
     */
    static int blockDepth(int k) {
        return k <= KC ? Math.max(k, 1) : ceilDiv(k, ceilDiv(k, KC));
    }

    /**
     * Returns the width of the B blocks covering {@code cols} columns at depth {@code kc}: at most
     * NC and {@code B_BLOCK_FLOATS / kc}, a multiple of NR, as equal as NR allows (1024 columns at
     * kc = 576: 4 x 256; 3136 columns at kc = 576: 13 blocks of 256, the last 64 columns short;
     * at kc = 1024 the widest block is 160), so that no block is left with few panels to
     * amortise each A micro-panel's trip into L1.
     */
    static int blockCols(int cols, int nr, int kc) {
        int widest = Math.max(nr, Math.min(NC, B_BLOCK_FLOATS / Math.max(kc, 1)) / nr * nr);
        int blocks = ceilDiv(cols, widest);
        return Math.min(widest, ceilDiv(ceilDiv(cols, blocks), nr) * nr);
    }

    /** C = beta * C (not read when beta is 0), then the epilogue: the k = 0 or alpha = 0 case. */
    private static void scaleC(SgemmJob job) {
        MicroKernel kern = job.kern;
        float[] zero = SgemmBuffers.local().zeroTile(kern.mr() * kern.nr());
        for (int i = 0; i < job.m; i += kern.mr()) {
            for (int j = 0; j < job.n; j += kern.nr()) {
                kern.store(zero, Math.min(kern.mr(), job.m - i), Math.min(kern.nr(), job.n - j), job.c,
                        job.cOff + (long) i * job.ldc + j, job.ldc, 0f, job.beta, job.epilogue, i, j);
            }
        }
    }

    /** Returns true if threads other than the caller may access all given segments (null: none). */
    static boolean shareable(MemorySegment a, MemorySegment b, MemorySegment c, Epilogue epilogue) {
        return ComputeContext.shareable(a, b, c, epilogue == null ? null : epilogue.biasSegment())
                && (epilogue == null || ComputeContext.shareable(epilogue.addendSegment()));
    }


    /**
     * Reads one float per 64-byte line of the next C tile, a software prefetch: the loads are in
     * flight while the current tile's kernel runs, so the next store finds C in L1 instead of
     * stalling on L3 (the C block of a k pass no longer fits L2 for large m). The sum is written
     * to a spare slot of the tile buffer only so that C2 cannot drop the loads. Zen 4: +1.5-2% of
     * peak at 1024 and 2048 cubed.
     */
    private static float touch(MemorySegment c, long idx, int rows, int cols, int ldc) {
        float sum = 0f;
        for (int r = 0; r < rows; r++) {
            long row = idx + (long) r * ldc;
            for (int q = 0; q < cols; q += 16) {
                sum += c.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, row + q);
            }
        }
        return sum;
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
