package dev.fovea.tensor.functional;

/**
 * How a loss combines its per-element values, as PyTorch's {@code reduction} argument; the default
 * of every loss in {@link Losses} is {@link #MEAN}.
 */
public enum Reduction {
    /** No reduction: the per-element losses, in the shape the loss documents ({@code 'none'}). */
    NONE,
    /** The mean of the per-element losses ({@code 'mean'}); class-weighted losses divide by the total weight. */
    MEAN,
    /** The sum of the per-element losses ({@code 'sum'}). */
    SUM
}
