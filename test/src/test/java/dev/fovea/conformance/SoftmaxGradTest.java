package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import org.junit.jupiter.api.Test;

/**
 * {@link Activations#softmax} and {@link Activations#logSoftmax}: gradients against central finite
 * differences ({@link GradientChecker}, default tolerances: both functions are smooth, with third
 * derivatives of order 1 for inputs of unit scale) over first, middle, last and negative dims, a
 * non-contiguous input and a scalar; identities that hold exactly or to rounding; argument errors.
 */
class SoftmaxGradTest {
    @Test
    void gradientsOverEveryDim() {
        Tensor x = Tensor.randn(1, 2, 3, 4, 5);
        for (int dim : new int[] {0, 1, 2, 3, -1, -3}) {
            GradientChecker.of("softmax dim " + dim, in -> Activations.softmax(in[0], dim)).check(x);
            GradientChecker.of("log_softmax dim " + dim, in -> Activations.logSoftmax(in[0], dim)).check(x);
        }
    }

    @Test
    void gradientsOfLongRowsAndViews() {
        Tensor rows = Tensor.randn(2, 3, 70);
        GradientChecker.of("softmax long rows", in -> Activations.softmax(in[0], 1)).check(rows);
        GradientChecker.of("log_softmax long rows", in -> Activations.logSoftmax(in[0], -1)).check(rows);
        // A transposed (non-contiguous) input: the op copies it first; gradients flow back through the view.
        GradientChecker.of("softmax of a transpose", in -> Activations.softmax(in[0].transpose(0, 1), 1))
                .check(Tensor.randn(3, 4, 6));
        GradientChecker.of("log_softmax of a 1-d tensor", in -> Activations.logSoftmax(in[0], 0))
                .check(Tensor.randn(4, 9));
    }

    @Test
    void identities() {
        Tensor x = Tensor.randn(5, 3, 7, 4);
        Tensor p = Activations.softmax(x, 1);
        // Probabilities sum to 1 over the dim (float rounding of 7 terms: a few ulp).
        float[] sums = p.sum(1).toArray();
        for (float s : sums) {
            assertEquals(1f, s, 4 * Math.ulp(1f));
        }
        // log_softmax is the log of softmax, to rounding (|log p| <= 20 here, log and exp within 1 ulp).
        float[] logP = Activations.logSoftmax(x, 1).toArray();
        float[] logOfP = p.log().toArray();
        for (int i = 0; i < logP.length; i++) {
            assertEquals(logP[i], logOfP[i], 1e-5f * Math.max(1f, Math.abs(logP[i])));
        }
        // Shift invariance: adding a constant changes nothing beyond the rounding of x + c.
        float[] shifted = Activations.softmax(x.add(3f), 1).toArray();
        float[] plain = p.toArray();
        for (int i = 0; i < plain.length; i++) {
            assertEquals(plain[i], shifted[i], 1e-5f * plain[i] + 1e-7f);
        }
        // A scalar: softmax 1, log-softmax 0, gradient 0 (a softmax over one element is constant).
        Tensor s = Tensor.scalar(3f).requiresGrad(true);
        Tensor y = Activations.softmax(s, -1);
        assertEquals(1f, y.item());
        assertEquals(0f, Activations.logSoftmax(s, 0).item());
        y.backward();
        assertEquals(0f, s.grad().item());
    }

    @Test
    void extremeLogitsGiveFiniteGradients() {
        // Logits 1e4, -1e4, 0: softmax is exactly (1, 0, 0), log-softmax (0, -2e4, -1e4) (the sum is
        // 1 + exp(-1e4) + exp(-2e4) = 1 in float). d sum(g * log_softmax) / dx = g - softmax * sum(g).
        Tensor x = Tensor.of(new float[] {1e4f, -1e4f, 0f}).requiresGrad(true);
        Tensor y = Activations.logSoftmax(x, 0);
        assertArrayEquals(new float[] {0f, -2e4f, -1e4f}, y.toArray());
        y.backward(Tensor.of(new float[] {1f, 2f, 3f}));
        assertArrayEquals(new float[] {1f - 6f, 2f, 3f}, x.grad().toArray());
    }

    @Test
    void badDimsAreRefused() {
        Tensor x = Tensor.randn(1, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activations.softmax(x, 2));
        assertTrue(e.getMessage().contains("softmax") && e.getMessage().contains("[2, 3]")
                && e.getMessage().contains("-2..1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Activations.logSoftmax(x, -3));
        assertTrue(e.getMessage().startsWith("log_softmax"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Activations.softmax(Tensor.scalar(1f), 1));
        assertTrue(e.getMessage().startsWith("softmax"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Activations.softmax(null, 0));
        assertTrue(e.getMessage().contains("input"), e.getMessage());
    }
}
