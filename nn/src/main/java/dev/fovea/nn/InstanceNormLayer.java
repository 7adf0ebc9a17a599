package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Normalization;

/**
 * Instance normalization layers ({@link InstanceNorm1d}, {@link InstanceNorm2d},
 * {@link InstanceNorm3d}) as PyTorch's: statistics per sample and channel over the spatial dims of
 * {@code (n, c, spatial...)} or unbatched {@code (c, spatial...)}. PyTorch's defaults: eps 1e-5,
 * momentum 0.1, no affine, no running statistics. With {@code affine}, parameters {@code weight}
 * (ones) and {@code bias} (zeros); with {@code trackRunningStats}, buffers {@code running_mean}
 * (zeros), {@code running_var} (ones) and {@code num_batches_tracked} (a float32 scalar, int64 in
 * PyTorch; left at 0, as PyTorch's instance norm never counts). Training, or evaluation without
 * running statistics, normalizes with the input's statistics, and training updates the running ones
 * with their mean over the batch; evaluation with running statistics normalizes with those.
 */
public abstract sealed class InstanceNormLayer extends Module permits InstanceNorm1d, InstanceNorm2d,
        InstanceNorm3d {
    private final int dims;
    private final int features;
    private final double eps;
    private final double momentum;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    InstanceNormLayer(int dims, int features, double eps, double momentum, boolean affine, boolean trackRunningStats) {
        String name = getClass().getSimpleName();
        if (features < 1) {
            throw new IllegalArgumentException(name + ": features must be >= 1, got " + features);
        }
        if (!(eps >= 0) || !Double.isFinite(eps) || !Double.isFinite(momentum)) {
            throw new IllegalArgumentException(name + ": eps must be finite and >= 0 and momentum finite (as"
                    + " Normalization.instanceNorm), got eps=" + eps + ", momentum=" + momentum);
        }
        this.dims = dims;
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? registerParameter("weight", Tensor.ones(features)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(features)) : null;
        this.runningMean = trackRunningStats ? registerBuffer("running_mean", Tensor.zeros(features)) : null;
        this.runningVar = trackRunningStats ? registerBuffer("running_var", Tensor.ones(features)) : null;
        if (trackRunningStats) {
            registerBuffer("num_batches_tracked", Tensor.scalar(0f));
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        boolean batched = input != null && input.rank() == dims + 2;
        boolean unbatched = input != null && input.rank() == dims + 1;
        if (!(batched || unbatched) || input.shape()[input.rank() - dims - 1] != features) {
            String spatial = dims == 1 ? "l" : dims == 2 ? "h, w" : "d, h, w";
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + features + "): input must be (n, "
                    + features + ", " + spatial + ") or unbatched (" + features + ", " + spatial + "), got "
                    + (input == null ? "null" : Shape.toString(input.shape())));
        }
        Tensor x = unbatched ? input.unsqueeze(0) : input;
        boolean useInputStats = isTraining() || runningMean == null;
        Tensor y = Normalization.instanceNorm(x, runningMean, runningVar, weight, bias, useInputStats, momentum, eps);
        return unbatched ? y.squeeze(0) : y;
    }

    /** The number of channels. */
    public int features() {
        return features;
    }

    /** Whether the layer has the {@code weight} and {@code bias} parameters. */
    public boolean affine() {
        return weight != null;
    }

    /** Whether the layer keeps running statistics (and evaluates with them). */
    public boolean trackRunningStats() {
        return runningMean != null;
    }

    @Override
    protected String extraRepr() {
        return features + ", eps=" + PyRepr.pyFloat(eps) + ", momentum=" + PyRepr.pyFloat(momentum) + ", affine="
                + PyRepr.pyBool(affine()) + ", track_running_stats=" + PyRepr.pyBool(trackRunningStats());
    }
}
