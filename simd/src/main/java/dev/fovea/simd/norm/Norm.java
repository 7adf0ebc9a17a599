package dev.fovea.simd.norm;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.impl.Checks;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.parallel.RangeTask;
import java.lang.foreign.MemorySegment;

/**
 * Normalization kernels (batch, instance, group and layer norm) on contiguous float32 segments
 * viewed as {@link NormDims} {@code (outer, channels, inner)}; offsets are in float elements.
 * Per-channel statistics and coefficients travel in small <i>tables</i>: {@code rows x channels}
 * floats, row-major, one row per quantity (e.g. mean, then variance).
 *
 * <p>The norms are built from five passes: {@link #moments} (mean and biased variance per
 * channel), {@link #normalize} ({@code y = (x - mean) * scale + shift} with per-channel
 * coefficients that fold in the inverse deviation and the affine weight and bias),
 * {@link #normalizeRows} (layer norm, whose weight and bias are per element of a row),
 * {@link #gradSums} ({@code sum(g)} and {@code sum(g * (x - mean))} per channel, from which the
 * caller forms the weight and bias gradients and the input gradient's coefficients) and
 * {@link #backward} ({@code dx = a g + b (x - center) + bias} per channel). PyTorch's training
 * batch-norm backward {@code dx = w invstd (g - mean(g) - xhat mean(g xhat))} is
 * {@code a = w invstd}, {@code b = -w invstd^3 sum(g (x - mean)) / n},
 * {@code bias = -w invstd sum(g) / n}; in eval mode it is {@code a = w / sqrt(runningVar + eps)},
 * {@code b = bias = 0}.
 *
 * <p><b>Order and threads.</b> Statistics are reduced one channel per thread in the fixed order
 * documented in {@link NormVectorStats} (vector path) and {@link NormScalar} (scalar path, double
 * accumulation); elementwise passes are split over runs or rows. Results are bit-identical for
 * any thread count. <b>Checks.</b> Every method validates its segments against the dims before
 * any work and throws an {@link IllegalArgumentException} naming the kernel and the argument.
 * Outputs are overwritten; an output may be exactly its elementwise input (same segment and
 * offset), otherwise it must not overlap an input. Nothing is allocated but a few per-thread
 * scalars.
 */
public final class Norm {
    /** Elements per thread below which handing work to another thread costs more than it saves. */
    static final long MIN_ELEMENTS_PER_THREAD = 1 << 15;

    private Norm() {}

    /**
     * Mean (table row 0) and biased variance {@code sum((x - mean)^2) / n} (row 1) of each
     * channel's {@code n = outer * inner} elements, into the {@code 2 x channels} table {@code stats}.
     *
     * @throws IllegalArgumentException if a segment is too small, or a channel has no elements
     */
    public static void moments(NormDims d, MemorySegment x, long xOff, MemorySegment stats, long statsOff,
                               ComputeContext ctx) {
        String k = "Norm.moments";
        dims(k, d);
        nonEmpty(k, d);
        Checks.input(k, "x", x, xOff, 1, d.elements());
        Checks.output(k, "stats", stats, statsOff, 1, 2 * d.channels());
        if (Simd.VECTOR && d.inner() == 1) {
            splitColumns(ctx, d, (b0, b1) -> NormVectorStats.momentsColumns(d, x, xOff, stats, statsOff, b0, b1),
                    x, stats);
        } else {
            split(ctx, d.channels(), d.perChannel(), (c0, c1) -> {
                if (Simd.VECTOR) {
                    NormVectorStats.moments(d, x, xOff, stats, statsOff, c0, c1);
                } else {
                    NormScalar.moments(d, x, xOff, stats, statsOff, c0, c1);
                }
            }, x, stats);
        }
    }

    /**
     * Per channel, {@code sum(g)} into table row 0 of {@code sums} and
     * {@code sum(g * (x - center[c]))} into row 1, {@code center} being a table of one row.
     *
     * @throws IllegalArgumentException if a segment is too small for the dims
     */
    public static void gradSums(NormDims d, MemorySegment g, long gOff, MemorySegment x, long xOff,
                                MemorySegment center, long centerOff, MemorySegment sums, long sumsOff,
                                ComputeContext ctx) {
        String k = "Norm.gradSums";
        dims(k, d);
        Checks.input(k, "g", g, gOff, 1, d.elements());
        Checks.input(k, "x", x, xOff, 1, d.elements());
        Checks.input(k, "center", center, centerOff, 1, d.channels());
        Checks.output(k, "sums", sums, sumsOff, 1, 2 * d.channels());
        if (Simd.VECTOR && d.inner() == 1) {
            splitColumns(ctx, d, (b0, b1) -> NormVectorStats.gradSumsColumns(d, g, gOff, x, xOff, center, centerOff,
                    sums, sumsOff, b0, b1), g, x, center, sums);
        } else {
            split(ctx, d.channels(), 2 * d.perChannel(), (c0, c1) -> {
                if (Simd.VECTOR) {
                    NormVectorStats.gradSums(d, g, gOff, x, xOff, center, centerOff, sums, sumsOff, c0, c1);
                } else {
                    NormScalar.gradSums(d, g, gOff, x, xOff, center, centerOff, sums, sumsOff, c0, c1);
                }
            }, g, x, center, sums);
        }
    }

    /**
     * {@code y = fma(x - mean[c], scale[c], shift[c])}; {@code coef} is a {@code 3 x channels}
     * table with rows mean, scale, shift. {@code y} may be {@code x} itself.
     *
     * @throws IllegalArgumentException if a segment is too small for the dims
     */
    public static void normalize(NormDims d, MemorySegment x, long xOff, MemorySegment y, long yOff,
                                 MemorySegment coef, long coefOff, ComputeContext ctx) {
        String k = "Norm.normalize";
        dims(k, d);
        Checks.input(k, "x", x, xOff, 1, d.elements());
        Checks.output(k, "y", y, yOff, 1, d.elements());
        Checks.input(k, "coef", coef, coefOff, 1, 3 * d.channels());
        if (d.inner() == 1) {
            split(ctx, d.outer(), d.channels(), (o0, o1) -> {
                if (Simd.VECTOR) {
                    NormVectorAffine.normalizeColumns(d, x, xOff, y, yOff, coef, coefOff, o0, o1);
                } else {
                    NormScalar.normalize(d, x, xOff, y, yOff, coef, coefOff, o0 * d.channels(), o1 * d.channels());
                }
            }, x, y, coef);
            return;
        }
        split(ctx, d.runs(), d.inner(), (r0, r1) -> {
            if (Simd.VECTOR) {
                NormVectorAffine.normalize(d, x, xOff, y, yOff, coef, coefOff, r0, r1);
            } else {
                NormScalar.normalize(d, x, xOff, y, yOff, coef, coefOff, r0, r1);
            }
        }, x, y, coef);
    }

    /**
     * {@code dx = fma(a[c], g, fma(b[c], x - center[c], bias[c]))}; {@code coef} is a
     * {@code 4 x channels} table with rows center, a, b, bias. {@code dx} may be {@code g} itself.
     *
     * @throws IllegalArgumentException if a segment is too small for the dims
     */
    public static void backward(NormDims d, MemorySegment g, long gOff, MemorySegment x, long xOff,
                                MemorySegment dx, long dxOff, MemorySegment coef, long coefOff, ComputeContext ctx) {
        String k = "Norm.backward";
        dims(k, d);
        Checks.input(k, "g", g, gOff, 1, d.elements());
        Checks.input(k, "x", x, xOff, 1, d.elements());
        Checks.output(k, "dx", dx, dxOff, 1, d.elements());
        Checks.input(k, "coef", coef, coefOff, 1, 4 * d.channels());
        if (d.inner() == 1) {
            split(ctx, d.outer(), 2 * d.channels(), (o0, o1) -> {
                if (Simd.VECTOR) {
                    NormVectorAffine.backwardColumns(d, g, gOff, x, xOff, dx, dxOff, coef, coefOff, o0, o1);
                } else {
                    NormScalar.backward(d, g, gOff, x, xOff, dx, dxOff, coef, coefOff, o0 * d.channels(),
                            o1 * d.channels());
                }
            }, g, x, dx, coef);
            return;
        }
        split(ctx, d.runs(), 2 * d.inner(), (r0, r1) -> {
            if (Simd.VECTOR) {
                NormVectorAffine.backward(d, g, gOff, x, xOff, dx, dxOff, coef, coefOff, r0, r1);
            } else {
                NormScalar.backward(d, g, gOff, x, xOff, dx, dxOff, coef, coefOff, r0, r1);
            }
        }, g, x, dx, coef);
    }

    /**
     * Layer norm's normalize pass over {@code (rows, cols)}:
     * {@code y = fma((x - mean[r]) * invstd[r], w[i], b[i])}; {@code stats} is a {@code 2 x rows}
     * table (mean, invstd); {@code w} and {@code b} hold {@code cols} floats each, or are null
     * ({@code w = 1}, {@code b = 0}). {@code y} may be {@code x} itself.
     *
     * @throws IllegalArgumentException if a segment is too small, or a count is negative
     */
    public static void normalizeRows(long rows, long cols, MemorySegment x, long xOff, MemorySegment y, long yOff,
                                     MemorySegment stats, long statsOff, MemorySegment w, long wOff, MemorySegment b,
                                     long bOff, ComputeContext ctx) {
        String k = "Norm.normalizeRows";
        NormDims d = new NormDims(1, rows, cols);
        Checks.input(k, "x", x, xOff, 1, d.elements());
        Checks.output(k, "y", y, yOff, 1, d.elements());
        Checks.input(k, "stats", stats, statsOff, 1, 2 * rows);
        if (w != null) {
            Checks.input(k, "w", w, wOff, 1, cols);
        }
        if (b != null) {
            Checks.input(k, "b", b, bOff, 1, cols);
        }
        split(ctx, rows, cols, (r0, r1) -> {
            if (Simd.VECTOR) {
                NormVectorAffine.normalizeRows(rows, cols, x, xOff, y, yOff, stats, statsOff, w, wOff, b, bOff, r0, r1);
            } else {
                NormScalar.normalizeRows(rows, cols, x, xOff, y, yOff, stats, statsOff, w, wOff, b, bOff, r0, r1);
            }
        }, x, y, stats, w, b);
    }

    private static void dims(String kernel, NormDims d) {
        if (d == null) {
            throw new IllegalArgumentException(kernel + ": dims must not be null");
        }
    }

    private static void nonEmpty(String kernel, NormDims d) {
        if (d.channels() > 0 && d.perChannel() == 0) {
            throw new IllegalArgumentException(kernel + ": the statistics of an empty channel are undefined, got dims "
                    + d);
        }
    }

    /** Splits the vector column kernels over whole blocks of {@code L} channels. */
    private static void splitColumns(ComputeContext ctx, NormDims d, Range body, MemorySegment... segments) {
        long lanes = Simd.floatLanes();
        long blocks = (d.channels() + lanes - 1) / lanes;
        split(ctx, blocks, lanes * d.outer(), body, segments);
    }

    /**
     * Runs {@code body} over {@code [0, units)}, on the context's threads when there is enough work
     * ({@code unitElements} per unit) and the segments may be shared.
     */
    static void split(ComputeContext ctx, long units, long unitElements, Range body, MemorySegment... segments) {
        if (units > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Norm: more than 2^31-1 work units (" + units + "); split the call");
        }
        int n = (int) units;
        if (n == 0) {
            return;
        }
        if (ctx == null || ctx.threads() == 1 || !ComputeContext.shareable(segments)) {
            body.run(0, n);
            return;
        }
        int grain = (int) Math.max(1, Math.min(n, MIN_ELEMENTS_PER_THREAD / Math.max(1, unitElements)));
        RangeTask task = body::run;
        ctx.parallelFor(n, grain, task);
    }

    /** Work on units {@code [begin, end)}. */
    @FunctionalInterface
    interface Range {
        void run(long begin, long end);
    }
}
