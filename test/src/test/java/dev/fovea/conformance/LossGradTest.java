package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import dev.fovea.tensor.functional.CrossEntropyOptions;
import dev.fovea.tensor.functional.Losses;
import dev.fovea.tensor.functional.Reduction;
import org.junit.jupiter.api.Test;

/**
 * The losses of {@link Losses}: gradients with respect to the input and, where the loss has one,
 * the target, against central finite differences ({@link GradientChecker} with its default
 * tolerances) for every reduction and option; and exact losses and gradients at logits of ±1e4.
 *
 * <p>Inputs are chosen where finite differences are valid: differences {@code input - target}
 * at least 0.1 away from the kinks of L1 (0), smooth L1 ({@code ±beta}) and Huber
 * ({@code ±delta}), more than the checker's step ({@code 1e-2 max(1, |x|)}, at most 0.05 here);
 * probabilities for binary cross entropy in {@code [0.1, 0.9]} and KL targets in {@code [0.3, 1]},
 * where the third derivatives ({@code 2 / x^3}) keep the truncation error of the central difference
 * below the 1% tolerance. Class-index targets are captured by the checked function, not perturbed.
 */
class LossGradTest {
    private static final Reduction[] REDUCTIONS = Reduction.values();

    /** Class indices in [0, c) as floats, every {@code every}-th replaced by {@code ignore} (none if every is 0). */
    private static Tensor classes(long seed, int c, int every, float ignore, long... shape) {
        float[] v = Tensor.rand(seed, shape).toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = every > 0 && i % every == 0 ? ignore : (float) Math.floor(v[i] * c);
        }
        return Tensor.of(v, shape);
    }

    private static Tensor uniform(long seed, float lo, float hi, long... shape) {
        return Tensor.rand(seed, shape).mul(hi - lo).add(lo);
    }

    @Test
    void crossEntropyWithClassIndices() {
        Tensor x = Tensor.randn(1, 6, 5);
        Tensor w = uniform(2, 0.5f, 2f, 5);
        Tensor t = classes(3, 5, 4, -100f, 6);
        Tensor k = Tensor.randn(4, 2, 4, 3, 2);
        Tensor tk = classes(5, 4, 5, 1f, 2, 3, 2);
        for (Reduction r : REDUCTIONS) {
            CrossEntropyOptions o = CrossEntropyOptions.DEFAULT.reduction(r);
            GradientChecker.of("cross_entropy " + r, in -> Losses.crossEntropy(in[0], t, o)).check(x);
            GradientChecker.of("cross_entropy weight smoothing " + r, in -> Losses.crossEntropy(in[0], t,
                    o.weight(w).labelSmoothing(0.2f))).check(x);
            GradientChecker.of("cross_entropy k-dim, ignore in range " + r, in -> Losses.crossEntropy(in[0], tk,
                    o.ignoreIndex(1).labelSmoothing(0.1f).weight(uniform(6, 0.5f, 2f, 4)))).check(k);
        }
        GradientChecker.of("cross_entropy unbatched", in -> Losses.crossEntropy(in[0], Tensor.scalar(2f)))
                .check(Tensor.randn(7, 5));
    }

    @Test
    void crossEntropyWithClassProbabilities() {
        Tensor x = Tensor.randn(8, 4, 5);
        Tensor p = Activations.softmax(Tensor.randn(9, 4, 5), 1);
        Tensor pk = Activations.softmax(Tensor.randn(10, 2, 3, 4), 1);
        for (Reduction r : REDUCTIONS) {
            CrossEntropyOptions o = CrossEntropyOptions.DEFAULT.reduction(r);
            GradientChecker.of("cross_entropy probabilities " + r, in -> Losses.crossEntropy(in[0], in[1], o))
                    .check(x, p);
            GradientChecker.of("cross_entropy probabilities weight smoothing " + r, in -> Losses.crossEntropy(in[0],
                    in[1], o.weight(uniform(11, 0.5f, 2f, 5)).labelSmoothing(0.3f))).check(x, p);
            GradientChecker.of("cross_entropy probabilities k-dim " + r, in -> Losses.crossEntropy(in[0], in[1], o))
                    .check(Tensor.randn(12, 2, 3, 4), pk);
        }
    }

    @Test
    void nllLoss() {
        Tensor logP = Activations.logSoftmax(Tensor.randn(13, 7, 4), 1);
        Tensor t = classes(14, 4, 3, -100f, 7);
        Tensor w = uniform(15, 0.5f, 2f, 4);
        for (Reduction r : REDUCTIONS) {
            GradientChecker.of("nll_loss " + r, in -> Losses.nllLoss(in[0], t, null, -100, r)).check(logP);
            GradientChecker.of("nll_loss weight " + r, in -> Losses.nllLoss(in[0], t, w, -100, r)).check(logP);
            GradientChecker.of("nll_loss k-dim " + r, in -> Losses.nllLoss(in[0], classes(16, 3, 0, 0f, 2, 5), w.narrow(0, 0, 3),
                    -100, r)).check(Tensor.randn(17, 2, 3, 5));
        }
    }

    @Test
    void binaryCrossEntropy() {
        Tensor x = uniform(18, 0.1f, 0.9f, 4, 5);
        Tensor t = Tensor.rand(19, 4, 5);
        Tensor w = uniform(20, 0.5f, 2f, 5);
        for (Reduction r : REDUCTIONS) {
            GradientChecker.of("binary_cross_entropy " + r, in -> Losses.binaryCrossEntropy(in[0], in[1], null, r))
                    .check(x, t);
            GradientChecker.of("binary_cross_entropy weight " + r, in -> Losses.binaryCrossEntropy(in[0], in[1], w, r))
                    .check(x, t);
        }
    }

    @Test
    void binaryCrossEntropyWithLogits() {
        Tensor x = Tensor.randn(21, 4, 5).mul(3f);
        Tensor t = Tensor.rand(22, 4, 5);
        Tensor w = uniform(23, 0.5f, 2f, 4, 1);
        Tensor pw = uniform(24, 0.5f, 3f, 5);
        for (Reduction r : REDUCTIONS) {
            GradientChecker.of("bce_with_logits " + r, in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], null,
                    null, r)).check(x, t);
            GradientChecker.of("bce_with_logits weight pos_weight " + r, in -> Losses.binaryCrossEntropyWithLogits(
                    in[0], in[1], w, pw, r)).check(x, t);
        }
    }

    @Test
    void regressionLosses() {
        Tensor t = Tensor.randn(25, 4, 6);
        // Differences at least 0.1 from the kinks at 0, +-0.5 (beta), +-1 and +-2 (delta).
        Tensor d = GradientChecker.awayFrom(Tensor.randn(26, 4, 6).mul(2f), 0.1f, 0f, -0.5f, 0.5f, -1f, 1f, -2f, 2f);
        Tensor x = t.add(d);
        for (Reduction r : REDUCTIONS) {
            GradientChecker.of("mse_loss " + r, in -> Losses.mseLoss(in[0], in[1], r)).check(x, t);
            GradientChecker.of("l1_loss " + r, in -> Losses.l1Loss(in[0], in[1], r)).check(x, t);
            GradientChecker.of("smooth_l1_loss " + r, in -> Losses.smoothL1Loss(in[0], in[1], 1f, r)).check(x, t);
            GradientChecker.of("smooth_l1_loss beta 0.5 " + r, in -> Losses.smoothL1Loss(in[0], in[1], 0.5f, r))
                    .check(x, t);
            GradientChecker.of("smooth_l1_loss beta 0 " + r, in -> Losses.smoothL1Loss(in[0], in[1], 0f, r))
                    .check(x, t);
            GradientChecker.of("huber_loss " + r, in -> Losses.huberLoss(in[0], in[1], 1f, r)).check(x, t);
            GradientChecker.of("huber_loss delta 2 " + r, in -> Losses.huberLoss(in[0], in[1], 2f, r)).check(x, t);
        }
    }

    @Test
    void klDivergence() {
        Tensor logQ = Activations.logSoftmax(Tensor.randn(27, 3, 5), 1);
        Tensor p = uniform(28, 0.3f, 1f, 3, 5);
        Tensor logP = p.log();
        for (Reduction r : REDUCTIONS) {
            GradientChecker.of("kl_div " + r, in -> Losses.klDiv(in[0], in[1], r, false)).check(logQ, p);
            GradientChecker.of("kl_div log_target " + r, in -> Losses.klDiv(in[0], in[1], r, true)).check(logQ, logP);
        }
        GradientChecker.of("kl_div batchmean", in -> Losses.klDivBatchMean(in[0], in[1], false)).check(logQ, p);
        GradientChecker.of("kl_div batchmean log_target", in -> Losses.klDivBatchMean(in[0], in[1], true))
                .check(logQ, logP);
    }

    @Test
    void ignoredTargetsDoNotSeeTheirLogits() {
        // As in PyTorch, an ignored target contributes nothing, even where its logits are NaN: the loss
        // equals that of the kept rows alone (the mean divides by their weights). The K-dim path computes
        // the same terms by another formula, so it agrees to rounding: 1e-6 is about 8 ulp of these values.
        float nan = Float.NaN;
        Tensor x = Tensor.of(new float[][] {{0.5f, -1f, 2f}, {nan, nan, nan}, {1f, 3f, -2f}});
        Tensor kept = Tensor.of(new float[][] {{0.5f, -1f, 2f}, {1f, 3f, -2f}});
        Tensor w = Tensor.of(new float[] {0.5f, 1f, 2f});
        CrossEntropyOptions o = CrossEntropyOptions.DEFAULT.weight(w).labelSmoothing(0.2f);
        float expected = Losses.crossEntropy(kept, Tensor.of(new float[] {2f, 0f}), o).item();
        assertEquals(expected, Losses.crossEntropy(x, Tensor.of(new float[] {2f, -100f, 0f}), o).item(), 1e-6f);
        // The same through the K-dim path: (N, C, 1) logits and (N, 1) targets.
        assertEquals(expected, Losses.crossEntropy(x.unsqueeze(2), Tensor.of(new float[] {2f, -100f, 0f}, 3, 1), o)
                .item(), 1e-6f);
    }

    @Test
    void extremeLogitsGiveExactFiniteLossesAndGradients() {
        // Rows (1e4, -1e4, 0) with targets 1 and 0: log_softmax is (0, -2e4, -1e4) exactly in float,
        // so the per-row losses are 2e4 and 0, their mean 1e4, and d mean / dx = (softmax - onehot) / 2
        // with softmax (1, 0, 0): row 0 (1, -1, 0) / 2, row 1 zero.
        Tensor x = Tensor.of(new float[][] {{1e4f, -1e4f, 0f}, {1e4f, -1e4f, 0f}}).requiresGrad(true);
        Tensor loss = Losses.crossEntropy(x, Tensor.of(new float[] {1f, 0f}));
        assertEquals(1e4f, loss.item());
        loss.backward();
        assertArrayEquals(new float[] {0.5f, -0.5f, 0f, 0f, 0f, 0f}, x.grad().toArray());
        // Logits -1e4 and 1e4 with targets 1 and 0, positive weight 2: the losses are 2 * softplus(1e4)
        // = 2e4 and softplus(1e4) = 1e4 (log1p(exp(-1e4)) = 0 in float), summed 3e4; the input
        // gradients (1 + (p - 1) t) sigmoid(x) - p t are -2 and 1, the target gradients
        // (p - 1) softplus(-x) - x are 2e4 and -1e4.
        Tensor z = Tensor.of(new float[] {-1e4f, 1e4f}).requiresGrad(true);
        Tensor t = Tensor.of(new float[] {1f, 0f}).requiresGrad(true);
        Tensor bce = Losses.binaryCrossEntropyWithLogits(z, t, null, Tensor.of(new float[] {2f}), Reduction.SUM);
        assertEquals(3e4f, bce.item());
        bce.backward();
        assertArrayEquals(new float[] {-2f, 1f}, z.grad().toArray());
        assertArrayEquals(new float[] {2e4f, -1e4f}, t.grad().toArray());
    }
}
