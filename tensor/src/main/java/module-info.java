/**
 * Fovea tensors: off-heap n-d float tensors, views, broadcasting ops and reverse-mode autograd.
 *
 * <p>{@code dev.fovea.tensor} is the API; {@code dev.fovea.tensor.autograd} holds the tape types
 * ({@code Node}) and the extension point for new differentiable ops; {@code dev.fovea.tensor.functional}
 * holds PyTorch-style functional ops ({@code F.conv2d}); {@code dev.fovea.tensor.io}
 * reads and writes {@code .npy} files. {@code ops} and {@code internal} are implementation.
 */
module dev.fovea.tensor {
    requires transitive dev.fovea.simd;

    exports dev.fovea.tensor;
    exports dev.fovea.tensor.autograd;
    exports dev.fovea.tensor.functional;
    exports dev.fovea.tensor.io;
}
