package dev.fovea.tensor.functional;

/**
 * Activation functions as in PyTorch's {@code torch.nn.functional}, each differentiable.
 * Elementwise activations keep the input's shape; softmax and log-softmax normalise over one
 * dimension.
 */
public final class Activations {
    private Activations() {}

    // elementwise activations

    // softmax family
}
