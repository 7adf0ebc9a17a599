package dev.fovea.simd.gemm;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * The GotoBLAS/BLIS loops around a {@link MicroKernel}, for arguments already validated.
 *
 * <pre>
 * for each A block of mcA rows (all of k; packed once, or pre-packed)   (A_BLOCK_FLOATS, L3)
 *   [threads split the N panels, or the M panels when N is narrow]
 *   for jc in the thread's columns, step NC                              (B block in L2)
 *     for k0 in 0..k, step KC
 *       pack B[k0:k0+kc, jc:jc+nc] into NR-wide panels                   (this thread's buffer)
 *       for each MR-row panel of A  (its MR x kc micro-panel stays in L1)
 *         for each NR-column panel of B  (streamed from L2)
 *           micro-kernel: MR x NR tile over kc  -> tile buffer -> C (alpha, beta, epilogue)
 * </pre>
 * The k-blocks of an output element always run in the same order, each on one thread, with the
 * same kernel arithmetic, so the result does not depend on the thread count. C is scaled by beta
 * in the first k-block only and gets the epilogue in the last one.
 */
final class SgemmDriver {
    /**
     * Depth of a k-block. An MR x KC A micro-panel (8 x 384 floats = 12 KiB) stays in the 32 KiB L1
     * next to the streamed B panel lines; a larger KC amortises the C tile update (2 x 16 C vector
     * loads/stores per 16 x KC FMAs: 1.5% at 384).
     */
    static final int KC = Integer.getInteger("fovea.gemm.kc", 384);
    /**
     * Columns of a B block: KC x NC floats (384 x 384 x 4 B = 576 KiB) sit in the 1 MiB L2 while
     * every A micro-panel of the block streams over them. A multiple of every kernel's NR.
     */
    static final int NC = Integer.getInteger("fovea.gemm.nc", 384);
    /**
     * Upper bound on a packed A block (2 Mi floats = 8 MiB, a quarter of the 32 MiB L3): an
     * A block of mcA rows and all of k is packed once and reused for every column of C.
     */
    static final int A_BLOCK_FLOATS = 1 << 21;
    /**
     * Below this many flops (about 40 us on one Zen 4 core) a call runs on the calling thread only:
     * waking a pool thread costs tens of microseconds.
     */
    static final double PARALLEL_MIN_FLOPS = 1 << 22;

    /** A thread that is never started: a segment it may access is not confined to the caller. */
    private static final Thread NOT_THE_CALLER = Thread.ofPlatform().unstarted(() -> { });

    private SgemmDriver() {}

    /** One call's arguments; {@code epilogue} is null when it is the identity. */
    record Job(MicroKernel kern, boolean transA, boolean transB, int m, int n, int k, float alpha,
               MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
               float beta, MemorySegment c, long cOff, int ldc, Epilogue epilogue) {}

    /** Runs a GEMM, packing A itself. */
    static void gemm(ComputeContext ctx, Job job) {
        if (job.m == 0 || job.n == 0) {
            return;
        }
        if (job.k == 0 || job.alpha == 0f) {
            scaleC(job);
            return;
        }
        int threads = threads(ctx, job);
        int mcA = blockRows(job.kern, job.m, job.k);
        float[] aBuf = SgemmBuffers.local().a(SgemmPack.paddedRows(job.kern, mcA) * job.k);
        for (int i0 = 0; i0 < job.m; i0 += mcA) {
            runBlock(ctx, threads, job, i0, Math.min(mcA, job.m - i0), aBuf, false);
        }
    }

    /** Runs a GEMM whose A (all m rows, all k) is already packed in {@code packedA}. */
    static void gemmPrepacked(ComputeContext ctx, Job job, float[] packedA) {
        if (job.m == 0 || job.n == 0) {
            return;
        }
        if (job.k == 0 || job.alpha == 0f) {
            scaleC(job);
            return;
        }
        runBlock(ctx, threads(ctx, job), job, 0, job.m, packedA, true);
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
    static int threads(ComputeContext ctx, Job job) {
        if (ctx.threads() == 1 || 2.0 * job.m * job.n * job.k < PARALLEL_MIN_FLOPS
                || !shareable(job.a, job.b, job.c, job.epilogue)) {
            return 1;
        }
        int panels = Math.max(ceilDiv(job.m, job.kern.mr()), ceilDiv(job.n, job.kern.nr()));
        return Math.min(ctx.threads(), panels);
    }

    /** Computes rows [i0, i0 + rows) of C for all columns, with A packed (or pre-packed) in aBuf. */
    private static void runBlock(ComputeContext ctx, int threads, Job job, int i0, int rows, float[] aBuf,
                                 boolean prepacked) {
        MicroKernel kern = job.kern;
        int panelsM = ceilDiv(rows, kern.mr());
        int panelsN = ceilDiv(job.n, kern.nr());
        if (threads == 1) {
            if (!prepacked) {
                SgemmPack.packA(kern, job.a, job.aOff, job.lda, job.transA, i0, rows, job.k, 0, panelsM, aBuf, 0);
            }
            compute(job, i0, rows, aBuf, 0, panelsM, 0, job.n);
        } else if (panelsN >= 2 * threads || panelsN >= panelsM) {
            if (!prepacked) {
                ctx.run(threads, (part, parts) -> SgemmPack.packA(kern, job.a, job.aOff, job.lda, job.transA, i0, rows,
                        job.k, ComputeContext.partBegin(panelsM, parts, part),
                        ComputeContext.partBegin(panelsM, parts, part + 1), aBuf, 0));
            }
            ctx.run(threads, (part, parts) -> {
                int j0 = Math.min(job.n, ComputeContext.partBegin(panelsN, parts, part) * kern.nr());
                int j1 = Math.min(job.n, ComputeContext.partBegin(panelsN, parts, part + 1) * kern.nr());
                compute(job, i0, rows, aBuf, 0, panelsM, j0, j1);
            });
        } else {
            ctx.run(threads, (part, parts) -> {
                int t0 = ComputeContext.partBegin(panelsM, parts, part);
                int t1 = ComputeContext.partBegin(panelsM, parts, part + 1);
                if (!prepacked) {
                    SgemmPack.packA(kern, job.a, job.aOff, job.lda, job.transA, i0, rows, job.k, t0, t1, aBuf, 0);
                }
                compute(job, i0, rows, aBuf, t0, t1, 0, job.n);
            });
        }
    }

    /** On the current thread: C[rows of A panels t0..t1 of the block][j0, j1) for the full depth. */
    private static void compute(Job job, int i0, int rows, float[] aBuf, int t0, int t1, int j0, int j1) {
        if (t0 >= t1 || j0 >= j1) {
            return;
        }
        MicroKernel kern = job.kern;
        int mr = kern.mr();
        int nr = kern.nr();
        SgemmBuffers bufs = SgemmBuffers.local();
        float[] bBuf = bufs.b(KC * NC);
        float[] tile = bufs.tile(mr * nr);
        int mPad = SgemmPack.paddedRows(kern, rows);
        int step = blockCols(j1 - j0, nr);
        for (int jc = j0; jc < j1; jc += step) {
            int nc = Math.min(step, j1 - jc);
            for (int k0 = 0; k0 < job.k; k0 += KC) {
                int kc = Math.min(KC, job.k - k0);
                // Not transposed: the full B panels are packed by the first A panel's kernel calls.
                boolean fused = !job.transB;
                if (!job.transB) {
                    kern.packB(job.b, job.bOff, job.ldb, k0, kc, jc, nc, bBuf, fused);
                } else {
                    SgemmPack.packBScalar(kern, job.b, job.bOff, job.ldb, true, k0, kc, jc, nc, bBuf, 0);
                }
                float beta = k0 == 0 ? job.beta : 1f;
                Epilogue ep = k0 + kc == job.k ? job.epilogue : null;
                for (int t = t0; t < t1; t++) {
                    int r0 = t * mr;
                    int mv = Math.min(mr, rows - r0);
                    int h = mv == mr ? mr : kern.panelRows(mv);
                    int ai = k0 * mPad + r0 * kc;
                    long cRow = job.cOff + (long) (i0 + r0) * job.ldc + jc;
                    long bRow = job.bOff + (long) k0 * job.ldb + jc;
                    for (int c0 = 0; c0 < nc; c0 += nr) {
                        int nv = Math.min(nr, nc - c0);
                        int w = nv == nr ? nr : kern.panelCols(nv);
                        if (fused && t == t0 && nv == nr) {
                            kern.multiplyPackB(aBuf, ai, job.b, bRow + c0, job.ldb, bBuf, c0 * kc, kc, tile);
                        } else {
                            kern.multiply(aBuf, ai, h, bBuf, c0 * kc, w, kc, tile);
                        }
                        kern.store(tile, mv, nv, job.c, cRow + c0, job.ldc, job.alpha, beta, ep, i0 + r0, jc + c0);
                    }
                }
            }
        }
    }

    /**
     * Returns the width of the B blocks covering {@code cols} columns: at most NC, a multiple of
     * NR, as equal as possible (1024 columns: 352 + 352 + 320, not 384 + 384 + 256), so that no
     * block is left with few panels to amortise each A micro-panel's trip into L1.
     */
    static int blockCols(int cols, int nr) {
        int blocks = ceilDiv(cols, NC);
        return Math.min(NC, ceilDiv(ceilDiv(cols, blocks), nr) * nr);
    }

    /** C = beta * C (not read when beta is 0), then the epilogue: the k = 0 or alpha = 0 case. */
    private static void scaleC(Job job) {
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
        return shared(a) && shared(b) && shared(c) && (epilogue == null || shared(epilogue.biasSegment()));
    }

    private static boolean shared(MemorySegment s) {
        return s == null || s.isAccessibleBy(NOT_THE_CALLER);
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
