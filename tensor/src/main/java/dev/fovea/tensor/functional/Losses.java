package dev.fovea.tensor.functional;

import dev.fovea.tensor.Tensor;

/**
 * Loss functions as in PyTorch's {@code torch.nn.functional}, with its semantics and defaults
 * (reduction {@link Reduction#MEAN}), each differentiable with respect to its input and, where
 * PyTorch's is, its target; never with respect to class or element weights (a weight that requires
 * grad is refused while grad mode is on, as in PyTorch).
 *
 * <pre>{@code
 * Tensor loss = Losses.crossEntropy(logits, labels);   // logits (N, C), labels (N) holding 0 .. C-1
 * loss.backward();
 * }</pre>
 *
 * <p><b>Shapes.</b> Classification losses take inputs {@code (C)}, {@code (N, C)} or
 * {@code (N, C, d1, ..., dk)} (classes along dim 1) and class-index targets of the input's shape
 * without the class dim, holding whole numbers in {@code [0, C)} or the ignore index (tensors are
 * float32, so indices are stored as floats). Every other loss needs a target of exactly the input's
 * shape: unlike PyTorch, which warns and broadcasts, a mismatch is an error. Optional element
 * weights broadcast to the input's shape. {@link Reduction#NONE} returns the per-element losses in
 * the target's shape.
 *
 * <p><b>Stability.</b> Cross entropy works from {@code log_softmax}, and the logits form of binary
 * cross entropy from {@code softplus} terms that never overflow: logits of ±1e4 give finite, exact
 * losses and gradients. Binary cross entropy on probabilities clamps its logs at -100 and floors
 * the denominator of its gradient at 1e-12, as PyTorch does.
 *
 * <p><b>Errors.</b> Bad arguments throw {@link IllegalArgumentException} naming the loss, the
 * argument and the shapes: mismatched targets, class indices out of range, negative (other than
 * the ignore index) or not whole, class weights of the wrong length, probabilities outside
 * {@code [0, 1]}, non-positive Huber delta, negative smooth-L1 beta.
 *
 * <p><b>Kernels.</b> Cross entropy with class indices on {@code (N, C)} logits runs a fused
 * vectorized kernel ({@code dev.fovea.simd.softmax.SoftmaxCrossEntropy}: per-row losses and the
 * input gradient without materialising the log-probabilities); its other forms run the vectorized
 * log-softmax kernels; the likelihood's gather and scatter are data movement; the elementwise
 * losses are compositions of the vectorized elementwise kernels, each with one recorded backward
 * node written from PyTorch's formulas.
 */
public final class Losses {
    private Losses() {}

    /** {@code F.cross_entropy(input, target)} with the default options: mean over the targets. */
    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return ClassLossOp.crossEntropy(input, target, CrossEntropyOptions.DEFAULT);
    }

    /**
     * {@code F.cross_entropy}: the cross entropy between {@code softmax(input)} over the class dim and
     * the target. Class-index targets (the input's shape without the class dim) give
     * {@code -w[t] log_softmax(input)[t]} per target, 0 for ignored ones; with label smoothing
     * {@code eps}, {@code (1 - eps)} times that plus {@code eps / C} times
     * {@code -sum_c w[c] log_softmax(input)[c]}. MEAN divides the sum by the summed weights of the
     * targets that are not ignored (NaN if there are none). Class-probability targets (the input's
     * shape, differentiable) give {@code -sum_c w[c] p[c] log_softmax(input)[c]} per row, with
     * {@code p} smoothed as {@code (1 - eps) p + eps / C}; MEAN divides by the number of rows, and the
     * ignore index must stay at its default.
     *
     * @throws IllegalArgumentException naming the argument for mismatched shapes, invalid class indices,
     *     or weights of the wrong length
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, CrossEntropyOptions options) {
        return ClassLossOp.crossEntropy(input, target, options);
    }

    /** {@code F.nll_loss(input, target)}: no weights, ignore index -100, mean. */
    public static Tensor nllLoss(Tensor input, Tensor target) {
        return ClassLossOp.nll(input, target, null, CrossEntropyOptions.DEFAULT.ignoreIndex(), Reduction.MEAN);
    }

    /**
     * {@code F.nll_loss}: {@code -weight[t] * input[n, t, d...]} per class-index target (the input
     * holds log-probabilities), 0 for targets equal to {@code ignoreIndex}; MEAN divides the sum by
     * the summed weights of the targets that are not ignored.
     *
     * @param weight one weight per class ({@code (C)}), or null for all ones
     * @throws IllegalArgumentException naming the argument for mismatched shapes, invalid class indices,
     *     or weights of the wrong length
     */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction) {
        return ClassLossOp.nll(input, target, weight, ignoreIndex, reduction);
    }

    /** {@code F.binary_cross_entropy(input, target)}: no weight, mean. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
        return BinaryLossOp.binaryCrossEntropy(input, target, null, Reduction.MEAN);
    }

    /**
     * {@code F.binary_cross_entropy}: {@code -weight (t log x + (1 - t) log(1 - x))} on probabilities
     * {@code x} in {@code [0, 1]}, each log clamped to {@code >= -100}.
     *
     * @param weight element weights broadcasting to the input's shape, or null
     * @throws IllegalArgumentException for mismatched shapes or an input outside {@code [0, 1]}
     */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
        return BinaryLossOp.binaryCrossEntropy(input, target, weight, reduction);
    }

    /** {@code F.binary_cross_entropy_with_logits(input, target)}: no weights, mean. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return BinaryLossOp.withLogits(input, target, null, null, Reduction.MEAN);
    }

    /**
     * {@code F.binary_cross_entropy_with_logits}: binary cross entropy of {@code sigmoid(input)},
     * {@code weight ((1 - t) x + (1 + (posWeight - 1) t) softplus(-x))}, computed without overflow
     * or cancellation for any finite logit.
     *
     * @param weight element weights broadcasting to the input's shape, or null
     * @param posWeight weights of the positive term (e.g. one per class, {@code (C)} for input
     *     {@code (N, C)}) broadcasting to the input's shape, or null
     * @throws IllegalArgumentException for mismatched shapes
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight,
                                                      Reduction reduction) {
        return BinaryLossOp.withLogits(input, target, weight, posWeight, reduction);
    }

    /** {@code F.mse_loss(input, target)}: mean of {@code (input - target)^2}. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return RegressionLossOp.mse(input, target, Reduction.MEAN);
    }

    /** {@code F.mse_loss}: {@code (input - target)^2}, reduced. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        return RegressionLossOp.mse(input, target, reduction);
    }

    /** {@code F.l1_loss(input, target)}: mean of {@code |input - target|}. */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return RegressionLossOp.l1(input, target, Reduction.MEAN);
    }

    /** {@code F.l1_loss}: {@code |input - target|}, reduced; the gradient at a tie is 0. */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        return RegressionLossOp.l1(input, target, reduction);
    }

    /** {@code F.smooth_l1_loss(input, target)}: beta 1, mean. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target) {
        return RegressionLossOp.smoothL1(input, target, 1f, Reduction.MEAN);
    }

    /**
     * {@code F.smooth_l1_loss}: with {@code d = input - target}, {@code 0.5 d^2 / beta} where
     * {@code |d| < beta}, else {@code |d| - 0.5 beta}; {@code beta = 0} is the L1 loss.
     *
     * @throws IllegalArgumentException if {@code beta} is negative or not finite
     */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, float beta, Reduction reduction) {
        return RegressionLossOp.smoothL1(input, target, beta, reduction);
    }

    /** {@code F.huber_loss(input, target)}: delta 1, mean. */
    public static Tensor huberLoss(Tensor input, Tensor target) {
        return RegressionLossOp.huber(input, target, 1f, Reduction.MEAN);
    }

    /**
     * {@code F.huber_loss}: with {@code d = input - target}, {@code 0.5 d^2} where
     * {@code |d| < delta}, else {@code delta (|d| - 0.5 delta)} (smooth L1 scaled by {@code delta}).
     *
     * @throws IllegalArgumentException if {@code delta} is not positive and finite
     */
    public static Tensor huberLoss(Tensor input, Tensor target, float delta, Reduction reduction) {
        return RegressionLossOp.huber(input, target, delta, reduction);
    }

    /** {@code F.kl_div(input, target)}: probability targets, mean over all elements (PyTorch's default). */
    public static Tensor klDiv(Tensor input, Tensor target) {
        return RegressionLossOp.klDiv(input, target, Reduction.MEAN, false, false);
    }

    /**
     * {@code F.kl_div}: the pointwise Kullback-Leibler divergence of the target distribution from
     * the input's, the input holding log-probabilities: {@code t (log t - input)} (0 where
     * {@code t = 0}), or with {@code logTarget} (targets as log-probabilities)
     * {@code exp(t) (t - input)}. MEAN averages over every element; for the mathematical KL
     * divergence of a batch use {@link #klDivBatchMean}.
     */
    public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction, boolean logTarget) {
        return RegressionLossOp.klDiv(input, target, reduction, false, logTarget);
    }

    /**
     * {@code F.kl_div(..., reduction='batchmean')}: the sum of the pointwise terms of
     * {@link #klDiv(Tensor, Tensor, Reduction, boolean)} divided by the batch size (the input's first
     * dim; a scalar input is not divided).
     */
    public static Tensor klDivBatchMean(Tensor input, Tensor target, boolean logTarget) {
        return RegressionLossOp.klDiv(input, target, Reduction.SUM, true, logTarget);
    }
}
