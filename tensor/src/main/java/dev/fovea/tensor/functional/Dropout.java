package dev.fovea.tensor.functional;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.ops.Checks;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Dropout as functions, with PyTorch's semantics ({@code torch.nn.functional.dropout,
 * dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout}) and explicit randomness: every call
 * takes the {@link RandomGenerator} to draw from, or a seed for a fresh {@link SplittableRandom}
 * (the same seed gives the same mask; there is no global generator and no "unseeded" seed).
 *
 * <pre>{@code
 * RandomGenerator rng = new SplittableRandom(42);
 * Tensor h = Dropout.dropout(x, 0.5, true, rng);
 * }</pre>
 *
 * <p>Each element (or, for the channel-wise forms, each {@code (n, c)} plane) is kept with
 * probability {@code 1 - p}, drawing one {@code rng.nextDouble()} per element or plane in order.
 * Kept values are scaled by {@code 1 / (1 - p)} (inverted dropout), so the expectation is
 * unchanged and evaluation needs no scaling. Alpha dropout keeps SELU's self-normalizing
 * statistics instead: dropped units take SELU's negative saturation {@code -alpha'}
 * ({@code alpha' = 1.7580993408473766}) and the result is mapped by {@code a y + b} with
 * {@code a = ((1 - p)(1 + p alpha'^2))^(-1/2)}, {@code b = alpha' a p}, so a standard-normal input
 * stays zero-mean, unit-variance.
 *
 * <p>With {@code training == false} or {@code p == 0} the input itself is returned (no copy, no
 * randomness drawn; the generator may then be null); {@code p == 1} gives {@code input * 0} (zeros,
 * NaN staying NaN, as PyTorch). A dropped element is multiplied by 0, not replaced. Gradients flow
 * through the same mask: {@code dx = g * scale} where kept and 0 where dropped. {@code p} outside
 * {@code [0, 1]} throws {@link IllegalArgumentException}. PyTorch's defaults are {@code p = 0.5},
 * {@code training = true} for dropout and dropout1d/2d/3d, {@code training = false} for the alpha
 * forms; the short overloads here follow them.
 */
public final class Dropout {
    /** PyTorch's default drop probability. */
    public static final double DEFAULT_P = 0.5;

    private Dropout() {}

    /** {@code dropout(input, p=0.5, training=True)} drawing from {@code rng}. */
    public static Tensor dropout(Tensor input, RandomGenerator rng) {
        return dropout(input, DEFAULT_P, true, rng);
    }

    /**
     * {@code torch.nn.functional.dropout}: zeroes each element with probability {@code p} and
     * scales the rest by {@code 1 / (1 - p)}, in training; the input itself otherwise.
     *
     * @param rng the generator to draw the mask from (may be null when no mask is drawn)
     * @throws IllegalArgumentException if {@code p} is outside {@code [0, 1]}, or {@code rng} is null when needed
     */
    public static Tensor dropout(Tensor input, double p, boolean training, RandomGenerator rng) {
        Checks.live("dropout", "input", input);
        return DropoutOp.run("dropout", input, p, training, rng, false, 0);
    }

    /** {@link #dropout(Tensor, double, boolean, RandomGenerator)} drawing from {@code new SplittableRandom(seed)}. */
    public static Tensor dropout(Tensor input, double p, boolean training, long seed) {
        return dropout(input, p, training, new SplittableRandom(seed));
    }

    /**
     * {@code torch.nn.functional.dropout1d}: zeroes whole channels of {@code (n, c, l)} or
     * unbatched {@code (c, l)} with probability {@code p}, scaling the rest by {@code 1 / (1 - p)}.
     *
     * @throws IllegalArgumentException if the input is not 2-d or 3-d, or as {@link #dropout}
     */
    public static Tensor dropout1d(Tensor input, double p, boolean training, RandomGenerator rng) {
        return channels("dropout1d", input, 1, p, training, rng);
    }

    /** {@link #dropout1d(Tensor, double, boolean, RandomGenerator)} drawing from {@code new SplittableRandom(seed)}. */
    public static Tensor dropout1d(Tensor input, double p, boolean training, long seed) {
        return dropout1d(input, p, training, new SplittableRandom(seed));
    }

    /**
     * {@code torch.nn.functional.dropout2d}: zeroes whole channels of {@code (n, c, h, w)} or
     * unbatched {@code (c, h, w)}. (PyTorch 1.13 still reads a 3-d input as {@code (n, c, l)} with
     * a deprecation warning; this follows the documented unbatched meaning of later releases.)
     *
     * @throws IllegalArgumentException if the input is not 3-d or 4-d, or as {@link #dropout}
     */
    public static Tensor dropout2d(Tensor input, double p, boolean training, RandomGenerator rng) {
        return channels("dropout2d", input, 2, p, training, rng);
    }

    /** {@link #dropout2d(Tensor, double, boolean, RandomGenerator)} drawing from {@code new SplittableRandom(seed)}. */
    public static Tensor dropout2d(Tensor input, double p, boolean training, long seed) {
        return dropout2d(input, p, training, new SplittableRandom(seed));
    }

    /**
     * {@code torch.nn.functional.dropout3d}: zeroes whole channels of {@code (n, c, d, h, w)} or
     * unbatched {@code (c, d, h, w)}.
     *
     * @throws IllegalArgumentException if the input is not 4-d or 5-d, or as {@link #dropout}
     */
    public static Tensor dropout3d(Tensor input, double p, boolean training, RandomGenerator rng) {
        return channels("dropout3d", input, 3, p, training, rng);
    }

    /** {@link #dropout3d(Tensor, double, boolean, RandomGenerator)} drawing from {@code new SplittableRandom(seed)}. */
    public static Tensor dropout3d(Tensor input, double p, boolean training, long seed) {
        return dropout3d(input, p, training, new SplittableRandom(seed));
    }

    /**
     * {@code torch.nn.functional.alpha_dropout} (for SELU networks): each element is dropped with
     * probability {@code p} to SELU's saturation value, then the affine map that keeps a
     * standard-normal input's mean and variance is applied (see the class comment).
     *
     * @throws IllegalArgumentException as {@link #dropout}
     */
    public static Tensor alphaDropout(Tensor input, double p, boolean training, RandomGenerator rng) {
        Checks.live("alpha_dropout", "input", input);
        return DropoutOp.run("alpha_dropout", input, p, training, rng, true, 0);
    }

    /** {@link #alphaDropout(Tensor, double, boolean, RandomGenerator)} drawing from {@code new SplittableRandom(seed)}. */
    public static Tensor alphaDropout(Tensor input, double p, boolean training, long seed) {
        return alphaDropout(input, p, training, new SplittableRandom(seed));
    }

    /**
     * {@code torch.nn.functional.feature_alpha_dropout}: alpha dropout of whole channels of
     * {@code (n, c, ...)} (rank >= 2; every {@code (n, c)} plane kept or dropped as one).
     *
     * @throws IllegalArgumentException if the input has fewer than 2 dims, or as {@link #dropout}
     */
    public static Tensor featureAlphaDropout(Tensor input, double p, boolean training, RandomGenerator rng) {
        String op = "feature_alpha_dropout";
        return DropoutOp.run(op, input, p, training, rng, true, DropoutOp.featurePlanes(op, input));
    }

    /** {@link #featureAlphaDropout(Tensor, double, boolean, RandomGenerator)} from {@code new SplittableRandom(seed)}. */
    public static Tensor featureAlphaDropout(Tensor input, double p, boolean training, long seed) {
        return featureAlphaDropout(input, p, training, new SplittableRandom(seed));
    }

    private static Tensor channels(String op, Tensor input, int spatial, double p, boolean training,
                                   RandomGenerator rng) {
        long planes = DropoutOp.channelPlanes(op, input, spatial);
        return DropoutOp.run(op, input, p, training, rng, false, planes);
    }
}
