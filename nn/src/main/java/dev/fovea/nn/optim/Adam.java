package dev.fovea.nn.optim;

import dev.fovea.tensor.Tensor;
import java.util.List;

/**
 * Adam (Kingma and Ba 2014) as {@code torch.optim.Adam}, and AdamW (Loshchilov and Hutter 2017)
 * as {@code torch.optim.AdamW} ({@link #adamW}): moments {@code m = b1 m + (1 - b1) g} and
 * {@code v = b2 v + (1 - b2) g^2}, then
 * {@code p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}. Adam's weight decay adds
 * {@code wd p} to the gradient; AdamW's scales {@code p} by {@code 1 - lr wd} first.
 */
public final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
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
        super(params, lr);
        check("Adam", "beta1", beta1, 0, Math.nextDown(1.0));
        check("Adam", "beta2", beta2, 0, Math.nextDown(1.0));
        check("Adam", "eps", eps, 0, Double.MAX_VALUE);
        check("Adam", "weightDecay", weightDecay, 0, Double.MAX_VALUE);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    /** AdamW with PyTorch's defaults besides {@code lr} and {@code weightDecay} (PyTorch's default is 0.01). */
    public static Adam adamW(List<Tensor> params, double lr, double weightDecay) {
        return new Adam(params, lr, 0.9, 0.999, 1e-8, weightDecay, true);
    }

    @Override
    int stateSlots() {
        return 3; // m, v, and the step count as a scalar tensor
    }

    @Override
    void update(Tensor p, Tensor g, Tensor[] state) {
        if (state[0] == null) {
            state[0] = Tensor.zerosLike(p);
            state[1] = Tensor.zerosLike(p);
            state[2] = Tensor.scalar(0f);
        }
        int t = (int) state[2].item() + 1;
        state[2].fill(t);
        double lr = learningRate();
        if (weightDecay != 0) {
            if (decoupled) {
                p.mulInPlace((float) (1 - lr * weightDecay));
            } else {
                g = g.add(p.mul((float) weightDecay));
            }
        }
        Tensor m = state[0].mulInPlace((float) beta1).addInPlace(g, (float) (1 - beta1));
        Tensor v = state[1].mulInPlace((float) beta2).addInPlace(g.mul(g), (float) (1 - beta2));
        double stepSize = lr / (1 - Math.pow(beta1, t));
        Tensor denom = v.sqrt().div((float) Math.sqrt(1 - Math.pow(beta2, t))).add((float) eps);
        p.addInPlace(m.div(denom), (float) -stepSize);
    }
}
