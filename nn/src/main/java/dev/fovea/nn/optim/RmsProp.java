package dev.fovea.nn.optim;

import dev.fovea.tensor.Tensor;
import java.util.List;

/**
 * RMSprop, as {@code torch.optim.RMSprop}: {@code s = alpha s + (1 - alpha) g^2}; centered, it
 * also tracks {@code a = alpha a + (1 - alpha) g} and divides by {@code sqrt(s - a^2) + eps}
 * instead of {@code sqrt(s) + eps}; with momentum {@code buf = momentum buf + g / denom} and
 * {@code p -= lr buf}, else {@code p -= lr g / denom}. Weight decay adds {@code wd p} to {@code g}.
 */
public final class RmsProp extends Optimizer {
    private final float alpha;
    private final float eps;
    private final float weightDecay;
    private final float momentum;
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
        super(params, lr);
        check("RmsProp", "alpha", alpha, 0, 1);
        check("RmsProp", "eps", eps, 0, Double.MAX_VALUE);
        check("RmsProp", "weightDecay", weightDecay, 0, Double.MAX_VALUE);
        check("RmsProp", "momentum", momentum, 0, Double.MAX_VALUE);
        this.alpha = (float) alpha;
        this.eps = (float) eps;
        this.weightDecay = (float) weightDecay;
        this.momentum = (float) momentum;
        this.centered = centered;
    }

    @Override
    int stateSlots() {
        return 3; // square average, gradient average (centered), momentum buffer
    }

    @Override
    void update(Tensor p, Tensor g, Tensor[] state) {
        if (state[0] == null) {
            state[0] = Tensor.zerosLike(p);
            state[1] = Tensor.zerosLike(p);
            state[2] = Tensor.zerosLike(p);
        }
        if (weightDecay != 0) {
            g = g.add(p.mul(weightDecay));
        }
        Tensor square = state[0].mulInPlace(alpha).addInPlace(g.mul(g), 1 - alpha);
        Tensor denom;
        if (centered) {
            Tensor mean = state[1].mulInPlace(alpha).addInPlace(g, 1 - alpha);
            denom = square.sub(mean.mul(mean)).sqrt().add(eps);
        } else {
            denom = square.sqrt().add(eps);
        }
        float lr = (float) learningRate();
        if (momentum > 0) {
            Tensor buf = state[2].mulInPlace(momentum).addInPlace(g.div(denom), 1f);
            p.addInPlace(buf, -lr);
        } else {
            p.addInPlace(g.div(denom), -lr);
        }
    }
}
