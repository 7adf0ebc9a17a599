package dev.fovea.simd.gemm;

import dev.fovea.simd.Simd;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Single-precision general matrix multiply, the kernel under every convolution, linear layer and
 * Winograd stage:
 * <pre>
 *   C = epilogue( alpha * op(A) * op(B) + beta * C )      op(X) = X or X^T
 *   op(A): m x k,  op(B): k x n,  C: m x n
 * </pre>
 *
 * <p><b>Layout and units.</b> All matrices are row-major float32 (native byte order) inside
 * {@link MemorySegment}s; offsets, leading dimensions and batch strides count float elements,
 * never bytes. Element {@code (i, p)} of A is at {@code aOff + i * lda + p}, or at
 * {@code aOff + p * lda + i} when {@code transA} (A is then stored as the {@code k x m} matrix);
 * likewise B with {@code ldb}, and {@code C(i, j)} is at {@code cOff + i * ldc + j}. A leading
 * dimension must be at least the stored row length ({@code k} or {@code m} for A, {@code n} or
 * {@code k} for B, {@code n} for C); elements between the row length and the leading dimension
 * are never read or written.
 *
 * <p><b>Overwrite or accumulate.</b> {@code beta = 0} overwrites C without reading it (BLIS rule:
 * C may hold NaN or garbage); {@code beta = 1} accumulates. When {@code k = 0} or
 * {@code alpha = 0}, A and B are not read and {@code C = epilogue(beta * C)}. Non-finite alpha
 * and beta are allowed and propagate as IEEE arithmetic does. The {@link Epilogue} (bias, then
 * activation) is applied once per output element, after the full sum.
 *
 * <p><b>Aliasing.</b> C must not share any element with A, B or the bias: the result is then
 * undefined. A and B may alias each other. C's segment must be writable.
 *
 * <p><b>Numerics.</b> Each output element is a float FMA chain over k in increasing order,
 * restarted at every k-block (k is cut into equal blocks of at most 640) and the partial sums
 * added to C in k order. The
 * result is bit-identical for any thread count and any {@link ComputeContext}; it differs from
 * the scalar path and {@link SgemmReference} by rounding only (error bounded by about
 * {@code k * 2^-24 * sum_p |A(i,p) B(p,j)|}).
 *
 * <p><b>Algorithm.</b> GotoBLAS/BLIS: A is packed into row panels of MR rows, B into column
 * panels of NR columns, both in heap float arrays, and a register-blocked micro-kernel computes
 * MR x NR tiles with {@code FloatVector} FMAs: 8 x 32 with 512-bit vectors, 6 x 16 with 256-bit
 * vectors, 4 x 4 scalar; the kernel is chosen once per JVM from {@link Simd#BITS}. Packed layout
 * of one k-block (depth kc <= 640), drawn for MR = NR = 2:
 * <pre>
 *   A (m x kc) -> panels of MR rows      B (kc x n) -> panels of NR columns
 *   row panel 0: a00 a10 | a01 a11 | ..   col panel 0: b00 b01 | b10 b11 | ..
 *   row panel 1: a20 a30 | a21 a31 | ..   col panel 1: b02 b03 | b12 b13 | ..
 *   (a column of MR values per k step)    (a row of NR values per k step)
 *   micro-kernel: for p in 0..kc: tile[MR][NR] += column p of an A panel x row p of a B panel
 * </pre>
 * The last panel is zero-padded to its packed height/width; only valid elements reach C.
 *
 * <p><b>Threads and workspace.</b> Work is split over blocks of rows or columns of C (never
 * over k) on the given {@link ComputeContext}; problems under about 17 MFLOP run on the calling
 * thread, and so does a call whose segments belong to a thread-confined arena. Packing buffers are cached per thread (see {@code SgemmBuffers}): the steady state
 * allocates nothing large. A {@link PackedMatrix} lets a constant A (weights) be packed once.
 * Every argument is checked before any work; errors are {@link IllegalArgumentException}s
 * naming the argument, its value and what was expected.
 */
public final class Sgemm {
    private static final String OP = "Sgemm";

    /** The micro-kernel of this JVM, from {@link Simd#BITS} (scalar for 0 and for 128). */
    static final MicroKernel KERNEL = kernelFor(Simd.BITS);

    private Sgemm() {}

    /** Returns the kernel for a vector width; 512 and 256 have vector kernels, the rest is scalar. */
    static MicroKernel kernelFor(int bits) {
        if (bits >= 512) {
            return SgemmKernel512.INSTANCE;
        }
        if (bits == 256) {
            return SgemmKernel256.INSTANCE;
        }
        return SgemmKernelScalar.INSTANCE;
    }

    /** Returns a description of the micro-kernel this JVM runs, e.g. {@code "8x32 512-bit"}. */
    public static String kernelDescription() {
        return KERNEL.mr() + "x" + KERNEL.nr() + (KERNEL.bits() == 0 ? " scalar" : " " + KERNEL.bits() + "-bit");
    }

    /**
     * Computes {@code C = alpha * op(A) * op(B) + beta * C} on the default context, no epilogue.
     *
     * @param transA whether A is stored transposed ({@code k x m})
     * @param transB whether B is stored transposed ({@code n x k})
     * @param m rows of op(A) and C, {@code >= 0}
     * @param n columns of op(B) and C, {@code >= 0}
     * @param k columns of op(A), rows of op(B), {@code >= 0}
     * @param alpha scale of the product
     * @param a A's segment; {@code aOff} its first element; {@code lda} its row stride (elements)
     * @param b B's segment; {@code bOff} its first element; {@code ldb} its row stride (elements)
     * @param beta scale of C's old value; 0 means C is not read
     * @param c C's segment (written); {@code cOff} its first element; {@code ldc} its row stride
     * @throws IllegalArgumentException for a negative size or offset, a leading dimension below
     *     the row length, or a segment too small for the elements the operand spans
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                             float beta, MemorySegment c, long cOff, int ldc) {
        sgemm(ComputeContext.current(), transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc, Epilogue.NONE);
    }

    /**
     * Computes {@code C = epilogue(alpha * op(A) * op(B) + beta * C)} on {@code ctx}'s threads.
     * Arguments as in {@link #sgemm(boolean, boolean, int, int, int, float, MemorySegment, long, int,
     * MemorySegment, long, int, float, MemorySegment, long, int)}; {@code epilogue} is
     * {@link Epilogue#NONE} for none, and its bias must hold m (per row) or n (per column) floats.
     */
    public static void sgemm(ComputeContext ctx, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                             float beta, MemorySegment c, long cOff, int ldc, Epilogue epilogue) {
        sgemmBatched(KERNEL, ctx, 1, transA, transB, m, n, k, alpha, a, aOff, lda, 0, b, bOff, ldb, 0, beta,
                c, cOff, ldc, 0, epilogue);
    }

    /**
     * Computes {@code batch} independent GEMMs of one shape; item {@code t} uses A at
     * {@code aOff + t * strideA}, B at {@code bOff + t * strideB} and C at {@code cOff + t * strideC}
     * (strides in elements, {@code >= 0}; a stride of 0 shares that operand, allowed for A and B).
     * The C matrices of different items must not overlap. Small items are spread over the threads
     * one whole GEMM each; large ones are threaded inside. Results equal {@code batch} calls of
     * {@link #sgemm(ComputeContext, boolean, boolean, int, int, int, float, MemorySegment, long, int,
     * MemorySegment, long, int, float, MemorySegment, long, int, Epilogue)} bit for bit.
     *
     * @throws IllegalArgumentException as {@code sgemm} does, for a negative batch or stride, if the
     *     last item does not fit its segment, or if {@code strideC} is 0 with {@code batch > 1}
     */
    public static void sgemmBatched(ComputeContext ctx, int batch, boolean transA, boolean transB, int m, int n,
                                    int k, float alpha, MemorySegment a, long aOff, int lda, long strideA,
                                    MemorySegment b, long bOff, int ldb, long strideB, float beta,
                                    MemorySegment c, long cOff, int ldc, long strideC, Epilogue epilogue) {
        sgemmBatched(KERNEL, ctx, batch, transA, transB, m, n, k, alpha, a, aOff, lda, strideA, b, bOff, ldb,
                strideB, beta, c, cOff, ldc, strideC, epilogue);
    }

    /**
     * Computes {@code C = epilogue(alpha * A * op(B) + beta * C)} with a pre-packed A
     * ({@code m = a.rows()}, {@code k = a.depth()}); other arguments as in {@code sgemm}.
     *
     * The multiply runs on the micro-kernel {@code a} was packed for.
     *
     * @throws IllegalArgumentException as {@code sgemm} does
     */
    public static void sgemm(ComputeContext ctx, PackedMatrix a, boolean transB, int n, float alpha,
                             MemorySegment b, long bOff, int ldb, float beta, MemorySegment c, long cOff, int ldc,
                             Epilogue epilogue) {
        sgemmBatched(ctx, 1, a, transB, n, alpha, b, bOff, ldb, 0, beta, c, cOff, ldc, 0, epilogue);
    }

    /**
     * Computes {@code batch} GEMMs sharing one pre-packed A (a convolution's weights over a batch
     * of images): item {@code t} uses B at {@code bOff + t * strideB} and C at
     * {@code cOff + t * strideC}. Arguments as in the other batched overload.
     */
    public static void sgemmBatched(ComputeContext ctx, int batch, PackedMatrix a, boolean transB, int n,
                                    float alpha, MemorySegment b, long bOff, int ldb, long strideB, float beta,
                                    MemorySegment c, long cOff, int ldc, long strideC, Epilogue epilogue) {
        Objects.requireNonNull(a, "Sgemm: packed A is null");
        int m = a.rows();
        int k = a.depth();
        checkCommon(ctx, batch, m, n, k, transB, b, bOff, ldb, strideB, c, cOff, ldc, strideC, epilogue);
        SgemmBatch.run(ctx, batch, a, transB, n, alpha, b, bOff, ldb, strideB, beta, c, cOff, ldc, strideC,
                epilogue.isIdentity() ? null : epilogue);
    }

    /**
     * Computes {@code C = epilogue(alpha * A * B + beta * C)} with a pre-packed A ({@code m = a.rows()},
     * {@code k = a.depth()}) and an <em>indirect</em> B: row {@code p} of B is the {@code n} floats
     * starting at element {@code bOff + bRows[p]} of {@code b}. The rows may lie anywhere in the
     * segment, in any order, and may overlap. This is how an implicit-GEMM convolution multiplies
     * its weights by shifted rows of the input without building the im2col matrix: row
     * {@code ic * taps + t} is input channel {@code ic} shifted by kernel tap {@code t}. B is
     * packed on the fly as in the other overloads, so the speed is that of an ordinary B.
     * Other arguments as in {@link #sgemm(ComputeContext, PackedMatrix, boolean, int, float,
     * MemorySegment, long, int, float, MemorySegment, long, int, Epilogue)}.
     *
     * @param bRows one element offset per row of B, relative to {@code bOff}: exactly {@code k} entries
     * @throws IllegalArgumentException for a negative size or offset, a table whose length is not
     *     {@code k}, a row that does not lie inside {@code b}, or a C or bias that does not fit
     */
    public static void sgemmIndirectB(ComputeContext ctx, PackedMatrix a, int n, float alpha, MemorySegment b,
                                      long bOff, long[] bRows, float beta, MemorySegment c, long cOff, int ldc,
                                      Epilogue epilogue) {
        Objects.requireNonNull(a, "Sgemm: packed A is null");
        Objects.requireNonNull(bRows, "Sgemm: bRows is null");
        int m = a.rows();
        int k = a.depth();
        checkSizes(ctx, 1, m, n, k);
        SgemmChecks.rows(OP, b, bOff, bRows, k, n);
        SgemmChecks.operand(OP, "C", c, cOff, ldc, 1, 0, m, n, k, false);
        SgemmChecks.writable(OP, c);
        SgemmChecks.epilogue(OP, epilogue, m, n);
        SgemmChecks.addend(OP, epilogue, c, cOff, ldc, 1, 0, m, n);
        SgemmDriver.gemmPrepacked(ctx, SgemmBuffers.local().job().set(a.kernel(), false, false, m, n, k, alpha, null,
                0, k, b, bOff, n, beta, c, cOff, ldc, epilogue.isIdentity() ? null : epilogue, false, null, bRows), a);
    }

    /** The batched GEMM on a given kernel; the public entry points and the tests come through here. */
    static void sgemmBatched(MicroKernel kern, ComputeContext ctx, int batch, boolean transA, boolean transB, int m,
                             int n, int k, float alpha, MemorySegment a, long aOff, int lda, long strideA,
                             MemorySegment b, long bOff, int ldb, long strideB, float beta,
                             MemorySegment c, long cOff, int ldc, long strideC, Epilogue epilogue) {
        checkSizes(ctx, batch, m, n, k);
        SgemmChecks.operand(OP, "A", a, aOff, lda, batch, strideA, m, n, k, transA);
        checkCommon(ctx, batch, m, n, k, transB, b, bOff, ldb, strideB, c, cOff, ldc, strideC, epilogue);
        SgemmChecks.bufferFits(OP, kern, m, k);
        SgemmBatch.run(kern, ctx, batch, transA, transB, m, n, k, alpha, a, aOff, lda, strideA, b, bOff, ldb,
                strideB, beta, c, cOff, ldc, strideC, epilogue.isIdentity() ? null : epilogue);
    }

    private static void checkSizes(ComputeContext ctx, int batch, int m, int n, int k) {
        Objects.requireNonNull(ctx, "Sgemm: ctx is null");
        if (batch < 0) {
            throw new IllegalArgumentException(OP + ": batch=" + batch + ", expected >= 0");
        }
        SgemmChecks.dims(OP, m, n, k);
    }

    private static void checkCommon(ComputeContext ctx, int batch, int m, int n, int k, boolean transB,
                                    MemorySegment b, long bOff, int ldb, long strideB,
                                    MemorySegment c, long cOff, int ldc, long strideC, Epilogue epilogue) {
        checkSizes(ctx, batch, m, n, k);
        SgemmChecks.operand(OP, "B", b, bOff, ldb, batch, strideB, m, n, k, transB);
        SgemmChecks.operand(OP, "C", c, cOff, ldc, batch, strideC, m, n, k, false);
        if (batch > 1 && strideC == 0 && m > 0 && n > 0) {
            throw new IllegalArgumentException(OP + ": strideC=0 with batch=" + batch
                    + " makes every item write the same C; expected strideC >= 1");
        }
        SgemmChecks.writable(OP, c);
        SgemmChecks.epilogue(OP, epilogue, m, n);
        SgemmChecks.addend(OP, epilogue, c, cOff, ldc, batch, strideC, m, n);
    }
}
