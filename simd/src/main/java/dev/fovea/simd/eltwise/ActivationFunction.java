package dev.fovea.simd.eltwise;

import java.util.Objects;

/**
 * An elementwise activation with its parameters, run by {@link ActivationKernels} forward and
 * backward. Definitions and defaults are PyTorch's ({@code torch.nn.functional}); the kind's
 * Javadoc gives the formula, {@link #alpha} and {@link #beta} its parameters (unused ones are 0).
 * Immutable; construct through the factories, which check the parameters.
 *
 * @param kind the function
 * @param alpha first parameter (slope, alpha, min, beta of softplus), see the kind
 * @param beta second parameter (max of hardtanh, threshold of softplus), see the kind
 */
public record ActivationFunction(Kind kind, float alpha, float beta) {
    /** The activation functions; {@code a} and {@code b} stand for {@link #alpha} and {@link #beta}. */
    public enum Kind {
        /** {@code max(x, 0)}; gradient 1 for {@code x > 0}. */
        RELU,
        /** {@code x > 0 ? x : a x} (a: negative slope, PyTorch default 0.01). */
        LEAKY_RELU,
        /** {@code x > 0 ? x : a (e^x - 1)} (a: alpha, default 1). */
        ELU,
        /** {@code scale * (x > 0 ? x : alpha (e^x - 1))} with PyTorch's fixed alpha and scale. */
        SELU,
        /** {@code x > 0 ? x : a (e^(x/a) - 1)} (a: alpha, default 1, not 0). */
        CELU,
        /** {@code x Phi(x)}, Phi the standard normal distribution function (exact GELU). */
        GELU,
        /** {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, GELU's tanh approximation. */
        GELU_TANH,
        /** {@code x sigmoid(x)} (SiLU, swish). */
        SILU,
        /** {@code x tanh(softplus(x))}. */
        MISH,
        /** {@code min(max(x, a), b)} (a: min, default -1; b: max, default 1); ReLU6 is (0, 6). Gradient 0 at the bounds. */
        HARDTANH,
        /** {@code min(max(x + 3, 0), 6) / 6}. */
        HARDSIGMOID,
        /** {@code x min(max(x + 3, 0), 6) / 6}. */
        HARDSWISH,
        /** {@code ln(1 + e^(a x)) / a}, or {@code x} where {@code a x > b} (a: beta, default 1; b: threshold, default 20). */
        SOFTPLUS,
        /** {@code x / (1 + |x|)}. */
        SOFTSIGN,
        /** {@code 1 / (1 + e^-x)}. */
        SIGMOID,
        /** {@code tanh(x)}. */
        TANH
    }

    /** Checks the kind and that the parameters are usable numbers for it. */
    public ActivationFunction {
        Objects.requireNonNull(kind, "ActivationFunction: kind is null");
        switch (kind) {
            case LEAKY_RELU, ELU -> finite(kind, "alpha", alpha);
            case CELU -> {
                finite(kind, "alpha", alpha);
                if (alpha == 0f) {
                    throw new IllegalArgumentException("ActivationFunction CELU: alpha must not be 0");
                }
            }
            case HARDTANH -> {
                if (Float.isNaN(alpha) || Float.isNaN(beta) || alpha > beta) {
                    throw new IllegalArgumentException("ActivationFunction HARDTANH: need min <= max and neither NaN, got min="
                            + alpha + ", max=" + beta);
                }
            }
            case SOFTPLUS -> {
                finite(kind, "beta", alpha);
                if (alpha == 0f || Float.isNaN(beta)) {
                    throw new IllegalArgumentException("ActivationFunction SOFTPLUS: beta must be non-zero and threshold not NaN,"
                            + " got beta=" + alpha + ", threshold=" + beta);
                }
            }
            default -> { }
        }
    }

    private static void finite(Kind kind, String name, float v) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException("ActivationFunction " + kind + ": " + name + " must be finite, got " + v);
        }
    }

    /** A parameterless function ({@code RELU, SELU, GELU, GELU_TANH, SILU, MISH, HARDSIGMOID, HARDSWISH, SOFTSIGN, SIGMOID, TANH}). */
    public static ActivationFunction of(Kind kind) {
        ActivationFunction f = new ActivationFunction(kind, 0f, 0f);
        switch (kind) {
            case LEAKY_RELU, ELU, CELU, HARDTANH, SOFTPLUS -> throw new IllegalArgumentException(
                    "ActivationFunction.of: " + kind + " takes parameters; use its factory");
            default -> { }
        }
        return f;
    }

    /** Leaky ReLU with the given negative slope. */
    public static ActivationFunction leakyRelu(float negativeSlope) {
        return new ActivationFunction(Kind.LEAKY_RELU, negativeSlope, 0f);
    }

    /** ELU with the given alpha. */
    public static ActivationFunction elu(float alpha) {
        return new ActivationFunction(Kind.ELU, alpha, 0f);
    }

    /** CELU with the given alpha (not 0). */
    public static ActivationFunction celu(float alpha) {
        return new ActivationFunction(Kind.CELU, alpha, 0f);
    }

    /** Hardtanh clamping to {@code [min, max]}. */
    public static ActivationFunction hardtanh(float min, float max) {
        return new ActivationFunction(Kind.HARDTANH, min, max);
    }

    /** ReLU6, {@code min(max(x, 0), 6)}: {@link #hardtanh}(0, 6), as PyTorch defines it. */
    public static ActivationFunction relu6() {
        return hardtanh(0f, 6f);
    }

    /** Softplus with the given beta (not 0) and threshold. */
    public static ActivationFunction softplus(float beta, float threshold) {
        return new ActivationFunction(Kind.SOFTPLUS, beta, threshold);
    }

    /** {@code f(x)} for one value: the scalar definition every kernel path reproduces bit for bit. */
    public float apply(float x) {
        return dev.fovea.simd.eltwise.impl.ActivationScalar.forward(kind, alpha, beta, x);
    }

    /** {@code g f'(x)} for one value, as the backward kernel computes it. */
    public float gradient(float x, float g) {
        return dev.fovea.simd.eltwise.impl.ActivationScalar.backward(kind, alpha, beta, x, g);
    }
}
