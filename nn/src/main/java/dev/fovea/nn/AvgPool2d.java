package dev.fovea.nn;

import dev.fovea.tensor.functional.PoolOptions;

/** 2-d avg pooling, as PyTorch's {@code nn.AvgPool2d} (stride defaults to the kernel size). */
public final class AvgPool2d extends PoolLayer {
    /** A window of {@code kernel} along every axis, with stride {@code kernel}. */
    public AvgPool2d(int kernel) {
        this(PoolOptions.kernel(kernel));
    }

    /** Pooling with the given options. */
    public AvgPool2d(PoolOptions options) {
        super(false, 2, options);
    }
}
