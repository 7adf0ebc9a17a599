package dev.fovea.simd.softmax;

import dev.fovea.simd.Simd;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * Softmax and log-softmax kernels, forward and backward, over one axis of a contiguous float32
 * tensor seen as {@code (outer, dim, inner)}: element {@code (o, d, i)} is at element offset
 * {@code off + (o * dim + d) * inner + i}, and the op normalises over {@code d}. A softmax over
 * axis {@code k} of a row-major shape has {@code outer} = the product of the sizes before {@code k},
 * {@code dim} = its size, {@code inner} = the product of the sizes after it.
 *
 * <p><b>Math.</b> Numerically stable, with the row maximum {@code m = max_d x} subtracted first:
 * <pre>
 * softmax:      y = exp(x - m) / s,          s = sum_d exp(x - m)
 * log_softmax:  y = (x - m) - log(s)
 * backward:     softmax:     dx = y * (g - sum_d g * y)
 *               log_softmax: dx = g - exp(y) * sum_d g
 * </pre>
 * {@code s >= 1} (the maximum contributes {@code exp(0) = 1}), so no row overflows, underflows to
 * a zero sum or takes {@code log(0)}: finite input gives finite output (log-softmax excepted where
 * {@code x - m} itself overflows, beyond {@code 3.4e38}). As in PyTorch, a row holding NaN or
 * {@code +Inf}, or only {@code -Inf}, is NaN throughout ({@code Inf - Inf}), and a {@code -Inf}
 * element of any other row gives 0 (log-softmax: {@code -Inf}). {@code exp} and {@code log} are
 * Fovea's float32 functions (within 1 ulp; the same bits on the vector and scalar paths).
 *
 * <p><b>Order and error.</b> The sums over {@code d} ({@code s}, {@code sum g*y}, {@code sum g}) are
 * the only reductions. On the scalar path they accumulate in double. On the vector path with
 * {@code inner == 1} (rows contiguous) each vector lane sums at most 64 terms in float before the
 * lanes are added, lane 0 first, to a double; with {@code inner > 1} the kernel vectorizes across
 * {@code inner} and each lane sums its {@code dim} terms in float, in order of {@code d} (relative
 * error at most {@code dim * 2^-24} of a sum of positive terms). The order depends only on the
 * shape and the vector width, so results do not depend on the thread count or on timing.
 *
 * <p><b>Contract.</b> Offsets count float elements. The output is overwritten, never accumulated;
 * it may be the very same elements as the input ({@code x} for the forward, {@code g} for the
 * backward: in place), but no other overlap is allowed. Every method checks its arguments before
 * any work: sizes {@code >= 0} whose product fits a {@code long}, non-null segments holding every
 * element touched, writable outputs; a violation is an {@link IllegalArgumentException} naming the
 * op, the argument and the sizes. No workspace, no allocation. Work is split over
 * {@code outer} rows (and blocks of {@code inner}) on the context's threads.
 */
public final class Softmax {
    /** Minimum elements per thread before a call is split: below it, handing off costs more. */
    static final long MIN_ELEMENTS_PER_THREAD = 1 << 15;
    /** Inner positions per work unit when {@code inner > 1}: a multiple of every vector width. */
    static final long INNER_BLOCK = 256;

    private Softmax() {}

    /**
     * Softmax ({@code log} false) or log-softmax ({@code log} true) of {@code x} into {@code y}
     * over {@code dim}, on the context's threads (or the caller's alone when {@code ctx} is null).
     *
     * @throws IllegalArgumentException if a size is negative, a segment is null, read-only (for
     *     {@code y}) or too small for {@code outer * dim * inner} floats from its offset
     */
    public static void forward(boolean log, MemorySegment x, long xOff, MemorySegment y, long yOff,
                               long outer, long dim, long inner, ComputeContext ctx) {
        String op = name(log);
        long n = elements(op, outer, dim, inner);
        String shape = shape(outer, dim, inner);
        checkFloats(op, "x", x, xOff, n, false, shape);
        checkFloats(op, "y", y, yOff, n, true, shape);
        if (n == 0) {
            return;
        }
        boolean vector = Simd.VECTOR;
        split(ctx, outer, dim, inner, (u0, u1) -> {
            if (vector) {
                SoftmaxVector.forward(log, x, xOff, y, yOff, dim, inner, u0, u1);
            } else {
                SoftmaxScalar.forward(log, x, xOff, y, yOff, dim, inner, u0, u1);
            }
        }, x, y);
    }

    /**
     * The input gradient {@code dx} of softmax or log-softmax from the forward's output {@code y}
     * and the output gradient {@code g}, on the context's threads.
     *
     * @throws IllegalArgumentException if a size is negative, a segment is null, read-only (for
     *     {@code dx}) or too small for {@code outer * dim * inner} floats from its offset
     */
    public static void backward(boolean log, MemorySegment y, long yOff, MemorySegment g, long gOff,
                                MemorySegment dx, long dxOff, long outer, long dim, long inner, ComputeContext ctx) {
        String op = name(log) + " backward";
        long n = elements(op, outer, dim, inner);
        String shape = shape(outer, dim, inner);
        checkFloats(op, "y", y, yOff, n, false, shape);
        checkFloats(op, "g", g, gOff, n, false, shape);
        checkFloats(op, "dx", dx, dxOff, n, true, shape);
        if (n == 0) {
            return;
        }
        boolean vector = Simd.VECTOR;
        split(ctx, outer, dim, inner, (u0, u1) -> {
            if (vector) {
                SoftmaxVector.backward(log, y, yOff, g, gOff, dx, dxOff, dim, inner, u0, u1);
            } else {
                SoftmaxScalar.backward(log, y, yOff, g, gOff, dx, dxOff, dim, inner, u0, u1);
            }
        }, y, g, dx);
    }

    /**
     * The scalar reference of {@link #forward}, on the calling thread: the fallback when the
     * Vector API is off, and the oracle the vector kernels are tested against.
     *
     * @throws IllegalArgumentException as {@link #forward}
     */
    public static void forwardReference(boolean log, MemorySegment x, long xOff, MemorySegment y, long yOff,
                                        long outer, long dim, long inner) {
        String op = name(log);
        long n = elements(op, outer, dim, inner);
        String shape = shape(outer, dim, inner);
        checkFloats(op, "x", x, xOff, n, false, shape);
        checkFloats(op, "y", y, yOff, n, true, shape);
        if (n > 0) {
            SoftmaxScalar.forward(log, x, xOff, y, yOff, dim, inner, 0, units(outer, inner));
        }
    }

    /**
     * The scalar reference of {@link #backward}, on the calling thread.
     *
     * @throws IllegalArgumentException as {@link #backward}
     */
    public static void backwardReference(boolean log, MemorySegment y, long yOff, MemorySegment g, long gOff,
                                         MemorySegment dx, long dxOff, long outer, long dim, long inner) {
        String op = name(log) + " backward";
        long n = elements(op, outer, dim, inner);
        String shape = shape(outer, dim, inner);
        checkFloats(op, "y", y, yOff, n, false, shape);
        checkFloats(op, "g", g, gOff, n, false, shape);
        checkFloats(op, "dx", dx, dxOff, n, true, shape);
        if (n > 0) {
            SoftmaxScalar.backward(log, y, yOff, g, gOff, dx, dxOff, dim, inner, 0, units(outer, inner));
        }
    }

    /** Work units: one per row when {@code inner == 1}, else one per row and block of {@link #INNER_BLOCK}. */
    static long units(long outer, long inner) {
        return outer * blocks(inner);
    }

    /** Blocks of {@link #INNER_BLOCK} inner positions per row (1 when {@code inner == 1}); {@code inner >= 1}. */
    static long blocks(long inner) {
        return (inner - 1) / INNER_BLOCK + 1;
    }

    private static String name(boolean log) {
        return log ? "log_softmax" : "softmax";
    }

    private static String shape(long outer, long dim, long inner) {
        return "(outer=" + outer + ", dim=" + dim + ", inner=" + inner + ")";
    }

    private static long elements(String op, long outer, long dim, long inner) {
        if (outer < 0 || dim < 0 || inner < 0) {
            throw new IllegalArgumentException(op + ": sizes must be >= 0, got " + shape(outer, dim, inner));
        }
        try {
            return Math.multiplyExact(Math.multiplyExact(outer, dim), inner);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(op + ": outer * dim * inner overflows a long, got "
                    + shape(outer, dim, inner));
        }
    }

    /** Checks that {@code seg} holds {@code n} floats from {@code off} (and is writable if {@code output}). */
    static void checkFloats(String op, String arg, MemorySegment seg, long off, long n, boolean output,
                                    String shape) {
        if (seg == null) {
            throw new IllegalArgumentException(op + ": " + arg + " segment must not be null, for " + shape);
        }
        if (output && seg.isReadOnly()) {
            throw new IllegalArgumentException(op + ": output segment " + arg + " is read-only, for " + shape);
        }
        long floats = seg.byteSize() / Float.BYTES;
        if (off < 0 || off > floats - n) {
            throw new IllegalArgumentException(op + ": " + arg + " needs " + n + " floats from offset " + off
                    + ", but its segment holds " + floats + " floats, for " + shape);
        }
    }

    /** Runs {@code body} over ranges of work units, on the context's threads when the work and the segments allow. */
    static void split(ComputeContext ctx, long outer, long dim, long inner, UnitRange body,
                              MemorySegment... segments) {
        long units = units(outer, inner);
        long unitElements = dim * Math.min(inner, INNER_BLOCK);
        long grain = Math.max(1, MIN_ELEMENTS_PER_THREAD / Math.max(1, unitElements));
        int parts = ctx == null ? 1 : (int) Math.min(ctx.threads(), units / grain);
        if (parts <= 1 || !ComputeContext.shareable(segments)) {
            body.run(0, units);
            return;
        }
        long share = units / parts;
        long extra = units % parts;
        ctx.run(parts, (part, count) -> body.run(part * share + Math.min(part, extra),
                (part + 1) * share + Math.min(part + 1, extra)));
    }

    /** Work on units {@code [u0, u1)}. */
    @FunctionalInterface
    interface UnitRange {
        void run(long u0, long u1);
    }
}
