package dev.fovea.nn;

import dev.fovea.tensor.functional.Normalization;

/**
 * Instance normalization over {@code (n, c, d, h, w)} (or unbatched without {@code n}), as PyTorch's
 * {@code nn.InstanceNorm3d}; see {@link InstanceNormLayer}.
 */
public final class InstanceNorm3d extends InstanceNormLayer {
    /** PyTorch's defaults: eps 1e-5, momentum 0.1, no affine, no running statistics. */
    public InstanceNorm3d(int features) {
        this(features, false, false);
    }

    /** With eps 1e-5 and momentum 0.1. */
    public InstanceNorm3d(int features, boolean affine, boolean trackRunningStats) {
        this(features, Normalization.DEFAULT_EPS, Normalization.DEFAULT_MOMENTUM, affine, trackRunningStats);
    }

    /** With every setting given, in PyTorch's order. */
    public InstanceNorm3d(int features, double eps, double momentum, boolean affine, boolean trackRunningStats) {
        super(3, features, eps, momentum, affine, trackRunningStats);
    }
}
