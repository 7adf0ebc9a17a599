package dev.fovea.tensor.functional;

import dev.fovea.tensor.Tensor;

/**
 * Normalization layers as functions, with PyTorch's semantics, argument order and defaults
 * ({@code torch.nn.functional.batch_norm, instance_norm, layer_norm, group_norm,
 * local_response_norm}); each is differentiable for its input, weight and bias.
 *
 * <pre>{@code
 * Tensor y = Normalization.batchNorm(x, runningMean, runningVar, gamma, beta, true, 0.1, 1e-5);
 * Tensor z = Normalization.layerNorm(h, new long[] {768}, w, b, 1e-5);
 * }</pre>
 *
 * <p>Inputs are {@code (n, c, spatial...)} with the channels at dim 1 (layer norm: any shape whose
 * trailing dims are the normalized shape). Normalizing uses the biased variance
 * {@code mean((x - mean)^2)}: {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, weight and
 * bias being optional (null: 1 and 0). Running statistics are buffers: when given in training
 * mode they are updated in place, {@code running = (1 - momentum) running + momentum stat}, with
 * the <i>unbiased</i> batch variance for {@code runningVar}; no gradient flows to them. Statistics
 * are reduced by the {@code dev.fovea.simd.norm} kernels (float blocks of at most 64 terms per
 * lane, combined in double; a corrected two-pass variance); results do not depend on the thread
 * count. Non-contiguous inputs are copied first.
 *
 * <p>Bad arguments throw {@link IllegalArgumentException} naming the op, the argument, the shapes
 * and what was expected, before any work: a weight, bias or running statistic whose shape is not
 * {@code [c]}, a normalized shape that is not the input's trailing dims, channels not divisible by
 * the groups, batch-norm training with one value per channel, or instance norm from input
 * statistics with one spatial element.
 */
public final class Normalization {
    /** PyTorch's default {@code eps}, added to the variance. */
    public static final double DEFAULT_EPS = 1e-5;
    /** PyTorch's default momentum of the running statistics. */
    public static final double DEFAULT_MOMENTUM = 0.1;

    private Normalization() {}

    /**
     * {@code batch_norm(input, running_mean, running_var)} with PyTorch's defaults: evaluation mode
     * (normalized with the running statistics), no affine, {@code eps = 1e-5}.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar) {
        return batchNorm(input, runningMean, runningVar, null, null, false, DEFAULT_MOMENTUM, DEFAULT_EPS);
    }

    /** {@link #batchNorm(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, double, double)} with momentum 0.1 and eps 1e-5. */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training) {
        return batchNorm(input, runningMean, runningVar, weight, bias, training, DEFAULT_MOMENTUM, DEFAULT_EPS);
    }

    /**
     * {@code torch.nn.functional.batch_norm}: input {@code (n, c)}, {@code (n, c, l)},
     * {@code (n, c, h, w)} or {@code (n, c, d, h, w)} (any rank >= 2), statistics per channel
     * over the batch and spatial dims. In training the batch statistics normalize and, when the
     * running statistics are given (they may be null), update them in place; in evaluation the
     * running statistics (then required) normalize.
     *
     * @param runningMean the running mean {@code [c]}, or null (training only)
     * @param runningVar the running variance {@code [c]}, or null (training only)
     * @param weight the scale {@code [c]}, or null
     * @param bias the shift {@code [c]}, or null
     * @throws IllegalArgumentException naming the argument when a shape does not fit, or in training
     *     with a single value per channel
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return ChannelNormOps.batchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /** {@code instance_norm(input)}: from input statistics, no running statistics, no affine, eps 1e-5. */
    public static Tensor instanceNorm(Tensor input) {
        return instanceNorm(input, null, null, null, null, true, DEFAULT_MOMENTUM, DEFAULT_EPS);
    }

    /** {@link #instanceNorm(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, double, double)} with momentum 0.1, eps 1e-5. */
    public static Tensor instanceNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                      boolean useInputStats) {
        return instanceNorm(input, runningMean, runningVar, weight, bias, useInputStats, DEFAULT_MOMENTUM, DEFAULT_EPS);
    }

    /**
     * {@code torch.nn.functional.instance_norm}: statistics per sample and channel over the
     * spatial dims of {@code (n, c, spatial...)}. With {@code useInputStats} (PyTorch's default)
     * those statistics normalize, and given running statistics are updated in place with their
     * mean over the batch (the variance unbiased); without it the running statistics (then
     * required) normalize.
     *
     * @throws IllegalArgumentException naming the argument when a shape does not fit, or with
     *     input statistics over a single spatial element
     */
    public static Tensor instanceNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                      boolean useInputStats, double momentum, double eps) {
        return ChannelNormOps.instanceNorm(input, runningMean, runningVar, weight, bias, useInputStats, momentum,
                eps);
    }

    /** {@code layer_norm(input, normalized_shape)}: no affine, eps 1e-5. */
    public static Tensor layerNorm(Tensor input, long... normalizedShape) {
        return layerNorm(input, normalizedShape, null, null, DEFAULT_EPS);
    }

    /** {@link #layerNorm(Tensor, long[], Tensor, Tensor, double)} with eps 1e-5. */
    public static Tensor layerNorm(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias) {
        return layerNorm(input, normalizedShape, weight, bias, DEFAULT_EPS);
    }

    /**
     * {@code torch.nn.functional.layer_norm}: statistics over the last {@code normalizedShape.length}
     * dims of the input, which must equal {@code normalizedShape}; {@code weight} and {@code bias}
     * (each of shape {@code normalizedShape}, or null) apply per element.
     *
     * @throws IllegalArgumentException if {@code normalizedShape} is not the input's trailing dims,
     *     or the weight or bias shape differs from it
     */
    public static Tensor layerNorm(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return LayerNormOp.layerNorm(input, normalizedShape, weight, bias, eps);
    }

    /** {@code group_norm(input, num_groups)}: no affine, eps 1e-5. */
    public static Tensor groupNorm(Tensor input, int numGroups) {
        return groupNorm(input, numGroups, null, null, DEFAULT_EPS);
    }

    /** {@link #groupNorm(Tensor, int, Tensor, Tensor, double)} with eps 1e-5. */
    public static Tensor groupNorm(Tensor input, int numGroups, Tensor weight, Tensor bias) {
        return groupNorm(input, numGroups, weight, bias, DEFAULT_EPS);
    }

    /**
     * {@code torch.nn.functional.group_norm}: the {@code c} channels of {@code (n, c, ...)} split
     * into {@code numGroups} groups of consecutive channels, statistics per sample and group;
     * {@code weight} and {@code bias} ({@code [c]}, or null) apply per channel.
     *
     * @throws IllegalArgumentException if {@code c} is not divisible by {@code numGroups}, or a
     *     weight or bias shape is not {@code [c]}
     */
    public static Tensor groupNorm(Tensor input, int numGroups, Tensor weight, Tensor bias, double eps) {
        return ChannelNormOps.groupNorm(input, numGroups, weight, bias, eps);
    }

    /** {@code local_response_norm(input, size)} with PyTorch's alpha 1e-4, beta 0.75, k 1. */
    public static Tensor localResponseNorm(Tensor input, int size) {
        return localResponseNorm(input, size, 1e-4, 0.75, 1.0);
    }

    /**
     * {@code torch.nn.functional.local_response_norm} (AlexNet) across the channels of
     * {@code (n, c, ...)} (rank >= 3): {@code y = x / (k + alpha / size * sum of x^2 over channels
     * [c - size/2, c + (size-1)/2])^beta}, channels outside the input counting as zero, so that
     * alpha is divided by {@code size} even at the borders, as PyTorch's average pooling does.
     *
     * @throws IllegalArgumentException if the input has fewer than 3 dims, {@code size < 1}, or a parameter is not finite
     */
    public static Tensor localResponseNorm(Tensor input, int size, double alpha, double beta, double k) {
        return LrnOp.localResponseNorm(input, size, alpha, beta, k);
    }
}
