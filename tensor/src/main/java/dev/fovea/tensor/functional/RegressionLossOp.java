package dev.fovea.tensor.functional;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import java.util.function.UnaryOperator;

/**
 * The elementwise losses of {@link Losses}: mean squared and absolute error, smooth L1, Huber and
 * the Kullback-Leibler divergence. Each is a composition of the vectorized elementwise kernels
 * (through the tensor ops, run with recording off) with one recorded node whose backward is
 * written out, so that kinks and edge values get PyTorch's gradients (the sign at a tie, smooth
 * L1's -1 at a zero difference with beta 0, KL's NaN target gradient at a zero target) rather than
 * what differentiating the composition would give. Reductions are the differentiable tensor ops.
 */
final class RegressionLossOp {
    private RegressionLossOp() {}

    /** {@code (x - t)^2}. */
    static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
        String op = "mse_loss";
        Tensor d = difference(op, input, target, reduction);
        Tensor loss;
        try (Grad off = Grad.off()) {
            loss = d.mul(d);
        }
        return LossSupport.reduce(differenceLoss(op, loss, input, target, g -> g.mul(d).mul(2f)), reduction);
    }

    /** {@code |x - t|}; the gradient is {@code sign(x - t)}, 0 at a tie. */
    static Tensor l1(Tensor input, Tensor target, Reduction reduction) {
        String op = "l1_loss";
        Tensor d = difference(op, input, target, reduction);
        Tensor loss;
        try (Grad off = Grad.off()) {
            loss = d.abs();
        }
        return LossSupport.reduce(differenceLoss(op, loss, input, target,
                g -> g.mul(d.gt(0f).sub(d.lt(0f)))), reduction);
    }

    /**
     * {@code 0.5 d^2 / beta} where {@code |d| < beta}, else {@code |d| - 0.5 beta}; the gradient is
     * {@code -1} for {@code d <= -beta}, {@code 1} for {@code d >= beta}, {@code d / beta} between.
     */
    static Tensor smoothL1(Tensor input, Tensor target, float beta, Reduction reduction) {
        String op = "smooth_l1_loss";
        LossSupport.atLeast(op, "beta", beta, 0f, false);
        Tensor d = difference(op, input, target, reduction);
        Tensor loss;
        try (Grad off = Grad.off()) {
            Tensor ad = d.abs();
            loss = beta == 0f ? ad : Tensor.where(ad.lt(beta), d.mul(d).mul(0.5f / beta), ad.sub(0.5f * beta));
        }
        // The target's slope is taken at t - x, as PyTorch does: it differs from the negated input
        // slope only at d = 0 with beta = 0, where both are -1.
        return LossSupport.reduce(differenceLoss(op, loss, input, target, g -> g.mul(clampedSlope(d, beta, 1f)),
                g -> g.mul(clampedSlope(d.neg(), beta, 1f))), reduction);
    }

    /**
     * {@code 0.5 d^2} where {@code |d| < delta}, else {@code delta (|d| - 0.5 delta)}; the gradient
     * is {@code d} clamped to {@code [-delta, delta]}.
     */
    static Tensor huber(Tensor input, Tensor target, float delta, Reduction reduction) {
        String op = "huber_loss";
        LossSupport.atLeast(op, "delta", delta, 0f, true);
        Tensor d = difference(op, input, target, reduction);
        Tensor loss;
        try (Grad off = Grad.off()) {
            Tensor ad = d.abs();
            loss = Tensor.where(ad.lt(delta), d.mul(d).mul(0.5f), ad.sub(0.5f * delta).mul(delta));
        }
        return LossSupport.reduce(differenceLoss(op, loss, input, target, g -> g.mul(clampedSlope(d, delta, delta)),
                g -> g.mul(clampedSlope(d.neg(), delta, delta))), reduction);
    }

    /**
     * {@code -scale} where {@code d <= -edge}, {@code scale} where {@code d >= edge}, and
     * {@code d * scale / edge} between, in PyTorch's order of tests (so {@code edge = 0} gives
     * {@code -scale} at {@code d = 0}).
     */
    private static Tensor clampedSlope(Tensor d, float edge, float scale) {
        Tensor inside = edge == 0f ? Tensor.zerosLike(d) : d.mul(scale / edge);
        return Tensor.where(d.le(-edge), Tensor.scalar(-scale), Tensor.where(d.ge(edge), Tensor.scalar(scale), inside));
    }

    /**
     * Kullback-Leibler divergence terms: {@code t (log t - x)} (0 where {@code t = 0}), or with
     * {@code logTarget} {@code exp(t) (t - x)}; reduced by {@code reduction}, or summed and divided
     * by the batch size (the input's first dim) when {@code batchMean}.
     */
    static Tensor klDiv(Tensor input, Tensor target, Reduction reduction, boolean batchMean, boolean logTarget) {
        String op = "kl_div";
        LossSupport.inputs(op, input, target, reduction);
        LossSupport.sameShape(op, input, target);
        Tensor loss;
        Tensor p;
        try (Grad off = Grad.off()) {
            p = logTarget ? target.exp() : target;
            // p (log p - x) as one product, not p log p - p x, which cancels where x is near log p; a
            // zero target gives -0 x (0, or NaN for an infinite x, as PyTorch's xlogy(t, t) - t x).
            Tensor logP = logTarget ? target : target.log();
            Tensor terms = p.mul(logP.sub(input));
            loss = logTarget ? terms : Tensor.where(target.eq(0f), p.mul(input).neg(), terms);
        }
        boolean needInput = input.requiresGrad();
        boolean needTarget = target.requiresGrad();
        Tensor terms = Autograd.record(op, loss, g -> new Tensor[] {
            needInput ? g.mul(p).neg() : null,
            needTarget ? g.mul(klTargetSlope(input, target, p, logTarget)) : null}, input, target);
        if (!batchMean) {
            return LossSupport.reduce(terms, reduction);
        }
        Tensor sum = terms.sum();
        return input.rank() == 0 ? sum : sum.div(input.shape()[0]);
    }

    /**
     * The target derivative of the KL terms: {@code exp(t) (t - x + 1)} for log targets, else
     * {@code log t + t / t - x}, which is {@code log t + 1 - x}, or NaN at {@code t = 0} as PyTorch's
     * gradient of {@code xlogy(t, t)} there.
     */
    private static Tensor klTargetSlope(Tensor input, Tensor target, Tensor p, boolean logTarget) {
        if (logTarget) {
            return p.mul(target.sub(input).add(1f));
        }
        return target.log().add(target.div(target)).sub(input);
    }

    /** The checked inputs' difference {@code x - t}, computed without recording. */
    private static Tensor difference(String op, Tensor input, Tensor target, Reduction reduction) {
        LossSupport.inputs(op, input, target, reduction);
        LossSupport.sameShape(op, input, target);
        try (Grad off = Grad.off()) {
            return input.sub(target);
        }
    }

    /**
     * Records per-element losses {@code f(x - t)} whose input gradient is {@code inputGrad(g)} and
     * whose target gradient is its negation.
     */
    private static Tensor differenceLoss(String op, Tensor loss, Tensor input, Tensor target,
                                         UnaryOperator<Tensor> inputGrad) {
        return differenceLoss(op, loss, input, target, inputGrad, g -> inputGrad.apply(g).neg());
    }

    /** Records per-element losses with the given input and target gradients of the output gradient {@code g}. */
    private static Tensor differenceLoss(String op, Tensor loss, Tensor input, Tensor target,
                                         UnaryOperator<Tensor> inputGrad, UnaryOperator<Tensor> targetGrad) {
        boolean needInput = input.requiresGrad();
        boolean needTarget = target.requiresGrad();
        return Autograd.record(op, loss, g -> new Tensor[] {
            needInput ? inputGrad.apply(g) : null, needTarget ? targetGrad.apply(g) : null}, input, target);
    }
}
