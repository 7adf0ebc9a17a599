package dev.fovea.simd.pool;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The adaptive pooling loops ({@link AdaptivePoolSpec}'s windows), forward and backward, for planes
 * {@code [p0, p1)} of contiguous input and output; they overwrite their output and allocate nothing.
 * Max pooling breaks ties and treats NaN as {@link PoolNaive} does and writes the same plane-local
 * flat indices; average pooling sums in (d, h, w) order and divides by the window's size.
 */
final class PoolAdaptive {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

    private PoolAdaptive() {}

    /** Adaptive max or average pooling; indices are written if {@code max} and {@code idx} is not null. */
    static void forward(AdaptivePoolSpec s, boolean max, MemorySegment in, long inOff, MemorySegment out, long outOff,
                        MemorySegment idx, long idxOff, int p0, int p1) {
        int inH = s.in()[1];
        int inW = s.in()[2];
        long o = (long) p0 * s.outPlane();
        for (int p = p0; p < p1; p++) {
            long base = inOff + p * s.inPlane();
            for (int od = 0; od < s.out()[0]; od++) {
                for (int oh = 0; oh < s.out()[1]; oh++) {
                    for (int ow = 0; ow < s.out()[2]; ow++, o++) {
                        float acc = 0;
                        int bestAt = -1;
                        for (int id = s.start(0, od); id < s.end(0, od); id++) {
                            for (int ih = s.start(1, oh); ih < s.end(1, oh); ih++) {
                                for (int iw = s.start(2, ow); iw < s.end(2, ow); iw++) {
                                    int at = (id * inH + ih) * inW + iw;
                                    float v = in.getAtIndex(F, base + at);
                                    if (!max) {
                                        acc += v;
                                    } else if (bestAt < 0 || v > acc || Float.isNaN(v)) {
                                        acc = v;
                                        bestAt = at;
                                    }
                                }
                            }
                        }
                        out.setAtIndex(F, outOff + o, max ? acc : acc / windowSize(s, od, oh, ow));
                        if (max && idx != null) {
                            idx.setAtIndex(I, idxOff + o, bestAt);
                        }
                    }
                }
            }
        }
    }

    /** The gradient of adaptive average pooling: zeroes planes {@code [p0, p1)} of gradIn, then spreads each {@code g / size}. */
    static void avgBackward(AdaptivePoolSpec s, MemorySegment gradOut, long gOff, MemorySegment gradIn, long giOff,
                            int p0, int p1) {
        int inH = s.in()[1];
        int inW = s.in()[2];
        long inPlane = s.inPlane();
        gradIn.asSlice((giOff + p0 * inPlane) * Float.BYTES, (p1 - p0) * inPlane * Float.BYTES).fill((byte) 0);
        long o = (long) p0 * s.outPlane();
        for (int p = p0; p < p1; p++) {
            long base = giOff + p * inPlane;
            for (int od = 0; od < s.out()[0]; od++) {
                for (int oh = 0; oh < s.out()[1]; oh++) {
                    for (int ow = 0; ow < s.out()[2]; ow++, o++) {
                        float g = gradOut.getAtIndex(F, gOff + o) / windowSize(s, od, oh, ow);
                        for (int id = s.start(0, od); id < s.end(0, od); id++) {
                            for (int ih = s.start(1, oh); ih < s.end(1, oh); ih++) {
                                for (int iw = s.start(2, ow); iw < s.end(2, ow); iw++) {
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

    /**
     * Zeroes planes {@code [p0, p1)} of {@code dst} ({@code dstPlane} elements each), then puts each
     * element of {@code src}'s planes ({@code srcPlane} each) at its plane-local index: added (the
     * gradient of max pooling) or stored, the last write winning (max unpooling).
     *
     * @throws IllegalArgumentException if an index is outside {@code [0, dstPlane)}
     */
    static void scatter(long dstPlane, long srcPlane, boolean add, MemorySegment src, long srcOff, MemorySegment idx,
                        long idxOff, MemorySegment dst, long dstOff, int p0, int p1) {
        dst.asSlice((dstOff + p0 * dstPlane) * Float.BYTES, (p1 - p0) * dstPlane * Float.BYTES).fill((byte) 0);
        for (int p = p0; p < p1; p++) {
            long base = dstOff + p * dstPlane;
            for (long o = p * srcPlane; o < (p + 1) * srcPlane; o++) {
                int i = index(idx, idxOff, o, dstPlane);
                float v = src.getAtIndex(F, srcOff + o);
                dst.setAtIndex(F, base + i, add ? dst.getAtIndex(F, base + i) + v : v);
            }
        }
    }

    /** For planes {@code [p0, p1)}: {@code dst[o] = src[plane base + idx[o]]} (the gradient of max unpooling). */
    static void gather(long srcPlane, long dstPlane, MemorySegment src, long srcOff, MemorySegment idx, long idxOff,
                       MemorySegment dst, long dstOff, int p0, int p1) {
        for (int p = p0; p < p1; p++) {
            long base = srcOff + p * srcPlane;
            for (long o = p * dstPlane; o < (p + 1) * dstPlane; o++) {
                int i = index(idx, idxOff, o, srcPlane);
                dst.setAtIndex(F, dstOff + o, src.getAtIndex(F, base + i));
            }
        }
    }

    /** Index {@code o} of {@code idx}, checked to lie inside a plane of {@code plane} elements. */
    private static int index(MemorySegment idx, long idxOff, long o, long plane) {
        int i = idx.getAtIndex(I, idxOff + o);
        if (i < 0 || i >= plane) {
            throw new IllegalArgumentException("pooling indices: index " + i + " at element " + o
                    + " is outside the plane of " + plane + " elements");
        }
        return i;
    }

    private static float windowSize(AdaptivePoolSpec s, int od, int oh, int ow) {
        return (float) ((long) (s.end(0, od) - s.start(0, od)) * (s.end(1, oh) - s.start(1, oh))
                * (s.end(2, ow) - s.start(2, ow)));
    }
}
