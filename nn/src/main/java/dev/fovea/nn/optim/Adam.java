package dev.fovea.nn.optim;

import static dev.fovea.nn.optim.Hyperparameter.BETA1;
import static dev.fovea.nn.optim.Hyperparameter.BETA2;
import static dev.fovea.nn.optim.Hyperparameter.EPS;
import static dev.fovea.nn.optim.Hyperparameter.LR;
import static dev.fovea.nn.optim.Hyperparameter.WEIGHT_DECAY;

import dev.fovea.tensor.Tensor;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2014) as {@code torch.optim.Adam}, and AdamW (Loshchilov and Hutter 2017)
 * as {@code torch.optim.AdamW} ({@link #adamW}): moments {@code m = b1 m + (1 - b1) g} and
 * {@code v = b2 v + (1 - b2) g^2}, then
 * {@code p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}. Adam's weight decay adds
 * {@code wd p} to the gradient; AdamW's scales {@code p} by {@code 1 - lr wd} first. Per group:
 * lr, beta1, beta2, eps, weight decay. Buffers: {@code exp_avg}, {@code exp_avg_sq}.
 */
public final class Adam extends Optimizer {
    private final boolean decoupled;

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /**
     * Adam with the given hyperparameters; {@code decoupled} makes it AdamW.
     *
     * @throws IllegalArgumentException for betas outside [0, 1), a negative eps or weight decay
     */
    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                boolean decoupled) {
        this(List.of(ParamGroup.of(params)), defaults(LR, lr, BETA1, beta1, BETA2, beta2, EPS, eps,
                WEIGHT_DECAY, weightDecay), decoupled);
    }

    private Adam(List<ParamGroup> groups, Map<Hyperparameter, Double> defaults, boolean decoupled) {
        super(decoupled ? "AdamW" : "Adam", groups, defaults);
        this.decoupled = decoupled;
        validate();
    }

    /** AdamW with PyTorch's defaults besides {@code lr} and {@code weightDecay} (PyTorch's default is 0.01). */
    public static Adam adamW(List<Tensor> params, double lr, double weightDecay) {
        return new Adam(params, lr, 0.9, 0.999, 1e-8, weightDecay, true);
    }

    /** A builder of Adam with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static Builder builder() {
        return new Builder(false, 0);
    }

    /** A builder of AdamW with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public static Builder adamWBuilder() {
        return new Builder(true, 0.01);
    }

    /** Builds an {@link Adam} or AdamW: groups and optimizer-wide hyperparameters. */
    public static final class Builder extends Optimizer.Builder<Builder, Adam> {
        private final boolean decoupled;

        private Builder(boolean decoupled, double weightDecay) {
            super(defaults(LR, 1e-3, BETA1, 0.9, BETA2, 0.999, EPS, 1e-8, WEIGHT_DECAY, weightDecay));
            this.decoupled = decoupled;
        }

        /** Sets the moment decays of the groups that do not set their own. */
        public Builder betas(double beta1, double beta2) {
            return set(BETA1, beta1).set(BETA2, beta2);
        }

        /** Sets the eps of the groups that do not set their own. */
        public Builder eps(double eps) {
            return set(EPS, eps);
        }

        @Override
        public Adam build() {
            return new Adam(groups(), new EnumMap<>(defaults), decoupled);
        }
    }

    /** True for AdamW. */
    public boolean isDecoupled() {
        return decoupled;
    }

    @Override
    String typeName() {
        return name();
    }

    @Override
    List<String> slotNames() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    boolean slotUsed(int slot, Map<Hyperparameter, Double> hyper) {
        return true;
    }

    @Override
    void checkHyper(Map<Hyperparameter, Double> hyper, List<String> problems) {
        check(problems, hyper, BETA1, 0, Math.nextDown(1.0));
        check(problems, hyper, BETA2, 0, Math.nextDown(1.0));
        check(problems, hyper, EPS, 0, Double.MAX_VALUE);
        check(problems, hyper, WEIGHT_DECAY, 0, Double.MAX_VALUE);
    }

    @Override
    void update(Group group, Tensor p, Tensor g, State s) {
        double beta1 = group.get(BETA1);
        double beta2 = group.get(BETA2);
        double weightDecay = group.get(WEIGHT_DECAY);
        if (s.slots[0] == null) {
            s.slots[0] = Tensor.zerosLike(p);
            s.slots[1] = Tensor.zerosLike(p);
        }
        long t = s.step;
        double lr = group.learningRate();
        if (weightDecay != 0) {
            if (decoupled) {
                p.mulInPlace((float) (1 - lr * weightDecay));
            } else {
                g = g.add(p.mul((float) weightDecay));
            }
        }
        Tensor m = s.slots[0].mulInPlace((float) beta1).addInPlace(g, (float) (1 - beta1));
        Tensor v = s.slots[1].mulInPlace((float) beta2).addInPlace(g.mul(g), (float) (1 - beta2));
        double stepSize = lr / (1 - Math.pow(beta1, t));
        Tensor denom = v.sqrt().div((float) Math.sqrt(1 - Math.pow(beta2, t))).add((float) group.get(EPS));
        p.addInPlace(m.div(denom), (float) -stepSize);
    }
}
