package dev.fovea.nn.optim;

import static dev.fovea.nn.optim.Hyperparameter.EPS;
import static dev.fovea.nn.optim.Hyperparameter.INITIAL_ACCUMULATOR;
import static dev.fovea.nn.optim.Hyperparameter.LR;
import static dev.fovea.nn.optim.Hyperparameter.LR_DECAY;
import static dev.fovea.nn.optim.Hyperparameter.WEIGHT_DECAY;

import dev.fovea.tensor.Tensor;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Adagrad, as {@code torch.optim.Adagrad}: {@code s += g^2}, {@code p -= clr g / (sqrt(s) + eps)}
 * with {@code clr = lr / (1 + (t - 1) lrDecay)} at step {@code t}. Weight decay adds {@code wd p}
 * to {@code g}. Per group: lr, lr decay, weight decay, initial accumulator, eps. Buffer: {@code sum}
 * (made at a parameter's first update, where PyTorch makes it at construction: the same values).
 */
public final class Adagrad extends Optimizer {
    /** PyTorch's defaults: no decays, accumulator 0, eps 1e-10. */
    public Adagrad(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, 1e-10);
    }

    /**
     * Adagrad with the given hyperparameters.
     *
     * @throws IllegalArgumentException for negative values
     */
    public Adagrad(List<Tensor> params, double lr, double lrDecay, double weightDecay, double initialAccumulator,
                   double eps) {
        this(List.of(ParamGroup.of(params)), defaults(LR, lr, LR_DECAY, lrDecay, WEIGHT_DECAY, weightDecay,
                INITIAL_ACCUMULATOR, initialAccumulator, EPS, eps));
    }

    private Adagrad(List<ParamGroup> groups, Map<Hyperparameter, Double> defaults) {
        super("Adagrad", groups, defaults);
        validate();
    }

    /** A builder with PyTorch's defaults: lr 0.01, no decays, accumulator 0, eps 1e-10. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link Adagrad}: groups and optimizer-wide hyperparameters. */
    public static final class Builder extends Optimizer.Builder<Builder, Adagrad> {
        private Builder() {
            super(defaults(LR, 0.01, LR_DECAY, 0, WEIGHT_DECAY, 0, INITIAL_ACCUMULATOR, 0, EPS, 1e-10));
        }

        /** Sets the learning-rate decay of the groups that do not set their own. */
        public Builder lrDecay(double lrDecay) {
            return set(LR_DECAY, lrDecay);
        }

        /** Sets the starting sum of squares of the groups that do not set their own. */
        public Builder initialAccumulator(double initialAccumulator) {
            return set(INITIAL_ACCUMULATOR, initialAccumulator);
        }

        /** Sets the eps of the groups that do not set their own. */
        public Builder eps(double eps) {
            return set(EPS, eps);
        }

        @Override
        public Adagrad build() {
            return new Adagrad(groups(), new EnumMap<>(defaults));
        }
    }

    @Override
    String typeName() {
        return "Adagrad";
    }

    @Override
    List<String> slotNames() {
        return List.of("sum");
    }

    @Override
    boolean slotUsed(int slot, Map<Hyperparameter, Double> hyper) {
        return true;
    }

    @Override
    void checkHyper(Map<Hyperparameter, Double> hyper, List<String> problems) {
        check(problems, hyper, LR_DECAY, 0, Double.MAX_VALUE);
        check(problems, hyper, WEIGHT_DECAY, 0, Double.MAX_VALUE);
        check(problems, hyper, INITIAL_ACCUMULATOR, 0, Double.MAX_VALUE);
        check(problems, hyper, EPS, 0, Double.MAX_VALUE);
    }

    @Override
    void update(Group group, Tensor p, Tensor g, State s) {
        if (s.slots[0] == null) {
            s.slots[0] = Tensor.fullLike(p, (float) group.get(INITIAL_ACCUMULATOR));
        }
        long t = s.step;
        float weightDecay = (float) group.get(WEIGHT_DECAY);
        if (weightDecay != 0) {
            g = g.add(p.mul(weightDecay));
        }
        double clr = group.learningRate() / (1 + (t - 1) * group.get(LR_DECAY));
        Tensor sum = s.slots[0].addInPlace(g.mul(g), 1f);
        p.addInPlace(g.div(sum.sqrt().add((float) group.get(EPS))), (float) -clr);
    }
}
