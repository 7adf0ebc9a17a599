package dev.fovea.simd.gemm;

import dev.fovea.simd.parallel.ComputeContext;
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
        ctx.run(threads, (part, parts) -> {
            int end = ComputeContext.partBegin(batch, parts, part + 1);
            for (int t = ComputeContext.partBegin(batch, parts, part); t < end; t++) {
                item(kern, SERIAL, t, transA, transB, m, n, k, alpha, a, aOff, lda, strideA, b, bOff, ldb, strideB,
                        beta, c, cOff, ldc, strideC, epilogue);
            }
        });
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
        ctx.run(threads, (part, parts) -> {
            int end = ComputeContext.partBegin(batch, parts, part + 1);
            for (int t = ComputeContext.partBegin(batch, parts, part); t < end; t++) {
                item(SERIAL, t, a, transB, n, alpha, b, bOff, ldb, strideB, beta, c, cOff, ldc, strideC, epilogue);
            }
        });
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
