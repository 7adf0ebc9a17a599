package dev.fovea.tensor.functional;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * The immutable options of {@link Losses#crossEntropy(Tensor, Tensor, CrossEntropyOptions)}, with
 * PyTorch's defaults: no class weights, {@code ignore_index = -100}, no label smoothing, reduction
 * {@link Reduction#MEAN}. Every setter returns new options:
 *
 * <pre>{@code
 * Tensor loss = Losses.crossEntropy(logits, labels,
 *         CrossEntropyOptions.DEFAULT.weight(classWeights).labelSmoothing(0.1f));
 * }</pre>
 */
public final class CrossEntropyOptions {
    /** PyTorch's defaults: no weights, ignore index -100, no label smoothing, mean reduction. */
    public static final CrossEntropyOptions DEFAULT = new CrossEntropyOptions(null, -100, 0f, Reduction.MEAN);

    private final Tensor weight;
    private final int ignoreIndex;
    private final float labelSmoothing;
    private final Reduction reduction;

    private CrossEntropyOptions(Tensor weight, int ignoreIndex, float labelSmoothing, Reduction reduction) {
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
        this.reduction = reduction;
    }

    /**
     * Class weights (PyTorch {@code weight}): a 1-d tensor of one weight per class, or null for none.
     * The loss is not differentiable with respect to them.
     *
     * @throws IllegalArgumentException if {@code weight} is not 1-d (its length is checked against the input later)
     */
    public CrossEntropyOptions weight(Tensor weight) {
        if (weight != null && weight.rank() != 1) {
            throw new IllegalArgumentException("cross_entropy: weight must be 1-d (one weight per class), got shape "
                    + Shape.toString(weight.shape()));
        }
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, reduction);
    }

    /** The target value that contributes neither loss nor gradient (PyTorch {@code ignore_index}, default -100). */
    public CrossEntropyOptions ignoreIndex(int ignoreIndex) {
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, reduction);
    }

    /**
     * Label smoothing {@code eps} (PyTorch {@code label_smoothing}, default 0): the target becomes
     * {@code (1 - eps)} of the given distribution plus {@code eps} spread evenly over the classes.
     *
     * @throws IllegalArgumentException unless {@code 0 <= eps <= 1}
     */
    public CrossEntropyOptions labelSmoothing(float eps) {
        if (!(eps >= 0f && eps <= 1f)) {
            throw new IllegalArgumentException("cross_entropy: label_smoothing must be in [0, 1], got " + eps);
        }
        return new CrossEntropyOptions(weight, ignoreIndex, eps, reduction);
    }

    /**
     * How the per-target losses are combined (default {@link Reduction#MEAN}).
     *
     * @throws IllegalArgumentException if {@code reduction} is null
     */
    public CrossEntropyOptions reduction(Reduction reduction) {
        if (reduction == null) {
            throw new IllegalArgumentException("cross_entropy: reduction must not be null");
        }
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, reduction);
    }

    /** The class weights, or null. */
    public Tensor weight() {
        return weight;
    }

    /** The ignored target value. */
    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** The label smoothing. */
    public float labelSmoothing() {
        return labelSmoothing;
    }

    /** The reduction. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String toString() {
        return "CrossEntropyOptions[weight=" + (weight == null ? "none" : Shape.toString(weight.shape()))
                + ", ignoreIndex=" + ignoreIndex + ", labelSmoothing=" + labelSmoothing + ", reduction=" + reduction + "]";
    }
}
