package dev.fovea.nn;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Normalization;

/**
 * Batch normalization over {@code (n, c, h, w)}, as PyTorch's {@code nn.BatchNorm2d}: parameters
 * {@code weight} (ones) and {@code bias} (zeros), buffers {@code running_mean} (zeros),
 * {@code running_var} (ones) and {@code num_batches_tracked} (a float32 scalar here, int64 in
 * PyTorch). Training normalizes with the batch statistics and updates the running ones with
 * {@code momentum}; evaluation normalizes with the running statistics.
 */
public class BatchNorm2d extends Module {
    private final int features;
    private final double eps;
    private final double momentum;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batchesTracked;

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine. */
    public BatchNorm2d(int features) {
        this(features, Normalization.DEFAULT_EPS, Normalization.DEFAULT_MOMENTUM);
    }

    /** With the given {@code eps} and {@code momentum}. */
    public BatchNorm2d(int features, double eps, double momentum) {
        if (features < 1) {
            throw new IllegalArgumentException("BatchNorm2d: features must be >= 1, got " + features);
        }
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = registerParameter("weight", Tensor.ones(features));
        this.bias = registerParameter("bias", Tensor.zeros(features));
        this.runningMean = registerBuffer("running_mean", Tensor.zeros(features));
        this.runningVar = registerBuffer("running_var", Tensor.ones(features));
        this.batchesTracked = registerBuffer("num_batches_tracked", Tensor.scalar(0f));
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() != 4 || input.shape()[1] != features) {
            throw new IllegalArgumentException("BatchNorm2d(" + features + "): input must be (n, " + features
                    + ", h, w), got " + Shape.toString(input.shape()));
        }
        if (isTraining()) {
            try (Grad off = Grad.off()) {
                batchesTracked.fill(batchesTracked.item() + 1);
            }
        }
        return Normalization.batchNorm(input, runningMean, runningVar, weight, bias, isTraining(), momentum, eps);
    }

    @Override
    protected String extraRepr() {
        return features + ", eps=" + eps + ", momentum=" + momentum + ", affine=True, track_running_stats=True";
    }
}
