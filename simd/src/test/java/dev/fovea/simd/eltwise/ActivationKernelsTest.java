package dev.fovea.simd.eltwise;

import static dev.fovea.simd.eltwise.TestData.all;
import static dev.fovea.simd.eltwise.TestData.output;
import static dev.fovea.simd.eltwise.TestData.same;
import static dev.fovea.simd.eltwise.TestData.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.simd.eltwise.ActivationFunction.Kind;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ActivationKernels} on the running path (512-bit, 256-bit or scalar, one surefire run
 * each): accuracy against {@link ActivationReference} in double, bit-identity with the scalar
 * definitions at every tail and thread split, special values, argument checks.
 *
 * <p><b>Tolerance.</b> A float evaluation that rounds each of its steps is exact for an input
 * perturbed by a few ulps, so its error is bounded by rounding of the result plus the function's
 * sensitivity to its input: {@code |got - ref| <= U 2^-24 (|f(x)| + |x f'(x)|)} forward and
 * {@code U 2^-24 |g| (T(x) + |x f''(x)|)} backward, with T the magnitude of the terms that are
 * summed ({@link ActivationReference#derivativeTermScale}: a derivative that crosses zero cannot
 * be computed to better than its terms' rounding), plus {@link #SUBNORMAL} for
 * results that pass through the subnormal range. Measured maxima over these inputs (Zen 4, every
 * path): forward 11 ulp-units (GELU, where {@code 1/2 - erf/2} cancels below x = -1), most
 * functions 2-3; backward 14. U = 16 forward and 32 backward leave room while still failing a
 * wrong formula or constant by orders of magnitude.
 */
class ActivationKernelsTest {
    static final double EPS = 0x1p-24;
    /**
     * An intermediate that underflows to a subnormal carries absolute precision only; later
     * products with x (x^2 in GELU-tanh's derivative) scale that error: 32 subnormal steps times (1 + x^2).
     */
    static final double SUBNORMAL = 32 * (double) Float.MIN_VALUE;

    static Stream<ActivationFunction> functions() {
        return Stream.of(ActivationFunction.of(Kind.RELU), ActivationFunction.leakyRelu(0.01f),
                ActivationFunction.leakyRelu(-0.3f), ActivationFunction.elu(1f), ActivationFunction.elu(0.5f),
                ActivationFunction.of(Kind.SELU), ActivationFunction.celu(1f), ActivationFunction.celu(0.7f),
                ActivationFunction.of(Kind.GELU), ActivationFunction.of(Kind.GELU_TANH), ActivationFunction.of(Kind.SILU),
                ActivationFunction.of(Kind.MISH), ActivationFunction.hardtanh(-1f, 1f), ActivationFunction.relu6(),
                ActivationFunction.of(Kind.HARDSIGMOID), ActivationFunction.of(Kind.HARDSWISH),
                ActivationFunction.softplus(1f, 20f), ActivationFunction.softplus(2f, 5f), ActivationFunction.softplus(-1.5f, 20f),
                ActivationFunction.of(Kind.SOFTSIGN), ActivationFunction.of(Kind.SIGMOID), ActivationFunction.of(Kind.TANH));
    }

    /** Wide, central and tiny inputs, plus exact kink points (0, ±3, the bounds). */
    static float[] inputs(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        float[] kinks = {0f, -0f, 3f, -3f, 1f, -1f, 6f, 20f, 10f};
        for (int i = 0; i < n; i++) {
            x[i] = switch (i % 4) {
                case 0 -> (float) (r.nextDouble() * 60 - 30);
                case 1 -> (float) (r.nextDouble() * 8 - 4);
                case 2 -> (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, -r.nextInt(12)));
                default -> i % 32 == 3 ? kinks[r.nextInt(kinks.length)] : (float) (r.nextDouble() * 200 - 100);
            };
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("functions")
    void forwardAndBackwardMatchDoublePrecision(ActivationFunction f) {
        int n = 4003;
        float[] x = inputs(f.hashCode(), n);
        float[] g = new float[n];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            g[i] = (float) (r.nextDouble() * 4 - 2);
        }
        MemorySegment xs = segment(x, 0);
        MemorySegment gs = segment(g, 0);
        MemorySegment ys = output(n);
        MemorySegment dxs = output(n);
        ActivationKernels.forward(f, xs, 0, ys, 0, n);
        ActivationKernels.backward(f, xs, 0, gs, 0, dxs, 0, n);
        float[] y = all(ys);
        float[] dx = all(dxs);
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < n && bad.size() < 5; i++) {
            double xi = x[i];
            double ref = ActivationReference.forward(f, xi);
            double bound = 16 * EPS * (Math.abs(ref) + Math.abs(xi * ActivationReference.derivative(f, xi))) + SUBNORMAL * (1 + xi * xi);
            if (!(Math.abs(y[i] - ref) <= bound)) {
                bad.add("f(" + xi + ") = " + y[i] + ", expected " + ref);
            }
            if (isKink(f, xi)) {
                continue;
            }
            double dref = g[i] * ActivationReference.derivative(f, xi);
            double dbound = 32 * EPS * Math.abs(g[i]) * (ActivationReference.derivativeTermScale(f, xi)
                    + Math.abs(xi * secondDerivative(f, xi))) + SUBNORMAL * (1 + xi * xi);
            if (!(Math.abs(dx[i] - dref) <= dbound)) {
                bad.add("g f'(" + xi + ") = " + dx[i] + ", expected " + dref + " (g = " + g[i] + ")");
            }
        }
        assertTrue(bad.isEmpty(), f + ": " + bad);
    }

    /** Points where f' is discontinuous: the kernels take PyTorch's one-sided choice there, checked in {@link #kinksFollowPyTorch}. */
    private static boolean isKink(ActivationFunction f, double x) {
        return switch (f.kind()) {
            case RELU, LEAKY_RELU, ELU, SELU, CELU -> x == 0;
            case HARDTANH -> x == f.alpha() || x == f.beta();
            case HARDSIGMOID, HARDSWISH -> Math.abs(x) == 3;
            case SOFTPLUS -> f.alpha() * x == f.beta();
            default -> false;
        };
    }

    /** Central difference of the double reference derivative (only scales the tolerance). */
    private static double secondDerivative(ActivationFunction f, double x) {
        double h = 1e-5 * Math.max(1, Math.abs(x));
        return (ActivationReference.derivative(f, x + h) - ActivationReference.derivative(f, x - h)) / (2 * h);
    }

    @Test
    void kinksFollowPyTorch() {
        assertEquals(0f, ActivationFunction.of(Kind.RELU).gradient(0f, 1f));
        assertEquals(0.01f, ActivationFunction.leakyRelu(0.01f).gradient(0f, 1f));
        assertEquals(1f, ActivationFunction.elu(1f).gradient(0f, 1f), "elu'(0) takes the left side, alpha e^0");
        assertEquals(0f, ActivationFunction.relu6().gradient(0f, 1f), "hardtanh' is 0 at the bounds");
        assertEquals(0f, ActivationFunction.relu6().gradient(6f, 1f));
        assertEquals(0f, ActivationFunction.of(Kind.HARDSIGMOID).gradient(3f, 1f));
        assertEquals(-0.5f, ActivationFunction.of(Kind.HARDSWISH).gradient(-3f, 1f), 0f, "x/3 + 1/2 from x = -3 on");
        assertEquals(1f, ActivationFunction.of(Kind.HARDSWISH).gradient(3f, 1f), 0f, "1 from x = 3 on, as PyTorch's vector loop");
        assertEquals(20f, ActivationFunction.softplus(1f, 20f).apply(20f), 1e-6f, "at the threshold: log1p(e^20)");
        assertEquals(25f, ActivationFunction.softplus(1f, 20f).apply(25f), 0f, "above the threshold: x");
    }

    @ParameterizedTest
    @MethodSource("functions")
    void vectorLoopsEqualTheScalarDefinitionAtEveryTail(ActivationFunction f) {
        for (long n : TestData.sizes()) {
            float[] x = inputs(n, (int) n);
            float[] g = inputs(n + 1, (int) n);
            for (int pad : new int[] {0, 3}) {
                MemorySegment xs = segment(x, pad);
                MemorySegment gs = segment(g, pad);
                MemorySegment ys = output(n + pad);
                MemorySegment dxs = output(n + pad);
                ActivationKernels.forward(f, xs, pad, ys, pad, n);
                ActivationKernels.backward(f, xs, pad, gs, pad, dxs, pad, n);
                for (int i = 0; i < n; i++) {
                    float want = f.apply(x[i]);
                    float dwant = f.gradient(x[i], g[i]);
                    if (!same(TestData.get(ys, pad + i), want) || !same(TestData.get(dxs, pad + i), dwant)) {
                        fail(f + " n=" + n + " pad=" + pad + " i=" + i + " x=" + x[i] + ": got " + TestData.get(ys, pad + i)
                                + "/" + TestData.get(dxs, pad + i) + ", scalar " + want + "/" + dwant);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("functions")
    void specialValues(ActivationFunction f) {
        assertTrue(Float.isNaN(f.apply(Float.NaN)), f + " NaN in, NaN out");
        float big = f.apply(Float.POSITIVE_INFINITY);
        double want = switch (f.kind()) {
            case HARDTANH -> f.beta();
            case HARDSIGMOID, SIGMOID, TANH -> 1;
            case SOFTSIGN -> Float.NaN; // inf / inf, as PyTorch
            case SOFTPLUS -> f.alpha() > 0 ? Double.POSITIVE_INFINITY : 0;
            default -> Double.POSITIVE_INFINITY;
        };
        assertEquals((float) want, big, 0f, f + " at +inf");
        for (float x : new float[] {-1e30f, -200f, 200f, 1e30f}) {
            float y = f.apply(x);
            float d = f.gradient(x, 1f);
            assertTrue(!Float.isNaN(y) && !Float.isNaN(d), f + " finite at " + x + ": " + y + ", " + d);
        }
    }

    @Test
    void threadsGiveTheSameBits() {
        int n = 3 * ActivationKernels.BLOCK * ActivationKernels.MIN_BLOCKS_PER_THREAD + 17;
        float[] x = inputs(5, n);
        MemorySegment xs = segment(x, 0);
        for (ActivationFunction f : functions().toList()) {
            MemorySegment one = output(n);
            MemorySegment two = output(n);
            MemorySegment dOne = output(n);
            MemorySegment dTwo = output(n);
            ActivationKernels.forward(f, xs, 0, one, 0, n);
            ActivationKernels.backward(f, xs, 0, xs, 0, dOne, 0, n);
            try (ComputeContext ctx = ComputeContext.create(2)) {
                ActivationKernels.forward(f, xs, 0, two, 0, n, ctx);
                ActivationKernels.backward(f, xs, 0, xs, 0, dTwo, 0, n, ctx);
            }
            assertEquals(-1L, one.mismatch(two), f + " forward");
            assertEquals(-1L, dOne.mismatch(dTwo), f + " backward");
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyWork() {
        MemorySegment s = output(8);
        ActivationFunction relu = ActivationFunction.of(Kind.RELU);
        assertThrows(IllegalArgumentException.class, () -> ActivationKernels.forward(relu, s, 0, s, 0, -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ActivationKernels.forward(relu, s, 4, s, 0, 8));
        assertTrue(e.getMessage().contains("x"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ActivationKernels.backward(relu, s, 0, s, 1, s, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> ActivationFunction.hardtanh(1f, -1f));
        assertThrows(IllegalArgumentException.class, () -> ActivationFunction.celu(0f));
        assertThrows(IllegalArgumentException.class, () -> ActivationFunction.softplus(0f, 20f));
        assertThrows(IllegalArgumentException.class, () -> ActivationFunction.leakyRelu(Float.NaN));
        e = assertThrows(IllegalArgumentException.class, () -> ActivationFunction.of(Kind.ELU));
        assertTrue(e.getMessage().contains("ELU"), e.getMessage());
    }
}
