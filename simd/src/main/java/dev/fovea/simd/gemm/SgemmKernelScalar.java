package dev.fovea.simd.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The scalar micro-kernel, the fallback when the Vector API is unavailable or disabled
 * ({@code -Dfovea.simd.bits=0}, or {@code 128}, for which there is no vector kernel yet): a
 * 4 x 4 tile held in 16 local floats, run through the same packing and cache blocking as the
 * vector kernels, which makes it several times faster than {@link SgemmReference}'s loops.
 * Products are {@code a * b + c} with two roundings, not {@code Math.fma}: without hardware FMA
 * {@code Math.fma} is emulated and orders of magnitude slower, and this path exists for exactly
 * the JVMs where the hardware may be unknown.
 */
final class SgemmKernelScalar implements MicroKernel {
    static final SgemmKernelScalar INSTANCE = new SgemmKernelScalar();

    private static final int MR = 4;
    private static final int NR = 4;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private SgemmKernelScalar() {}

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
        return 0;
    }

    @Override
    public int panelRows(int rows) {
        return MR;
    }

    @Override
    public int panelCols(int cols) {
        return NR;
    }

    @Override
    public boolean prefersTransposed(int m, int n, int k) {
        return false;
    }

    @Override
    public void multiply(float[] a, int ai, int h, float[] b, int bi, int w, int kc, float[] tile) {
        micro4x4(a, ai, b, bi, kc, tile);
    }

    /** The 4 x 4 register tile. */
    static void micro4x4(float[] a, int ai, float[] b, int bi, int kc, float[] t) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            float b0 = b[bi], b1 = b[bi + 1], b2 = b[bi + 2], b3 = b[bi + 3];
            float a0 = a[ai], a1 = a[ai + 1], a2 = a[ai + 2], a3 = a[ai + 3];
            c00 += a0 * b0;
            c01 += a0 * b1;
            c02 += a0 * b2;
            c03 += a0 * b3;
            c10 += a1 * b0;
            c11 += a1 * b1;
            c12 += a1 * b2;
            c13 += a1 * b3;
            c20 += a2 * b0;
            c21 += a2 * b1;
            c22 += a2 * b2;
            c23 += a2 * b3;
            c30 += a3 * b0;
            c31 += a3 * b1;
            c32 += a3 * b2;
            c33 += a3 * b3;
        }
        t[0] = c00;
        t[1] = c01;
        t[2] = c02;
        t[3] = c03;
        t[4] = c10;
        t[5] = c11;
        t[6] = c12;
        t[7] = c13;
        t[8] = c20;
        t[9] = c21;
        t[10] = c22;
        t[11] = c23;
        t[12] = c30;
        t[13] = c31;
        t[14] = c32;
        t[15] = c33;
    }

    @Override
    public void accumulate(float[] tile, float[] acc, int off, boolean first) {
        SgemmTail.accumulate(tile, acc, off, MR * NR, first);
    }

    @Override
    public void store(float[] tile, int rows, int cols, MemorySegment c, long cIdx, int ldc, float alpha, float beta,
                      Epilogue epilogue, int row0, int col0) {
        for (int r = 0; r < rows; r++) {
            long at = cIdx + (long) r * ldc;
            for (int q = 0; q < cols; q++, at++) {
                float x = alpha * tile[r * NR + q];
                if (beta != 0f) {
                    x = beta * c.getAtIndex(F, at) + x;
                }
                if (epilogue != null) {
                    x += SgemmReference.bias(epilogue, row0 + r, col0 + q);
                    if (epilogue.addendSegment() != null) {
                        x += epilogue.addendSegment().getAtIndex(F, at + epilogue.addendShift());
                    }
                    x = epilogue.activation().apply(x);
                }
                c.setAtIndex(F, at, x);
            }
        }
    }

    @Override
    public void multiplyPackB(float[] a, int ai, MemorySegment b, long[] rows, long col, int ldb, float[] bp, int bi,
                              int kc, float[] tile) {
        SgemmPack.panelFromBRows(b, rows, col, ldb, NR, NR, kc, bp, bi);
        micro4x4(a, ai, bp, bi, kc, tile);
    }

    /** Not used: the driver packs B for the scalar kernel ({@link #bits()} is 0). */
    @Override
    public void multiplyDirectB(float[] a, int ai, MemorySegment b, long[] rows, long col, int ldb, int kc,
                                float[] tile) {
        throw new UnsupportedOperationException("the scalar kernel reads packed B only");
    }

    @Override
    public void packB(MemorySegment b, long[] rows, long col, int ldb, int kc, int nc, float[] dst, boolean edgeOnly) {
        SgemmPack.packBScalar(this, b, rows, col, ldb, kc, nc, dst, edgeOnly ? nc / NR : 0);
    }
}
