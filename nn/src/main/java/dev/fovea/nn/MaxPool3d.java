package dev.fovea.nn;

import dev.fovea.tensor.functional.PoolOptions;

/** 3-d max pooling, as PyTorch's {@code nn.MaxPool3d} (stride defaults to the kernel size). */
public final class MaxPool3d extends PoolLayer {
    /** A window of {@code kernel} along every axis, with stride {@code kernel}. */
    public MaxPool3d(int kernel) {
        this(PoolOptions.kernel(kernel));
    }

    /** Pooling with the given options. */
    public MaxPool3d(PoolOptions options) {
        super(true, 3, options);
    }
}
