package dev.fovea.simd.gemm;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.parallel.PartTask;
import java.lang.foreign.MemorySegment;

/**
 * Runs the items of a batched GEMM: spread over the threads one whole (single-threaded) GEMM
 * each when there are enough of them, otherwise one after another, each threaded inside. Both
 * give the same bits, because a GEMM's result does not depend on its thread count.
 */
final class SgemmBatch {
    /** A context that runs everything on the caller, for the items of an item-parallel batch. */
    private static final ComputeContext SERIAL = ComputeContext.create(1);
    /**
     * Items larger than this (64 MFLOP, ~0.6 ms on one core) are threaded inside unless the batch
     * divides evenly over the threads: inner threading balances better than whole items.
     */
    private static final double ITEM_PARALLEL_MAX_FLOPS = 1 << 26;

    private SgemmBatch() {}

    /** Runs a batch of GEMMs that pack A. */
    static void run(MicroKernel kern, ComputeContext ctx, int batch, boolean transA, boolean transB, int m, int n,
                    int k, float alpha, MemorySegment a, long aOff, int lda, long strideA,
                    MemorySegment b, long bOff, int ldb, long strideB, float beta,
                    MemorySegment c, long cOff, int ldc, long strideC, Epilogue epilogue) {
        int threads = itemThreads(ctx, batch, m, n, k, SgemmDriver.shareable(a, b, c, epilogue));
        if (threads == 1) {
            for (int t = 0; t < batch; t++) {
                item(kern, ctx, t, transA, transB, m, n, k, alpha, a, aOff, lda, strideA, b, bOff, ldb, strideB,
                        beta, c, cOff, ldc, strideC, epilogue);
            }
            return;
        }
        Items items = SgemmBuffers.local().items().set(batch, kern, null, transA, transB, m, n, k, alpha, a, aOff, lda,
                strideA, b, bOff, ldb, strideB, beta, c, cOff, ldc, strideC, epilogue);
        ctx.run(threads, items);
        items.clear();
    }

    /** Runs item {@code t} of a batch that packs A, in the calling thread's job. */
    private static void item(MicroKernel kern, ComputeContext ctx, long t, boolean transA, boolean transB, int m,
                             int n, int k, float alpha, MemorySegment a, long aOff, int lda, long strideA,
                             MemorySegment b, long bOff, int ldb, long strideB, float beta,
                             MemorySegment c, long cOff, int ldc, long strideC, Epilogue epilogue) {
        SgemmDriver.gemm(ctx, SgemmBuffers.local().job().set(kern, transA, transB, m, n, k, alpha, a,
                aOff + t * strideA, lda, b, bOff + t * strideB, ldb, beta, c, cOff + t * strideC, ldc, epilogue));
    }

    /** Runs a batch of GEMMs sharing the pre-packed {@code a}. */
    static void run(ComputeContext ctx, int batch, PackedMatrix a, boolean transB, int n, float alpha,
                    MemorySegment b, long bOff, int ldb, long strideB, float beta,
                    MemorySegment c, long cOff, int ldc, long strideC, Epilogue epilogue) {
        int threads = itemThreads(ctx, batch, a.rows(), n, a.depth(), SgemmDriver.shareable(null, b, c, epilogue));
        if (threads == 1) {
            for (int t = 0; t < batch; t++) {
                item(ctx, t, a, transB, n, alpha, b, bOff, ldb, strideB, beta, c, cOff, ldc, strideC, epilogue);
            }
            return;
        }
        Items items = SgemmBuffers.local().items().set(batch, null, a, false, transB, a.rows(), n, a.depth(), alpha,
                null, 0, 0, 0, b, bOff, ldb, strideB, beta, c, cOff, ldc, strideC, epilogue);
        ctx.run(threads, items);
        items.clear();
    }

    /** Runs item {@code t} of a batch sharing the pre-packed {@code a}, in the calling thread's job. */
    private static void item(ComputeContext ctx, long t, PackedMatrix a, boolean transB, int n, float alpha,
                             MemorySegment b, long bOff, int ldb, long strideB, float beta,
                             MemorySegment c, long cOff, int ldc, long strideC, Epilogue epilogue) {
        SgemmDriver.gemmPrepacked(ctx, SgemmBuffers.local().job().set(a.kernel(), false, transB, a.rows(), n,
                a.depth(), alpha, null, 0, a.depth(), b, bOff + t * strideB, ldb, beta, c, cOff + t * strideC, ldc,
                epilogue), a);
    }

    /**
     * The items of an item-parallel batch split over the parts, each a single-threaded GEMM: one
     * reusable object per calling thread ({@link SgemmBuffers#items()}) instead of a capturing
     * lambda per call. {@code packed} non-null: the batch shares that pre-packed A, else
     * {@code kern} packs each item's A.
     */
    static final class Items implements PartTask {
        private int batch;
        private MicroKernel kern;
        private PackedMatrix packed;
        private boolean transA;
        private boolean transB;
        private int m;
        private int n;
        private int k;
        private float alpha;
        private MemorySegment a;
        private long aOff;
        private int lda;
        private long strideA;
        private MemorySegment b;
        private long bOff;
        private int ldb;
        private long strideB;
        private float beta;
        private MemorySegment c;
        private long cOff;
        private int ldc;
        private long strideC;
        private Epilogue epilogue;

        Items set(int batch, MicroKernel kern, PackedMatrix packed, boolean transA, boolean transB, int m, int n, int k,
                  float alpha, MemorySegment a, long aOff, int lda, long strideA, MemorySegment b, long bOff, int ldb,
                  long strideB, float beta, MemorySegment c, long cOff, int ldc, long strideC, Epilogue epilogue) {
            this.batch = batch;
            this.kern = kern;
            this.packed = packed;
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.strideA = strideA;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.strideB = strideB;
            this.beta = beta;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.strideC = strideC;
            this.epilogue = epilogue;
            return this;
        }

        /** Drops the references of the last call. */
        void clear() {
            kern = null;
            packed = null;
            a = null;
            b = null;
            c = null;
            epilogue = null;
        }

        @Override
        public void run(int part, int parts) {
            int end = ComputeContext.partBegin(batch, parts, part + 1);
            for (int t = ComputeContext.partBegin(batch, parts, part); t < end; t++) {
                if (packed != null) {
                    item(SERIAL, t, packed, transB, n, alpha, b, bOff, ldb, strideB, beta, c, cOff, ldc, strideC,
                            epilogue);
                } else {
                    item(kern, SERIAL, t, transA, transB, m, n, k, alpha, a, aOff, lda, strideA, b, bOff, ldb, strideB,
                            beta, c, cOff, ldc, strideC, epilogue);
                }
            }
        }
    }

    /**
     * Returns the threads to spread whole items over (1: run the items one after another, each
     * threaded inside as its size allows).
     */
    private static int itemThreads(ComputeContext ctx, int batch, int m, int n, int k, boolean shareable) {
        int threads = shareable ? ctx.threads() : 1;
        double flops = 2.0 * m * n * k;
        boolean itemParallel = threads > 1 && batch >= threads && flops * batch >= SgemmDriver.PARALLEL_MIN_FLOPS
                && (flops <= ITEM_PARALLEL_MAX_FLOPS || batch % threads == 0);
        return itemParallel ? threads : 1;
    }
}
