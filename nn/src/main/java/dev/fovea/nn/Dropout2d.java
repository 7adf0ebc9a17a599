package dev.fovea.nn;

import dev.fovea.nn.init.Init;
import dev.fovea.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Channel dropout over {@code (n, c, h, w)}, as PyTorch's {@code nn.Dropout2d}: in training each
 * whole channel is zeroed with probability {@code p} and the rest scaled by {@code 1 / (1 - p)}.
 */
public final class Dropout2d extends Module {
    private final double p;
    private final RandomGenerator rng;

    /** Channel dropout with probability {@code p} in {@code [0, 1]}. */
    public Dropout2d(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout2d: p must be in [0, 1], got " + p);
        }
        this.p = p;
        this.rng = Init.split();
    }

    @Override
    public Tensor forward(Tensor input) {
        return dev.fovea.tensor.functional.Dropout.dropout2d(input, p, isTraining(), rng);
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
