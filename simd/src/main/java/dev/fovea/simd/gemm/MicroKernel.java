package dev.fovea.simd.gemm;

import java.lang.foreign.MemorySegment;

/**
 * One register-blocked micro-kernel family: the tile it computes, how its operands are packed,
 * and how a finished tile is written to C. {@link SgemmDriver} runs the cache-blocked loops around
 * it; each implementation keeps its species in a {@code static final} field and its FMA loop in
 * small static methods so that C2 compiles them (see PERFORMANCE-NOTES, "C1/C2 trap").
 *
 * <p>A micro-kernel call multiplies a packed A panel ({@code h} rows by {@code kc}, element
 * {@code (r, p)} at {@code a[ai + p * h + r]}) by a packed B panel ({@code kc} by {@code w},
 * element {@code (p, q)} at {@code b[bi + p * w + q]}) and writes the {@code h x w} product to
 * {@code tile} with row stride {@link #nr()}. Panels are zero-padded to {@code h x w}, so the
 * kernel never branches on the valid size; {@link #store} writes only the valid part.
 *
 * <p>Kernels that read B from its segment get the current k-block's rows as {@code (rows, col, ldb)}:
 * with {@code rows} null (an ordinary B), row p of the block starts at element {@code col + p * ldb};
 * otherwise ({@code ldb} unused; the indirect B of {@link Sgemm#sgemmIndirectB}) at
 * {@code rows[p] + col}. The vector kernels have a separate loop for each case: the ordinary B
 * then pays nothing for the table (reading every row from a table cost 7% on LeNet-5's
 * 16 x 100 x 150, and one loop testing for the table 8% at 40 x 3136 x 576).
 */
sealed interface MicroKernel permits SgemmKernel512, SgemmKernel256, SgemmKernelScalar {
    /** Rows of a full tile (MR). */
    int mr();

    /** Columns of a full tile (NR). */
    int nr();

    /** Vector width in bits of this kernel, 0 for the scalar one (for reports and PackedMatrix checks). */
    int bits();

    /** Returns the packed height of an A panel holding {@code rows} (1..mr) valid rows. */
    int panelRows(int rows);

    /** Returns the packed width of a B panel holding {@code cols} (1..nr) valid columns. */
    int panelCols(int cols);

    /**
     * Returns true if an m x n x k product runs faster as its transpose n x m on this kernel (C
     * written transposed): for few columns that fill the vector lanes badly, e.g. n = 8, or
     * n = 49 with a deep k.
     */
    boolean prefersTransposed(int m, int n, int k);

    /** Computes the {@code h x w} tile of packed panels over {@code kc} steps into {@code tile}. */
    void multiply(float[] a, int ai, int h, float[] b, int bi, int w, int kc, float[] tile);

    /**
     * Returns true if a last B panel of {@code cols} valid columns (fewer than {@link #nr()})
     * runs on {@link #multiplyNarrow} for full A panels: a panel of a few columns wastes most
     * lanes of the vector kernels. A function of {@code cols} only, so that every thread split
     * computes the same sums.
     */
    default boolean hasNarrow(int cols) {
        return false;
    }

    /**
     * Computes the product of a full A panel and a last B panel for which {@link #hasNarrow}
     * holds into the first columns of {@code tile} (as many as the kernel's narrow width, e.g. 4),
     * arguments as for {@link #multiply} ({@code w} the panel's packed width); {@code tile} needs
     * {@link #tileFloats()} floats.
     */
    default void multiplyNarrow(float[] a, int ai, float[] b, int bi, int w, int kc, float[] tile) {
        throw new UnsupportedOperationException("no narrow kernel");
    }

    /**
     * {@link #multiplyNarrow} reading the panel straight from an ordinary B (row p at element
     * {@code col + p * ldb}), 4 floats of each row whatever the panel's valid columns, so the
     * caller makes sure those lie inside {@code b}.
     */
    default void multiplyNarrowDirectB(float[] a, int ai, MemorySegment b, long col, int ldb, int kc, float[] tile) {
        throw new UnsupportedOperationException("no narrow kernel");
    }

    /** Returns the floats the {@code tile} argument of the kernels needs: {@code mr * nr} plus scratch. */
    default int tileFloats() {
        return mr() * nr() + 1;
    }

    /**
     * Computes a full {@code mr x nr} tile like {@link #multiply}, reading the B panel from its
     * source (B not transposed, rows as described above)
     * and writing it packed to {@code bp[bi..]} on the way, for the later A panels of the block.
     */
    void multiplyPackB(float[] a, int ai, MemorySegment b, long[] rows, long col, int ldb, float[] bp, int bi, int kc,
                       float[] tile);

    /**
     * Computes a full {@code mr x nr} tile like {@link #multiply}, reading the B panel straight
     * from its source (B not transposed, rows as described above)
     * without packing it: for products with so few A panels that packing B costs more than it
     * saves (see {@code SgemmDriver.DIRECT_B_MAX_ROWS}). Only kernels whose {@link #bits()} is
     * non-zero.
     */
    void multiplyDirectB(float[] a, int ai, MemorySegment b, long[] rows, long col, int ldb, int kc, float[] tile);

    /**
     * Copies ({@code first}) or adds the {@code mr x nr} tile to {@code acc[off..]}: k-block sums
     * of a transposed job, which writes C once at the end.
     */
    void accumulate(float[] tile, float[] acc, int off, boolean first);

    /**
     * Writes the top-left {@code rows x cols} of {@code tile} to C at element {@code cIdx}:
     * {@code C = alpha * tile + beta * C} ({@code C} not read when {@code beta == 0}), then, when
     * {@code epilogue} is non-null, its bias for output row {@code row0 + r} / column
     * {@code col0 + q} and its activation.
     */
    void store(float[] tile, int rows, int cols, MemorySegment c, long cIdx, int ldc, float alpha, float beta,
               Epilogue epilogue, int row0, int col0);

    /**
     * Writes two vertically adjacent full {@code mr x nr} tiles of a transposed job's sums, the
     * first at {@code acc[ti..]} and the second {@code SgemmDriver.NC * mr} floats after it (the
     * next A panel's), transposed into C: their element (r, q) goes to {@code cIdx + q * ldc + r},
     * for {@code q < cols}, with alpha, beta and the epilogue as {@link SgemmTail#storeTransposed}
     * applies them (same roundings). Returns false, having written nothing, if this kernel has no
     * such store; the caller then stores the tiles one by one.
     */
    default boolean storeTransposedPair(float[] acc, int ti, int cols, MemorySegment c, long cIdx, int ldc,
                                        float alpha, float beta, Epilogue epilogue, int row0, int col0) {
        return false;
    }

    /**
     * Packs the {@code kc x nc} block of B (not transposed; rows as described above) into consecutive panels of {@link #nr()} columns, the last one
     * {@link #panelCols} wide, panel {@code t} starting at {@code dst[t * nr * kc]}; with
     * {@code edgeOnly}, only the last panel if it is narrower than nr (the full ones are then
     * packed by {@link #multiplyPackB}).
     */
    void packB(MemorySegment b, long[] rows, long col, int ldb, int kc, int nc, float[] dst, boolean edgeOnly);
}
