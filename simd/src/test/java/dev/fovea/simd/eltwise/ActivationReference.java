package dev.fovea.simd.eltwise;

import dev.fovea.simd.eltwise.ActivationFunction.Kind;

/**
 * The activation functions and their derivatives in double precision, written from their
 * mathematical definitions with {@link Math}'s double functions (independent of the float kernels
 * and their polynomials): the reference of {@link ActivationKernelsTest}. The normal distribution
 * function is Simpson's rule over the density, which needs no erf.
 */
final class ActivationReference {
    static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    static final double SELU_SCALE = 1.0507009873554804934193349852946;

    private ActivationReference() {}

    /** {@code f(x)}. */
    static double forward(ActivationFunction f, double x) {
        double a = f.alpha();
        double b = f.beta();
        return switch (f.kind()) {
            case RELU -> x > 0 ? x : 0;
            case LEAKY_RELU -> x > 0 ? x : a * x;
            case ELU -> x > 0 ? x : a * Math.expm1(x);
            case SELU -> SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
            case CELU -> x > 0 ? x : a * Math.expm1(x / a);
            case GELU -> x * phi(x);
            case GELU_TANH -> x / (1 + Math.exp(-2 * geluTanhArg(x))); // 0.5 x (1 + tanh(u)) without cancellation
            case SILU -> x / (1 + Math.exp(-x));
            case MISH -> x * Math.tanh(softplus(x));
            case HARDTANH -> Math.min(Math.max(x, a), b);
            case HARDSIGMOID -> Math.min(Math.max(x + 3, 0), 6) / 6;
            case HARDSWISH -> x * Math.min(Math.max(x + 3, 0), 6) / 6;
            case SOFTPLUS -> a * x > b ? x : softplus(a * x) / a;
            case SOFTSIGN -> x / (1 + Math.abs(x));
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
        };
    }

    /** {@code f'(x)}. */
    static double derivative(ActivationFunction f, double x) {
        double a = f.alpha();
        double b = f.beta();
        return switch (f.kind()) {
            case RELU -> x > 0 ? 1 : 0;
            case LEAKY_RELU -> x > 0 ? 1 : a;
            case ELU -> x > 0 ? 1 : a * Math.exp(x);
            case SELU -> SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x));
            case CELU -> x > 0 ? 1 : Math.exp(x / a);
            case GELU -> phi(x) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
            case GELU_TANH -> {
                double u = geluTanhArg(x);
                double onePlusT = 2 / (1 + Math.exp(-2 * u)); // 1 + tanh(u)
                double oneMinusT = 2 / (1 + Math.exp(2 * u)); // 1 - tanh(u)
                yield 0.5 * onePlusT + 0.5 * x * onePlusT * oneMinusT * Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x);
            }
            case SILU -> {
                double s = 1 / (1 + Math.exp(-x));
                yield s * (1 + x * (1 - s));
            }
            case MISH -> {
                double t = Math.tanh(softplus(x));
                double s = 1 / (1 + Math.exp(-x));
                yield t + x * s * (1 - t * t);
            }
            case HARDTANH -> x <= a || x >= b ? 0 : 1;
            case HARDSIGMOID -> x > -3 && x < 3 ? 1.0 / 6 : 0;
            case HARDSWISH -> x < -3 ? 0 : x < 3 ? x / 3 + 0.5 : 1;
            case SOFTPLUS -> a * x > b ? 1 : 1 / (1 + Math.exp(-a * x));
            case SOFTSIGN -> 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x)));
            case SIGMOID -> 1 / (1 + Math.exp(-x)) / (1 + Math.exp(x));
            case TANH -> 1 / (Math.cosh(x) * Math.cosh(x));
        };
    }

    /**
     * The magnitude of the terms a float computation of {@code f'(x)} must add: where the
     * derivative crosses zero (GELU near -0.75, SiLU near -1.28, Mish near -1.19, hardswish at
     * -1.5) its value is a difference of such terms, so float rounding of them bounds the
     * attainable absolute error. Otherwise {@code |f'(x)|}.
     */
    static double derivativeTermScale(ActivationFunction f, double x) {
        double s = 1 / (1 + Math.exp(-x));
        return switch (f.kind()) {
            case GELU -> phi(x) + Math.abs(x) * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
            case SILU -> s * (1 + Math.abs(x) * (1 - s));
            case MISH -> {
                double t = Math.tanh(softplus(x));
                yield Math.abs(t) + Math.abs(x) * s * (1 - t * t);
            }
            case HARDSWISH -> x < -3 || x > 3 ? Math.abs(derivative(f, x)) : Math.abs(x / 3) + 0.5;
            default -> Math.abs(derivative(f, x));
        };
    }

    private static double geluTanhArg(double x) {
        return Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
    }

    /** {@code ln(1 + e^x)} without overflow. */
    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /**
     * The standard normal distribution function: the upper tail {@code int_a^(a+40) density} by
     * Simpson's rule with step 1/512 (error below 1e-14 relative: the density is smooth and the
     * neglected tail beyond a+40 is below e^-800), subtracted from 1 for positive x.
     */
    static double phi(double x) {
        double a = Math.abs(x);
        int n = 40 * 512;
        double h = 40.0 / n;
        double s = density(a) + density(a + 40);
        for (int i = 1; i < n; i++) {
            s += (i % 2 == 1 ? 4 : 2) * density(a + i * h);
        }
        double tail = s * h / 3;
        return x < 0 ? tail : 1 - tail;
    }

    private static double density(double t) {
        return Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
    }
}
