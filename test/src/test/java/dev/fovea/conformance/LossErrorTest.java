package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.CrossEntropyOptions;
import dev.fovea.tensor.functional.Losses;
import dev.fovea.tensor.functional.Reduction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad arguments to the losses of {@link Losses}: each is an {@link IllegalArgumentException} thrown
 * before any work, whose message names the loss, the argument, and the shapes or values at fault.
 */
class LossErrorTest {
    private static final Tensor LOGITS = Tensor.randn(1, 6, 5);

    private static void refused(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    private static Tensor labels(float... v) {
        return Tensor.of(v);
    }

    @Test
    void invalidClassIndices() {
        refused(() -> Losses.crossEntropy(LOGITS, labels(0, 1, 5, 2, 3, 4)), "cross_entropy", "target", "5.0",
                "[0, 5)", "[6, 5]", "[6]");
        refused(() -> Losses.crossEntropy(LOGITS, labels(0, 1, -1, 2, 3, 4)), "cross_entropy", "target", "-1.0",
                "ignore_index -100");
        refused(() -> Losses.crossEntropy(LOGITS, labels(0, 1.5f, 2, 2, 3, 4)), "cross_entropy", "1.5",
                "whole numbers");
        refused(() -> Losses.crossEntropy(LOGITS, labels(0, Float.NaN, 2, 2, 3, 4)), "cross_entropy", "NaN");
        refused(() -> Losses.nllLoss(LOGITS, labels(0, 1, 2, 3, 4, -100), null, 3, Reduction.MEAN), "nll_loss",
                "-100.0", "ignore_index 3");
        refused(() -> Losses.nllLoss(Tensor.randn(2, 2, 3, 4), Tensor.full(3f, 2, 4), null, -100, Reduction.SUM),
                "nll_loss", "3.0", "[0, 3)", "[2, 3, 4]", "[2, 4]");
    }

    @Test
    void mismatchedTargetShapes() {
        refused(() -> Losses.crossEntropy(LOGITS, labels(0, 1, 2, 3, 4, 0, 1)), "cross_entropy", "target",
                "[6]", "[6, 5]", "[7]", "class probabilities");
        refused(() -> Losses.crossEntropy(LOGITS, Tensor.zeros(6, 4)), "cross_entropy", "[6, 4]");
        refused(() -> Losses.nllLoss(Tensor.randn(2, 2, 3, 4), Tensor.zeros(2, 3)), "nll_loss", "[2, 4]",
                "[2, 3, 4]", "without the class dim 1", "[2, 3]");
        refused(() -> Losses.crossEntropy(Tensor.scalar(1f), Tensor.scalar(0f)), "cross_entropy", "class dim",
                "scalar");
        Tensor x = Tensor.rand(3, 4, 5);
        refused(() -> Losses.binaryCrossEntropy(x, Tensor.rand(4, 5, 4)), "binary_cross_entropy", "target",
                "[4, 5]", "[5, 4]");
        refused(() -> Losses.binaryCrossEntropyWithLogits(x, Tensor.rand(4, 5)), "binary_cross_entropy_with_logits",
                "[4, 5]", "[5]");
        refused(() -> Losses.mseLoss(x, Tensor.rand(5, 1, 5)), "mse_loss", "[4, 5]", "[1, 5]");
        refused(() -> Losses.l1Loss(x, Tensor.rand(5, 4)), "l1_loss", "[4]");
        refused(() -> Losses.smoothL1Loss(x, Tensor.rand(5, 5, 4)), "smooth_l1_loss");
        refused(() -> Losses.huberLoss(x, Tensor.rand(5, 20)), "huber_loss", "[20]");
        refused(() -> Losses.klDiv(x, Tensor.rand(5, 4, 1)), "kl_div", "[4, 1]");
        refused(() -> Losses.klDivBatchMean(x, Tensor.rand(5, 5), false), "kl_div", "[5]");
    }

    @Test
    void weightsOfTheWrongShape() {
        refused(() -> Losses.crossEntropy(LOGITS, labels(0, 1, 2, 3, 4, 0),
                CrossEntropyOptions.DEFAULT.weight(Tensor.ones(4))), "cross_entropy", "weight", "[5]", "[4]", "[6, 5]");
        refused(() -> CrossEntropyOptions.DEFAULT.weight(Tensor.ones(1, 5)), "cross_entropy", "weight", "[1, 5]");
        refused(() -> Losses.nllLoss(LOGITS, labels(0, 1, 2, 3, 4, 0), Tensor.ones(6), -100, Reduction.MEAN),
                "nll_loss", "weight", "[6]");
        Tensor x = Tensor.rand(3, 4, 5);
        refused(() -> Losses.binaryCrossEntropy(x, x, Tensor.ones(4), Reduction.MEAN), "binary_cross_entropy",
                "weight", "[4]", "[4, 5]");
        refused(() -> Losses.binaryCrossEntropyWithLogits(x, x, null, Tensor.ones(3), Reduction.MEAN),
                "binary_cross_entropy_with_logits", "pos_weight", "[3]");
        refused(() -> Losses.binaryCrossEntropyWithLogits(x, x, Tensor.ones(2, 4, 5), null, Reduction.MEAN),
                "weight", "[2, 4, 5]");
        Tensor trainable = Tensor.ones(5).requiresGrad(true);
        refused(() -> Losses.binaryCrossEntropyWithLogits(x, x, trainable, null, Reduction.MEAN), "weight",
                "not differentiable");
        refused(() -> Losses.crossEntropy(LOGITS, labels(0, 1, 2, 3, 4, 0), CrossEntropyOptions.DEFAULT.weight(trainable)),
                "cross_entropy", "weight", "not differentiable");
    }

    @Test
    void badValuesAndOptions() {
        refused(() -> Losses.binaryCrossEntropy(Tensor.of(new float[] {0.5f, 1.5f}), Tensor.zeros(2)),
                "binary_cross_entropy", "[0, 1]", "1.5", "index 1");
        refused(() -> Losses.binaryCrossEntropy(Tensor.of(new float[] {Float.NaN}), Tensor.zeros(1)),
                "binary_cross_entropy", "NaN");
        Tensor x = Tensor.rand(3, 4);
        refused(() -> Losses.huberLoss(x, x, 0f, Reduction.MEAN), "huber_loss", "delta", "0.0");
        refused(() -> Losses.smoothL1Loss(x, x, -1f, Reduction.MEAN), "smooth_l1_loss", "beta", "-1.0");
        refused(() -> Losses.mseLoss(x, x, null), "mse_loss", "reduction");
        refused(() -> CrossEntropyOptions.DEFAULT.labelSmoothing(1.5f), "label_smoothing", "1.5");
        refused(() -> Losses.crossEntropy(LOGITS, Tensor.rand(2, 6, 5), CrossEntropyOptions.DEFAULT.ignoreIndex(0)),
                "cross_entropy", "ignore_index 0", "class-probability");
        refused(() -> Losses.crossEntropy(LOGITS, labels(0, 1, 2, 3, 4, 0), null), "cross_entropy", "options");
        refused(() -> Losses.crossEntropy(Tensor.zeros(3, 0), Tensor.zeros(3)), "cross_entropy", "at least one class");
        refused(() -> Losses.mseLoss(null, x), "mse_loss", "input");
    }
}
