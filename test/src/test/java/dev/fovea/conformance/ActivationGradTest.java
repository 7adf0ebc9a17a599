package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The elementwise activations of {@link Activations}: gradients against central finite
 * differences ({@link GradientChecker}, its default tolerances; inputs kept 0.1 away from each
 * function's kinks with {@link GradientChecker#awayFrom}), non-contiguous inputs, and argument
 * errors that name the op and the argument.
 */
class ActivationGradTest {
    /** Values of scale 3 (covering the curved parts of every function: ±3 for the hard ones). */
    private static Tensor wide(long seed, float... kinks) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[2 * 3 * 4 * 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 3);
        }
        return GradientChecker.awayFrom(Tensor.of(v, 2, 3, 4, 5), 0.1f, kinks);
    }

    @Test
    void smoothActivations() {
        GradientChecker.of("gelu", in -> Activations.gelu(in[0])).check(wide(1));
        GradientChecker.of("gelu tanh", in -> Activations.gelu(in[0], "tanh")).check(wide(2));
        GradientChecker.of("silu", in -> Activations.silu(in[0])).check(wide(3));
        GradientChecker.of("mish", in -> Activations.mish(in[0])).check(wide(4));
        GradientChecker.of("sigmoid", in -> Activations.sigmoid(in[0])).check(wide(5));
        GradientChecker.of("tanh", in -> Activations.tanh(in[0])).check(wide(6));
        GradientChecker.of("softplus", in -> Activations.softplus(in[0])).check(wide(7));
        GradientChecker.of("softplus beta 2 threshold 3", in -> Activations.softplus(in[0], 2f, 3f)).check(wide(8, 1.5f));
        GradientChecker.of("softsign", in -> Activations.softsign(in[0])).check(wide(9, 0f));
    }

    @Test
    void kinkedActivationsAwayFromTheirKinks() {
        GradientChecker.of("relu", in -> Activations.relu(in[0])).check(wide(10, 0f));
        GradientChecker.of("relu6", in -> Activations.relu6(in[0])).check(wide(11, 0f, 6f));
        GradientChecker.of("leaky_relu 0.2", in -> Activations.leakyRelu(in[0], 0.2f)).check(wide(12, 0f));
        GradientChecker.of("elu 0.5", in -> Activations.elu(in[0], 0.5f)).check(wide(13, 0f));
        GradientChecker.of("selu", in -> Activations.selu(in[0])).check(wide(14, 0f));
        GradientChecker.of("celu 2", in -> Activations.celu(in[0], 2f)).check(wide(15, 0f));
        GradientChecker.of("hardtanh -2 1", in -> Activations.hardtanh(in[0], -2f, 1f)).check(wide(16, -2f, 1f));
        GradientChecker.of("hardsigmoid", in -> Activations.hardsigmoid(in[0])).check(wide(17, -3f, 3f));
        GradientChecker.of("hardswish", in -> Activations.hardswish(in[0])).check(wide(18, -3f, 3f));
    }

    @Test
    void preluGradientsForInputAndWeight() {
        Tensor w = Tensor.of(new float[] {0.25f, -0.1f, 0.6f}, 3);
        GradientChecker.of("prelu per channel", in -> Activations.prelu(in[0], in[1])).check(wide(19, 0f), w);
        GradientChecker.of("prelu shared", in -> Activations.prelu(in[0], in[1]))
                .check(wide(20, 0f), Tensor.of(new float[] {0.3f}, 1));
    }

    @Test
    void stridedInputs() {
        GradientChecker.of("gelu of a transpose", in -> Activations.gelu(in[0].transpose(1, 3))).check(wide(21));
        GradientChecker.of("mish of a slice", in -> Activations.mish(in[0].slice(3, 0, 5, 2))).check(wide(22));
    }

    @Test
    void badArgumentsNameTheOpAndArgument() {
        Tensor x = Tensor.zeros(2, 3, 4);
        expect("celu: ", "alpha", () -> Activations.celu(x, 0f));
        expect("hardtanh: ", "min", () -> Activations.hardtanh(x, 1f, -1f));
        expect("softplus: ", "beta", () -> Activations.softplus(x, 0f, 20f));
        expect("leaky_relu: ", "finite", () -> Activations.leakyRelu(x, Float.POSITIVE_INFINITY));
        expect("gelu: ", "'exact'", () -> Activations.gelu(x, "exact"));
        expect("prelu: ", "[2, 3, 4]", () -> Activations.prelu(x, Tensor.zeros(4)));
    }

    private static void expect(String prefix, String part, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(prefix) && e.getMessage().contains(part), e.getMessage());
    }
}
