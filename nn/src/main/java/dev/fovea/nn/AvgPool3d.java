package dev.fovea.nn;

import dev.fovea.tensor.functional.PoolOptions;

/** 3-d avg pooling, as PyTorch's {@code nn.AvgPool3d} (stride defaults to the kernel size). */
public final class AvgPool3d extends PoolLayer {
    /** A window of {@code kernel} along every axis, with stride {@code kernel}. */
    public AvgPool3d(int kernel) {
        this(PoolOptions.kernel(kernel));
    }

    /** Pooling with the given options. */
    public AvgPool3d(PoolOptions options) {
        super(false, 3, options);
    }
}
