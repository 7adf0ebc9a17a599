package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

/** Returns its input, as PyTorch's {@code nn.Identity} (a placeholder, e.g. for a removed head). */
public final class Identity extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input;
    }
}
