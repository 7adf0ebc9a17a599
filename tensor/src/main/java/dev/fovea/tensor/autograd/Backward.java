package dev.fovea.tensor.autograd;

import dev.fovea.tensor.Tensor;

/**
 * The vector-Jacobian product of one op: given the gradient of the loss with respect to the op's
 * output, returns the gradient with respect to each of its inputs.
 *
 * <p>The returned array is aligned with the inputs passed to {@link Autograd#record}; an entry may
 * be null when that input needs no gradient. Each non-null entry must have its input's shape
 * (it may be a non-contiguous view, e.g. an expanded one). Runs with gradient recording off.
 */
@FunctionalInterface
public interface Backward {
    /** Returns the gradients of the op's inputs from {@code gradOutput}, which has the output's shape. */
    Tensor[] apply(Tensor gradOutput);
}
