package dev.fovea.conformance;

import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Gradients of cat and stack: each input gets its slice of the output's gradient. */
class ConcatGradTest {
    @Test
    void catAlongEachDim() {
        Tensor a = Tensor.randn(1, 2, 3);
        Tensor b = Tensor.randn(2, 2, 1);
        Tensor c = Tensor.randn(3, 2, 2);
        GradientChecker.of("cat dim 1", in -> Tensor.cat(1, in[0], in[1], in[2])).check(a, b, c);
        GradientChecker.of("cat dim 0", in -> Tensor.cat(0, in[0], in[1].t())).check(a, Tensor.randn(4, 3, 2));
        GradientChecker.of("cat with constant", in -> Tensor.cat(-1, in[0], Tensor.ones(2, 2))).check(a);
        GradientChecker.of("cat same input twice", in -> Tensor.cat(0, in[0], in[0].mul(2f))).check(a);
    }

    @Test
    void stackAlongEachDim() {
        Tensor a = Tensor.randn(5, 2, 3);
        Tensor b = Tensor.randn(6, 2, 3);
        for (int dim = -3; dim <= 2; dim++) {
            int d = dim;
            GradientChecker.of("stack " + d, in -> Tensor.stack(d, in[0], in[1])).check(a, b);
        }
    }
}
