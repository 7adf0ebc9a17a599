package dev.fovea.nn;

import dev.fovea.nn.init.Init;
import dev.fovea.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Inverted dropout, as PyTorch's {@code nn.Dropout}: in training each element is zeroed with
 * probability {@code p} and the rest scaled by {@code 1 / (1 - p)}; in evaluation the identity.
 * Each layer draws from its own generator, seeded from {@link Init}'s at construction.
 */
public class Dropout extends Module {
    private final double p;
    private final RandomGenerator rng;

    /** PyTorch's default {@code p = 0.5}. */
    public Dropout() {
        this(0.5);
    }

    /** Dropout with probability {@code p} in {@code [0, 1]}. */
    public Dropout(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        }
        this.p = p;
        this.rng = Init.split();
    }

    @Override
    public Tensor forward(Tensor input) {
        return dev.fovea.tensor.functional.Dropout.dropout(input, p, isTraining(), rng);
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
