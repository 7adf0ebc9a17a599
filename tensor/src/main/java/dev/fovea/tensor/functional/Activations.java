package dev.fovea.tensor.functional;

/**
 * Activation functions as in PyTorch's {@code torch.nn.functional}, each differentiable.
 * Elementwise activations keep the input's shape; softmax and log-softmax normalise over one
 * dimension.
 */
public final class Activations {
    private Activations() {}

    // elementwise activations

    // softmax family

    /**
     * {@code torch.softmax(x, dim)}: {@code exp(x) / sum(exp(x))} over {@code dim} (negative counts
     * from the end; a scalar takes 0 or -1), computed stably as {@code exp(x - max) / sum(exp(x - max))},
     * so any finite input gives finite probabilities. A slice holding NaN or {@code +Inf}, or only
     * {@code -Inf}, is NaN, as in PyTorch. Vectorized ({@code dev.fovea.simd.softmax.Softmax}).
     *
     * @throws IllegalArgumentException if {@code dim} is out of range for {@code x}'s shape
     */
    public static dev.fovea.tensor.Tensor softmax(dev.fovea.tensor.Tensor x, int dim) {
        return SoftmaxOp.forward(false, x, dim);
    }

    /**
     * {@code torch.log_softmax(x, dim)}: {@code x - log(sum(exp(x)))} over {@code dim}, computed as
     * {@code (x - max) - log(sum(exp(x - max)))}: finite wherever {@code x - max} is (logits of ±1e4
     * give log-probabilities near -2e4, not -Inf), and more accurate than {@code log(softmax(x))}.
     *
     * @throws IllegalArgumentException if {@code dim} is out of range for {@code x}'s shape
     */
    public static dev.fovea.tensor.Tensor logSoftmax(dev.fovea.tensor.Tensor x, int dim) {
        return SoftmaxOp.forward(true, x, dim);
    }
}
