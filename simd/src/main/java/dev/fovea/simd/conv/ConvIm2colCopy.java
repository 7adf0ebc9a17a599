package dev.fovea.simd.conv;

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
 * block columns to bound the workspace. It never allocates. For stride 1 along W a row of B is
 * a run of one input row: the in-bounds part is one bulk copy and only the padded ends are
 * computed element by element; other strides gather element by element.
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
        int kVol = s.kernelVolume();
        int kHW = s.kH() * s.kW();
        int outW = s.outW();
        int outHW = s.outH() * outW;
        for (int r = r0; r < r1; r++) {
            int ic = r / kVol;
            int t = r - ic * kVol;
            int kd = t / kHW;
            int kh = (t - kd * kHW) / s.kW();
            int kw = t - kd * kHW - kh * s.kW();
            long src = inOff + ic * s.inSpatial();
            long dst = colOff + (long) r * ld;
            int c = c0;
            while (c < c1) {
                int od = c / outHW;
                int oh = (c - od * outHW) / outW;
                int ow = c - od * outHW - oh * outW;
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
            }
        }
    }

    /** Outputs {@code [ow, ow + len)} of one output row for tap {@code kw}, read from the input row at {@code src}. */
    private static void row(ConvSpec s, MemorySegment in, long src, int ow, int len, int kw, MemorySegment col,
                            long dst) {
        int inW = s.inW();
        int strideW = s.stride(2);
        int start = ow * strideW + kw * s.dilation(2) - s.padBegin(2);
        PaddingMode mode = s.paddingMode();
        if (strideW == 1) {
            int lo = Math.clamp(-(long) start, 0, len);           // outputs left of the input
            int hi = Math.clamp((long) inW - start, lo, len);      // first output right of it
            for (int i = 0; i < lo; i++) {
                col.setAtIndex(F, dst + i, ConvPadInput.edge(mode, in, src, start + i, inW));
            }
            ConvPadInput.copy(in, src + start + lo, col, dst + lo, hi - lo);
            for (int i = hi; i < len; i++) {
                col.setAtIndex(F, dst + i, ConvPadInput.edge(mode, in, src, start + i, inW));
            }
            return;
        }
        for (int i = 0, iw = start; i < len; i++, iw += strideW) {
            float v = iw >= 0 && iw < inW ? in.getAtIndex(F, src + iw) : ConvPadInput.edge(mode, in, src, iw, inW);
            col.setAtIndex(F, dst + i, v);
        }
    }

    /** The input coordinate read along {@code axis} by output {@code o} and tap {@code t}, or -1 for a zero. */
    private static int source(ConvSpec s, int axis, int o, int t) {
        int i = o * s.stride(axis) + t * s.dilation(axis) - s.padBegin(axis);
        return s.paddingMode().sourceIndex(i, s.in(axis));
    }
}
