package dev.fovea.nn.init;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Parameter initialisers with PyTorch's definitions and fan conventions ({@code torch.nn.init}).
 * Each returns a new tensor of the given shape, to be copied into a parameter with {@link #set};
 * {@link #constant}, {@link #zeros} and {@link #ones} write in place.
 *
 * <p>Randomness: the initialisers that take a {@link RandomGenerator} draw only from it (pass
 * {@code new SplittableRandom(seed)} for a seeded draw). The older forms without one draw from a
 * shared generator ({@link #manualSeed}, as {@code torch.manual_seed}; seed 0 until set), which
 * the layers' constructors use so that a model built after the same seed has the same weights.
 * Thread-safe; a caller's generator must not be shared across threads during a call.
 *
 * <p>Fans follow PyTorch's {@code _calculate_fan_in_and_fan_out}: for a shape
 * {@code (d0, d1, k...)} of rank at least 2, fan-in is {@code d1 * prod(k)} and fan-out
 * {@code d0 * prod(k)}.
 */
public final class Init {
    private static SplittableRandom generator = new SplittableRandom(0);

    private Init() {}

    /** Re-seeds the shared generator, which the initialisers without a {@link RandomGenerator} argument draw from. */
    public static synchronized void manualSeed(long seed) {
        generator = new SplittableRandom(seed);
    }

    /** A tensor of {@code shape} drawn uniformly from {@code [lo, hi)} by the shared generator. */
    public static synchronized Tensor uniform(double lo, double hi, long... shape) {
        return uniform(generator, lo, hi, shape);
    }

    /**
     * A tensor of {@code shape} drawn uniformly from {@code [lo, hi)} by {@code rng}
     * ({@code nn.init.uniform_}); float rounding may give {@code hi} itself.
     */
    public static Tensor uniform(RandomGenerator rng, double lo, double hi, long... shape) {
        if (!(lo <= hi) || Double.isInfinite(lo) || Double.isInfinite(hi)) {
            throw new IllegalArgumentException("Init.uniform: need finite lo <= hi, got " + lo + ", " + hi);
        }
        float[] v = new float[elements("Init.uniform", shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return Tensor.of(v, shape);
    }

    /** A new generator seeded from the shared one (for a layer that draws at every call, e.g. dropout). */
    public static synchronized RandomGenerator split() {
        return generator.split();
    }

    /** A tensor of {@code shape} drawn from the normal distribution {@code N(mean, std^2)} by the shared generator. */
    public static synchronized Tensor normal(double mean, double std, long... shape) {
        return normal(generator, mean, std, shape);
    }

    /** A tensor of {@code shape} drawn from {@code N(mean, std^2)} by {@code rng} ({@code nn.init.normal_}). */
    public static Tensor normal(RandomGenerator rng, double mean, double std, long... shape) {
        checkNormal("Init.normal", mean, std);
        float[] v = new float[elements("Init.normal", shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * rng.nextGaussian());
        }
        return Tensor.of(v, shape);
    }

    private static void checkNormal(String op, double mean, double std) {
        if (!(std >= 0) || !Double.isFinite(mean) || Double.isInfinite(std)) {
            throw new IllegalArgumentException(op + ": need a finite mean and std >= 0, got " + mean + ", " + std);
        }
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

    /** Overwrites {@code parameter} with zeros, outside autograd ({@code nn.init.zeros_}). */
    public static void zeros(Tensor parameter) {
        constant(parameter, 0f);
    }

    /** Overwrites {@code parameter} with ones, outside autograd ({@code nn.init.ones_}). */
    public static void ones(Tensor parameter) {
        constant(parameter, 1f);
    }

    private static int elements(String op, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": sizes must be >= 0, got " + Arrays.toString(shape));
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

    /** {@link #calculateGain(Nonlinearity, double)} with PyTorch's default parameter (leaky ReLU slope 0.01). */
    public static double calculateGain(Nonlinearity nonlinearity) {
        return calculateGain(nonlinearity, 0.01);
    }

    /**
     * The recommended gain of PyTorch's {@code calculate_gain}: 1 for the linear and convolution
     * functions and for the sigmoid, 5/3 for tanh, sqrt(2) for ReLU, {@code sqrt(2 / (1 + param^2))}
     * for a leaky ReLU of negative slope {@code param} (ignored by the others), 3/4 for SELU.
     */
    public static double calculateGain(Nonlinearity nonlinearity, double param) {
        return switch (nonlinearity) {
            case LINEAR, CONV1D, CONV2D, CONV3D, CONV_TRANSPOSE1D, CONV_TRANSPOSE2D, CONV_TRANSPOSE3D, SIGMOID -> 1;
            case TANH -> 5.0 / 3;
            case RELU -> Math.sqrt(2.0);
            case LEAKY_RELU -> {
                if (!Double.isFinite(param)) {
                    throw new IllegalArgumentException("Init.calculateGain: the negative slope must be finite, got "
                            + param);
                }
                yield leakyReluGain(param);
            }
            case SELU -> 0.75;
        };
    }

    /**
     * Xavier (Glorot) uniform ({@code nn.init.xavier_uniform_}): {@code U(-bound, bound)} with
     * {@code bound = gain * sqrt(6 / (fanIn + fanOut))}, from {@code rng}.
     *
     * @throws IllegalArgumentException if the shape has rank below 2 or the gain is not finite
     */
    public static Tensor xavierUniform(RandomGenerator rng, double gain, long... shape) {
        long[] fans = fans("Init.xavierUniform", gain, shape);
        double bound = fans[0] + fans[1] == 0 ? 0 : Math.abs(gain) * Math.sqrt(6.0 / (fans[0] + fans[1]));
        return uniform(rng, -bound, bound, shape);
    }

    /**
     * Xavier (Glorot) normal ({@code nn.init.xavier_normal_}): {@code N(0, std^2)} with
     * {@code std = gain * sqrt(2 / (fanIn + fanOut))}, from {@code rng}.
     *
     * @throws IllegalArgumentException if the shape has rank below 2 or the gain is not finite
     */
    public static Tensor xavierNormal(RandomGenerator rng, double gain, long... shape) {
        long[] fans = fans("Init.xavierNormal", gain, shape);
        double std = fans[0] + fans[1] == 0 ? 0 : Math.abs(gain) * Math.sqrt(2.0 / (fans[0] + fans[1]));
        return normal(rng, 0, std, shape);
    }

    /**
     * Kaiming (He) uniform ({@code nn.init.kaiming_uniform_(tensor, a, mode, nonlinearity)}):
     * {@code U(-bound, bound)} with {@code bound = sqrt(3) * calculateGain(nonlinearity, a) /
     * sqrt(fan)}, from {@code rng}. {@code a} is the negative slope of a leaky ReLU (PyTorch's
     * default is 0 with {@link Nonlinearity#LEAKY_RELU}, which is the ReLU's gain).
     *
     * @throws IllegalArgumentException if the shape has rank below 2
     */
    public static Tensor kaimingUniform(RandomGenerator rng, double a, FanMode mode, Nonlinearity nonlinearity,
                                        long... shape) {
        double std = kaimingStd("Init.kaimingUniform", a, mode, nonlinearity, shape);
        return uniform(rng, -Math.sqrt(3) * std, Math.sqrt(3) * std, shape);
    }

    /**
     * Kaiming (He) normal ({@code nn.init.kaiming_normal_(tensor, a, mode, nonlinearity)}):
     * {@code N(0, std^2)} with {@code std = calculateGain(nonlinearity, a) / sqrt(fan)}, from
     * {@code rng}; e.g. torchvision's ResNet convolutions are
     * {@code kaimingNormal(rng, 0, FanMode.FAN_OUT, Nonlinearity.RELU, shape)}.
     *
     * @throws IllegalArgumentException if the shape has rank below 2
     */
    public static Tensor kaimingNormal(RandomGenerator rng, double a, FanMode mode, Nonlinearity nonlinearity,
                                       long... shape) {
        return normal(rng, 0, kaimingStd("Init.kaimingNormal", a, mode, nonlinearity, shape), shape);
    }

    private static double kaimingStd(String op, double a, FanMode mode, Nonlinearity nonlinearity, long[] shape) {
        long[] fans = fans(op, 1, shape);
        long fan = mode == FanMode.FAN_IN ? fans[0] : fans[1];
        return fan == 0 ? 0 : calculateGain(nonlinearity, a) / Math.sqrt(fan);
    }

    /**
     * A (semi-)orthogonal matrix scaled by {@code gain} ({@code nn.init.orthogonal_}): a
     * {@code rows x cols} matrix of {@code N(0, 1)} draws from {@code rng}, with {@code rows = d0}
     * and {@code cols} the product of the other sizes (the tensor flattened from dimension 1), is
     * replaced by the orthogonal factor of its QR decomposition, columns signed by {@code R}'s
     * diagonal as PyTorch does. So {@code W W^T = gain^2 I} when {@code rows <= cols} and
     * {@code W^T W = gain^2 I} when {@code rows >= cols}. Computed in double precision.
     *
     * @throws IllegalArgumentException if the shape has rank below 2 or the gain is not finite
     */
    public static Tensor orthogonal(RandomGenerator rng, double gain, long... shape) {
        if (shape.length < 2 || !Double.isFinite(gain)) {
            throw new IllegalArgumentException("Init.orthogonal: needs a shape of rank >= 2 and a finite gain, got "
                    + Arrays.toString(shape) + " and " + gain);
        }
        int n = elements("Init.orthogonal", shape);
        if (n == 0) {
            return Tensor.zeros(shape);
        }
        int rows = Math.toIntExact(shape[0]);
        int cols = n / rows;
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = rng.nextGaussian();
        }
        double[] q = Orthogonal.of(m, rows, cols);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (gain * q[i]);
        }
        return Tensor.of(v, shape);
    }

    /**
     * The normal distribution {@code N(mean, std^2)} truncated to {@code [a, b]}
     * ({@code nn.init.trunc_normal_}; {@code a} and {@code b} are values, not multiples of
     * {@code std}), drawn from {@code rng} by inverting the CDF as PyTorch does: exact for any
     * interval, also far in a tail (where this computes in the nearer tail, keeping precision
     * PyTorch loses beyond about 8 standard deviations).
     *
     * @throws IllegalArgumentException unless {@code std > 0}, {@code a < b} and the interval has
     *     probability above double's underflow (within about 37 standard deviations of the mean)
     */
    public static Tensor truncNormal(RandomGenerator rng, double mean, double std, double a, double b,
                                     long... shape) {
        checkNormal("Init.truncNormal", mean, std);
        if (!(std > 0) || !(a < b) || Double.isNaN(a) || Double.isNaN(b)) {
            throw new IllegalArgumentException("Init.truncNormal: need std > 0 and a < b, got std " + std + ", ["
                    + a + ", " + b + "]");
        }
        double lo = (a - mean) / std;
        double hi = (b - mean) / std;
        // Far in the upper tail the CDF is 1 - tiny and loses its digits: sample the mirror image.
        boolean mirror = lo > 0;
        double zLo = mirror ? -hi : lo;
        double zHi = mirror ? -lo : hi;
        double pLo = StandardNormal.cdf(zLo);
        double pHi = StandardNormal.cdf(zHi);
        if (!(pHi > pLo)) {
            throw new IllegalArgumentException("Init.truncNormal: [" + a + ", " + b + "] has no probability in double"
                    + " precision under N(" + mean + ", " + std + "^2)");
        }
        float[] v = new float[elements("Init.truncNormal", shape)];
        for (int i = 0; i < v.length; i++) {
            double p = pLo + (pHi - pLo) * rng.nextDouble();
            double z = p > 0 && p < 1 ? StandardNormal.inverseCdf(p) : (p <= 0 ? zLo : zHi);
            double x = mean + std * (mirror ? -z : z);
            v[i] = (float) Math.min(b, Math.max(a, x));
        }
        return Tensor.of(v, shape);
    }

    /** {fanIn, fanOut} of {@code shape} as PyTorch computes them; checks the rank and the gain. */
    private static long[] fans(String op, double gain, long[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException(op + ": fan in and fan out need a shape of rank >= 2, got "
                    + Arrays.toString(shape));
        }
        if (!Double.isFinite(gain)) {
            throw new IllegalArgumentException(op + ": the gain must be finite, got " + gain);
        }
        elements(op, shape);
        long receptive = 1;
        for (int d = 2; d < shape.length; d++) {
            receptive *= shape[d];
        }
        return new long[] {shape[1] * receptive, shape[0] * receptive};
    }
}
