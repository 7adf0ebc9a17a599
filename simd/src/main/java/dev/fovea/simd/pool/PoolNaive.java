package dev.fovea.simd.pool;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The reference pooling loops: readable, every parameter, and the scalar fallback. Each method
 * works on planes {@code [p0, p1)} of a contiguous {@code (planes, D, H, W)} input at element
 * offset {@code inOff} and output at {@code outOff}; it overwrites its output and allocates nothing.
 *
 * <p>Max pooling follows PyTorch's CPU kernel: a window's value is its first element, then each
 * later element that is greater or NaN replaces it (so NaN propagates, and ties keep the first
 * index in (d, h, w) order). Its index is the flat position {@code (id * inH + ih) * inW + iw}
 * inside the input plane. Average pooling sums in (kd, kh, kw) order in float and divides by the
 * window's divisor ({@link #divisor}).
 */
final class PoolNaive {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

    private PoolNaive() {}

    /** Max pooling of planes {@code [p0, p1)}; indices (int32, plane-local) are written if {@code idx} is not null. */
    static void max(PoolSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff,
                    MemorySegment idx, long idxOff, int p0, int p1) {
        int inH = s.in(1);
        int inW = s.in(2);
        long o = (long) p0 * s.outPlane();
        for (int p = p0; p < p1; p++) {
            long base = inOff + p * s.inPlane();
            for (int od = 0; od < s.out(0); od++) {
                for (int oh = 0; oh < s.out(1); oh++) {
                    for (int ow = 0; ow < s.out(2); ow++, o++) {
                        float best = 0;
                        int bestAt = -1;
                        for (int kd = 0; kd < s.kernel(0); kd++) {
                            int id = pos(s, 0, od, kd);
                            for (int kh = 0; kh < s.kernel(1) && id >= 0; kh++) {
                                int ih = pos(s, 1, oh, kh);
                                for (int kw = 0; kw < s.kernel(2) && ih >= 0; kw++) {
                                    int iw = pos(s, 2, ow, kw);
                                    if (iw < 0) {
                                        continue;
                                    }
                                    int at = (id * inH + ih) * inW + iw;
                                    float v = in.getAtIndex(F, base + at);
                                    if (bestAt < 0 || v > best || Float.isNaN(v)) {
                                        best = v;
                                        bestAt = at;
                                    }
                                }
                            }
                        }
                        out.setAtIndex(F, outOff + o, best);
                        if (idx != null) {
                            idx.setAtIndex(I, idxOff + o, bestAt);
                        }
                    }
                }
            }
        }
    }

    /** Average pooling of planes {@code [p0, p1)}. */
    static void avg(PoolSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff, int p0, int p1) {
        int inH = s.in(1);
        int inW = s.in(2);
        long o = (long) p0 * s.outPlane();
        for (int p = p0; p < p1; p++) {
            long base = inOff + p * s.inPlane();
            for (int od = 0; od < s.out(0); od++) {
                for (int oh = 0; oh < s.out(1); oh++) {
                    for (int ow = 0; ow < s.out(2); ow++, o++) {
                        float sum = 0;
                        for (int kd = 0; kd < s.kernel(0); kd++) {
                            int id = pos(s, 0, od, kd);
                            for (int kh = 0; kh < s.kernel(1) && id >= 0; kh++) {
                                int ih = pos(s, 1, oh, kh);
                                for (int kw = 0; kw < s.kernel(2) && ih >= 0; kw++) {
                                    int iw = pos(s, 2, ow, kw);
                                    if (iw >= 0) {
                                        sum += in.getAtIndex(F, base + (id * inH + ih) * inW + iw);
                                    }
                                }
                            }
                        }
                        out.setAtIndex(F, outOff + o, sum / divisor(s, od, oh, ow));
                    }
                }
            }
        }
    }

    /**
     * The gradient of average pooling for planes {@code [p0, p1)}: zeroes those planes of
     * {@code gradIn}, then adds {@code g / divisor} to every input element of each window.
     */
    static void avgBackward(PoolSpec s, MemorySegment gradOut, long gOff, MemorySegment gradIn, long giOff,
                            int p0, int p1) {
        int inH = s.in(1);
        int inW = s.in(2);
        long inPlane = s.inPlane();
        gradIn.asSlice((giOff + p0 * inPlane) * Float.BYTES, (p1 - p0) * inPlane * Float.BYTES).fill((byte) 0);
        long o = (long) p0 * s.outPlane();
        for (int p = p0; p < p1; p++) {
            long base = giOff + p * inPlane;
            for (int od = 0; od < s.out(0); od++) {
                for (int oh = 0; oh < s.out(1); oh++) {
                    for (int ow = 0; ow < s.out(2); ow++, o++) {
                        float g = gradOut.getAtIndex(F, gOff + o) / divisor(s, od, oh, ow);
                        for (int kd = 0; kd < s.kernel(0); kd++) {
                            int id = pos(s, 0, od, kd);
                            for (int kh = 0; kh < s.kernel(1) && id >= 0; kh++) {
                                int ih = pos(s, 1, oh, kh);
                                for (int kw = 0; kw < s.kernel(2) && ih >= 0; kw++) {
                                    int iw = pos(s, 2, ow, kw);
                                    if (iw >= 0) {
                                        long at = base + (id * inH + ih) * inW + iw;
                                        gradIn.setAtIndex(F, at, gradIn.getAtIndex(F, at) + g);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** The input position of tap {@code j} of window {@code o} along {@code axis}, or -1 if it is padding. */
    static int pos(PoolSpec s, int axis, int o, int j) {
        int p = o * s.stride(axis) - s.padBegin(axis) + j * s.dilation(axis);
        return p >= 0 && p < s.in(axis) ? p : -1;
    }

    /**
     * The divisor of average window {@code (od, oh, ow)}: the override if set, else the product over
     * axes of the taps inside the input ({@code countIncludePad} false) or inside the padded input
     * ({@code countIncludePad} true; taps beyond the end padding, which {@code ceilMode} may add, never
     * count), as PyTorch's {@code avg_pool} kernels compute it.
     */
    static float divisor(PoolSpec s, int od, int oh, int ow) {
        if (s.divisorOverride() > 0) {
            return s.divisorOverride();
        }
        return (float) ((long) taps(s, 0, od) * taps(s, 1, oh) * taps(s, 2, ow));
    }

    /** The taps of window {@code o} along {@code axis} that count in the divisor. */
    static int taps(PoolSpec s, int axis, int o) {
        int lo = s.countIncludePad() ? -s.padBegin(axis) : 0;
        int hi = s.in(axis) + (s.countIncludePad() ? s.padEnd(axis) : 0);
        int count = 0;
        for (int j = 0; j < s.kernel(axis); j++) {
            int p = o * s.stride(axis) - s.padBegin(axis) + j * s.dilation(axis);
            if (p >= lo && p < hi) {
                count++;
            }
        }
        return count;
    }
}
