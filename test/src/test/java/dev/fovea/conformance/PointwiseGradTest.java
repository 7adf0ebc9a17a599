package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Gradients of the unary ops; relu, abs and clamp are checked away from their kinks. */
class PointwiseGradTest {
    private static Tensor normal(long seed) {
        return Tensor.randn(seed, 3, 5);
    }

    private static Tensor positive(long seed) {
        return Tensor.rand(seed, 3, 5).mul(2.5f).add(0.5f);
    }

    @Test
    void smoothOps() {
        GradientChecker.of("neg", in -> in[0].neg()).check(normal(1));
        GradientChecker.of("exp", in -> in[0].exp()).check(normal(2));
        GradientChecker.of("log", in -> in[0].log()).check(positive(3));
        GradientChecker.of("sqrt", in -> in[0].sqrt()).check(positive(4));
        GradientChecker.of("sigmoid", in -> in[0].sigmoid()).check(normal(5));
        GradientChecker.of("tanh", in -> in[0].tanh()).check(normal(6));
    }

    @Test
    void stridedInputs() {
        GradientChecker.of("exp of transpose", in -> in[0].t().exp()).check(normal(7));
        GradientChecker.of("tanh of slice", in -> in[0].slice(1, 0, 5, 2).tanh()).check(normal(8));
    }

    @Test
    void kinkedOpsAwayFromTheirKinks() {
        Tensor x = GradientChecker.awayFrom(normal(9), 0.1f, 0f);
        GradientChecker.of("relu", in -> in[0].relu()).check(x);
        GradientChecker.of("abs", in -> in[0].abs()).check(x);
        Tensor c = GradientChecker.awayFrom(normal(10), 0.1f, -0.5f, 0.7f);
        GradientChecker.of("clamp", in -> in[0].clamp(-0.5f, 0.7f)).check(c);
        GradientChecker.of("clamp below only", in -> in[0].clamp(-0.5f, Float.POSITIVE_INFINITY)).check(c);
    }

    @Test
    void kinkConventionsMatchPyTorch() {
        Tensor x = Tensor.of(new float[] {0, 0, 1}).requiresGrad(true);
        x.relu().sum().backward();
        assertArrayEquals(new float[] {0, 0, 1}, x.grad().toArray());
        x.zeroGrad();
        x.abs().sum().backward();
        assertArrayEquals(new float[] {0, 0, 1}, x.grad().toArray());
        x.zeroGrad();
        x.clamp(0f, 1f).sum().backward();
        assertArrayEquals(new float[] {1, 1, 1}, x.grad().toArray());
    }

    @Test
    void powWithAScalarExponent() {
        GradientChecker.of("pow 2", in -> in[0].pow(2f)).check(normal(11));
        GradientChecker.of("pow 3", in -> in[0].pow(3f)).check(normal(12));
        GradientChecker.of("pow 0.5", in -> in[0].pow(0.5f)).check(positive(13));
        GradientChecker.of("pow -1.5", in -> in[0].pow(-1.5f)).check(positive(14));
        GradientChecker.of("pow 0", in -> in[0].pow(0f)).check(normal(15));
    }
}
