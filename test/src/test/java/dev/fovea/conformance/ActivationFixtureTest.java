package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The elementwise activations of {@link Activations} against the PyTorch fixtures written by
 * {@code scripts/fixtures/activation_fixtures.py}: every function with its default and non-default
 * parameters, inputs at the kinks (0, ±3, the bounds, the softplus threshold), tiny and large
 * values; values, the input gradient of {@code sum(y * g)} through autograd, and PReLU's weight
 * gradient.
 *
 * <p><b>Tolerances.</b> The fixtures are float64 results of the float32 inputs, rounded once. A
 * float evaluation with a few roundings per step is exact for an input perturbed by a few ulps, so
 * forward values must be within {@code 16 u (|y| + |x f'(x)|)} (f' from the fixture's gradient;
 * {@code u = 2^-24}), plus a subnormal allowance; the simd {@code ActivationKernelsTest} states
 * the measured errors. The fixtures' own error is allowed for too: PyTorch evaluates GELU as
 * {@code x/2 (1 + erf(x / sqrt 2))}, which in float64 cancels to 0 below x = -8.3 (absolute error
 * up to {@code |x| 2^-53}), where Fovea returns the tiny true value; allowance {@code |x| 2^-50}.
 * Gradients sum terms of size up to {@code |g| (1 + |x|)} where the
 * derivative crosses zero, so they must be within {@code 64 u |g| (1 + |x|)} plus 16 ulp of the
 * reference. A wrong formula, constant or kink choice is off by orders of magnitude more. PReLU's
 * weight gradient is a sum over N*H*W terms, bounded as a float sum of that many terms.
 */
class ActivationFixtureTest {
    private static final double U = 0x1p-24;

    @TestFactory
    Stream<DynamicTest> everyCase() {
        return FixtureManifest.read("activation").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static Tensor apply(FixtureManifest.Entry c, Tensor x, Tensor w) {
        var p = c.params();
        return switch (c.get("op")) {
            case "relu" -> Activations.relu(x);
            case "relu6" -> Activations.relu6(x);
            case "leakyRelu" -> p.containsKey("slope") ? Activations.leakyRelu(x, f(c, "slope")) : Activations.leakyRelu(x);
            case "elu" -> p.containsKey("alpha") ? Activations.elu(x, f(c, "alpha")) : Activations.elu(x);
            case "selu" -> Activations.selu(x);
            case "celu" -> p.containsKey("alpha") ? Activations.celu(x, f(c, "alpha")) : Activations.celu(x);
            case "gelu" -> Activations.gelu(x, c.get("approximate"));
            case "silu" -> Activations.silu(x);
            case "mish" -> Activations.mish(x);
            case "sigmoid" -> Activations.sigmoid(x);
            case "tanh" -> Activations.tanh(x);
            case "hardtanh" -> p.containsKey("min") ? Activations.hardtanh(x, f(c, "min"), f(c, "max")) : Activations.hardtanh(x);
            case "hardsigmoid" -> Activations.hardsigmoid(x);
            case "hardswish" -> Activations.hardswish(x);
            case "softplus" -> p.containsKey("beta") ? Activations.softplus(x, f(c, "beta"), f(c, "threshold"))
                    : Activations.softplus(x);
            case "softsign" -> Activations.softsign(x);
            case "prelu" -> Activations.prelu(x, w);
            default -> throw new IllegalStateException(c + ": unknown op " + c.get("op"));
        };
    }

    private static float f(FixtureManifest.Entry c, String key) {
        return Float.parseFloat(c.get(key));
    }

    private static void check(FixtureManifest.Entry c) {
        Tensor x = c.load("x").requiresGrad(true);
        Tensor w = c.has("w") ? c.load("w").requiresGrad(true) : null;
        Tensor y = apply(c, x, w);
        assertArrayEquals(c.load("y").shape(), y.shape(), c + ": output shape");
        Tensor g = c.load("g");
        y.backward(g);
        float[] xs = x.toArray();
        float[] gs = g.toArray();
        float[] ys = y.toArray();
        float[] yRef = c.load("y").toArray();
        float[] gx = x.grad().toArray();
        float[] gxRef = c.load("gx").toArray();
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < xs.length && bad.size() < 5; i++) {
            double slope = gs[i] == 0 ? 0 : Math.abs(gxRef[i] / (double) gs[i]);
            double yBound = 16 * U * (Math.abs(yRef[i]) + Math.abs(xs[i]) * slope) + 64 * (double) Float.MIN_VALUE
                    + Math.abs(xs[i]) * 0x1p-50;
            if (!(Math.abs(ys[i] - yRef[i]) <= yBound)) {
                bad.add("y at x=" + xs[i] + ": " + ys[i] + " vs " + yRef[i]);
            }
            double gBound = 64 * U * Math.abs(gs[i]) * (1 + Math.abs(xs[i])) + 16 * Math.ulp(gxRef[i]);
            if (!(Math.abs(gx[i] - gxRef[i]) <= gBound)) {
                bad.add("gx at x=" + xs[i] + ": " + gx[i] + " vs " + gxRef[i]);
            }
        }
        if (w != null) {
            float[] gw = w.grad().toArray();
            float[] gwRef = c.load("gw").toArray();
            double terms = (double) xs.length / gw.length;
            double sum = 0;
            for (int i = 0; i < xs.length; i++) {
                sum += Math.abs(xs[i] * gs[i]);
            }
            for (int k = 0; k < gw.length; k++) {
                if (!(Math.abs(gw[k] - gwRef[k]) <= 2 * terms * U * sum)) {
                    bad.add("gw[" + k + "]: " + gw[k] + " vs " + gwRef[k]);
                }
            }
        }
        assertTrue(bad.isEmpty(), c + ": " + bad);
    }
}
