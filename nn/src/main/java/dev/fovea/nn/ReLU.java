package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;

/** {@code max(x, 0)}, as PyTorch's {@code nn.ReLU}. */
public class ReLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return Activations.relu(input);
    }
}
