package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.fovea.tensor.Tensor;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;

/** Gradients of the binary elementwise ops, over broadcast shapes, and of where. */
class ArithmeticGradTest {
    static final long[][][] SHAPE_PAIRS = {
        {{2, 3}, {2, 3}},
        {{2, 3}, {3}},
        {{4, 1}, {1, 5}},
        {{2, 1, 4}, {3, 1}},
        {{}, {3, 2}},
        {{3}, {}},
    };

    private static void checkPairs(String name, BinaryOperator<Tensor> op, boolean awayFromZero) {
        long seed = 1;
        for (long[][] pair : SHAPE_PAIRS) {
            Tensor a = Tensor.randn(seed++, pair[0]);
            Tensor b = Tensor.randn(seed++, pair[1]);
            if (awayFromZero) {
                b = GradientChecker.awayFrom(b, 0.5f, 0f);
            }
            GradientChecker.of(name, in -> op.apply(in[0], in[1])).check(a, b);
        }
    }

    @Test
    void add() {
        checkPairs("add", Tensor::add, false);
    }

    @Test
    void sub() {
        checkPairs("sub", Tensor::sub, false);
    }

    @Test
    void mul() {
        checkPairs("mul", Tensor::mul, false);
    }

    @Test
    void div() {
        checkPairs("div", Tensor::div, true);
    }

    @Test
    void scalarOperands() {
        Tensor x = Tensor.randn(3, 2, 3);
        GradientChecker.of("add scalar", in -> in[0].add(1.5f)).check(x);
        GradientChecker.of("sub scalar", in -> in[0].sub(-2f)).check(x);
        GradientChecker.of("mul scalar", in -> in[0].mul(-3f)).check(x);
        GradientChecker.of("div scalar", in -> in[0].div(4f)).check(x);
    }

    @Test
    void powWithATensorExponent() {
        Tensor base = Tensor.rand(4, 3, 4).mul(1.5f).add(0.5f);
        Tensor exponent = Tensor.rand(5, 4).mul(3f).sub(1f);
        GradientChecker.of("pow", in -> in[0].pow(in[1])).check(base, exponent);
        GradientChecker.of("pow broadcast base", in -> in[0].pow(in[1])).check(Tensor.rand(6, 3, 1).add(0.5f), exponent);
    }

    @Test
    void powGradientsAreMaskedAtZeroLikePyTorch() {
        Tensor a = Tensor.of(new float[] {0, 0, 2}).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {0, 2, 0}).requiresGrad(true);
        a.pow(b).sum().backward();
        // d/da: b * a^(b-1), 0 where b == 0; d/db: a^b * ln(a), 0 where a == 0 and b >= 0
        assertArrayEquals(new float[] {0, 0, 0}, a.grad().toArray());
        assertArrayEquals(new float[] {0, 0, (float) Math.log(2)}, b.grad().toArray(), 1e-6f);
    }

    @Test
    void maximumAndMinimumAwayFromTies() {
        Tensor all = GradientChecker.distinct(7, -1.5f, 0.11f, 16);
        Tensor a = all.narrow(0, 0, 12).reshape(3, 4);
        Tensor b = all.narrow(0, 12, 4);
        GradientChecker.of("maximum", in -> in[0].maximum(in[1])).check(a, b);
        GradientChecker.of("minimum", in -> in[0].minimum(in[1])).check(a, b);
        GradientChecker.of("minimum broadcast", in -> in[0].minimum(in[1])).check(b, a.t().reshape(4, 3).narrow(1, 0, 1));
    }

    @Test
    void tiedMaximumSplitsTheGradient() {
        Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        Tensor y = Tensor.of(new float[] {1, 3}).requiresGrad(true);
        x.maximum(y).sum().backward();
        assertArrayEquals(new float[] {0.5f, 0}, x.grad().toArray());
        assertArrayEquals(new float[] {0.5f, 1}, y.grad().toArray());
    }

    @Test
    void whereRoutesToTheChosenBranch() {
        Tensor cond = Tensor.of(new float[] {1, 0, 1, 0}, 4, 1);
        GradientChecker.of("where", in -> Tensor.where(cond, in[0], in[1]))
                .check(Tensor.randn(8, 4, 3), Tensor.randn(9, 3));
        GradientChecker.of("where scalar branch", in -> Tensor.where(cond, in[0], in[1]))
                .check(Tensor.randn(10, 4, 2), Tensor.randn(11));
    }
}
