package dev.fovea.simd.gemm;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.impl.generated.ActivationVectorOps;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 256-bit micro-kernels: a 6 x 16 tile (12 ymm accumulators; per k step 2 vector loads of
 * packed B, 6 broadcasts of packed A, 12 FMAs) and a 6 x 8 tile for a last, narrow B panel.
 *
 * <p>Why 6 x 16: it is the classic AVX2 shape (Haswell .. Zen 3 have 16 ymm registers; 12
 * accumulators + 2 B vectors + 1 broadcast = 15, so nothing spills), and 12 independent FMA
 * chains cover the 4-5 cycle FMA latency at two FMAs per cycle. On AVX-512 machines the
 * 512-bit kernel is used instead; this one is tested and benchmarked there with
 * {@code -Dfovea.simd.bits=256}.
 */
final class SgemmKernel256 implements MicroKernel {
    static final SgemmKernel256 INSTANCE = new SgemmKernel256();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int L = 8;
    private static final int MR = 6;
    private static final int NR = 16;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private SgemmKernel256() {}

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
        return 256;
    }

    @Override
    public int panelRows(int rows) {
        return MR;
    }

    @Override
    public int panelCols(int cols) {
        return cols <= L ? L : NR;
    }

    @Override
    public boolean prefersTransposed(int m, int n, int k) {
        return false;
    }

    @Override
    public void multiply(float[] a, int ai, int h, float[] b, int bi, int w, int kc, float[] tile) {
        if (w == NR) {
            micro6x16(a, ai, b, bi, kc, tile);
        } else {
            micro6x8(a, ai, b, bi, kc, tile);
        }
    }

    @Override
    public void multiplyPackB(float[] a, int ai, MemorySegment b, long[] rows, long col, int ldb, float[] bp, int bi,
                              int kc, float[] tile) {
        if (rows == null) {
            micro6x16PackB(a, ai, b, col * Float.BYTES, (long) ldb * Float.BYTES, bp, bi, kc, tile);
        } else {
            micro6x16PackRows(a, ai, b, rows, col, bp, bi, kc, tile);
        }
    }

    @Override
    public void multiplyDirectB(float[] a, int ai, MemorySegment b, long[] rows, long col, int ldb, int kc,
                                float[] tile) {
        if (rows == null) {
            micro6x16PackB(a, ai, b, col * Float.BYTES, (long) ldb * Float.BYTES, null, 0, kc, tile);
        } else {
            micro6x16PackRows(a, ai, b, rows, col, null, 0, kc, tile);
        }
    }

    /** The main kernel; kept as one small method so that C2, not C1, ends up running it. */
    static void micro6x16(float[] a, int ai, float[] b, int bi, int kc, float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
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
    }

    /**
     * {@link #micro6x16} packing B on the way; see {@code SgemmKernel512.micro8x32PackB}. With
     * {@code bp} null it only reads B ({@link MicroKernel#multiplyDirectB}).
     */
    static void micro6x16PackB(float[] a, int ai, MemorySegment b, long bByte, long ldbBytes, float[] bp, int bi,
                               int kc, float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
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
    }

    /**
     * {@link #micro6x16PackB} for an indirect B: row p at element {@code rows[p] + col}. A separate
     * method because one loop testing {@code rows == null} made the ordinary fused packing 8%
     * slower overall at 40 x 3136 x 576 (B from DRAM): C2 did not split that loop cleanly.
     */
    static void micro6x16PackRows(float[] a, int ai, MemorySegment b, long[] rows, long col, float[] bp, int bi,
                                 int kc, float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
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
    }

    /** The edge kernel for a last B panel of at most 8 columns (packed 8 wide). */
    static void micro6x8(float[] a, int ai, float[] b, int bi, int kc, float[] t) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            c0 = FloatVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[ai + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[ai + 5]).fma(b0, c5);
            ai += MR;
            bi += L;
        }
        c0.intoArray(t, 0);
        c1.intoArray(t, NR);
        c2.intoArray(t, 2 * NR);
        c3.intoArray(t, 3 * NR);
        c4.intoArray(t, 4 * NR);
        c5.intoArray(t, 5 * NR);
    }

    @Override
    public void accumulate(float[] tile, float[] acc, int off, boolean first) {
        for (int i = 0; i < MR * NR; i += L) {
            FloatVector x = FloatVector.fromArray(S, tile, i);
            (first ? x : x.add(FloatVector.fromArray(S, acc, off + i))).intoArray(acc, off + i);
        }
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
                SgemmTail.packRow(b, src / Float.BYTES, rest, restWidth, dst, fullPanels * NR * kc + p * restWidth);
            }
        }
    }
}
