package dev.fovea.simd.gemm;

import java.lang.foreign.MemorySegment;

/**
 * An A operand (typically a layer's weights) packed once into the micro-kernel's panel layout,
 * for many {@link Sgemm#sgemm(dev.fovea.simd.parallel.ComputeContext, PackedMatrix, boolean, int, float,
 * MemorySegment, long, int, float, MemorySegment, long, int, Epilogue) multiplications} that then
 * skip packing A. It holds {@code op(A)}, an {@code m x k} matrix, as row panels of MR rows in
 * k-blocks (the layout drawn in {@link Sgemm}), in a heap {@code float[]} of
 * {@link #packedFloats()} floats: copies of the values, so the source may change or be freed
 * afterwards. Immutable and safe to share between threads.
 *
 * <p>The layout depends on the micro-kernel, which is chosen once per JVM from
 * {@link dev.fovea.simd.Simd#BITS}; a packed matrix records the kernel it was made for. A product
 * with few columns (n < 64, e.g. a 7x7 feature map at batch 1) runs transposed and needs A as
 * B panels: that second copy is made from the first on the first such call and kept, so such a
 * matrix then holds about twice {@link #packedFloats()}.
 */
public final class PackedMatrix {
    private final MicroKernel kernel;
    private final int rows;
    private final int depth;
    private final float[] data;
    private volatile float[] panelsAsB;
    /** The last epilogue a transposed product of this matrix was given, and its transposed form. */
    private volatile TransposedEpilogue transposedEpilogue;

    /** An epilogue and its form for the transposed product (one immutable pair, published whole). */
    private record TransposedEpilogue(Epilogue given, Epilogue transposed) {
    }

    private PackedMatrix(MicroKernel kernel, int rows, int depth, float[] data) {
        this.kernel = kernel;
        this.rows = rows;
        this.depth = depth;
        this.data = data;
    }

    /**
     * Packs {@code op(A)} ({@code m x k}; {@code A(i, p)} at {@code aOff + i * lda + p}, or at
     * {@code aOff + p * lda + i} when {@code transA}) for the kernel this JVM uses.
     *
     * @throws IllegalArgumentException for negative sizes, a too small {@code lda} or segment, as
     *     {@link Sgemm} does, or if the packed copy would exceed a Java array
     */
    public static PackedMatrix packA(boolean transA, int m, int k, MemorySegment a, long aOff, int lda) {
        return packA(Sgemm.KERNEL, transA, m, k, a, aOff, lda);
    }

    /** Packs for a given kernel (tests of the non-default kernels). */
    static PackedMatrix packA(MicroKernel kern, boolean transA, int m, int k, MemorySegment a, long aOff, int lda) {
        String op = "PackedMatrix.packA";
        SgemmChecks.dims(op, m, 0, k);
        SgemmChecks.operand(op, "A", a, aOff, lda, 1, 0, m, 0, k, transA);
        long size = (long) SgemmPack.paddedRows(kern, m) * k;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(op + ": m=" + m + " x k=" + k + " is too large to pack ("
                    + size + " floats, at most " + (Integer.MAX_VALUE - 16) + ")");
        }
        float[] data = new float[(int) size];
        SgemmPack.packA(kern, a, aOff, lda, transA, 0, m, k, 0, SgemmDriver.ceilDiv(m, kern.mr()), data, 0);
        return new PackedMatrix(kern, m, k, data);
    }

    /** Returns m, the rows of {@code op(A)} (rows of C). */
    public int rows() {
        return rows;
    }

    /** Returns k, the columns of {@code op(A)} (the shared dimension). */
    public int depth() {
        return depth;
    }

    /** Returns the number of floats the packed copy holds (m rounded up to the panel height, times k). */
    public long packedFloats() {
        return data.length;
    }

    /** Returns the vector width in bits of the kernel this matrix was packed for (0: scalar). */
    public int kernelBits() {
        return kernel.bits();
    }

    /**
     * Returns op(A)^T packed as B panels (NR columns = NR rows of A, k-blocked like the A layout),
     * for products that the kernel runs transposed (few columns in C). Made from the A layout on
     * first use and kept; a race makes two equal copies, one of which is dropped.
     */
    float[] panelsAsB() {
        float[] p = panelsAsB;
        if (p == null) {
            p = SgemmPack.repackAsB(kernel, rows, depth, data);
            panelsAsB = p;
        }
        return p;
    }

    /**
     * Returns {@code ep} (null for none) as the transposed product of this matrix needs it (a
     * per-row bias made per-column): kept for the last epilogue asked, so that a layer whose
     * epilogue is made once allocates nothing per call. Any thread may ask.
     */
    Epilogue transposedEpilogue(Epilogue ep) {
        if (ep == null || ep.bias() == Epilogue.Bias.NONE) {
            return ep;
        }
        TransposedEpilogue t = transposedEpilogue;
        if (t == null || t.given() != ep) {
            t = new TransposedEpilogue(ep, SgemmBuffers.transposed(ep));
            transposedEpilogue = t;
        }
        return t.transposed();
    }

    MicroKernel kernel() {
        return kernel;
    }

    float[] data() {
        return data;
    }

    @Override
    public String toString() {
        return "PackedMatrix[m=" + rows + ", k=" + depth + ", kernel " + kernel.mr() + "x" + kernel.nr() + " "
                + kernel.bits() + "-bit]";
    }
}
