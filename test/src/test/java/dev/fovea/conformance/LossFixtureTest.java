package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.CrossEntropyOptions;
import dev.fovea.tensor.functional.Losses;
import dev.fovea.tensor.functional.Reduction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The losses of {@link Losses} against the PyTorch fixtures of {@code scripts/fixtures/loss_fixtures.py}:
 * cross entropy with class indices (weights, ignore index default and in range, label smoothing,
 * K-dim, unbatched, logits of ±1e4) and with class probabilities (weights, smoothing, K-dim,
 * extreme logits), nll_loss, binary cross entropy (weights, clamped logs at exact 0 and 1), with
 * logits (weight, pos_weight, ±1e4), mse, l1, smooth L1 and Huber (parameters, exact ties) and
 * KL divergence (log targets, zero targets, batchmean), each for reductions none, mean and sum:
 * the loss, the input gradient and, where PyTorch has one, the target gradient of {@code sum(y * g)}.
 *
 * <p><b>Tolerances</b> as in {@link SoftmaxFixtureTest}: each element within
 * {@code 2^-14 (|ref| + S)}, {@code S} the largest |ref| of the array (1 for the extreme cases,
 * whose float32 computations are exact up to a few roundings of each result). The float32 paths
 * here are at most a log-softmax over 5 classes, a sum of at most 40 terms, and a few
 * elementwise operations each rounding once: well under 200 u of the magnitudes involved, which
 * the fixtures keep within a factor of ten of {@code S}. Semantic errors (a mean over the wrong
 * count, a smoothing term over the wrong classes, a missing weight) are off by percent or more.
 * NaN (the KL target gradient at a zero target) and infinite references (the binary cross entropy
 * target gradient at 0 and 1) must be matched exactly.
 */
class LossFixtureTest {
    @TestFactory
    Stream<DynamicTest> everyCase() {
        return FixtureManifest.read("loss").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(FixtureManifest.Entry c) {
        boolean extreme = c.integer("extreme") == 1;
        Tensor x = c.load("x").requiresGrad(true);
        Tensor t = c.load("t");
        boolean targetGrad = c.has("gt");
        if (targetGrad) {
            t.requiresGrad(true);
        }
        Tensor y = loss(c, x, t);
        Tensor yRef = c.load("y");
        assertArrayEquals(yRef.shape(), y.shape(), c + ": output shape");
        SoftmaxFixtureTest.compare(c + " y", y.toArray(), yRef.toArray(), extreme);
        y.backward(c.load("g"));
        SoftmaxFixtureTest.compare(c + " gx", x.grad().toArray(), c.load("gx").toArray(), extreme);
        if (targetGrad) {
            SoftmaxFixtureTest.compare(c + " gt", t.grad().toArray(), c.load("gt").toArray(), extreme);
        } else {
            assertNull(t.grad(), c + ": a class-index target gets no gradient");
        }
    }

    private static Tensor loss(FixtureManifest.Entry c, Tensor x, Tensor t) {
        String reductionName = c.get("reduction");
        Reduction r = reductionName.equals("batchmean") ? Reduction.SUM : Reduction.valueOf(reductionName.toUpperCase());
        Tensor w = c.has("w") ? c.load("w") : null;
        Tensor pw = c.has("pw") ? c.load("pw") : null;
        return switch (c.get("op")) {
            case "cross_entropy" -> Losses.crossEntropy(x, t, CrossEntropyOptions.DEFAULT.weight(w)
                    .ignoreIndex(c.integer("ignore_index")).labelSmoothing(number(c, "label_smoothing")).reduction(r));
            case "nll_loss" -> Losses.nllLoss(x, t, w, c.integer("ignore_index"), r);
            case "bce" -> Losses.binaryCrossEntropy(x, t, w, r);
            case "bce_logits" -> Losses.binaryCrossEntropyWithLogits(x, t, w, pw, r);
            case "mse" -> Losses.mseLoss(x, t, r);
            case "l1" -> Losses.l1Loss(x, t, r);
            case "smooth_l1" -> Losses.smoothL1Loss(x, t, number(c, "beta"), r);
            case "huber" -> Losses.huberLoss(x, t, number(c, "delta"), r);
            case "kl_div" -> reductionName.equals("batchmean")
                    ? Losses.klDivBatchMean(x, t, c.integer("log_target") == 1)
                    : Losses.klDiv(x, t, r, c.integer("log_target") == 1);
            default -> throw new IllegalStateException(c + ": unknown op " + c.get("op"));
        };
    }

    private static float number(FixtureManifest.Entry c, String key) {
        return Float.parseFloat(c.get(key));
    }
}
