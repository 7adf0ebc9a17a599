package dev.fovea.nn;

import dev.fovea.tensor.functional.Normalization;

/**
 * Batch normalization over {@code (n, c)} or {@code (n, c, l)}, as PyTorch's {@code nn.BatchNorm1d};
 * see {@link BatchNormLayer}.
 */
public final class BatchNorm1d extends BatchNormLayer {
    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine. */
    public BatchNorm1d(int features) {
        this(features, Normalization.DEFAULT_EPS, Normalization.DEFAULT_MOMENTUM);
    }

    /** With the given {@code eps} and {@code momentum}. */
    public BatchNorm1d(int features, double eps, double momentum) {
        super("BatchNorm1d", new int[] {2, 3}, features, eps, momentum);
    }
}
