package dev.fovea.nn.optim;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients, as {@code torch.optim}: {@link #step()} after
 * {@code loss.backward()}, {@link #zeroGrad()} before the next one. Parameters that do not
 * require gradients (frozen) or have no gradient yet are skipped. Updates are in place, outside
 * autograd, so a model holding the tensors sees them.
 */
public abstract class Optimizer {
    private final List<Tensor> params;
    private double lr;
    /** Per-parameter state (momentum buffers, moment estimates), keyed by identity. */
    private final Map<Tensor, Tensor[]> state = new IdentityHashMap<>();

    Optimizer(List<Tensor> params, double lr) {
        if (params == null || params.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": needs at least one parameter");
        }
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": lr must be finite and >= 0, got " + lr);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** The learning rate of the next step. */
    public final double learningRate() {
        return lr;
    }

    /** Sets the learning rate of the next steps (what a schedule does). */
    public final void learningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": lr must be finite and >= 0, got " + lr);
        }
        this.lr = lr;
    }

    /** The parameters this optimizer updates. */
    public final List<Tensor> parameters() {
        return params;
    }

    /** Applies one update to every parameter with a gradient. */
    public final void step() {
        try (Grad off = Grad.off()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null && p.requiresGrad()) {
                    update(p, g, state.computeIfAbsent(p, k -> new Tensor[stateSlots()]));
                }
            }
        }
    }

    /** Clears every parameter's gradient. */
    public final void zeroGrad() {
        params.forEach(Tensor::zeroGrad);
    }

    /** The number of state tensors kept per parameter. */
    abstract int stateSlots();

    /** Updates {@code p} in place from its gradient {@code g}; {@code state} is the parameter's (nulls at first). */
    abstract void update(Tensor p, Tensor g, Tensor[] state);

    static void check(String what, String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(what + ": " + name + " must be in [" + min + ", " + max + "], got "
                    + value);
        }
    }
}
