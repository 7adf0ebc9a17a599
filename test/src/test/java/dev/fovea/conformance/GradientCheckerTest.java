package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The checker itself: it must accept right gradients and reject wrong ones. */
class GradientCheckerTest {
    /** x^3 recorded with a chosen (possibly wrong) derivative factor. */
    private static Tensor cube(Tensor x, float factor) {
        return Autograd.record("cube", x.detach().pow(3f),
                g -> new Tensor[] {g.mul(x.detach().pow(2f).mul(factor))}, x);
    }

    @Test
    void acceptsACorrectBackward() {
        double worst = GradientChecker.of("cube", in -> cube(in[0], 3f)).check(Tensor.randn(1, 4, 5));
        assertTrue(worst < 1e-2, "worst " + worst);
    }

    @Test
    void rejectsAWrongBackward() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradientChecker.of("cube", in -> cube(in[0], 2.9f)).check(Tensor.randn(1, 4, 5)));
        assertTrue(e.getMessage().startsWith("GradientChecker[cube]: "), e.getMessage());
        assertTrue(e.getMessage().contains("input 0 (shape [4, 5]) element"), e.getMessage());
    }

    @Test
    void rejectsAMissingGradient() {
        AssertionError e = assertThrows(AssertionError.class, () -> GradientChecker.of("dropped",
                in -> Autograd.record("dropped", in[0].detach().mul(2f), g -> new Tensor[] {null}, in[0]))
                .check(Tensor.randn(2, 3)));
        assertTrue(e.getMessage().contains("analytic 0"), e.getMessage());
    }

    @Test
    void samplesLargeInputsAndFourPointWorks() {
        double worst = GradientChecker.of("tanh", in -> in[0].tanh()).maxSamples(16).fourPoint(true)
                .check(Tensor.randn(3, 100, 50));
        assertTrue(worst < 1e-3, "worst " + worst);
    }

    @Test
    void inputsAreNotModified() {
        Tensor x = Tensor.randn(4, 6);
        float[] before = x.toArray();
        GradientChecker.of("exp", in -> in[0].exp()).check(x);
        assertTrue(Arrays.equals(before, x.toArray()));
    }

    @Test
    void kinkHelpers() {
        Tensor x = GradientChecker.awayFrom(Tensor.of(new float[] {-0.01f, 0.02f, 1f, 0.5f}), 0.1f, 0f, 0.55f);
        assertArrayEquals(new float[] {-0.1f, 0.1f, 1f, 0.45f}, x.toArray(), 1e-6f);
        float[] d = GradientChecker.distinct(7, -1f, 0.25f, 2, 3).toArray();
        Arrays.sort(d);
        assertEquals("[-1.0, -0.75, -0.5, -0.25, 0.0, 0.25]", Arrays.toString(d));
    }
}
