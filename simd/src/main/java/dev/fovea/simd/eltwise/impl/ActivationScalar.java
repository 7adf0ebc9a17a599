package dev.fovea.simd.eltwise.impl;

import static dev.fovea.simd.eltwise.impl.ScalarMath.exp;
import static dev.fovea.simd.eltwise.impl.ScalarMath.expm1;
import static dev.fovea.simd.eltwise.impl.ScalarMath.gaussian;
import static dev.fovea.simd.eltwise.impl.ScalarMath.log1p;
import static dev.fovea.simd.eltwise.impl.ScalarMath.normalCdf;
import static dev.fovea.simd.eltwise.impl.ScalarMath.sigmoid;
import static dev.fovea.simd.eltwise.impl.ScalarMath.tanh;

import dev.fovea.simd.eltwise.ActivationFunction.Kind;
import java.lang.foreign.MemorySegment;

/**
 * The scalar definitions of the {@link Kind activation functions} and their gradients: each
 * {@code name(x, a, b)} is {@code f(x)} and each {@code nameGrad(x, g, a, b)} is {@code g f'(x)},
 * with {@code a, b} the function's parameters. {@link ActivationVector} is the lanewise twin (the
 * same operations in the same order, hence the same bits), and the generated vector loops run
 * these on their tails. Built on {@link ScalarMath}, so results are the same in every JIT tier.
 *
 * <p>Conditions are written so that NaN inputs give NaN outputs (and NaN gradients pass
 * {@code g} through where PyTorch does). Where PyTorch computes {@code exp(x) - 1} or
 * {@code log1p(exp(x))}, these use {@link ScalarMath#expm1} and the overflow-free
 * {@code max(x, 0) + log1p(exp(-|x|))}: the same function, rounded better.
 */
public final class ActivationScalar {
    /** SELU's scale and {@code scale * alpha} (Klambauer et al. 2017, PyTorch's constants rounded to float). */
    static final float SELU_SCALE = 1.05070098f;
    static final float SELU_SCALE_ALPHA = 1.75809934f;
    /** {@code 1 / sqrt(2 pi)}. */
    static final float INV_SQRT_2PI = 0.398942280f;
    /** GELU tanh approximation: {@code sqrt(2 / pi)} and the cubic coefficient. */
    static final float GELU_BETA = 0.797884561f;
    static final float GELU_KAPPA = 0.044715f;
    static final float GELU_TANH_CLAMP = 1e4f;
    static final float ONE_SIXTH = 1f / 6f;
    /** Mish: e^20 keeps {@code u (u + 2)} finite, and tanh(softplus(x)) is 1 in float from x = 9. */
    static final float MISH_CLAMP = 20f;

    private ActivationScalar() {}

    /** {@code f(x)} of {@code kind} with parameters {@code a, b}. */
    public static float forward(Kind kind, float a, float b, float x) {
        return switch (kind) {
            case RELU -> relu(x, a, b);
            case LEAKY_RELU -> leakyRelu(x, a, b);
            case ELU -> elu(x, a, b);
            case SELU -> selu(x, a, b);
            case CELU -> celu(x, a, b);
            case GELU -> gelu(x, a, b);
            case GELU_TANH -> geluTanh(x, a, b);
            case SILU -> silu(x, a, b);
            case MISH -> mish(x, a, b);
            case HARDTANH -> hardtanh(x, a, b);
            case HARDSIGMOID -> hardsigmoid(x, a, b);
            case HARDSWISH -> hardswish(x, a, b);
            case SOFTPLUS -> softplus(x, a, b);
            case SOFTSIGN -> softsign(x, a, b);
            case SIGMOID -> sigmoid(x);
            case TANH -> tanh(x);
        };
    }

    /** {@code g f'(x)} of {@code kind} with parameters {@code a, b}. */
    public static float backward(Kind kind, float a, float b, float x, float g) {
        return switch (kind) {
            case RELU -> reluGrad(x, g, a, b);
            case LEAKY_RELU -> leakyReluGrad(x, g, a, b);
            case ELU -> eluGrad(x, g, a, b);
            case SELU -> seluGrad(x, g, a, b);
            case CELU -> celuGrad(x, g, a, b);
            case GELU -> geluGrad(x, g, a, b);
            case GELU_TANH -> geluTanhGrad(x, g, a, b);
            case SILU -> siluGrad(x, g, a, b);
            case MISH -> mishGrad(x, g, a, b);
            case HARDTANH -> hardtanhGrad(x, g, a, b);
            case HARDSIGMOID -> hardsigmoidGrad(x, g, a, b);
            case HARDSWISH -> hardswishGrad(x, g, a, b);
            case SOFTPLUS -> softplusGrad(x, g, a, b);
            case SOFTSIGN -> softsignGrad(x, g, a, b);
            case SIGMOID -> sigmoidGrad(x, g, a, b);
            case TANH -> tanhGrad(x, g, a, b);
        };
    }

    /** {@code y[yOff + i] = f(x[xOff + i])}, element by element (the scalar path). */
    public static void forward(Kind kind, float a, float b, MemorySegment x, long xOff, MemorySegment y, long yOff,
                               long n) {
        for (long i = 0; i < n; i++) {
            Mem.put(y, yOff + i, forward(kind, a, b, Mem.get(x, xOff + i)));
        }
    }

    /** {@code dx[dxOff + i] = g[gOff + i] f'(x[xOff + i])}, element by element (the scalar path). */
    public static void backward(Kind kind, float a, float b, MemorySegment x, long xOff, MemorySegment g, long gOff,
                                MemorySegment dx, long dxOff, long n) {
        for (long i = 0; i < n; i++) {
            Mem.put(dx, dxOff + i, backward(kind, a, b, Mem.get(x, xOff + i), Mem.get(g, gOff + i)));
        }
    }

    /** {@code f(x)} of {@link Kind#RELU}. */
    public static float relu(float x, float a, float b) {
        return x <= 0f ? 0f : x;
    }

    /** {@code g f'(x)} of {@link Kind#RELU}. */
    public static float reluGrad(float x, float g, float a, float b) {
        return x > 0f ? g : 0f;
    }

    /** {@code f(x)} of {@link Kind#LEAKY_RELU}. */
    public static float leakyRelu(float x, float a, float b) {
        return x > 0f ? x : x * a;
    }

    /** {@code g f'(x)} of {@link Kind#LEAKY_RELU}. */
    public static float leakyReluGrad(float x, float g, float a, float b) {
        return x > 0f ? g : g * a;
    }

    /** {@code f(x)} of {@link Kind#ELU}. */
    public static float elu(float x, float a, float b) {
        return x > 0f ? x : a * expm1(x);
    }

    /** {@code g f'(x)} of {@link Kind#ELU}. */
    public static float eluGrad(float x, float g, float a, float b) {
        return x > 0f ? g : g * (a * exp(x));
    }

    /** {@code f(x)} of {@link Kind#SELU}. */
    public static float selu(float x, float a, float b) {
        return x > 0f ? SELU_SCALE * x : SELU_SCALE_ALPHA * expm1(x);
    }

    /** {@code g f'(x)} of {@link Kind#SELU}. */
    public static float seluGrad(float x, float g, float a, float b) {
        return x > 0f ? g * SELU_SCALE : g * (SELU_SCALE_ALPHA * exp(x));
    }

    /** {@code f(x)} of {@link Kind#CELU}. */
    public static float celu(float x, float a, float b) {
        return x > 0f ? x : a * expm1(x / a);
    }

    /** {@code g f'(x)} of {@link Kind#CELU}. */
    public static float celuGrad(float x, float g, float a, float b) {
        return x > 0f ? g : g * exp(x / a);
    }

    /** {@code f(x)} of {@link Kind#GELU}. */
    public static float gelu(float x, float a, float b) {
        return x * normalCdf(x);
    }

    /** {@code g f'(x)} of {@link Kind#GELU}. */
    public static float geluGrad(float x, float g, float a, float b) {
        return g * Math.fma(x, gaussian(x) * INV_SQRT_2PI, normalCdf(x));
    }

    /** {@code 2 sqrt(2/pi) (x + 0.044715 x^3)}: {@code 1 + tanh(z/2) = 2 sigmoid(z)}. */
    static float geluTanhArg(float x) {
        return 2f * GELU_BETA * Math.fma(GELU_KAPPA * x * x, x, x);
    }

    /**
     * {@code f(x)} of {@link Kind#GELU_TANH}, as {@code x sigmoid(z)}: the same function as
     * {@code x/2 (1 + tanh(z/2))} without its cancellation for negative x.
     */
    public static float geluTanh(float x, float a, float b) {
        return x * sigmoid(geluTanhArg(x));
    }

    /**
     * {@code g f'(x)} of {@link Kind#GELU_TANH}: {@code s + 2 x s (1 - s) sqrt(2/pi) (1 + 3 0.044715 x^2)}
     * with {@code s = sigmoid(z)}, and {@code s} and {@code 1 - s} both from {@code e = exp(-|z|)}.
     */
    public static float geluTanhGrad(float x, float g, float a, float b) {
        float z = geluTanhArg(x);
        float e = exp(-Math.abs(z));
        float d = 1f + e;
        float s = (z < 0f ? e : 1f) / d;
        float sc = (z < 0f ? 1f : e) / d;
        // Beyond |x| = 1e4, s (1 - s) is 0; the clamp keeps the product with it from being inf * 0.
        float xc = x > GELU_TANH_CLAMP ? GELU_TANH_CLAMP : x < -GELU_TANH_CLAMP ? -GELU_TANH_CLAMP : x;
        float inner = GELU_BETA * Math.fma(3f * GELU_KAPPA * xc, xc, 1f);
        return g * Math.fma(2f * xc * inner, s * sc, s);
    }

    /** {@code f(x)} of {@link Kind#SILU}. */
    public static float silu(float x, float a, float b) {
        return x * sigmoid(x);
    }

    /** {@code g f'(x)} of {@link Kind#SILU}. */
    public static float siluGrad(float x, float g, float a, float b) {
        float s = sigmoid(x);
        return g * (s * Math.fma(x, 1f - s, 1f));
    }

    /** {@code ln(1 + e^x)} without overflow. */
    static float softplus1(float x) {
        return (x > 0f ? x : 0f) + log1p(exp(-Math.abs(x)));
    }

    /**
     * {@code tanh(softplus(x))} from one exponential: with {@code u = e^x} and
     * {@code n = u (u + 2) = (1 + u)^2 - 1}, it is {@code n / (n + 2)}, free of cancellation for
     * negative x (where it is about u) and exactly 1 in float from x = 9 on; x is clamped to 20
     * so that n stays finite.
     */
    static float mishTanh(float x) {
        float u = exp(x > MISH_CLAMP ? MISH_CLAMP : x);
        float n = u * (u + 2f);
        return n / (n + 2f);
    }

    /** {@code f(x)} of {@link Kind#MISH}: {@code x tanh(softplus(x))}. */
    public static float mish(float x, float a, float b) {
        return x * mishTanh(x);
    }

    /**
     * {@code g f'(x)} of {@link Kind#MISH}: {@code t + x sigmoid(x) (1 - t^2)} with
     * {@code 1 - t^2 = 4 (n + 1) / (n + 2)^2} and {@code sigmoid(x) = u / (1 + u)}, all from the
     * one {@code u = e^x} (x clamped to 20, where the second term is below float resolution).
     */
    public static float mishGrad(float x, float g, float a, float b) {
        float xc = x > MISH_CLAMP ? MISH_CLAMP : x;
        float u = exp(xc);
        float n = u * (u + 2f);
        float d = n + 2f;
        float t = n / d;
        float s = u / (1f + u);
        float oneMinusT2 = 4f * (n + 1f) / (d * d);
        return g * Math.fma(xc * s, oneMinusT2, t);
    }

    /** {@code f(x)} of {@link Kind#HARDTANH}. */
    public static float hardtanh(float x, float a, float b) {
        return x < a ? a : x > b ? b : x;
    }

    /** {@code g f'(x)} of {@link Kind#HARDTANH}. */
    public static float hardtanhGrad(float x, float g, float a, float b) {
        return x <= a || x >= b ? 0f : g;
    }

    /** {@code min(max(x + 3, 0), 6)}, NaN propagating. */
    static float relu6Shifted(float x) {
        float t = x + 3f;
        return t < 0f ? 0f : t > 6f ? 6f : t;
    }

    /** {@code f(x)} of {@link Kind#HARDSIGMOID}. */
    public static float hardsigmoid(float x, float a, float b) {
        return relu6Shifted(x) / 6f;
    }

    /** {@code g f'(x)} of {@link Kind#HARDSIGMOID}. */
    public static float hardsigmoidGrad(float x, float g, float a, float b) {
        return x > -3f && x < 3f ? g * ONE_SIXTH : 0f;
    }

    /** {@code f(x)} of {@link Kind#HARDSWISH}. */
    public static float hardswish(float x, float a, float b) {
        return x * relu6Shifted(x) / 6f;
    }

    /**
     * {@code g f'(x)} of {@link Kind#HARDSWISH}: {@code g} from x = 3 on, as PyTorch's vectorized
     * kernel (its scalar loop, which runs on short tails, takes the middle branch at 3: 1.5 g).
     */
    public static float hardswishGrad(float x, float g, float a, float b) {
        return x < -3f ? 0f : x < 3f ? g * (x / 3f + 0.5f) : g;
    }

    /** {@code f(x)} of {@link Kind#SOFTPLUS}. */
    public static float softplus(float x, float a, float b) {
        float z = x * a;
        return z > b ? x : softplus1(z) / a;
    }

    /** {@code g f'(x)} of {@link Kind#SOFTPLUS}. */
    public static float softplusGrad(float x, float g, float a, float b) {
        float z = x * a;
        return z > b ? g : g * sigmoid(z);
    }

    /** {@code f(x)} of {@link Kind#SOFTSIGN}. */
    public static float softsign(float x, float a, float b) {
        return x / (1f + Math.abs(x));
    }

    /** {@code g f'(x)} of {@link Kind#SOFTSIGN}. */
    public static float softsignGrad(float x, float g, float a, float b) {
        float d = 1f + Math.abs(x);
        return g / (d * d);
    }

    /** {@code g f'(x)} of {@link Kind#SIGMOID}: {@code e / (1 + e)^2} with {@code e = exp(-|x|)}, no {@code 1 - s} cancellation. */
    public static float sigmoidGrad(float x, float g, float a, float b) {
        float e = exp(-Math.abs(x));
        float d = 1f + e;
        return g * (e / (d * d));
    }

    /** {@code g f'(x)} of {@link Kind#TANH}: {@code 4e / (1 + e)^2} with {@code e = exp(-2|x|)}, no {@code 1 - t^2} cancellation. */
    public static float tanhGrad(float x, float g, float a, float b) {
        float e = exp(-2f * Math.abs(x));
        float d = 1f + e;
        return g * (4f * e / (d * d));
    }
}
