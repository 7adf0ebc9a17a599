package dev.fovea.simd.gemm;

import dev.fovea.simd.Simd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Packing of A into row panels and of a transposed B into column panels (the vector kernels
 * pack a non-transposed B themselves, with vector copies). Packing is O(m k + k n) against the
 * O(m n k) multiply, so these loops are plain scalar code; what matters is that they read each
 * source row sequentially.
 *
 * <p>Packed A layout for a block of {@code mc} rows and the full depth {@code k}, with MR = 3 and
 * k-blocks of depth {@code kc = SgemmDriver.blockDepth(k)} (element (r, p) of a panel is at {@code p * MR + r}; rows past
 * {@code mc} are zeros):
 * <pre>
 *   k-block 0 (k0 = 0)                      k-block 1 (k0 = kc) ...
 *   +---------------------------------+     +---------------
 *   | panel 0: rows 0..2              |     | panel 0 ...
 *   | a00 a10 a20 | a01 a11 a21 | ... |  kc columns, MR rows interleaved
 *   +---------------------------------+
 *   | panel 1: rows 3..5              |
 *   | a30 a40 a50 | a31 a41 a51 | ... |
 *   +---------------------------------+
 *   block base = k0 * mPad, panel base = block base + t * MR * kc, mPad = mc rounded up to MR
 * </pre>
 */
final class SgemmPack {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private SgemmPack() {}

    /** Returns the padded row count of an A block of {@code rows} rows for {@code kern}. */
    static int paddedRows(MicroKernel kern, int rows) {
        int mr = kern.mr();
        int full = rows / mr;
        int rest = rows - full * mr;
        return full * mr + (rest == 0 ? 0 : kern.panelRows(rest));
    }

    /** Returns the padded column count of a B block of {@code cols} columns for {@code kern}. */
    static int paddedCols(MicroKernel kern, int cols) {
        int nr = kern.nr();
        int full = cols / nr;
        int rest = cols - full * nr;
        return full * nr + (rest == 0 ? 0 : kern.panelCols(rest));
    }

    /**
     * Packs panels {@code [t0, t1)} of the A block made of rows {@code [i0, i0 + rows)} of op(A) and
     * all {@code k} columns into {@code dst} from {@code dstOff}, in the layout of the class comment.
     */
    static void packA(MicroKernel kern, MemorySegment a, long aOff, int lda, boolean transA, int i0, int rows, int k,
                      int t0, int t1, float[] dst, int dstOff) {
        int depth = SgemmDriver.blockDepth(k);
        for (int k0 = 0; k0 < k; k0 += depth) {
            int kc = Math.min(depth, k - k0);
            for (int t = t0; t < t1; t++) {
                packAPanel(kern, a, aOff, lda, transA, i0, rows, k0, kc, t, dst, dstOff);
            }
        }
    }

    /**
     * Packs k-block {@code [k0, k0 + kc)} of panel t of the A block (rows {@code [i0, i0 + rows)}
     * of op(A)) to its place in {@code dst}, the layout of the class comment: what {@link #packA}
     * does for one panel and one k-block, so that a driver can pack each panel just before its
     * first use.
     */
    static void packAPanel(MicroKernel kern, MemorySegment a, long aOff, int lda, boolean transA, int i0, int rows,
                           int k0, int kc, int t, float[] dst, int dstOff) {
        packAPanelPart(kern, a, aOff, lda, transA, i0, rows, k0, kc, t, 0, 1, dst, dstOff);
    }

    /**
     * Packs part {@code part} of {@code parts} of what {@link #packAPanel} packs: k steps
     * {@code [kc * part / parts, kc * (part + 1) / parts)} of the k-block, the bounds rounded down to
     * a multiple of 16 (the last part ends at kc).
     */
    static void packAPanelPart(MicroKernel kern, MemorySegment a, long aOff, int lda, boolean transA, int i0,
                               int rows, int k0, int kc, int t, int part, int parts, float[] dst, int dstOff) {
        int mr = kern.mr();
        int r0 = t * mr;
        int valid = Math.min(mr, rows - r0);
        int h = valid == mr ? mr : kern.panelRows(valid);
        int p0 = (int) ((long) kc * part / parts) & ~15;
        int p1 = part + 1 == parts ? kc : (int) ((long) kc * (part + 1) / parts) & ~15;
        if (p0 >= p1) {
            return;
        }
        int base = dstOff + k0 * paddedRows(kern, rows) + r0 * kc + p0 * h;
        if (transA) {
            panelFromColumns(a, aOff + (long) (k0 + p0) * lda + i0 + r0, lda, valid, h, p1 - p0, dst, base);
        } else {
            panelFromRows(a, aOff + (long) (i0 + r0) * lda + k0 + p0, lda, valid, h, p1 - p0, dst, base);
        }
    }

    /**
     * Packs {@code valid} source rows (row r at {@code src + r * ld}, kc floats) interleaved h-wide;
     * rows valid..h-1 are zeros. Groups of 8 rows go through {@link Transpose8x16} (512-bit) or
     * {@link Transpose8} (256-bit), in the JVM's one vector species.
     */
    static void panelFromRows(MemorySegment s, long src, int ld, int valid, int h, int kc, float[] dst, int base) {
        if (h == 1 && valid == 1) {
            // a 1-row panel is the row itself (a batch-1 linear layer's input): one bulk copy, not
            // kc segment reads (8% of a LeNet-5 run's JFR samples)
            MemorySegment.copy(s, F, src * Float.BYTES, dst, base, kc);
            return;
        }
        int r = 0;
        if (Simd.BITS == 512) {
            for (; r + 8 <= valid; r += 8) {
                Transpose8x16.rows(s, src + (long) r * ld, ld, kc, dst, base + r, h);
            }
        } else if (Simd.BITS == 256) {
            for (; r + 8 <= valid; r += 8) {
                Transpose8.rows(s, src + (long) r * ld, ld, kc, dst, base + r, h);
            }
        }
        for (; r < h; r++) {
            int d = base + r;
            if (r < valid) {
                long at = src + (long) r * ld;
                for (int p = 0; p < kc; p++, d += h) {
                    dst[d] = s.getAtIndex(F, at + p);
                }
            } else {
                for (int p = 0; p < kc; p++, d += h) {
                    dst[d] = 0f;
                }
            }
        }
    }

    /**
     * Packs kc source rows of {@code valid} contiguous floats (row p at {@code src + p * ld}), h-wide;
     * full 8-row panels at 512 bits with vectors ({@link ColumnPanels512}).
     */
    static void panelFromColumns(MemorySegment s, long src, int ld, int valid, int h, int kc, float[] dst, int base) {
        if (Simd.BITS == 512 && h == 8 && valid == 8) {
            ColumnPanels512.columns8(s, src, ld, kc, dst, base);
            return;
        }
        for (int p = 0; p < kc; p++) {
            long at = src + (long) p * ld;
            int d = base + p * h;
            for (int r = 0; r < valid; r++) {
                dst[d + r] = s.getAtIndex(F, at + r);
            }
            for (int r = valid; r < h; r++) {
                dst[d + r] = 0f;
            }
        }
    }

    /**
     * Packs kc rows of {@code valid} floats, h-wide, zero-padded; row p at {@code col + p * ld}, or at
     * {@code rows[p] + col} when {@code rows} is non-null (see {@link MicroKernel}).
     */
    static void panelFromBRows(MemorySegment s, long[] rows, long col, int ld, int valid, int h, int kc, float[] dst,
                               int base) {
        for (int p = 0; p < kc; p++) {
            long at = rows == null ? col + (long) p * ld : rows[p] + col;
            int d = base + p * h;
            for (int r = 0; r < valid; r++) {
                dst[d + r] = s.getAtIndex(F, at + r);
            }
            for (int r = valid; r < h; r++) {
                dst[d + r] = 0f;
            }
        }
    }

    /**
     * Packs the {@code kc x nc} block of B (not transposed; rows as in {@link #panelFromBRows}) into panels of {@code nr} columns (the last one
     * {@code kern.panelCols} wide), panel t at {@code dst[t * nr * kc]}, element (p, q) of a panel
     * of width w at {@code p * w + q}; columns past nc are zeros. Panels before {@code fromPanel}
     * are skipped.
     */
    static void packBScalar(MicroKernel kern, MemorySegment b, long[] rows, long col, int ldb, int kc, int nc,
                            float[] dst, int fromPanel) {
        int nr = kern.nr();
        for (int t = fromPanel; t * nr < nc; t++) {
            int c0 = t * nr;
            int valid = Math.min(nr, nc - c0);
            int w = valid == nr ? nr : kern.panelCols(valid);
            panelFromBRows(b, rows, col + c0, ldb, valid, w, kc, dst, c0 * kc);
        }
    }

    /**
     * Packs {@code op(B)[k0 .. k0+kc) x [j0 .. j0+nc)} of a transposed B ({@code B(p, q)} stored at
     * {@code bOff + q * ldb + p}) into panels laid out as {@link #packBScalar}'s.
     */
    static void packBTransposed(MicroKernel kern, MemorySegment b, long bOff, int ldb, int k0, int kc, int j0, int nc,
                                float[] dst) {
        int nr = kern.nr();
        for (int c0 = 0; c0 < nc; c0 += nr) {
            int valid = Math.min(nr, nc - c0);
            int w = valid == nr ? nr : kern.panelCols(valid);
            panelFromRows(b, bOff + (long) (j0 + c0) * ldb + k0, ldb, valid, w, kc, dst, c0 * kc);
        }
    }

    /**
     * Re-packs an A packed by {@link #packA} ({@code rows x k}, A layout) as the B panels of its
     * transpose: k-block by k-block, panel t holds A rows {@code [t nr, t nr + w)} with element
     * (p, q) at {@code p * w + q}, block base {@code k0 * paddedCols(rows)}.
     */
    static float[] repackAsB(MicroKernel kern, int rows, int k, float[] packedA) {
        int mr = kern.mr();
        int nr = kern.nr();
        int mPad = paddedRows(kern, rows);
        int nPad = paddedCols(kern, rows);
        float[] out = new float[Math.toIntExact((long) nPad * k)];
        int depth = SgemmDriver.blockDepth(k);
        for (int k0 = 0; k0 < k; k0 += depth) {
            int kc = Math.min(depth, k - k0);
            for (int i = 0; i < rows; i++) {
                int t = i / mr;
                int h = (t + 1) * mr <= rows ? mr : kern.panelRows(rows - t * mr);
                int src = k0 * mPad + t * mr * kc + i % mr;
                int panel = i / nr;
                int w = (panel + 1) * nr <= rows ? nr : kern.panelCols(rows - panel * nr);
                int dst = k0 * nPad + panel * nr * kc + i % nr;
                for (int p = 0; p < kc; p++) {
                    out[dst + p * w] = packedA[src + p * h];
                }
            }
        }
        return out;
    }
}
