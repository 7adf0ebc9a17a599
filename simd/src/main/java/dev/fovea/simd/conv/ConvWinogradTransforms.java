package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.impl.ActivationScalar;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The transforms of {@link ConvWinograd} (Lavin &amp; Gray, arXiv:1509.09308): the filter
 * transform {@code U = G g G^T} (plan time, in double), and the input and output transforms
 * {@code V = B^T d B} and {@code Y = A^T m A}, each done as two passes of a 1-d transform over a
 * staging buffer whose rows hold one tile element for every tile of a block:
 * <pre>
 *   staging row e (e = i * alpha + j): [ tile 0 | tile 1 | ... | tile nt-1 | unused up to ld ]
 *   column pass: rows (0,j),(1,j)..(alpha-1,j) -> 1-d transform -> rows (0,j),(1,j)..
 *   row pass:    rows (i,0),(i,1)..(i,alpha-1) -> 1-d transform -> V[i*alpha+j][c] / Y rows
 * </pre>
 * Every 1-d pass reads and writes whole rows, so the vector path ({@link ConvWinogradVector})
 * loads contiguous tiles with no gathers. Filling the staging rows from NCHW and writing the
 * output back work one tile row at a time ({@link #gatherRow}, {@link #scatterRow}): on the
 * vector path an input row is copied into a zero-padded row buffer and split into the staging
 * rows of its tiles with vector permutes, and output rows are merged back the same way; the
 * scalar path copies element by element ({@link #gather}, {@link #scatter}).
 *
 * <p>Points: F(2x2,3x3) uses 0, 1, -1, infinity; F(4x4,3x3) uses 0, 1, -1, 2, -2, infinity (the
 * matrices of the paper). Offsets and strides count floats.
 */
final class ConvWinogradTransforms {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** G of F(4x4,3x3), 6 x 3. */
    private static final double[][] G4 = {
        {1 / 4.0, 0, 0},
        {-1 / 6.0, -1 / 6.0, -1 / 6.0},
        {-1 / 6.0, 1 / 6.0, -1 / 6.0},
        {1 / 24.0, 1 / 12.0, 1 / 6.0},
        {1 / 24.0, -1 / 12.0, 1 / 6.0},
        {0, 0, 1},
    };
    /** G of F(2x2,3x3), 4 x 3. */
    private static final double[][] G2 = {
        {1, 0, 0},
        {0.5, 0.5, 0.5},
        {0.5, -0.5, 0.5},
        {0, 0, 1},
    };

    private ConvWinogradTransforms() {}

    /**
     * Writes {@code U = G g G^T} of the 3x3 filter at {@code w[wOff..wOff+9)} (row-major) to
     * {@code u}: element {@code (i, j)} at {@code u[uOff + (i * alpha + j) * uStride]}. Computed in
     * double and rounded once, so the filter transform adds no error beyond one rounding.
     */
    static void filter(boolean f4, MemorySegment w, long wOff, MemorySegment u, long uOff, long uStride) {
        double[][] g = f4 ? G4 : G2;
        int alpha = g.length;
        double[][] gg = new double[alpha][3];
        for (int i = 0; i < alpha; i++) {
            for (int c = 0; c < 3; c++) {
                double s = 0;
                for (int r = 0; r < 3; r++) {
                    s += g[i][r] * w.getAtIndex(F, wOff + r * 3 + c);
                }
                gg[i][c] = s;
            }
        }
        for (int i = 0; i < alpha; i++) {
            for (int j = 0; j < alpha; j++) {
                double s = 0;
                for (int c = 0; c < 3; c++) {
                    s += gg[i][c] * g[j][c];
                }
                u.setAtIndex(F, uOff + (i * alpha + j) * uStride, (float) s);
            }
        }
    }

    /**
     * Fills staging columns {@code [dOff, dOff + tilesW)} of the {@code alpha^2} rows
     * ({@code d[dOff + e * ld + t]}) with the patches of tile row {@code ty} of one channel plane;
     * positions outside the plane read 0. On the vector path {@code rowBuf} (zeros outside the
     * copied row, {@link ConvWinogradVector#rowBufferLength} long) and the all-zero {@code zeroRow}
     * are used, and up to a vector of columns past {@code tilesW} get garbage.
     */
    static void gatherRow(boolean f4, MemorySegment in, long plane, int inH, int inW, int padH, int padW, int tilesW,
                          int ty, float[] rowBuf, float[] zeroRow, MemorySegment d, long dOff, int ld) {
        int m = f4 ? 4 : 2;
        int alpha = m + 2;
        if (!Simd.VECTOR) {
            gather(m, alpha, in, plane, inH, inW, padH, padW, tilesW, ty * tilesW, tilesW, d, dOff, ld);
            return;
        }
        int chunks = ConvWinogradVector.chunks(tilesW);
        for (int i = 0; i < alpha; i++) {
            int row = ty * m - padH + i;
            float[] src = zeroRow;
            if (row >= 0 && row < inH) {
                ConvWinogradVector.copyRow(in, plane + (long) row * inW, inW, rowBuf, padW);
                src = rowBuf;
            }
            ConvWinogradVector.splitRow(f4, src, chunks, d, dOff + (long) i * alpha * ld, ld);
        }
    }

    /**
     * Writes tile row {@code ty} of the staging rows {@code y[yOff + (r * m + s) * ld + t]} plus
     * {@code bias}, through the activation {@code act} ({@link DepthwisePlanes#ACT_NONE},
     * {@code ACT_RELU} or {@code ACT_HARDTANH} within {@code lo, hi}), to the output plane, rows
     * past {@code outH} and columns past {@code outW} skipped; {@code rowBuf} is
     * {@link ConvWinogradVector#mergeRow}'s buffer (vector path only). With a {@code residual}
     * (null: none), output element {@code i} gets {@code residual[i + residualShift]} added after
     * the bias and before the activation.
     */
    static void scatterRow(boolean f4, MemorySegment y, long yOff, int ld, float bias, int act, float lo, float hi,
                           MemorySegment residual, long residualShift, MemorySegment out, long plane, int outH,
                           int outW, int tilesW, int ty, float[] rowBuf) {
        int m = f4 ? 4 : 2;
        if (!Simd.VECTOR) {
            scatter(m, y, yOff, ld, bias, act, lo, hi, residual, residualShift, out, plane, outH, outW, tilesW,
                    ty * tilesW, tilesW);
            return;
        }
        int rows = Math.min(m, outH - ty * m);
        for (int r = 0; r < rows; r++) {
            ConvWinogradVector.mergeRow(f4, y, yOff + (long) r * m * ld, ld, bias, act, lo, hi, rowBuf, residual,
                    residualShift, out, plane + (long) (ty * m + r) * outW, outW);
        }
    }

    /**
     * Copies the {@code alpha x alpha} input patch of tiles {@code [t0, t0 + nt)} of one channel
     * plane (at {@code in[plane..]}, {@code inH x inW}) into staging rows {@code d[dOff + e * ld + t]};
     * positions outside the plane (padding, or past the bottom/right edge) read 0. Tile
     * {@code t} is at tile row {@code t / tilesW}, column {@code t % tilesW}; its patch starts at
     * input row {@code ty * m - padH}, column {@code tx * m - padW}.
     */
    static void gather(int m, int alpha, MemorySegment in, long plane, int inH, int inW, int padH, int padW,
                       int tilesW, int t0, int nt, MemorySegment d, long dOff, int ld) {
        for (int t = 0; t < nt; t++) {
            int tile = t0 + t;
            int row0 = (tile / tilesW) * m - padH;
            int col0 = (tile % tilesW) * m - padW;
            long dst = dOff + t;
            if (row0 >= 0 && col0 >= 0 && row0 + alpha <= inH && col0 + alpha <= inW) {
                // Interior tile: no bounds checks (most tiles of a large feature map).
                long src = plane + (long) row0 * inW + col0;
                for (int i = 0; i < alpha; i++) {
                    for (int j = 0; j < alpha; j++) {
                        d.setAtIndex(F, dst + (long) (i * alpha + j) * ld, in.getAtIndex(F, src + j));
                    }
                    src += inW;
                }
            } else {
                for (int i = 0; i < alpha; i++) {
                    int row = row0 + i;
                    boolean rowIn = row >= 0 && row < inH;
                    for (int j = 0; j < alpha; j++) {
                        int col = col0 + j;
                        float x = rowIn && col >= 0 && col < inW ? in.getAtIndex(F, plane + (long) row * inW + col) : 0f;
                        d.setAtIndex(F, dst + (long) (i * alpha + j) * ld, x);
                    }
                }
            }
        }
    }

    /**
     * Writes staging rows {@code y[yOff + (r * m + s) * ld + t]} plus {@code bias}, through the
     * activation {@code act} (as {@link #scatterRow}), to the output plane {@code out[plane..]}
     * ({@code outH x outW}) for tiles {@code [t0, t0 + nt)}, skipping positions of border tiles
     * that fall past the bottom or right edge; a {@code residual} (null: none) is added as in
     * {@link #scatterRow}.
     */
    static void scatter(int m, MemorySegment y, long yOff, int ld, float bias, int act, float lo, float hi,
                        MemorySegment residual, long residualShift, MemorySegment out, long plane, int outH,
                        int outW, int tilesW, int t0, int nt) {
        for (int t = 0; t < nt; t++) {
            int tile = t0 + t;
            int row0 = (tile / tilesW) * m;
            int col0 = (tile % tilesW) * m;
            int rows = Math.min(m, outH - row0);
            int cols = Math.min(m, outW - col0);
            long dst = plane + (long) row0 * outW + col0;
            for (int r = 0; r < rows; r++) {
                for (int s = 0; s < cols; s++) {
                    float v = y.getAtIndex(F, yOff + (long) (r * m + s) * ld + t) + bias;
                    if (residual != null) {
                        v += residual.getAtIndex(F, dst + s + residualShift);
                    }
                    if (act == DepthwisePlanes.ACT_RELU) {
                        v = ActivationScalar.relu(v, 0f, 0f);
                    } else if (act == DepthwisePlanes.ACT_HARDTANH) {
                        v = ActivationScalar.hardtanh(v, lo, hi);
                    }
                    out.setAtIndex(F, dst + s, v);
                }
                dst += outW;
            }
        }
    }

    /**
     * Input transform of one channel: staging {@code d} (alpha^2 rows, tiles along each row) to
     * {@code V}: element {@code e} of tile {@code t} goes to {@code v[vOff + e * vStride + t]}.
     * Uses {@code tmp} (alpha^2 rows of {@code ld}). Tiles {@code [nt, ld)} of {@code v} may be
     * written with garbage (they are never read back as results).
     */
    static void input(boolean f4, MemorySegment d, long dOff, MemorySegment tmp, long tOff, int ld, int nt,
                      MemorySegment v, long vOff, long vStride) {
        int alpha = f4 ? 6 : 4;
        int count = Simd.VECTOR ? ConvWinogradVector.roundUp(nt, ld) : nt;
        for (int j = 0; j < alpha; j++) {
            inputPass(f4, d, dOff + (long) j * ld, (long) alpha * ld, tmp, tOff + (long) j * ld, (long) alpha * ld, count);
        }
        for (int i = 0; i < alpha; i++) {
            inputPass(f4, tmp, tOff + (long) i * alpha * ld, ld, v, vOff + i * alpha * vStride, vStride, count);
        }
    }

    /**
     * Output transform of one output channel: {@code M} (element {@code e} of tile {@code t} at
     * {@code mm[mOff + e * mStride + t]}) to staging {@code y} ({@code m^2} rows of {@code ld},
     * {@code r * m + s} for output position {@code (r, s)} of the tile), through {@code tmp}.
     */
    static void output(boolean f4, MemorySegment mm, long mOff, long mStride, MemorySegment tmp, long tOff, int ld,
                       int nt, MemorySegment y, long yOff) {
        int alpha = f4 ? 6 : 4;
        int m = alpha - 2;
        int count = Simd.VECTOR ? ConvWinogradVector.roundUp(nt, ld) : nt;
        for (int j = 0; j < alpha; j++) {
            // column j: M rows (i, j) for i = 0..alpha-1 -> tmp rows (r, j) for r = 0..m-1
            outputPass(f4, mm, mOff + j * mStride, alpha * mStride, tmp, tOff + (long) j * ld, (long) alpha * ld, count);
        }
        for (int r = 0; r < m; r++) {
            outputPass(f4, tmp, tOff + (long) r * alpha * ld, ld, y, yOff + (long) r * m * ld, ld, count);
        }
    }

    private static void inputPass(boolean f4, MemorySegment src, long sOff, long sStride, MemorySegment dst,
                                  long dOff, long dStride, int count) {
        if (Simd.VECTOR) {
            if (f4) {
                ConvWinogradVector.inputF4(src, sOff, sStride, dst, dOff, dStride, count);
            } else {
                ConvWinogradVector.inputF2(src, sOff, sStride, dst, dOff, dStride, count);
            }
        } else if (f4) {
            inputF4(src, sOff, sStride, dst, dOff, dStride, count);
        } else {
            inputF2(src, sOff, sStride, dst, dOff, dStride, count);
        }
    }

    private static void outputPass(boolean f4, MemorySegment src, long sOff, long sStride, MemorySegment dst,
                                   long dOff, long dStride, int count) {
        if (Simd.VECTOR) {
            if (f4) {
                ConvWinogradVector.outputF4(src, sOff, sStride, dst, dOff, dStride, count);
            } else {
                ConvWinogradVector.outputF2(src, sOff, sStride, dst, dOff, dStride, count);
            }
        } else if (f4) {
            outputF4(src, sOff, sStride, dst, dOff, dStride, count);
        } else {
            outputF2(src, sOff, sStride, dst, dOff, dStride, count);
        }
    }

    /** Scalar 1-d B^T of F(4x4,3x3): the same expressions, in the same order, as the vector path. */
    static void inputF4(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t++) {
            float d0 = s.getAtIndex(F, sOff + t);
            float d1 = s.getAtIndex(F, sOff + ss + t);
            float d2 = s.getAtIndex(F, sOff + 2 * ss + t);
            float d3 = s.getAtIndex(F, sOff + 3 * ss + t);
            float d4 = s.getAtIndex(F, sOff + 4 * ss + t);
            float d5 = s.getAtIndex(F, sOff + 5 * ss + t);
            float a = d4 - 4f * d2;    // shared by rows 1, 2
            float b = d3 - 4f * d1;
            float c = d4 - d2;         // shared by rows 3, 4
            float e = 2f * (d3 - d1);
            d.setAtIndex(F, dOff + t, 4f * d0 - 5f * d2 + d4);
            d.setAtIndex(F, dOff + ds + t, a + b);
            d.setAtIndex(F, dOff + 2 * ds + t, a - b);
            d.setAtIndex(F, dOff + 3 * ds + t, c + e);
            d.setAtIndex(F, dOff + 4 * ds + t, c - e);
            d.setAtIndex(F, dOff + 5 * ds + t, 4f * d1 - 5f * d3 + d5);
        }
    }

    /** Scalar 1-d A^T of F(4x4,3x3). */
    static void outputF4(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t++) {
            float m0 = s.getAtIndex(F, sOff + t);
            float m1 = s.getAtIndex(F, sOff + ss + t);
            float m2 = s.getAtIndex(F, sOff + 2 * ss + t);
            float m3 = s.getAtIndex(F, sOff + 3 * ss + t);
            float m4 = s.getAtIndex(F, sOff + 4 * ss + t);
            float m5 = s.getAtIndex(F, sOff + 5 * ss + t);
            float p12 = m1 + m2;
            float d12 = m1 - m2;
            float p34 = m3 + m4;
            float d34 = m3 - m4;
            d.setAtIndex(F, dOff + t, m0 + p12 + p34);
            d.setAtIndex(F, dOff + ds + t, d12 + 2f * d34);
            d.setAtIndex(F, dOff + 2 * ds + t, p12 + 4f * p34);
            d.setAtIndex(F, dOff + 3 * ds + t, d12 + 8f * d34 + m5);
        }
    }

    /** Scalar 1-d B^T of F(2x2,3x3). */
    static void inputF2(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t++) {
            float d0 = s.getAtIndex(F, sOff + t);
            float d1 = s.getAtIndex(F, sOff + ss + t);
            float d2 = s.getAtIndex(F, sOff + 2 * ss + t);
            float d3 = s.getAtIndex(F, sOff + 3 * ss + t);
            d.setAtIndex(F, dOff + t, d0 - d2);
            d.setAtIndex(F, dOff + ds + t, d1 + d2);
            d.setAtIndex(F, dOff + 2 * ds + t, d2 - d1);
            d.setAtIndex(F, dOff + 3 * ds + t, d1 - d3);
        }
    }

    /** Scalar 1-d A^T of F(2x2,3x3). */
    static void outputF2(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t++) {
            float m0 = s.getAtIndex(F, sOff + t);
            float m1 = s.getAtIndex(F, sOff + ss + t);
            float m2 = s.getAtIndex(F, sOff + 2 * ss + t);
            float m3 = s.getAtIndex(F, sOff + 3 * ss + t);
            d.setAtIndex(F, dOff + t, m0 + m1 + m2);
            d.setAtIndex(F, dOff + ds + t, m1 - m2 - m3);
        }
    }
}
