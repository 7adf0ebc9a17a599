package dev.fovea.tensor.functional;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.ops.Checks;
import java.util.Arrays;

/** Argument checks and reductions shared by the losses of {@link Losses}. */
final class LossSupport {
    private LossSupport() {}

    /** Checks that {@code input} and {@code target} are live and {@code reduction} is given. */
    static void inputs(String op, Tensor input, Tensor target, Reduction reduction) {
        Checks.live(op, "input", input);
        Checks.live(op, "target", target);
        if (reduction == null) {
            throw new IllegalArgumentException(op + ": reduction must not be null (Reduction.NONE, MEAN or SUM)");
        }
    }

    /** Checks that {@code target} has exactly {@code input}'s shape (no broadcasting). */
    static void sameShape(String op, Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": target must have the input's shape "
                    + Shape.toString(input.shape()) + ", got " + Shape.toString(target.shape())
                    + " (targets are not broadcast: PyTorch warns that doing so is likely a bug)");
        }
    }

    /**
     * Checks an optional per-element weight ({@code weight}, {@code pos_weight}): null, or a tensor that
     * broadcasts to {@code input}'s shape, and does not require grad while grad mode is on (PyTorch
     * does not differentiate losses with respect to their weights).
     */
    static void broadcastWeight(String op, String arg, Tensor weight, Tensor input) {
        if (weight == null) {
            return;
        }
        Checks.live(op, arg, weight);
        long[] shape = input.shape();
        long[] joint;
        try {
            joint = Shape.broadcast(op, weight.shape(), shape);
        } catch (IllegalArgumentException e) {
            joint = null;
        }
        if (joint == null || !Arrays.equals(joint, shape)) {
            throw new IllegalArgumentException(op + ": " + arg + " of shape " + Shape.toString(weight.shape())
                    + " must broadcast to the input's shape " + Shape.toString(shape));
        }
        constant(op, arg, weight);
    }

    /** Refuses a weight that requires grad while grad mode is on: the loss has no gradient for it. */
    static void constant(String op, String arg, Tensor weight) {
        if (weight != null && weight.requiresGrad() && Grad.isEnabled()) {
            throw new IllegalArgumentException(op + ": " + arg + " requires grad, but " + op
                    + " is not differentiable with respect to " + arg + " (as in PyTorch); pass " + arg + ".detach()");
        }
    }

    /** Applies {@code reduction} to per-element losses with the differentiable tensor ops. */
    static Tensor reduce(Tensor losses, Reduction reduction) {
        return switch (reduction) {
            case NONE -> losses;
            case MEAN -> losses.mean();
            case SUM -> losses.sum();
        };
    }

    /** Checks that a loss parameter is finite and at least {@code min} (strictly above it if {@code strict}). */
    static float atLeast(String op, String arg, float value, float min, boolean strict) {
        if (!Float.isFinite(value) || value < min || strict && value == min) {
            throw new IllegalArgumentException(op + ": " + arg + " must be " + (strict ? "> " : ">= ") + min
                    + " and finite, got " + value);
        }
        return value;
    }
}
