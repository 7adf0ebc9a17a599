package dev.fovea.nn.optim;

import static dev.fovea.nn.optim.Hyperparameter.DAMPENING;
import static dev.fovea.nn.optim.Hyperparameter.LR;
import static dev.fovea.nn.optim.Hyperparameter.MOMENTUM;
import static dev.fovea.nn.optim.Hyperparameter.WEIGHT_DECAY;

import dev.fovea.tensor.Tensor;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent, as {@code torch.optim.SGD}: with weight decay {@code g += wd p};
 * with momentum {@code buf = momentum buf + (1 - dampening) g} (the first step {@code buf = g}),
 * then {@code g = buf}, or {@code g += momentum buf} for Nesterov; finally {@code p -= lr g}.
 * Per group: lr, momentum, dampening, weight decay. Buffer: {@code momentum_buffer} (with momentum).
 */
public final class Sgd extends Optimizer {
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
        this(List.of(ParamGroup.of(params)), defaults(LR, lr, MOMENTUM, momentum, DAMPENING, dampening,
                WEIGHT_DECAY, weightDecay), nesterov);
    }

    private Sgd(List<ParamGroup> groups, Map<Hyperparameter, Double> defaults, boolean nesterov) {
        super("Sgd", groups, defaults);
        this.nesterov = nesterov;
        validate();
    }

    /** A builder with PyTorch's defaults: lr 1e-3 (PyTorch 2's), no momentum, dampening or weight decay. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link Sgd}: groups, optimizer-wide hyperparameters, Nesterov. */
    public static final class Builder extends Optimizer.Builder<Builder, Sgd> {
        private boolean nesterov;

        private Builder() {
            super(defaults(LR, 1e-3, MOMENTUM, 0, DAMPENING, 0, WEIGHT_DECAY, 0));
        }

        /** Sets the momentum of the groups that do not set their own. */
        public Builder momentum(double momentum) {
            return set(MOMENTUM, momentum);
        }

        /** Sets the dampening of the groups that do not set their own. */
        public Builder dampening(double dampening) {
            return set(DAMPENING, dampening);
        }

        /** Uses Nesterov momentum in every group (each then needs momentum > 0 and no dampening). */
        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        @Override
        public Sgd build() {
            return new Sgd(groups(), new EnumMap<>(defaults), nesterov);
        }
    }

    @Override
    String typeName() {
        return "Sgd(nesterov=" + nesterov + ")";
    }

    @Override
    List<String> slotNames() {
        return List.of("momentum_buffer");
    }

    @Override
    boolean slotUsed(int slot, Map<Hyperparameter, Double> hyper) {
        return (float) (double) hyper.get(MOMENTUM) != 0; // as update() decides
    }

    @Override
    void checkHyper(Map<Hyperparameter, Double> hyper, List<String> problems) {
        check(problems, hyper, MOMENTUM, 0, Double.MAX_VALUE);
        check(problems, hyper, DAMPENING, 0, 1);
        check(problems, hyper, WEIGHT_DECAY, 0, Double.MAX_VALUE);
        if (nesterov && (!(hyper.get(MOMENTUM) > 0) || hyper.get(DAMPENING) != 0)) {
            problems.add("Nesterov momentum needs momentum > 0 and zero dampening, got momentum="
                    + hyper.get(MOMENTUM) + ", dampening=" + hyper.get(DAMPENING));
        }
    }

    @Override
    void update(Group group, Tensor p, Tensor g, State s) {
        float momentum = (float) group.get(MOMENTUM);
        // 1 - dampening in double, rounded once, as PyTorch passes it.
        float keep = (float) (1 - group.get(DAMPENING));
        float weightDecay = (float) group.get(WEIGHT_DECAY);
        Tensor d = weightDecay != 0 ? g.add(p.mul(weightDecay)) : g;
        if (momentum != 0) {
            Tensor buf = s.slots[0];
            if (buf == null) {
                buf = s.slots[0] = d.clone();
            } else {
                buf.mulInPlace(momentum).addInPlace(d, keep);
            }
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        p.addInPlace(d, (float) -group.learningRate());
    }
}
