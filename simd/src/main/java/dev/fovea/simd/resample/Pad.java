package dev.fovea.simd.resample;

import dev.fovea.simd.eltwise.Eltwise;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Border padding kernels (reflect, replicate, circular; see {@link PadSpec}) on contiguous float32
 * {@code (planes, inD, inH, inW)} segments at element offsets, and their gradients.
 *
 * <p>Padding is pure data movement, so it has no Vector API kernel of its own: each output row
 * reads one input row through the spec's per-axis source tables, and the W table is cut once per
 * call into runs of consecutive source positions (the interior, each circular wrap) that are
 * copied in bulk ({@link MemorySegment#copy}, itself vectorized) while reflected borders move
 * element by element. The gradient adds each output element into the input element it was read
 * from, in ascending output order; its runs go through {@link Eltwise#axpy} (the vectorized
 * elementwise kernel, {@code alpha = 1}, which rounds exactly as a scalar add). {@link #reference}
 * and {@link #referenceBackward} are the per-element loops the tests compare against; the results
 * are bit-identical.
 *
 * <p>Every method checks its segments before any work, overwrites its output (which must not
 * overlap the input), and splits the planes over the context's threads (a plane per thread, so
 * results do not depend on the thread count).
 */
public final class Pad {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Shorter runs move element by element: a bulk call has a fixed cost. */
    private static final int BULK_MIN = 8;

    private Pad() {}

    /**
     * Pads every plane of {@code in} into {@code out}.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec or {@code out} is read-only
     */
    public static void pad(PadSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff,
                           ComputeContext ctx) {
        check(s, "input", in, inOff, s.inPlane(), "output", out, outOff, s.outPlane());
        Tables t = new Tables(s);
        Planes.split("pad", ctx, s.planes(), s.outPlane(), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                long src = inOff + p * s.inPlane();
                long dst = outOff + p * s.outPlane();
                for (int r = 0; r < t.rows(); r++, dst += s.out(2)) {
                    long row = src + t.sourceRow(r);
                    for (int k = 0; k < t.runs; k++) {
                        move(in, row + t.runSource[k], out, dst + t.runStart[k], t.runLength[k]);
                    }
                }
            }
        }, in, out);
    }

    /**
     * The input gradient: {@code gradIn} (input-shaped, overwritten) is zero except where output
     * elements were read from, which receive the sum of their gradients.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec or {@code gradIn} is read-only
     */
    public static void padBackward(PadSpec s, MemorySegment gradOut, long gOff, MemorySegment gradIn, long giOff,
                                   ComputeContext ctx) {
        check(s, "gradOut", gradOut, gOff, s.outPlane(), "gradIn", gradIn, giOff, s.inPlane());
        Tables t = new Tables(s);
        Planes.split("pad backward", ctx, s.planes(), s.outPlane(), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                long gx = giOff + p * s.inPlane();
                long g = gOff + p * s.outPlane();
                gradIn.asSlice(gx * Float.BYTES, s.inPlane() * Float.BYTES).fill((byte) 0);
                for (int r = 0; r < t.rows(); r++, g += s.out(2)) {
                    long row = gx + t.sourceRow(r);
                    for (int k = 0; k < t.runs; k++) {
                        accumulate(gradOut, g + t.runStart[k], gradIn, row + t.runSource[k], t.runLength[k]);
                    }
                }
            }
        }, gradOut, gradIn);
    }

    /**
     * The per-element reference of {@link #pad}, on the calling thread.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec
     */
    public static void reference(PadSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff) {
        check(s, "input", in, inOff, s.inPlane(), "output", out, outOff, s.outPlane());
        int[][] src = {s.sourceTable(0), s.sourceTable(1), s.sourceTable(2)};
        long o = outOff;
        for (long p = 0; p < s.planes(); p++) {
            for (int d = 0; d < s.out(0); d++) {
                for (int h = 0; h < s.out(1); h++) {
                    for (int w = 0; w < s.out(2); w++) {
                        out.setAtIndex(F, o++, in.getAtIndex(F, inOff + p * s.inPlane() + at(s, src, d, h, w)));
                    }
                }
            }
        }
    }

    /**
     * The per-element reference of {@link #padBackward}, on the calling thread.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec
     */
    public static void referenceBackward(PadSpec s, MemorySegment gradOut, long gOff, MemorySegment gradIn,
                                         long giOff) {
        check(s, "gradOut", gradOut, gOff, s.outPlane(), "gradIn", gradIn, giOff, s.inPlane());
        int[][] src = {s.sourceTable(0), s.sourceTable(1), s.sourceTable(2)};
        gradIn.asSlice(giOff * Float.BYTES, s.planes() * s.inPlane() * Float.BYTES).fill((byte) 0);
        long o = gOff;
        for (long p = 0; p < s.planes(); p++) {
            for (int d = 0; d < s.out(0); d++) {
                for (int h = 0; h < s.out(1); h++) {
                    for (int w = 0; w < s.out(2); w++) {
                        long i = giOff + p * s.inPlane() + at(s, src, d, h, w);
                        gradIn.setAtIndex(F, i, gradIn.getAtIndex(F, i) + gradOut.getAtIndex(F, o++));
                    }
                }
            }
        }
    }

    private static long at(PadSpec s, int[][] src, int d, int h, int w) {
        return ((long) src[0][d] * s.in(1) + src[1][h]) * s.in(2) + src[2][w];
    }

    private static void move(MemorySegment in, long from, MemorySegment out, long to, int n) {
        if (n >= BULK_MIN) {
            MemorySegment.copy(in, from * Float.BYTES, out, to * Float.BYTES, (long) n * Float.BYTES);
        } else {
            for (int i = 0; i < n; i++) {
                out.setAtIndex(F, to + i, in.getAtIndex(F, from + i));
            }
        }
    }

    private static void accumulate(MemorySegment g, long from, MemorySegment gx, long to, int n) {
        if (n >= BULK_MIN) {
            Eltwise.axpy(1f, g, from, 1, gx, to, 1, n);
        } else {
            for (int i = 0; i < n; i++) {
                gx.setAtIndex(F, to + i, gx.getAtIndex(F, to + i) + g.getAtIndex(F, from + i));
            }
        }
    }

    /** The source tables of a call: the row offsets of D x H, and the W table cut into runs. */
    private static final class Tables {
        final int[] srcD;
        final int[] srcH;
        final int inH;
        final int inW;
        final int outH;
        final int runs;
        final int[] runStart;
        final int[] runSource;
        final int[] runLength;

        Tables(PadSpec s) {
            srcD = s.sourceTable(0);
            srcH = s.sourceTable(1);
            inH = s.in(1);
            inW = s.in(2);
            outH = s.out(1);
            int[] srcW = s.sourceTable(2);
            int n = srcW.length;
            runStart = new int[n];
            runSource = new int[n];
            runLength = new int[n];
            int k = 0;
            for (int o = 0; o < n; k++) {
                int len = 1;
                while (o + len < n && srcW[o + len] == srcW[o] + len) {
                    len++;
                }
                runStart[k] = o;
                runSource[k] = srcW[o];
                runLength[k] = len;
                o += len;
            }
            runs = k;
        }

        int rows() {
            return srcD.length * outH;
        }

        /** The offset in an input plane of the row output row {@code r} (= od * outH + oh) reads. */
        long sourceRow(int r) {
            return ((long) srcD[r / outH] * inH + srcH[r % outH]) * inW;
        }
    }

    private static void check(PadSpec s, String srcName, MemorySegment src, long srcOff, long srcPlane,
                              String dstName, MemorySegment dst, long dstOff, long dstPlane) {
        if (s == null) {
            throw new IllegalArgumentException("pad: spec must not be null");
        }
        Planes.floats("pad: " + srcName, src, srcOff, s.planes() * srcPlane, s);
        Planes.floats("pad: " + dstName, dst, dstOff, s.planes() * dstPlane, s);
        Planes.writable("pad: " + dstName, dst, s);
    }
}
