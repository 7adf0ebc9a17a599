package dev.fovea.simd.resample;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The scalar reference of {@link Resample}: the fallback when the vector path is off, and the
 * oracle {@code ResampleVector} is tested against bit for bit. The forward evaluates each output
 * straight from the formula of {@link Resample} (nested sums, W innermost, each a product followed
 * by {@link Math#fma} in tap order); the backward runs the transposed passes W, H, D in plain
 * loops over heap copies of a plane, in the order {@link Resample} documents.
 */
final class ResampleNaive {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ResampleNaive() {}

    static void forward(ResampleSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff, int p0, int p1) {
        long o = outOff + p0 * s.outPlane();
        for (int p = p0; p < p1; p++) {
            long base = inOff + p * s.inPlane();
            for (int od = 0; od < s.out(0); od++) {
                for (int oh = 0; oh < s.out(1); oh++) {
                    for (int ow = 0; ow < s.out(2); ow++) {
                        out.setAtIndex(F, o++, sample(s, in, base, od, oh, ow));
                    }
                }
            }
        }
    }

    private static float sample(ResampleSpec s, MemorySegment in, long base, int od, int oh, int ow) {
        AxisTable td = s.table(0);
        AxisTable th = s.table(1);
        AxisTable tw = s.table(2);
        int dTaps = s.active(0) ? td.taps : 1;
        int hTaps = s.active(1) ? th.taps : 1;
        float accD = 0f;
        for (int a = 0; a < dTaps; a++) {
            long slice = base + (long) td.index[a][od] * s.in(1) * s.in(2);
            float accH = 0f;
            for (int b = 0; b < hTaps; b++) {
                long row = slice + (long) th.index[b][oh] * s.in(2);
                float accW = in.getAtIndex(F, row + tw.index[0][ow]) * tw.weight[0][ow];
                for (int c = 1; c < tw.taps; c++) {
                    accW = Math.fma(in.getAtIndex(F, row + tw.index[c][ow]), tw.weight[c][ow], accW);
                }
                accH = !s.active(1) ? accW : b == 0 ? accW * th.weight[0][oh] : Math.fma(accW, th.weight[b][oh], accH);
            }
            accD = !s.active(0) ? accH : a == 0 ? accH * td.weight[0][od] : Math.fma(accH, td.weight[a][od], accD);
        }
        return accD;
    }

    static void backward(ResampleSpec s, AxisTable.Transposed tw, MemorySegment g, long gOff, MemorySegment gx,
                         long gxOff, int p0, int p1) {
        int outW = s.out(2);
        int inW = s.in(2);
        int inHW = s.in(1) * inW;
        float[] gRow = new float[outW + 1];
        float[] row = new float[inW];
        float[] plane = new float[(int) s.inPlane()];
        float[] slice = s.active(0) ? new float[inHW] : plane;
        for (int p = p0; p < p1; p++) {
            Arrays.fill(plane, 0f);
            long gRowAt = gOff + p * s.outPlane();
            for (int od = 0; od < s.out(0); od++) {
                if (s.active(0)) {
                    Arrays.fill(slice, 0f);
                }
                for (int oh = 0; oh < s.out(1); oh++, gRowAt += outW) {
                    MemorySegment.copy(g, F, gRowAt * Float.BYTES, gRow, 0, outW);
                    transposeW(tw, gRow, row, inW);
                    if (s.active(1)) {
                        AxisTable th = s.table(1);
                        for (int b = 0; b < th.taps; b++) {
                            int at = th.index[b][oh] * inW;
                            float w = th.weight[b][oh];
                            for (int x = 0; x < inW; x++) {
                                slice[at + x] = Math.fma(row[x], w, slice[at + x]);
                            }
                        }
                    } else {
                        System.arraycopy(row, 0, slice, 0, inW);
                    }
                }
                if (s.active(0)) {
                    AxisTable td = s.table(0);
                    for (int a = 0; a < td.taps; a++) {
                        int at = td.index[a][od] * inHW;
                        float w = td.weight[a][od];
                        for (int e = 0; e < inHW; e++) {
                            plane[at + e] = Math.fma(slice[e], w, plane[at + e]);
                        }
                    }
                }
            }
            MemorySegment.copy(plane, 0, gx, F, (gxOff + p * s.inPlane()) * Float.BYTES, plane.length);
        }
    }

    /** {@code row[x] = sum_k gRow[outputs[k][x]] * weights[k][x]}, a product then FMAs in k order. */
    private static void transposeW(AxisTable.Transposed tw, float[] gRow, float[] row, int inW) {
        for (int x = 0; x < inW; x++) {
            float acc = gRow[tw.outputs()[0][x]] * tw.weights()[0][x];
            for (int k = 1; k < tw.fan(); k++) {
                acc = Math.fma(gRow[tw.outputs()[k][x]], tw.weights()[k][x], acc);
            }
            row[x] = acc;
        }
    }
}
