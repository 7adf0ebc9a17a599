package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The column (im2col) view of one image of a convolution, and its adjoint col2im, for the
 * GEMM-based gradients ({@link ConvBackward}) and the transposed convolution
 * ({@link ConvTranspose}).
 *
 * <p><b>Column layout.</b> For one image, the column matrix has {@code inC * kVol} rows and
 * {@code P = outD * outH * outW} columns, row-major with row stride P: row
 * {@code r = c * kVol + (kd * kH + kh) * kW + kw} (c the input channel over all groups, so the
 * rows of group g are the contiguous block {@code [g * cg * kVol, (g + 1) * cg * kVol)}), column
 * {@code p = (od * outH + oh) * outW + ow}. Entry {@code (r, p)} is the input element read by
 * output p through tap r: padded-input coordinate {@code o * stride + t * dil - padBegin} per axis,
 * mapped by {@link PaddingMode#sourceIndex} (0 where that gives -1, i.e. zeros padding).
 *
 * <p><b>col2im</b> is the transpose of im2col: every column entry is added to the input element
 * it was read from (entries of zeros padding are dropped), so padded positions of reflect,
 * replicate and circular modes fold back into the input, as {@link ConvNaive#backwardData} does.
 * Each input channel is accumulated by one caller over its rows in increasing (tap, output) order:
 * splitting channels over threads never changes a result.
 *
 * <p>Offsets are in float elements. Both directions work on row or channel ranges so that the
 * caller can split them over threads; nothing here allocates.
 */
final class ConvCol2im {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ConvCol2im() {}

    /**
     * The index geometry of a convolution, independent of {@link ConvSpec} so that a transposed
     * convolution can describe its corresponding convolution even where no ConvSpec exists (an
     * output padding of at least the stride). Arrays are per axis D, H, W (unused axes 1 / 0).
     */
    record Geometry(int n, int inC, int outC, int groups, int[] in, int[] k, int[] stride, int[] dil,
                    int[] padBegin, int[] out, PaddingMode mode) {
        static Geometry of(ConvSpec s) {
            int[] in = new int[3];
            int[] k = new int[3];
            int[] st = new int[3];
            int[] dl = new int[3];
            int[] pb = new int[3];
            int[] out = new int[3];
            for (int a = 0; a < 3; a++) {
                in[a] = s.in(a);
                k[a] = s.kernel(a);
                st[a] = s.stride(a);
                dl[a] = s.dilation(a);
                pb[a] = s.padBegin(a);
                out[a] = s.out(a);
            }
            return new Geometry(s.n(), s.inC(), s.outC(), s.groups(), in, k, st, dl, pb, out, s.paddingMode());
        }

        int cg() {
            return inC / groups;
        }

        int og() {
            return outC / groups;
        }

        int kVol() {
            return k[0] * k[1] * k[2];
        }

        long inSpatial() {
            return (long) in[0] * in[1] * in[2];
        }

        int outSpatial() {
            return Math.toIntExact((long) out[0] * out[1] * out[2]);
        }

        /** Rows of the column matrix of one image. */
        int colRows() {
            return Math.toIntExact((long) inC * kVol());
        }

        /** Floats of one image's column matrix. */
        long colElements() {
            return (long) colRows() * outSpatial();
        }

        /** True when the column matrix is the image itself (1x1 kernel, stride 1, no padding). */
        boolean identityColumns() {
            for (int a = 0; a < 3; a++) {
                if (k[a] != 1 || stride[a] != 1 || padBegin[a] != 0 || out[a] != in[a]) {
                    return false;
                }
            }
            return true;
        }

        /** The input coordinate read along {@code axis} by output {@code o} and tap {@code t}, or -1. */
        int source(int axis, int o, int t) {
            return mode.sourceIndex(o * stride[axis] + t * dil[axis] - padBegin[axis], in[axis]);
        }

        /** First output along W whose tap {@code kw} reads inside the input. */
        int lo(int kw) {
            int shift = kw * dil[2] - padBegin[2];
            return Math.min(out[2], shift >= 0 ? 0 : ceilDiv(-shift, stride[2]));
        }

        /** One past the last output along W whose tap {@code kw} reads inside the input. */
        int hi(int kw, int lo) {
            int shift = kw * dil[2] - padBegin[2];
            int last = Math.floorDiv(in[2] - 1 - shift, stride[2]);
            return Math.max(lo, Math.min(out[2], last + 1));
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    /**
     * Writes rows {@code [rowBegin, rowEnd)} of the column matrix of the image at {@code imgOff}
     * ({@code inC, in spatial}) into {@code col} from {@code colOff} (row stride P).
     */
    static void im2col(Geometry g, MemorySegment img, long imgOff, MemorySegment col, long colOff,
                       int rowBegin, int rowEnd) {
        int kVol = g.kVol();
        int kHW = g.k[1] * g.k[2];
        int outH = g.out[1];
        int outW = g.out[2];
        int inH = g.in[1];
        int inW = g.in[2];
        int sw = g.stride[2];
        long p = g.outSpatial();
        for (int r = rowBegin; r < rowEnd; r++) {
            int c = r / kVol;
            int t = r % kVol;
            int kd = t / kHW;
            int kh = t / g.k[2] % g.k[1];
            int kw = t % g.k[2];
            int lo = g.lo(kw);
            int hi = g.hi(kw, lo);
            int shift = kw * g.dil[2] - g.padBegin[2];
            long chan = imgOff + c * g.inSpatial();
            long dst = colOff + r * p;
            for (int od = 0; od < g.out[0]; od++) {
                int id = g.source(0, od, kd);
                for (int oh = 0; oh < outH; oh++, dst += outW) {
                    int ih = g.source(1, oh, kh);
                    if (id < 0 || ih < 0) {
                        col.asSlice(dst * Float.BYTES, (long) outW * Float.BYTES).fill((byte) 0);
                        continue;
                    }
                    long row = chan + ((long) id * inH + ih) * inW;
                    for (int ow = 0; ow < lo; ow++) {
                        col.setAtIndex(F, dst + ow, edge(g, img, row, ow * sw + shift, inW));
                    }
                    if (sw == 1) {
                        MemorySegment.copy(img, F, (row + lo + shift) * Float.BYTES, col, F,
                                (dst + lo) * Float.BYTES, hi - lo);
                    } else {
                        for (int ow = lo; ow < hi; ow++) {
                            col.setAtIndex(F, dst + ow, img.getAtIndex(F, row + ow * sw + shift));
                        }
                    }
                    for (int ow = hi; ow < outW; ow++) {
                        col.setAtIndex(F, dst + ow, edge(g, img, row, ow * sw + shift, inW));
                    }
                }
            }
        }
    }

    /** The value read at padded W coordinate {@code iw} (outside the input) of the row at {@code row}. */
    private static float edge(Geometry g, MemorySegment img, long row, int iw, int inW) {
        int src = g.mode.sourceIndex(iw, inW);
        return src < 0 ? 0f : img.getAtIndex(F, row + src);
    }

    /**
     * Overwrites channels {@code [cBegin, cEnd)} of the image at {@code imgOff} with col2im of the
     * column matrix at {@code colOff}, each channel starting from {@code bias[biasOff + c]} (or 0
     * when {@code bias} is null).
     */
    static void col2im(Geometry g, MemorySegment col, long colOff, MemorySegment img, long imgOff,
                       MemorySegment bias, long biasOff, int cBegin, int cEnd) {
        int kVol = g.kVol();
        int kHW = g.k[1] * g.k[2];
        int outH = g.out[1];
        int outW = g.out[2];
        int inH = g.in[1];
        int inW = g.in[2];
        int sw = g.stride[2];
        long p = g.outSpatial();
        long spatial = g.inSpatial();
        for (int c = cBegin; c < cEnd; c++) {
            long chan = imgOff + c * spatial;
            float init = bias == null ? 0f : bias.getAtIndex(F, biasOff + c);
            img.asSlice(chan * Float.BYTES, spatial * Float.BYTES).fill((byte) 0);
            if (init != 0f) {
                for (long i = 0; i < spatial; i++) {
                    img.setAtIndex(F, chan + i, init);
                }
            }
            for (int t = 0; t < kVol; t++) {
                int kd = t / kHW;
                int kh = t / g.k[2] % g.k[1];
                int kw = t % g.k[2];
                int lo = g.lo(kw);
                int hi = g.hi(kw, lo);
                int shift = kw * g.dil[2] - g.padBegin[2];
                long src = colOff + ((long) c * kVol + t) * p;
                for (int od = 0; od < g.out[0]; od++) {
                    int id = g.source(0, od, kd);
                    for (int oh = 0; oh < outH; oh++, src += outW) {
                        int ih = g.source(1, oh, kh);
                        if (id < 0 || ih < 0) {
                            continue;
                        }
                        long row = chan + ((long) id * inH + ih) * inW;
                        for (int ow = 0; ow < lo; ow++) {
                            addEdge(g, col, src + ow, img, row, ow * sw + shift, inW);
                        }
                        if (sw == 1 && Simd.VECTOR) {
                            ConvCol2imVector.addInto(img, row + lo + shift, col, src + lo, hi - lo);
                        } else {
                            for (int ow = lo; ow < hi; ow++) {
                                long i = row + ow * sw + shift;
                                img.setAtIndex(F, i, img.getAtIndex(F, i) + col.getAtIndex(F, src + ow));
                            }
                        }
                        for (int ow = hi; ow < outW; ow++) {
                            addEdge(g, col, src + ow, img, row, ow * sw + shift, inW);
                        }
                    }
                }
            }
        }
    }

    private static void addEdge(Geometry g, MemorySegment col, long at, MemorySegment img, long row, int iw, int inW) {
        int s = g.mode.sourceIndex(iw, inW);
        if (s >= 0) {
            img.setAtIndex(F, row + s, img.getAtIndex(F, row + s) + col.getAtIndex(F, at));
        }
    }
}
