package dev.fovea.nn;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Normalization;

/**
 * Batch normalization layers ({@link BatchNorm1d}, {@link BatchNorm2d}, {@link BatchNorm3d}) as
 * PyTorch's: parameters {@code weight} (ones) and {@code bias} (zeros), buffers
 * {@code running_mean} (zeros), {@code running_var} (ones) and {@code num_batches_tracked} (a
 * float32 scalar here, int64 in PyTorch). Training normalizes with the batch statistics and
 * updates the running ones with {@code momentum}; evaluation normalizes with the running ones.
 */
public abstract sealed class BatchNormLayer extends Module permits BatchNorm1d, BatchNorm2d, BatchNorm3d {
    private final String name;
    private final int[] ranks;
    private final int features;
    private final double eps;
    private final double momentum;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batchesTracked;

    BatchNormLayer(String name, int[] ranks, int features, double eps, double momentum) {
        if (features < 1) {
            throw new IllegalArgumentException(name + ": features must be >= 1, got " + features);
        }
        this.name = name;
        this.ranks = ranks;
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
        boolean rankOk = false;
        for (int r : ranks) {
            rankOk |= input.rank() == r;
        }
        if (!rankOk || input.shape()[1] != features) {
            throw new IllegalArgumentException(name + "(" + features + "): input must have " + features
                    + " channels (dim 1) and rank " + java.util.Arrays.toString(ranks) + ", got "
                    + Shape.toString(input.shape()));
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
