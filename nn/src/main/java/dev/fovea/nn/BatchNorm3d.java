package dev.fovea.nn;

import dev.fovea.tensor.functional.Normalization;

/**
 * Batch normalization over {@code (n, c, d, h, w)}, as PyTorch's {@code nn.BatchNorm3d}; see
 * {@link BatchNormLayer}.
 */
public final class BatchNorm3d extends BatchNormLayer {
    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine. */
    public BatchNorm3d(int features) {
        this(features, Normalization.DEFAULT_EPS, Normalization.DEFAULT_MOMENTUM);
    }

    /** With the given {@code eps} and {@code momentum}. */
    public BatchNorm3d(int features, double eps, double momentum) {
        super("BatchNorm3d", new int[] {5}, features, eps, momentum);
    }
}
