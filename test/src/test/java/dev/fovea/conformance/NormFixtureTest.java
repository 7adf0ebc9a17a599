package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Normalization;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The normalization ops of {@link Normalization} against the PyTorch fixtures written by
 * {@code scripts/fixtures/norm_fixtures.py}: batch norm (1-d with and without length, 2-d, 3-d;
 * training and evaluation; with and without affine and running statistics), instance norm (from
 * input statistics and from running ones), layer norm over one to three trailing dims, group norm
 * (from one group to one per channel, with and without spatial dims) and local response norm
 * (odd and even sizes, a size above the channel count); the output, the gradients of
 * {@code sum(y * g)} for the input, weight and bias, and the running statistics after a training
 * step.
 *
 * <p><b>Tolerance.</b> The fixtures are float64 results of the float32 inputs rounded once. Every
 * output here is a short float formula (at most six roundings, fused multiply-adds) of per-channel
 * coefficients, themselves rounded once from double, and of statistics summed in float blocks of
 * at most 64 terms per lane and combined in double (within {@code 66 u} of the sum of
 * magnitudes, which for these at most 1400-term channels is below a few {@code u} times the
 * largest term); the input gradients subtract such sums from {@code w invstd g}. So each element
 * is within about {@code 16 u} of the largest magnitude of its array (at most {@code 5.2 u} seen
 * over these cases); the bound {@code 64 u max|ref| + ulp(ref)} leaves a margin of 4 over the
 * estimate and is far below any formula error: the
 * unbiased instead of the biased variance is off by {@code 1/(2M)} ({@code >= 1e-3} here), a
 * missing {@code mean(g)} or {@code xhat mean(g xhat)} term by O(1), a wrong LRN window or
 * divisor by {@code >= 1e-2} of the cross-channel term (alpha 0.5 in most cases).
 */
class NormFixtureTest {
    private static final double U = 0x1p-24;

    @TestFactory
    Stream<DynamicTest> everyCase() {
        return FixtureManifest.read("norm").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(FixtureManifest.Entry c) {
        String op = c.get("op");
        Tensor x = c.load("x").requiresGrad(true);
        boolean affine = c.has("w");
        Tensor w = affine ? c.load("w").requiresGrad(true) : null;
        Tensor b = affine ? c.load("b").requiresGrad(true) : null;
        Tensor rm = c.has("rm") ? c.load("rm") : null;
        Tensor rv = c.has("rv") ? c.load("rv") : null;
        Tensor y = switch (op) {
            case "batch_norm" -> Normalization.batchNorm(x, rm, rv, w, b, c.integer("training") == 1,
                    number(c, "momentum"), number(c, "eps"));
            case "instance_norm" -> Normalization.instanceNorm(x, rm, rv, w, b, c.integer("training") == 1,
                    number(c, "momentum"), number(c, "eps"));
            case "layer_norm" -> Normalization.layerNorm(x, Arrays.stream(c.ints("normalized")).asLongStream().toArray(),
                    w, b, number(c, "eps"));
            case "group_norm" -> Normalization.groupNorm(x, c.integer("groups"), w, b, number(c, "eps"));
            case "lrn" -> Normalization.localResponseNorm(x, c.integer("size"), number(c, "alpha"),
                    number(c, "beta"), number(c, "k"));
            default -> throw new IllegalStateException(c + ": unknown op " + op);
        };
        assertArrayEquals(c.load("y").shape(), y.shape(), c + ": output shape");
        compare(c + " y", y, c.load("y"));
        y.backward(c.load("g"));
        compare(c + " gx", x.grad(), c.load("gx"));
        if (affine) {
            compare(c + " gw", w.grad(), c.load("gw"));
            compare(c + " gb", b.grad(), c.load("gb"));
        }
        if (rm != null) {
            compare(c + " running mean after the step", rm, c.load("rm_out"));
            compare(c + " running var after the step", rv, c.load("rv_out"));
        }
    }

    private static double number(FixtureManifest.Entry c, String key) {
        return Double.parseDouble(c.get(key));
    }

    /** |actual - expected| <= 64 u max|expected| + ulp(expected) per element (see the class comment). */
    static void compare(String what, Tensor actual, Tensor expected) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toArray();
        double max = 0;
        for (float v : e) {
            max = Math.max(max, Math.abs(v));
        }
        double[] bound = new double[e.length];
        for (int i = 0; i < e.length; i++) {
            bound[i] = 64 * U * max + Math.ulp(e[i]);
        }
        ConvFixtureTest.assertWithin(what, actual.toArray(), e, bound);
    }
}
