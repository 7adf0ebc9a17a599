package dev.fovea.nn;

import dev.fovea.tensor.functional.Normalization;

/** Batch normalization over {@code (n, c, h, w)}, as PyTorch's {@code nn.BatchNorm2d}; see {@link BatchNormLayer}. */
public final class BatchNorm2d extends BatchNormLayer {
    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine. */
    public BatchNorm2d(int features) {
        this(features, Normalization.DEFAULT_EPS, Normalization.DEFAULT_MOMENTUM);
    }

    /** With the given {@code eps} and {@code momentum}. */
    public BatchNorm2d(int features, double eps, double momentum) {
        super("BatchNorm2d", new int[] {4}, features, eps, momentum);
    }
}
