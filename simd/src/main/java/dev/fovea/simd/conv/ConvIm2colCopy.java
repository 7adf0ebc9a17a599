package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The vol2col copy behind {@link ConvIm2col} (and the strided 1x1 path of
 * {@link ConvImplicitGemm}): lays out the input patches of one image and one group as the
 * column matrix B of the convolution GEMM {@code out = W x B}.
 * <pre>
 *   B (K x N), K = inC/groups * kD * kH * kW, N = outD * outH * outW
 *   row r = ((ic * kD + kd) * kH + kh) * kW + kw      (the weights' column order)
 *   col j = (od * outH + oh) * outW + ow
 *   B(r, j) = in[ic, id, ih, iw],  ix = sourceIndex(ox * stride + kx * dilation - padBegin)
 *             (0 where the padding mode gives zeros)
 * </pre>
 * A kernel over a {@code [r0, r1) x [c0, c1)} block, so callers split rows over threads and
 * block columns to bound the workspace. It never allocates. A run of B's row within one output
 * row reads one input row: for stride 1 along W its in-bounds part is one bulk copy, for stride 2
 * a vector gather of every other element ({@link ConvIm2colVector}), for other strides a plain
 * loop; only the padded ends are computed element by element. Output coordinates are stepped
 * from run to run, not divided out for each run (a 7 x 7 output has runs of 7).
 */
final class ConvIm2colCopy {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ConvIm2colCopy() {}

    /**
     * Writes {@code B(r, j)} for {@code r in [r0, r1)}, {@code j in [c0, c1)} to
     * {@code col[colOff + r * ld + (j - c0)]} (overwritten). {@code in} holds the group's
     * {@code inC / groups} input channels of one image from element {@code inOff}.
     */
    static void rows(ConvSpec s, MemorySegment in, long inOff, int r0, int r1, int c0, int c1,
                     MemorySegment col, long colOff, int ld) {
        if (r0 >= r1 || c0 >= c1) {
            return;
        }
        int kVol = s.kernelVolume();
        int kHW = s.kH() * s.kW();
        int outW = s.outW();
        int outH = s.outH();
        int outHW = outH * outW;
        // output coordinates of column c0; later columns are stepped to, never divided out again
        int od0 = c0 / outHW;
        int oh0 = (c0 - od0 * outHW) / outW;
        int ow0 = c0 - od0 * outHW - oh0 * outW;
        for (int r = r0; r < r1; r++) {
            int ic = r / kVol;
            int t = r - ic * kVol;
            int kd = t / kHW;
            int kh = (t - kd * kHW) / s.kW();
            int kw = t - kd * kHW - kh * s.kW();
            long src = inOff + ic * s.inSpatial();
            long dst = colOff + (long) r * ld;
            int od = od0;
            int oh = oh0;
            int ow = ow0;
            for (int c = c0; c < c1; ow = 0) {
                int len = Math.min(outW - ow, c1 - c);
                int id = source(s, 0, od, kd);
                int ih = source(s, 1, oh, kh);
                if (id < 0 || ih < 0) {
                    ConvPadInput.zero(col, dst, len);
                } else {
                    row(s, in, src + ((long) id * s.inH() + ih) * s.inW(), ow, len, kw, col, dst);
                }
                dst += len;
                c += len;
                if (++oh == outH) {
                    oh = 0;
                    od++;
                }
            }
        }
    }

    /**
     * Outputs {@code [ow, ow + len)} of one output row for tap {@code kw}, read from the input row
     * at {@code src}: the outputs that read inside the row in one run (a bulk copy at stride 1, a
     * vector gather at stride 2, a plain loop otherwise), the padded ends element by element.
     */
    private static void row(ConvSpec s, MemorySegment in, long src, int ow, int len, int kw, MemorySegment col,
                            long dst) {
        int inW = s.inW();
        int sw = s.stride(2);
        int start = ow * sw + kw * s.dilation(2) - s.padBegin(2);
        // outputs left of the input, then the first output right of it: stepped, not divided
        // out (two integer divisions per run cost as much as a 55-output run of AlexNet's conv1)
        int lo = 0;
        while (lo < len && start + lo * sw < 0) {
            lo++;
        }
        int hi = len;
        while (hi > lo && start + (hi - 1) * sw >= inW) {
            hi--;
        }
        PaddingMode mode = s.paddingMode();
        for (int i = 0; i < lo; i++) {
            col.setAtIndex(F, dst + i, ConvPadInput.edge(mode, in, src, start + i * sw, inW));
        }
        int first = start + lo * sw;
        if (sw == 1) {
            ConvPadInput.copy(in, src + first, col, dst + lo, hi - lo);
        } else if (sw == 2 && Simd.VECTOR) {
            ConvIm2colVector.everyOther(in, src + first, inW - first, col, dst + lo, hi - lo);
        } else {
            for (int i = lo, iw = first; i < hi; i++, iw += sw) {
                col.setAtIndex(F, dst + i, in.getAtIndex(F, src + iw));
            }
        }
        for (int i = hi; i < len; i++) {
            col.setAtIndex(F, dst + i, ConvPadInput.edge(mode, in, src, start + i * sw, inW));
        }
    }

    /**
     * Returns true if {@link #stride2Phases} can do what {@link #rows} does for phase spec
     * {@code s} (see {@code ConvImplicitGemm.phaseSpec}): one plane (no depth), stride 2 along H
     * and W, zero padding, and a vector species for the every-other copy.
     */
    static boolean hasStride2Phases(ConvSpec s) {
        return Simd.VECTOR && s.in(0) == 1 && s.stride(0) == 1 && s.stride(1) == 2 && s.stride(2) == 2
                && s.paddingMode() == PaddingMode.ZEROS;
    }

    /**
     * {@link #rows} for the stride phases of channels {@code [c0, c1)} (phase spec {@code s}, for
     * which {@link #hasStride2Phases} holds), to {@code col[colOff + ..]} laid out as the rows of
     * {@code rows(s, .., c0 * 4, c1 * 4, 0, eH * eW, col, colOff + c0 * 4 * eH * eW, eH * eW)}:
     * per channel the phases (rH, rW) = (0, 0), (0, 1), (1, 0), (1, 1), each {@code eH x eW}.
     * Each padded input row is read once and split into its two phase rows, without the general
     * per-run arithmetic of {@link #rows} (ResNet-18's 3x3 stride-2 layers: phase rows of 28 to 29
     * floats, where that arithmetic cost as much as the copy).
     */
    static void stride2Phases(ConvSpec s, MemorySegment in, long inOff, int c0, int c1, MemorySegment col,
                              long colOff) {
        int inH = s.inH();
        int inW = s.inW();
        int padTop = s.padBegin(1);
        int padLeft = s.padBegin(2);
        int eH = s.outH();
        int eW = s.outW();
        long phase = (long) eH * eW;
        for (int c = c0; c < c1; c++) {
            long src = inOff + (long) c * inH * inW;
            long base = colOff + c * 4 * phase;
            for (int ph = 0; ph < 2 * eH; ph++) {
                long even = base + (ph & 1) * 2 * phase + (long) (ph >> 1) * eW;
                int ih = ph - padTop;
                if (ih < 0 || ih >= inH) {
                    ConvPadInput.zero(col, even, eW);
                    ConvPadInput.zero(col, even + phase, eW);
                } else {
                    long row = src + (long) ih * inW;
                    phaseRow(in, row, inW, -padLeft, eW, col, even);
                    phaseRow(in, row, inW, 1 - padLeft, eW, col, even + phase);
                }
            }
        }
    }

    /** Writes {@code col[dst + e] = in[row + 2 e + q]} for e in [0, eW), 0 where that is outside [0, inW). */
    private static void phaseRow(MemorySegment in, long row, int inW, int q, int eW, MemorySegment col, long dst) {
        int lo = q >= 0 ? 0 : (1 - q) / 2;
        int hi = Math.max(lo, Math.min(eW, (inW - q + 1) / 2));
        for (int e = 0; e < lo; e++) {
            col.setAtIndex(F, dst + e, 0f);
        }
        ConvIm2colVector.everyOther(in, row + 2 * lo + q, inW - (2 * lo + q), col, dst + lo, hi - lo);
        for (int e = hi; e < eW; e++) {
            col.setAtIndex(F, dst + e, 0f);
        }
    }

    /** The input coordinate read along {@code axis} by output {@code o} and tap {@code t}, or -1 for a zero. */
    private static int source(ConvSpec s, int axis, int o, int t) {
        int i = o * s.stride(axis) + t * s.dilation(axis) - s.padBegin(axis);
        return s.paddingMode().sourceIndex(i, s.in(axis));
    }
}
