package dev.fovea.simd.gemm;

import java.lang.foreign.MemorySegment;

/**
 * One GEMM call's arguments as {@link SgemmDriver} runs them; {@code epilogue} is null when it is the identity. With {@code transC}
 * the job computes the transposed product (see {@link #transposed}) and writes its tiles
 * transposed into C; {@code packedB}, when non-null, holds op(B) already packed as panels
 * for all of k (a {@link PackedMatrix} in its B layout), and B is then not read. {@code bRows},
 * when non-null (B not transposed, not {@code transC}), places row p of B at element
 * {@code bOff + bRows[p]} instead of {@code bOff + p * ldb} (the indirect B of
 * {@link Sgemm#sgemmIndirectB}); {@code ldb} is then unused.
 *
 * <p>Each thread reuses two jobs ({@link SgemmBuffers#job()}, {@link SgemmBuffers#transposedJob()})
 * so that a call allocates nothing: a batched GEMM of 36 Winograd items made 36 of them per
 * layer, 100 KB per ResNet-18 run. A job is filled by its thread at the start of a call and
 * only read (by that thread and the context's workers) until the call returns.
 */
final class SgemmJob {
    MicroKernel kern;
    boolean transA;
    boolean transB;
    int m;
    int n;
    int k;
    float alpha;
    MemorySegment a;
    long aOff;
    int lda;
    MemorySegment b;
    long bOff;
    int ldb;
    float beta;
    MemorySegment c;
    long cOff;
    int ldc;
    Epilogue epilogue;
    boolean transC;
    float[] packedB;
    long[] bRows;

    /** Fills every field; returns this job. */
    SgemmJob set(MicroKernel kern, boolean transA, boolean transB, int m, int n, int k, float alpha,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            float beta, MemorySegment c, long cOff, int ldc, Epilogue epilogue, boolean transC, float[] packedB,
            long[] bRows) {
        this.kern = kern;
        this.transA = transA;
        this.transB = transB;
        this.m = m;
        this.n = n;
        this.k = k;
        this.alpha = alpha;
        this.a = a;
        this.aOff = aOff;
        this.lda = lda;
        this.b = b;
        this.bOff = bOff;
        this.ldb = ldb;
        this.beta = beta;
        this.c = c;
        this.cOff = cOff;
        this.ldc = ldc;
        this.epilogue = epilogue;
        this.transC = transC;
        this.packedB = packedB;
        this.bRows = bRows;
        return this;
    }

    /** Fills the fields of a plain (not transposed, direct B) job; returns this job. */
    SgemmJob set(MicroKernel kern, boolean transA, boolean transB, int m, int n, int k, float alpha,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            float beta, MemorySegment c, long cOff, int ldc, Epilogue epilogue) {
        return set(kern, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, epilogue,
                false, null, null);
    }

    /**
     * Returns the same product as {@code C^T = op(B)^T op(A)^T}, in this thread's
     * {@linkplain SgemmBuffers#transposedJob() transposed job}: an n x m GEMM whose A is this
     * job's B and whose B is this job's A, with a per-row bias becoming per-column. For C
     * with few columns (N = 49) this puts the short side on the kernel's 8 broadcast rows
     * instead of its 32 vector lanes. {@code transposedEpilogue} is this job's epilogue with
     * its bias direction swapped (made by the caller, who can keep it).
     */
    SgemmJob transposed(float[] packedAsB, Epilogue transposedEpilogue) {
        return SgemmBuffers.local().transposedJob().set(kern, !transB, !transA, n, m, k, alpha, b, bOff, ldb, a,
                aOff, lda, beta, c, cOff, ldc, transposedEpilogue, !transC, packedAsB, null);
    }
}
