package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Activations#softmax} and {@link Activations#logSoftmax} against the PyTorch fixtures of
 * {@code scripts/fixtures/loss_fixtures.py}: several dims of 1-d to 4-d tensors (first, middle and
 * last, negative), a scalar, rows longer than a vector block, column tails, {@code -Inf} entries and
 * extreme logits of ±1e4; the output and the input gradient of {@code sum(y * g)} through autograd.
 *
 * <p><b>Tolerances.</b> The fixtures are float64 results of the float32 inputs, rounded once. The
 * float32 computation rounds {@code x - max}, sums at most 64 + 16 terms per float accumulator
 * lane (rows) or at most 20 (columns, these fixtures) and rounds a few more times: its error
 * analysis ({@code SoftmaxTest}) gives well under 200 units of {@code u = 2^-24} relative to the
 * magnitudes involved, and these are at most the largest output of the case (outputs here are of
 * order 1, logits of order 10). So each element must be within {@code 2^-14 (|ref| + S)} (about
 * 1000 u), {@code S} = the largest |ref| of the array. The extreme cases compute exact differences
 * of their logits and exps that are exactly 0 or 1, so there {@code S} = 1 and the bound is
 * relative. A wrong normalisation, a dropped term or a wrong dim is off by far more. Non-finite
 * references (the gradient at {@code -Inf} entries is finite; softmax outputs there are 0, log-softmax
 * {@code -Inf}) must match exactly.
 */
class SoftmaxFixtureTest {
    static final double TOL = 0x1p-14;

    @TestFactory
    Stream<DynamicTest> everyCase() {
        return FixtureManifest.read("softmax").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(FixtureManifest.Entry c) {
        boolean log = c.get("op").equals("log_softmax");
        int dim = c.integer("dim");
        boolean extreme = c.integer("extreme") == 1;
        Tensor x = c.load("x").requiresGrad(true);
        Tensor y = log ? Activations.logSoftmax(x, dim) : Activations.softmax(x, dim);
        Tensor yRef = c.load("y");
        assertArrayEquals(yRef.shape(), y.shape(), c + ": output shape");
        compare(c + " y", y.toArray(), yRef.toArray(), extreme);
        y.backward(c.load("g"));
        compare(c + " gx", x.grad().toArray(), c.load("gx").toArray(), extreme);
    }

    /**
     * Each element within {@code TOL (|expected| + S)}, {@code S} = 1 if {@code relative} else the
     * largest finite |expected|; non-finite expected values must be matched exactly (NaN by NaN).
     */
    static void compare(String what, float[] actual, float[] expected, boolean relative) {
        assertEquals(expected.length, actual.length, what + ": element count");
        double scale = 1;
        if (!relative) {
            scale = 0;
            for (float v : expected) {
                if (Float.isFinite(v)) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
        }
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (!Float.isFinite(e)) {
                if (Float.isNaN(e) ? !Float.isNaN(a) : a != e) {
                    throw new AssertionError(what + ": element " + i + " is " + a + ", expected " + e);
                }
                continue;
            }
            double bound = TOL * (Math.abs(e) + scale);
            double err = Math.abs((double) a - e);
            if (!(err <= bound)) {
                throw new AssertionError(String.format(Locale.ROOT, "%s: element %d is %.9g, expected %.9g,"
                        + " |diff| %.3g > bound %.3g", what, i, a, e, err, bound));
            }
        }
    }
}
