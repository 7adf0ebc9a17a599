package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;

/** {@code x > 0 ? x : a x} with a learnable slope per channel (or one shared), as PyTorch's {@code nn.PReLU}. */
public final class PReLU extends Module {
    private final Tensor weight;

    /** One shared slope starting at 0.25 (PyTorch's default). */
    public PReLU() {
        this(1, 0.25f);
    }

    /** {@code parameters} slopes (1, or the channel count) starting at {@code init}. */
    public PReLU(int parameters, float init) {
        if (parameters < 1) {
            throw new IllegalArgumentException("PReLU: parameters must be >= 1, got " + parameters);
        }
        this.weight = registerParameter("weight", Tensor.full(init, parameters));
    }

    @Override
    public Tensor forward(Tensor input) {
        return Activations.prelu(input, weight);
    }
}
