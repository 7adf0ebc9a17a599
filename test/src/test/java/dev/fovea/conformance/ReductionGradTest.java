package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Gradients of sum, mean, var, max and min over dims, with and without keepdim, on strided inputs. */
class ReductionGradTest {
    private static final int[][] DIM_SETS = {{0}, {1}, {-1}, {0, 2}, {1, 2}, {0, 1, 2}};

    @Test
    void sumAndMean() {
        Tensor x = Tensor.randn(1, 2, 3, 4);
        GradientChecker.of("sum", in -> in[0].sum()).check(x);
        GradientChecker.of("mean", in -> in[0].mean()).check(x);
        for (int[] dims : DIM_SETS) {
            for (boolean keepdim : new boolean[] {false, true}) {
                GradientChecker.of("sum" + java.util.Arrays.toString(dims), in -> in[0].sum(dims, keepdim)).check(x);
                GradientChecker.of("mean" + java.util.Arrays.toString(dims), in -> in[0].mean(dims, keepdim)).check(x);
            }
        }
        GradientChecker.of("sum of permuted", in -> in[0].permute(2, 0, 1).sum(new int[] {0, 2}, false)).check(x);
        GradientChecker.of("rowwise sum", in -> in[0].sum(0)).check(Tensor.randn(2, 20, 16));
    }

    @Test
    void variance() {
        Tensor x = Tensor.randn(3, 3, 4, 5);
        GradientChecker.of("var", in -> in[0].var()).check(x);
        GradientChecker.of("var biased", in -> in[0].var(false)).check(x);
        for (int[] dims : DIM_SETS) {
            GradientChecker.of("var" + java.util.Arrays.toString(dims), in -> in[0].var(dims, true, false)).check(x);
            GradientChecker.of("var keepdim biased", in -> in[0].var(dims, false, true)).check(x);
        }
        GradientChecker.of("var of transpose", in -> in[0].transpose(0, 2).var(1)).check(x);
    }

    @Test
    void maxAndMinAwayFromTies() {
        Tensor x = GradientChecker.distinct(4, -1.2f, 0.1f, 2, 3, 4);
        GradientChecker.of("max", in -> in[0].max()).check(x);
        GradientChecker.of("min", in -> in[0].min()).check(x);
        for (int[] dims : DIM_SETS) {
            for (boolean keepdim : new boolean[] {false, true}) {
                GradientChecker.of("max" + java.util.Arrays.toString(dims), in -> in[0].max(dims, keepdim)).check(x);
                GradientChecker.of("min" + java.util.Arrays.toString(dims), in -> in[0].min(dims, keepdim)).check(x);
            }
        }
        GradientChecker.of("max(dim)", in -> in[0].max(1, false)).check(x);
        GradientChecker.of("min of permuted", in -> in[0].permute(2, 1, 0).min(0, true)).check(x);
        GradientChecker.of("rowwise max", in -> in[0].max(0, false)).check(GradientChecker.distinct(5, -2f, 0.1f, 3, 12));
    }

    @Test
    void tiedMaximaSendTheGradientToTheFirst() {
        Tensor x = Tensor.of(new float[] {1, 3, 3, 0, 2, 2}, 2, 3).requiresGrad(true);
        x.max(1, false).sum().backward();
        assertArrayEquals(new float[] {0, 1, 0, 0, 1, 0}, x.grad().toArray());
        x.zeroGrad();
        x.max().backward();
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0}, x.grad().toArray());
        x.zeroGrad();
        x.min(new int[] {0, 1}, false).backward();
        assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0}, x.grad().toArray());
    }

    @Test
    void argmaxIsNotDifferentiable() {
        Tensor x = Tensor.randn(6, 3, 4).requiresGrad(true);
        assertFalse(x.argmax(1, false).requiresGrad());
        assertFalse(x.argmin().requiresGrad());
    }
}
