package dev.fovea.simd.softmax;

import dev.fovea.simd.Simd;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Cross entropy from logits with class-index targets, fused with its log-softmax: per-row losses in
 * one read of the logits after their maximum, and the input gradient in one more. Logits are
 * {@code rows} contiguous rows of {@code classes} floats ({@code (N, C)} row-major).
 *
 * <p><b>Math.</b> Row {@code r} with target {@code t} (an int32; {@code -1} ignores the row), class
 * weights {@code w} (all 1 when the segment is null, {@code W = sum w}) and label smoothing
 * {@code eps}: with {@code m = max x} and {@code ls = log sum exp(x - m)} (so {@code -log p_c =
 * (m - x_c) + ls}, each term {@code >= 0}),
 * <pre>
 * loss_r = (1 - eps) w_t ((m - x_t) + ls) + (eps / C) (W ls + sum_c w_c (m - x_c))
 * dx_rc  = s_r (a p_c - (eps / C) w_c - [c == t] (1 - eps) w_t),   a = (1 - eps) w_t + (eps / C) W
 * </pre>
 * with {@code p_c = exp((x_c - m) - ls)} and {@code s_r} the gradient of the loss of row {@code r}
 * (the caller's reduction: its output gradient, divided by the total weight for a mean). An ignored
 * row has loss 0 and gradient 0 whatever its logits. The forward also writes {@code (m, ls)} per
 * row ({@code stats}, two floats a row), which the backward reads instead of recomputing them.
 *
 * <p><b>Order and error.</b> As {@link Softmax}: the row sums accumulate in double on the scalar
 * path, and on the vector path in float vector lanes of at most 64 terms added lane by lane to a
 * double. The backward's elementwise formula is the same operations on both paths. Results do not
 * depend on the thread count (rows are split over the context's threads).
 *
 * <p><b>Checks.</b> Before any work: sizes ({@code classes >= 1} when there are rows), segments
 * large enough, outputs writable, {@code 0 <= eps <= 1}, and every target in {@code [-1, classes)}
 * (an {@link IllegalArgumentException} naming the row and the value). Outputs are overwritten; they
 * must not overlap the inputs. No allocation.
 */
public final class SoftmaxCrossEntropy {
    private static final String OP = "softmax_cross_entropy";

    private SoftmaxCrossEntropy() {}

    /**
     * The per-row losses into {@code loss} ({@code rows} floats) and the row statistics into
     * {@code stats} ({@code 2 * rows} floats), on the context's threads (the caller's alone when
     * {@code ctx} is null).
     *
     * @param weights {@code classes} class weights, or null for all 1
     * @throws IllegalArgumentException as described in the class comment
     */
    public static void forward(MemorySegment x, long xOff, MemorySegment targets, long tOff, MemorySegment weights,
                               long wOff, float smoothing, MemorySegment loss, long lossOff, MemorySegment stats,
                               long statsOff, long rows, long classes, ComputeContext ctx) {
        float weightSum = checkCommon(OP, x, xOff, targets, tOff, weights, wOff, smoothing, rows, classes);
        String shape = shape(rows, classes);
        Softmax.checkFloats(OP, "loss", loss, lossOff, rows, true, shape);
        Softmax.checkFloats(OP, "stats", stats, statsOff, 2 * rows, true, shape);
        if (rows == 0) {
            return;
        }
        boolean vector = Simd.VECTOR;
        Softmax.split(ctx, rows, classes, 1, (r0, r1) -> {
            if (vector) {
                SoftmaxCrossEntropyVector.forward(x, xOff, targets, tOff, weights, wOff, smoothing, weightSum, loss,
                        lossOff, stats, statsOff, classes, r0, r1);
            } else {
                SoftmaxCrossEntropyScalar.forward(x, xOff, targets, tOff, weights, wOff, smoothing, weightSum, loss,
                        lossOff, stats, statsOff, classes, r0, r1);
            }
        }, x, targets, weights, loss, stats);
    }

    /**
     * The input gradient into {@code dx} ({@code rows * classes} floats, overwritten), from the
     * forward's {@code stats} and the per-row loss gradients {@code scale[scaleOff + r * scaleStride]}
     * ({@code scaleStride} 0: one value for every row, 1: one per row).
     *
     * @throws IllegalArgumentException as described in the class comment, or for a stride other than 0 or 1
     */
    public static void backward(MemorySegment x, long xOff, MemorySegment targets, long tOff, MemorySegment weights,
                                long wOff, float smoothing, MemorySegment stats, long statsOff, MemorySegment scale,
                                long scaleOff, long scaleStride, MemorySegment dx, long dxOff, long rows, long classes,
                                ComputeContext ctx) {
        String op = OP + " backward";
        float weightSum = checkCommon(op, x, xOff, targets, tOff, weights, wOff, smoothing, rows, classes);
        String shape = shape(rows, classes);
        Softmax.checkFloats(op, "stats", stats, statsOff, 2 * rows, false, shape);
        if (scaleStride != 0 && scaleStride != 1) {
            throw new IllegalArgumentException(op + ": scaleStride must be 0 or 1, got " + scaleStride);
        }
        Softmax.checkFloats(op, "scale", scale, scaleOff, rows == 0 ? 0 : scaleStride == 0 ? 1 : rows, false, shape);
        Softmax.checkFloats(op, "dx", dx, dxOff, rows * classes, true, shape);
        if (rows == 0) {
            return;
        }
        boolean vector = Simd.VECTOR;
        Softmax.split(ctx, rows, classes, 1, (r0, r1) -> {
            if (vector) {
                SoftmaxCrossEntropyVector.backward(x, xOff, targets, tOff, weights, wOff, smoothing, weightSum, stats,
                        statsOff, scale, scaleOff, scaleStride, dx, dxOff, classes, r0, r1);
            } else {
                SoftmaxCrossEntropyScalar.backward(x, xOff, targets, tOff, weights, wOff, smoothing, weightSum, stats,
                        statsOff, scale, scaleOff, scaleStride, dx, dxOff, classes, r0, r1);
            }
        }, x, targets, weights, stats, scale, dx);
    }

    /**
     * The scalar reference of {@link #forward}, on the calling thread.
     *
     * @throws IllegalArgumentException as {@link #forward}
     */
    public static void forwardReference(MemorySegment x, long xOff, MemorySegment targets, long tOff,
                                        MemorySegment weights, long wOff, float smoothing, MemorySegment loss,
                                        long lossOff, MemorySegment stats, long statsOff, long rows, long classes) {
        float weightSum = checkCommon(OP, x, xOff, targets, tOff, weights, wOff, smoothing, rows, classes);
        String shape = shape(rows, classes);
        Softmax.checkFloats(OP, "loss", loss, lossOff, rows, true, shape);
        Softmax.checkFloats(OP, "stats", stats, statsOff, 2 * rows, true, shape);
        SoftmaxCrossEntropyScalar.forward(x, xOff, targets, tOff, weights, wOff, smoothing, weightSum, loss, lossOff,
                stats, statsOff, classes, 0, rows);
    }

    /**
     * The scalar reference of {@link #backward}, on the calling thread.
     *
     * @throws IllegalArgumentException as {@link #backward}
     */
    public static void backwardReference(MemorySegment x, long xOff, MemorySegment targets, long tOff,
                                         MemorySegment weights, long wOff, float smoothing, MemorySegment stats,
                                         long statsOff, MemorySegment scale, long scaleOff, long scaleStride,
                                         MemorySegment dx, long dxOff, long rows, long classes) {
        String op = OP + " backward";
        float weightSum = checkCommon(op, x, xOff, targets, tOff, weights, wOff, smoothing, rows, classes);
        String shape = shape(rows, classes);
        Softmax.checkFloats(op, "stats", stats, statsOff, 2 * rows, false, shape);
        if (scaleStride != 0 && scaleStride != 1) {
            throw new IllegalArgumentException(op + ": scaleStride must be 0 or 1, got " + scaleStride);
        }
        Softmax.checkFloats(op, "scale", scale, scaleOff, rows == 0 ? 0 : scaleStride == 0 ? 1 : rows, false, shape);
        Softmax.checkFloats(op, "dx", dx, dxOff, rows * classes, true, shape);
        SoftmaxCrossEntropyScalar.backward(x, xOff, targets, tOff, weights, wOff, smoothing, weightSum, stats,
                statsOff, scale, scaleOff, scaleStride, dx, dxOff, classes, 0, rows);
    }

    private static String shape(long rows, long classes) {
        return "(rows=" + rows + ", classes=" + classes + ")";
    }

    /** Checks the inputs both directions share; returns the sum of the class weights (C without weights). */
    private static float checkCommon(String op, MemorySegment x, long xOff, MemorySegment targets, long tOff,
                                     MemorySegment weights, long wOff, float smoothing, long rows, long classes) {
        String shape = shape(rows, classes);
        if (rows < 0 || classes < 1 && rows > 0 || classes < 0) {
            throw new IllegalArgumentException(op + ": need rows >= 0 and classes >= 1, got " + shape);
        }
        long n;
        try {
            n = Math.multiplyExact(rows, classes);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(op + ": rows * classes overflows a long, got " + shape);
        }
        if (!(smoothing >= 0f && smoothing <= 1f)) {
            throw new IllegalArgumentException(op + ": smoothing must be in [0, 1], got " + smoothing);
        }
        Softmax.checkFloats(op, "x", x, xOff, n, false, shape);
        if (targets == null) {
            throw new IllegalArgumentException(op + ": targets segment must not be null, for " + shape);
        }
        long ints = targets.byteSize() / Integer.BYTES;
        if (tOff < 0 || tOff > ints - rows) {
            throw new IllegalArgumentException(op + ": targets needs " + rows + " int32 from offset " + tOff
                    + ", but its segment holds " + ints + ", for " + shape);
        }
        for (long r = 0; r < rows; r++) {
            int t = targets.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, tOff + r);
            if (t < -1 || t >= classes) {
                throw new IllegalArgumentException(op + ": targets[" + r + "] = " + t + " is outside [-1, " + classes
                        + ") (a class, or -1 for an ignored row), for " + shape);
            }
        }
        if (weights == null) {
            return classes;
        }
        Softmax.checkFloats(op, "weights", weights, wOff, classes, false, shape);
        double sum = 0;
        for (long c = 0; c < classes; c++) {
            sum += weights.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, wOff + c);
        }
        return (float) sum;
    }
}
