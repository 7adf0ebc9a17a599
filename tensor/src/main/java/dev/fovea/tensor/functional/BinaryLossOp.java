package dev.fovea.tensor.functional;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;

/**
 * The binary cross entropies of {@link Losses}, on probabilities and on logits. Both are
 * compositions of the vectorized elementwise kernels (through the tensor ops, run with recording
 * off) with one recorded node whose backward is PyTorch's formula, written out: differentiating
 * the composition would give {@code 0 * Inf = NaN} where a clamped log meets a probability of 0
 * or 1.
 */
final class BinaryLossOp {
    /** PyTorch's floor on {@code x (1 - x)} in the gradient of binary cross entropy. */
    private static final float EPSILON = 1e-12f;

    private BinaryLossOp() {}

    /**
     * {@code -w (t log x + (1 - t) log(1 - x))}, each log clamped to {@code >= -100} as in PyTorch;
     * input gradient {@code w (x - t) / max(x (1 - x), 1e-12)}, target gradient
     * {@code w log((1 - x) / x)}.
     */
    static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
        String op = "binary_cross_entropy";
        LossSupport.inputs(op, input, target, reduction);
        LossSupport.sameShape(op, input, target);
        LossSupport.broadcastWeight(op, "weight", weight, input);
        probabilities(op, input);
        Tensor loss;
        try (Grad off = Grad.off()) {
            Tensor logX = input.log().clamp(-100f, Float.POSITIVE_INFINITY);
            Tensor logOneMinusX = input.neg().add(1f).log().clamp(-100f, Float.POSITIVE_INFINITY);
            loss = weighted(target.sub(1f).mul(logOneMinusX).sub(target.mul(logX)), weight);
        }
        boolean needInput = input.requiresGrad();
        boolean needTarget = target.requiresGrad();
        Tensor terms = Autograd.record(op, loss, g -> {
            Tensor gw = weighted(g, weight);
            Tensor oneMinusX = input.neg().add(1f);
            Tensor variance = input.mul(oneMinusX).maximum(Tensor.scalar(EPSILON));
            return new Tensor[] {
                needInput ? gw.mul(input.sub(target)).div(variance) : null,
                needTarget ? gw.mul(oneMinusX.div(input).log()) : null};
        }, input, target);
        return LossSupport.reduce(terms, reduction);
    }

    /**
     * {@code w ((1 - t) max(x, 0) + p t max(-x, 0) + (1 + (p - 1) t) log(1 + exp(-|x|)))} with
     * {@code p} the positive weight (1 without one): PyTorch's
     * {@code w ((1 - t) x + (1 + (p - 1) t) softplus(-x))} regrouped so that for targets in
     * {@code [0, 1]} no two terms cancel, and {@code log(1 + e)} computed as {@link #log1p}. Input
     * gradient {@code w ((1 + (p - 1) t) sigmoid(x) - p t)}, target gradient
     * {@code w ((p - 1) softplus(-x) - x)}: finite for any finite logit.
     */
    static Tensor withLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight, Reduction reduction) {
        String op = "binary_cross_entropy_with_logits";
        LossSupport.inputs(op, input, target, reduction);
        LossSupport.sameShape(op, input, target);
        LossSupport.broadcastWeight(op, "weight", weight, input);
        LossSupport.broadcastWeight(op, "pos_weight", posWeight, input);
        Tensor loss;
        Tensor softplusNeg;
        try (Grad off = Grad.off()) {
            Tensor tail = log1p(input.abs().neg().exp());
            Tensor negPart = input.neg().relu();
            softplusNeg = negPart.add(tail);
            Tensor positiveTarget = posWeight == null ? target : target.mul(posWeight);
            Tensor logWeight = posWeight == null ? null : positiveTarget.sub(target).add(1f);
            Tensor sum = target.neg().add(1f).mul(input.relu()).add(positiveTarget.mul(negPart));
            loss = weighted(sum.add(logWeight == null ? tail : logWeight.mul(tail)), weight);
        }
        boolean needInput = input.requiresGrad();
        boolean needTarget = target.requiresGrad();
        Tensor terms = Autograd.record(op, loss, g -> {
            Tensor gw = weighted(g, weight);
            Tensor gx = null;
            Tensor gt = null;
            if (needInput) {
                Tensor sigmoid = input.sigmoid();
                gx = posWeight == null ? sigmoid.sub(target)
                        : target.mul(posWeight).sub(target).add(1f).mul(sigmoid).sub(target.mul(posWeight));
                gx = gw.mul(gx);
            }
            if (needTarget) {
                gt = posWeight == null ? input.neg() : posWeight.sub(1f).mul(softplusNeg).sub(input);
                gt = gw.mul(gt);
            }
            return new Tensor[] {gx, gt};
        }, input, target);
        return LossSupport.reduce(terms, reduction);
    }

    /**
     * {@code log(1 + e)} for {@code e >= 0}, within a few ulp also where {@code e} is tiny: with
     * {@code u = 1 + e} rounded, {@code log(u) * (e / (u - 1))} (Goldberg's correction of the
     * rounding of {@code u}; {@code u - 1} is exact), and {@code e} itself where {@code u} rounds to 1.
     */
    static Tensor log1p(Tensor e) {
        Tensor u = e.add(1f);
        Tensor uMinusOne = u.sub(1f);
        return Tensor.where(uMinusOne.eq(0f), e, u.log().mul(e.div(uMinusOne)));
    }

    private static Tensor weighted(Tensor t, Tensor weight) {
        return weight == null ? t : t.mul(weight);
    }

    /** Refuses inputs outside {@code [0, 1]} (or NaN), as PyTorch does. */
    private static void probabilities(String op, Tensor input) {
        if (input.numel() == 0) {
            return;
        }
        float inside;
        try (Grad off = Grad.off()) {
            inside = input.ge(0f).mul(input.le(1f)).min().item();
        }
        if (inside < 1f) {
            float[] v = input.toArray();
            int i = 0;
            while (v[i] >= 0f && v[i] <= 1f) {
                i++;
            }
            throw new IllegalArgumentException(op + ": input must hold probabilities in [0, 1], got " + v[i]
                    + " at flat index " + i + " of shape " + Shape.toString(input.shape())
                    + " (for logits use binaryCrossEntropyWithLogits)");
        }
    }
}
