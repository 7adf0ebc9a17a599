package dev.fovea.nn.init;

import dev.fovea.tensor.Tensor;
import java.util.SplittableRandom;

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
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * generator.nextDouble());
        }
        return Tensor.of(v, shape);
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
