package dev.fovea.tensor.functional;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.ActivationFunction.Kind;
import dev.fovea.tensor.Tensor;

/**
 * Activation functions as in PyTorch's {@code torch.nn.functional}, each differentiable, with
 * PyTorch's definitions, defaults and gradients at the kinks. Elementwise activations keep the
 * input's shape (any rank, any strides; the result is contiguous) and run the vectorized kernels
 * of {@link dev.fovea.simd.eltwise.ActivationKernels}, forward and backward; softmax and
 * log-softmax normalise over one dimension.
 *
 * <pre>{@code
 * Tensor y = Activations.gelu(x);                 // exact
 * Tensor z = Activations.leakyRelu(x, 0.2f);
 * }</pre>
 */
public final class Activations {
    private Activations() {}

    // elementwise activations

    /** {@code max(x, 0)}. */
    public static Tensor relu(Tensor x) {
        return ActivationOp.apply("relu", ActivationFunction.of(Kind.RELU), x);
    }

    /** {@code min(max(x, 0), 6)}; as in PyTorch (a hardtanh) the gradient is 0 at 0 and at 6. */
    public static Tensor relu6(Tensor x) {
        return ActivationOp.apply("relu6", ActivationFunction.relu6(), x);
    }

    /** Leaky ReLU with PyTorch's default negative slope 0.01. */
    public static Tensor leakyRelu(Tensor x) {
        return leakyRelu(x, 0.01f);
    }

    /**
     * {@code x > 0 ? x : negativeSlope * x}.
     *
     * @throws IllegalArgumentException if the slope is not finite
     */
    public static Tensor leakyRelu(Tensor x, float negativeSlope) {
        return ActivationOp.apply("leaky_relu", ActivationOp.function("leaky_relu", () -> ActivationFunction.leakyRelu(negativeSlope)), x);
    }

    /**
     * PReLU: {@code x > 0 ? x : weight[c] * x}, c the index along dim 1 of {@code x} (an input of
     * rank 0 or 1 has one channel); {@code weight} holds one learnable slope per channel or a single
     * one shared by all, and gets a gradient.
     *
     * @throws IllegalArgumentException if the weight has neither 1 nor {@code x.size(1)} elements
     */
    public static Tensor prelu(Tensor x, Tensor weight) {
        return ActivationOp.prelu(x, weight);
    }

    /** ELU with alpha 1. */
    public static Tensor elu(Tensor x) {
        return elu(x, 1f);
    }

    /** {@code x > 0 ? x : alpha (e^x - 1)}. */
    public static Tensor elu(Tensor x, float alpha) {
        return ActivationOp.apply("elu", ActivationOp.function("elu", () -> ActivationFunction.elu(alpha)), x);
    }

    /** SELU, {@code scale * elu(x, alpha)} with the fixed constants of Klambauer et al. (1.0507..., 1.6733...). */
    public static Tensor selu(Tensor x) {
        return ActivationOp.apply("selu", ActivationFunction.of(Kind.SELU), x);
    }

    /** CELU with alpha 1. */
    public static Tensor celu(Tensor x) {
        return celu(x, 1f);
    }

    /**
     * {@code x > 0 ? x : alpha (e^(x/alpha) - 1)}.
     *
     * @throws IllegalArgumentException if alpha is 0 or not finite
     */
    public static Tensor celu(Tensor x, float alpha) {
        return ActivationOp.apply("celu", ActivationOp.function("celu", () -> ActivationFunction.celu(alpha)), x);
    }

    /** Exact GELU, {@code x Phi(x)} with Phi the standard normal distribution function. */
    public static Tensor gelu(Tensor x) {
        return gelu(x, "none");
    }

    /**
     * GELU as PyTorch's {@code F.gelu(x, approximate=...)}: {@code "none"} (exact) or {@code "tanh"},
     * {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}.
     *
     * @throws IllegalArgumentException for any other approximation
     */
    public static Tensor gelu(Tensor x, String approximate) {
        ActivationFunction f = switch (approximate) {
            case "none" -> ActivationFunction.of(Kind.GELU);
            case "tanh" -> ActivationFunction.of(Kind.GELU_TANH);
            case null, default -> throw new IllegalArgumentException(
                    "gelu: approximate must be 'none' or 'tanh', got " + (approximate == null ? "null" : "'" + approximate + "'"));
        };
        return ActivationOp.apply("gelu", f, x);
    }

    /** SiLU (swish), {@code x sigmoid(x)}. */
    public static Tensor silu(Tensor x) {
        return ActivationOp.apply("silu", ActivationFunction.of(Kind.SILU), x);
    }

    /** Mish, {@code x tanh(softplus(x))}. */
    public static Tensor mish(Tensor x) {
        return ActivationOp.apply("mish", ActivationFunction.of(Kind.MISH), x);
    }

    /** {@code 1 / (1 + e^-x)}. */
    public static Tensor sigmoid(Tensor x) {
        return ActivationOp.apply("sigmoid", ActivationFunction.of(Kind.SIGMOID), x);
    }

    /** Hyperbolic tangent. */
    public static Tensor tanh(Tensor x) {
        return ActivationOp.apply("tanh", ActivationFunction.of(Kind.TANH), x);
    }

    /** Hardtanh on {@code [-1, 1]}. */
    public static Tensor hardtanh(Tensor x) {
        return hardtanh(x, -1f, 1f);
    }

    /**
     * {@code min(max(x, min), max)}; the gradient is 0 at and beyond the bounds, as in PyTorch.
     *
     * @throws IllegalArgumentException if {@code min > max} or either is NaN
     */
    public static Tensor hardtanh(Tensor x, float min, float max) {
        return ActivationOp.apply("hardtanh", ActivationOp.function("hardtanh", () -> ActivationFunction.hardtanh(min, max)), x);
    }

    /** {@code min(max(x + 3, 0), 6) / 6}. */
    public static Tensor hardsigmoid(Tensor x) {
        return ActivationOp.apply("hardsigmoid", ActivationFunction.of(Kind.HARDSIGMOID), x);
    }

    /** {@code x min(max(x + 3, 0), 6) / 6} (MobileNetV3). */
    public static Tensor hardswish(Tensor x) {
        return ActivationOp.apply("hardswish", ActivationFunction.of(Kind.HARDSWISH), x);
    }

    /** Softplus with beta 1 and threshold 20. */
    public static Tensor softplus(Tensor x) {
        return softplus(x, 1f, 20f);
    }

    /**
     * {@code ln(1 + e^(beta x)) / beta}, and {@code x} where {@code beta x > threshold}; computed
     * without overflow for any x.
     *
     * @throws IllegalArgumentException if beta is 0 or not finite, or threshold is NaN
     */
    public static Tensor softplus(Tensor x, float beta, float threshold) {
        return ActivationOp.apply("softplus", ActivationOp.function("softplus", () -> ActivationFunction.softplus(beta, threshold)), x);
    }

    /** {@code x / (1 + |x|)}. */
    public static Tensor softsign(Tensor x) {
        return ActivationOp.apply("softsign", ActivationFunction.of(Kind.SOFTSIGN), x);
    }

    /** Any {@link ActivationFunction} (for layers and importers that hold one as a value). */
    public static Tensor activation(Tensor x, ActivationFunction function) {
        return ActivationOp.apply(function.kind().name().toLowerCase(java.util.Locale.ROOT), function, x);
    }

    // softmax family

    /**
     * {@code torch.softmax(x, dim)}: {@code exp(x) / sum(exp(x))} over {@code dim} (negative counts
     * from the end; a scalar takes 0 or -1), computed stably as {@code exp(x - max) / sum(exp(x - max))},
     * so any finite input gives finite probabilities. A slice holding NaN or {@code +Inf}, or only
     * {@code -Inf}, is NaN, as in PyTorch. Vectorized ({@code dev.fovea.simd.softmax.Softmax}).
     *
     * @throws IllegalArgumentException if {@code dim} is out of range for {@code x}'s shape
     */
    public static Tensor softmax(Tensor x, int dim) {
        return SoftmaxOp.forward(false, x, dim);
    }

    /**
     * {@code torch.log_softmax(x, dim)}: {@code x - log(sum(exp(x)))} over {@code dim}, computed as
     * {@code (x - max) - log(sum(exp(x - max)))}: finite wherever {@code x - max} is (logits of ±1e4
     * give log-probabilities near -2e4, not -Inf), and more accurate than {@code log(softmax(x))}.
     *
     * @throws IllegalArgumentException if {@code dim} is out of range for {@code x}'s shape
     */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return SoftmaxOp.forward(true, x, dim);
    }
}
