package dev.fovea.nn.optim;

import dev.fovea.tensor.Tensor;
import java.util.List;

/**
 * Stochastic gradient descent, as {@code torch.optim.SGD}: with weight decay {@code g += wd p};
 * with momentum {@code buf = momentum buf + (1 - dampening) g} (the first step {@code buf = g}),
 * then {@code g = buf}, or {@code g += momentum buf} for Nesterov; finally {@code p -= lr g}.
 */
public final class Sgd extends Optimizer {
    private final float momentum;
    private final float dampening;
    private final float weightDecay;
    private final boolean nesterov;

    /** Plain SGD. */
    public Sgd(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    /**
     * SGD with momentum, dampening, weight decay and optionally Nesterov momentum.
     *
     * @throws IllegalArgumentException for negative values, or Nesterov without momentum or with dampening
     */
    public Sgd(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov) {
        super(params, lr);
        check("Sgd", "momentum", momentum, 0, Double.MAX_VALUE);
        check("Sgd", "dampening", dampening, 0, 1);
        check("Sgd", "weightDecay", weightDecay, 0, Double.MAX_VALUE);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Sgd: Nesterov momentum needs momentum > 0 and zero dampening, got"
                    + " momentum=" + momentum + ", dampening=" + dampening);
        }
        this.momentum = (float) momentum;
        this.dampening = (float) dampening;
        this.weightDecay = (float) weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    int stateSlots() {
        return 1;
    }

    @Override
    void update(Tensor p, Tensor g, Tensor[] state) {
        Tensor d = weightDecay != 0 ? g.add(p.mul(weightDecay)) : g;
        if (momentum != 0) {
            Tensor buf = state[0];
            if (buf == null) {
                buf = state[0] = d.clone();
            } else {
                buf.mulInPlace(momentum).addInPlace(d, 1 - dampening);
            }
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        p.addInPlace(d, (float) -learningRate());
    }
}
