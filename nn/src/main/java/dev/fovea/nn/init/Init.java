package dev.fovea.nn.init;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Parameter initialisers with PyTorch's definitions and fan conventions, drawing from one seeded
 * generator ({@link #manualSeed}, as {@code torch.manual_seed}; seed 0 until set), so that a model
 * built after the same seed has the same weights. Thread-safe.
 */
public final class Init {
    private static SplittableRandom generator = new SplittableRandom(0);

    private Init() {}

    /** Re-seeds the generator every initialiser draws from. */
    public static synchronized void manualSeed(long seed) {
        generator = new SplittableRandom(seed);
    }

    /** A tensor of {@code shape} drawn uniformly from {@code [lo, hi)}. */
    public static synchronized Tensor uniform(double lo, double hi, long... shape) {
        if (!(lo <= hi) || Double.isInfinite(lo) || Double.isInfinite(hi)) {
            throw new IllegalArgumentException("Init.uniform: need finite lo <= hi, got " + lo + ", " + hi);
        }
        float[] v = new float[elements("Init.uniform", shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * generator.nextDouble());
        }
        return Tensor.of(v, shape);
    }

    /** A new generator seeded from this one (for a layer that draws at every call, e.g. dropout). */
    public static synchronized RandomGenerator split() {
        return generator.split();
    }

    /** A tensor of {@code shape} drawn from the normal distribution {@code N(mean, std^2)}. */
    public static synchronized Tensor normal(double mean, double std, long... shape) {
        if (!(std >= 0) || !Double.isFinite(mean) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("Init.normal: need a finite mean and std >= 0, got " + mean + ", " + std);
        }
        float[] v = new float[elements("Init.normal", shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * generator.nextGaussian());
        }
        return Tensor.of(v, shape);
    }

    /**
     * Kaiming (He) normal in fan-out mode for a ReLU, {@code N(0, 2 / fanOut)}: torchvision's
     * initialisation of ResNet and VGG convolutions ({@code kaiming_normal_(mode="fan_out",
     * nonlinearity="relu")}), fan-out being {@code outC * kernel volume}.
     */
    public static Tensor kaimingNormalFanOut(long fanOut, long... shape) {
        if (fanOut < 1) {
            throw new IllegalArgumentException("Init.kaimingNormalFanOut: fanOut must be >= 1, got " + fanOut);
        }
        return normal(0, Math.sqrt(2.0 / fanOut), shape);
    }

    /** Overwrites {@code parameter} with {@code values} (same shape) outside autograd, as PyTorch's in-place init functions. */
    public static void set(Tensor parameter, Tensor values) {
        try (Grad off = Grad.off()) {
            parameter.copyFrom(values);
        }
    }

    /** Overwrites {@code parameter} with {@code value} everywhere, outside autograd ({@code nn.init.constant_}). */
    public static void constant(Tensor parameter, float value) {
        try (Grad off = Grad.off()) {
            parameter.fill(value);
        }
    }

    private static int elements(String op, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": sizes must be >= 0, got " + java.util.Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return Math.toIntExact(n);
    }

    /** {@code sqrt(2 / (1 + a^2))}, the gain of a leaky ReLU with negative slope {@code a} (PyTorch's calculate_gain). */
    public static double leakyReluGain(double a) {
        return Math.sqrt(2 / (1 + a * a));
    }

    /**
     * Kaiming (He) uniform: {@code U(-bound, bound)} with {@code bound = gain(a) * sqrt(3 / fanIn)},
     * PyTorch's {@code kaiming_uniform_} in its default fan-in mode.
     *
     * @throws IllegalArgumentException if {@code fanIn} is not positive
     */
    public static Tensor kaimingUniform(double a, long fanIn, long... shape) {
        if (fanIn < 1) {
            throw new IllegalArgumentException("Init.kaimingUniform: fanIn must be >= 1, got " + fanIn);
        }
        double bound = leakyReluGain(a) * Math.sqrt(3.0 / fanIn);
        return uniform(-bound, bound, shape);
    }

    /**
     * PyTorch's default weight of conv and linear layers: {@code kaimingUniform(sqrt(5), fanIn)},
     * that is {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}.
     */
    public static Tensor defaultWeight(long fanIn, long... shape) {
        return kaimingUniform(Math.sqrt(5), fanIn, shape);
    }

    /** PyTorch's default bias of conv and linear layers: {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}. */
    public static Tensor defaultBias(long fanIn, long size) {
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return uniform(-bound, bound, size);
    }
}
