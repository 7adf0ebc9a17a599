package dev.fovea.nn.optim;

import static dev.fovea.nn.optim.Hyperparameter.ALPHA;
import static dev.fovea.nn.optim.Hyperparameter.EPS;
import static dev.fovea.nn.optim.Hyperparameter.LR;
import static dev.fovea.nn.optim.Hyperparameter.MOMENTUM;
import static dev.fovea.nn.optim.Hyperparameter.WEIGHT_DECAY;

import dev.fovea.tensor.Tensor;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * RMSprop, as {@code torch.optim.RMSprop}: {@code s = alpha s + (1 - alpha) g^2}; centered, it
 * also tracks {@code a = alpha a + (1 - alpha) g} and divides by {@code sqrt(s - a^2) + eps}
 * instead of {@code sqrt(s) + eps}; with momentum {@code buf = momentum buf + g / denom} and
 * {@code p -= lr buf}, else {@code p -= lr g / denom}. Weight decay adds {@code wd p} to {@code g}.
 * Per group: lr, alpha, eps, weight decay, momentum. Buffers: {@code square_avg}, {@code grad_avg}
 * (centered), {@code momentum_buffer} (with momentum).
 */
public final class RmsProp extends Optimizer {
    private static final int SQUARE = 0;
    private static final int MEAN = 1;
    private static final int BUFFER = 2;
    private final boolean centered;

    /** PyTorch's defaults: alpha 0.99, eps 1e-8, no weight decay, no momentum, not centered. */
    public RmsProp(List<Tensor> params, double lr) {
        this(params, lr, 0.99, 1e-8, 0, 0, false);
    }

    /**
     * RMSprop with the given hyperparameters.
     *
     * @throws IllegalArgumentException for alpha outside [0, 1] or negative values
     */
    public RmsProp(List<Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum,
                   boolean centered) {
        this(List.of(ParamGroup.of(params)), defaults(LR, lr, ALPHA, alpha, EPS, eps, WEIGHT_DECAY, weightDecay,
                MOMENTUM, momentum), centered);
    }

    private RmsProp(List<ParamGroup> groups, Map<Hyperparameter, Double> defaults, boolean centered) {
        super("RmsProp", groups, defaults);
        this.centered = centered;
        validate();
    }

    /** A builder with PyTorch's defaults: lr 0.01, alpha 0.99, eps 1e-8, no weight decay or momentum, not centered. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link RmsProp}: groups, optimizer-wide hyperparameters, centering. */
    public static final class Builder extends Optimizer.Builder<Builder, RmsProp> {
        private boolean centered;

        private Builder() {
            super(defaults(LR, 0.01, ALPHA, 0.99, EPS, 1e-8, WEIGHT_DECAY, 0, MOMENTUM, 0));
        }

        /** Sets the smoothing constant of the groups that do not set their own. */
        public Builder alpha(double alpha) {
            return set(ALPHA, alpha);
        }

        /** Sets the eps of the groups that do not set their own. */
        public Builder eps(double eps) {
            return set(EPS, eps);
        }

        /** Sets the momentum of the groups that do not set their own. */
        public Builder momentum(double momentum) {
            return set(MOMENTUM, momentum);
        }

        /** Normalises by the estimated variance instead of the second moment, in every group. */
        public Builder centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        @Override
        public RmsProp build() {
            return new RmsProp(groups(), new EnumMap<>(defaults), centered);
        }
    }

    @Override
    String typeName() {
        return "RmsProp(centered=" + centered + ")";
    }

    @Override
    List<String> slotNames() {
        return List.of("square_avg", "grad_avg", "momentum_buffer");
    }

    @Override
    boolean slotUsed(int slot, Map<Hyperparameter, Double> hyper) {
        return switch (slot) {
            case SQUARE -> true;
            case MEAN -> centered;
            default -> (float) (double) hyper.get(MOMENTUM) > 0; // as update() decides
        };
    }

    @Override
    void checkHyper(Map<Hyperparameter, Double> hyper, List<String> problems) {
        check(problems, hyper, ALPHA, 0, 1);
        check(problems, hyper, EPS, 0, Double.MAX_VALUE);
        check(problems, hyper, WEIGHT_DECAY, 0, Double.MAX_VALUE);
        check(problems, hyper, MOMENTUM, 0, Double.MAX_VALUE);
    }

    @Override
    void update(Group group, Tensor p, Tensor g, State s) {
        double alphaD = group.get(ALPHA);
        float alpha = (float) alphaD;
        // 1 - alpha in double, rounded once, as PyTorch passes it: 1 - 0.99f would be 1e-6 off.
        float rest = (float) (1 - alphaD);
        float eps = (float) group.get(EPS);
        float weightDecay = (float) group.get(WEIGHT_DECAY);
        float momentum = (float) group.get(MOMENTUM);
        if (s.slots[SQUARE] == null) {
            s.slots[SQUARE] = Tensor.zerosLike(p);
            s.slots[MEAN] = centered ? Tensor.zerosLike(p) : null;
            s.slots[BUFFER] = momentum > 0 ? Tensor.zerosLike(p) : null;
        }
        if (weightDecay != 0) {
            g = g.add(p.mul(weightDecay));
        }
        Tensor square = s.slots[SQUARE].mulInPlace(alpha).addInPlace(g.mul(g), rest);
        Tensor denom;
        if (centered) {
            Tensor mean = s.slots[MEAN].mulInPlace(alpha).addInPlace(g, rest);
            denom = square.sub(mean.mul(mean)).sqrt().add(eps);
        } else {
            denom = square.sqrt().add(eps);
        }
        float lr = (float) group.learningRate();
        if (momentum > 0) {
            Tensor buf = s.slots[BUFFER].mulInPlace(momentum).addInPlace(g.div(denom), 1f);
            p.addInPlace(buf, -lr);
        } else {
            p.addInPlace(g.div(denom), -lr);
        }
    }
}
