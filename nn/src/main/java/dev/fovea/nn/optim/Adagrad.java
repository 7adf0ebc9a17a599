package dev.fovea.nn.optim;

import dev.fovea.tensor.Tensor;
import java.util.List;

/**
 * Adagrad, as {@code torch.optim.Adagrad}: {@code s += g^2}, {@code p -= clr g / (sqrt(s) + eps)}
 * with {@code clr = lr / (1 + (t - 1) lrDecay)} at step {@code t}. Weight decay adds {@code wd p}
 * to {@code g}.
 */
public final class Adagrad extends Optimizer {
    private final double lrDecay;
    private final float weightDecay;
    private final float initialAccumulator;
    private final float eps;

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
        super(params, lr);
        check("Adagrad", "lrDecay", lrDecay, 0, Double.MAX_VALUE);
        check("Adagrad", "weightDecay", weightDecay, 0, Double.MAX_VALUE);
        check("Adagrad", "initialAccumulator", initialAccumulator, 0, Double.MAX_VALUE);
        check("Adagrad", "eps", eps, 0, Double.MAX_VALUE);
        this.lrDecay = lrDecay;
        this.weightDecay = (float) weightDecay;
        this.initialAccumulator = (float) initialAccumulator;
        this.eps = (float) eps;
    }

    @Override
    int stateSlots() {
        return 2; // the sum of squares, the step count
    }

    @Override
    void update(Tensor p, Tensor g, Tensor[] state) {
        if (state[0] == null) {
            state[0] = Tensor.fullLike(p, initialAccumulator);
            state[1] = Tensor.scalar(0f);
        }
        int t = (int) state[1].item() + 1;
        state[1].fill(t);
        if (weightDecay != 0) {
            g = g.add(p.mul(weightDecay));
        }
        double clr = learningRate() / (1 + (t - 1) * lrDecay);
        Tensor sum = state[0].addInPlace(g.mul(g), 1f);
        p.addInPlace(g.div(sum.sqrt().add(eps)), (float) -clr);
    }
}
