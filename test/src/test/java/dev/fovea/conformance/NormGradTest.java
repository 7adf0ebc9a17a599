package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Normalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The normalization ops of {@link Normalization}: input, weight and bias gradients against
 * central finite differences ({@link GradientChecker}) in every mode, non-contiguous inputs, and
 * argument errors that name the op, the argument and the shapes and come before any work.
 *
 * <p>The inputs have unit-scale deviations and at least 8 elements per statistic, so the
 * normalized outputs are smooth at the step used (1e-2 of max(1, |x|)): a step moves a channel's
 * variance by well under 1%, and the checker's default tolerances (see {@link GradientChecker})
 * hold; a dropped {@code mean(g)} or {@code xhat mean(g xhat)} term is off by O(1).
 */
class NormGradTest {
    private static Tensor weight(long seed, long c) {
        return Tensor.randn(seed, c).mul(0.5f).add(1f);
    }

    @Test
    void batchNormGradients() {
        Tensor rm = Tensor.randn(3, 3).mul(0.3f);
        Tensor rv = Tensor.rand(4, 3).add(0.5f);
        Tensor[][] inputs = {
            {Tensor.randn(1, 10, 3), weight(2, 3), Tensor.randn(5, 3)},
            {Tensor.randn(6, 4, 3, 5), weight(7, 3), Tensor.randn(8, 3)},
            {Tensor.randn(9, 2, 3, 2, 2, 3), weight(10, 3), Tensor.randn(11, 3)},
        };
        for (Tensor[] in : inputs) {
            String shape = java.util.Arrays.toString(in[0].shape());
            GradientChecker.of("batch_norm training " + shape, t -> Normalization.batchNorm(t[0], null, null, t[1],
                    t[2], true)).check(in);
            GradientChecker.of("batch_norm eval " + shape, t -> Normalization.batchNorm(t[0], rm, rv, t[1], t[2],
                    false)).check(in);
        }
        GradientChecker.of("batch_norm training, no affine", t -> Normalization.batchNorm(t[0], null, null, null,
                null, true, 0.1, 1e-3)).check(Tensor.randn(12, 3, 2, 4));
    }

    @Test
    void instanceNormGradients() {
        Tensor rm = Tensor.randn(13, 3).mul(0.3f);
        Tensor rv = Tensor.rand(14, 3).add(0.5f);
        Tensor[] in = {Tensor.randn(15, 2, 3, 9), weight(16, 3), Tensor.randn(17, 3)};
        GradientChecker.of("instance_norm", t -> Normalization.instanceNorm(t[0], null, null, t[1], t[2], true))
                .check(in);
        GradientChecker.of("instance_norm from running statistics", t -> Normalization.instanceNorm(t[0], rm, rv,
                t[1], t[2], false)).check(in);
        GradientChecker.of("instance_norm 2d, no affine", t -> Normalization.instanceNorm(t[0]))
                .check(Tensor.randn(18, 2, 2, 3, 4));
    }

    @Test
    void layerNormGradients() {
        GradientChecker.of("layer_norm [8]", t -> Normalization.layerNorm(t[0], new long[] {8}, t[1], t[2]))
                .check(Tensor.randn(19, 3, 8), weight(20, 8), Tensor.randn(21, 8));
        GradientChecker.of("layer_norm [3, 4]", t -> Normalization.layerNorm(t[0], new long[] {3, 4}, t[1], t[2]))
                .check(Tensor.randn(22, 2, 3, 4), Tensor.randn(23, 3, 4).add(1f), Tensor.randn(24, 3, 4));
        GradientChecker.of("layer_norm, no affine", t -> Normalization.layerNorm(t[0], 2, 5))
                .check(Tensor.randn(25, 2, 2, 5));
    }

    @Test
    void groupNormGradients() {
        GradientChecker.of("group_norm 3 groups", t -> Normalization.groupNorm(t[0], 3, t[1], t[2]))
                .check(Tensor.randn(26, 2, 6, 4), weight(27, 6), Tensor.randn(28, 6));
        GradientChecker.of("group_norm 2d, 2 groups", t -> Normalization.groupNorm(t[0], 2, t[1], t[2]))
                .check(Tensor.randn(29, 2, 4, 3, 3), weight(30, 4), Tensor.randn(31, 4));
        GradientChecker.of("group_norm 1 group, no affine", t -> Normalization.groupNorm(t[0], 1))
                .check(Tensor.randn(32, 2, 3, 4));
    }

    /** Alpha 0.5 (not AlexNet's 1e-4) so that the cross-channel terms of the gradient weigh in. */
    @Test
    void localResponseNormGradients() {
        for (int size : new int[] {1, 2, 3, 4, 7}) {
            GradientChecker.of("local_response_norm size " + size, t -> Normalization.localResponseNorm(t[0], size,
                    0.5, 0.75, 1.0)).check(Tensor.randn(33 + size, 2, 5, 2, 3));
        }
        GradientChecker.of("local_response_norm 1d, defaults", t -> Normalization.localResponseNorm(t[0], 3))
                .check(Tensor.randn(40, 2, 4, 5));
    }

    @Test
    void nonContiguousInputsGiveTheSameResult() {
        Tensor x = Tensor.randn(41, 3, 2, 5);
        Tensor view = x.permute(1, 0, 2);
        Tensor dense = view.contiguous();
        Tensor w = weight(42, 3);
        assertArrayEquals(Normalization.batchNorm(dense, null, null, w, null, true).toArray(),
                Normalization.batchNorm(view, null, null, w, null, true).toArray());
        assertArrayEquals(Normalization.groupNorm(dense, 3, w, null).toArray(),
                Normalization.groupNorm(view, 3, w, null).toArray());
        assertArrayEquals(Normalization.layerNorm(dense, 5).toArray(), Normalization.layerNorm(view, 5).toArray());
        assertArrayEquals(Normalization.localResponseNorm(dense, 2).toArray(),
                Normalization.localResponseNorm(view, 2).toArray());
    }

    private static void fails(String[] words, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), () -> "'" + e.getMessage() + "' lacks '" + w + "'");
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyWork() {
        Tensor x = Tensor.randn(43, 2, 3, 4);
        Tensor rm = Tensor.zeros(3);
        Tensor rv = Tensor.ones(3);
        fails(new String[] {"batch_norm", "weight", "[3]", "[2, 3, 4]", "[4]"},
                () -> Normalization.batchNorm(x, rm, rv, Tensor.ones(4), null, true));
        fails(new String[] {"batch_norm", "runningVar", "[3]", "[2]"},
                () -> Normalization.batchNorm(x, rm, Tensor.ones(2), null, null, true));
        fails(new String[] {"batch_norm", "bias", "[3]"},
                () -> Normalization.batchNorm(x, rm, rv, null, Tensor.ones(3, 1), true));
        assertArrayEquals(new float[3], rm.toArray(), "running mean untouched by a rejected call");
        assertArrayEquals(new float[] {1, 1, 1}, rv.toArray(), "running var untouched by a rejected call");
        fails(new String[] {"batch_norm", "more than 1 value per channel", "[1, 3]"},
                () -> Normalization.batchNorm(Tensor.randn(44, 1, 3), null, null, null, null, true));
        fails(new String[] {"batch_norm", "runningMean", "evaluation"},
                () -> Normalization.batchNorm(x, null, null));
        fails(new String[] {"instance_norm", "more than 1 spatial element", "[2, 3, 1]"},
                () -> Normalization.instanceNorm(Tensor.randn(45, 2, 3, 1)));
        fails(new String[] {"instance_norm", "useInputStats"},
                () -> Normalization.instanceNorm(x, null, null, null, null, false));
        fails(new String[] {"layer_norm", "normalizedShape=[3]", "[*, 3]", "[2, 3, 4]"},
                () -> Normalization.layerNorm(x, 3));
        fails(new String[] {"layer_norm", "weight", "[4]", "[3]"},
                () -> Normalization.layerNorm(x, new long[] {4}, Tensor.ones(3), null));
        fails(new String[] {"group_norm", "divisible", "[2, 3, 4]", "numGroups=2"},
                () -> Normalization.groupNorm(x, 2));
        fails(new String[] {"group_norm", "weight", "[3]", "[6]"},
                () -> Normalization.groupNorm(x, 3, Tensor.ones(6), null));
        fails(new String[] {"local_response_norm", "at least 3 dims", "[2, 3]"},
                () -> Normalization.localResponseNorm(Tensor.randn(46, 2, 3), 2));
        fails(new String[] {"local_response_norm", "size", "0"}, () -> Normalization.localResponseNorm(x, 0));
        fails(new String[] {"batch_norm", "eps"},
                () -> Normalization.batchNorm(x, rm, rv, null, null, true, 0.1, -1));
    }
}
