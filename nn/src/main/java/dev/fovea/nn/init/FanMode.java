package dev.fovea.nn.init;

/**
 * Which fan a Kaiming initialiser scales by, as PyTorch's {@code mode}: {@link #FAN_IN} keeps the
 * variance of the activations in the forward pass, {@link #FAN_OUT} that of the gradients in the
 * backward pass. For a weight of shape {@code (d0, d1, k...)} fan-in is {@code d1 * prod(k)} and
 * fan-out {@code d0 * prod(k)}, from the shape as given (for a transposed convolution's
 * {@code (inC, outC / groups, k...)} weight this is PyTorch's convention, not the true fan).
 */
public enum FanMode {
    /** {@code d1 * prod(k)}: PyTorch's {@code mode="fan_in"} (the default). */
    FAN_IN,
    /** {@code d0 * prod(k)}: PyTorch's {@code mode="fan_out"}. */
    FAN_OUT
}
