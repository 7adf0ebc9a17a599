package dev.fovea.nn;

import dev.fovea.tensor.functional.PoolOptions;

/** 1-d avg pooling, as PyTorch's {@code nn.AvgPool1d} (stride defaults to the kernel size). */
public final class AvgPool1d extends PoolLayer {
    /** A window of {@code kernel} along every axis, with stride {@code kernel}. */
    public AvgPool1d(int kernel) {
        this(PoolOptions.kernel(kernel));
    }

    /** Pooling with the given options. */
    public AvgPool1d(PoolOptions options) {
        super(false, 1, options);
    }
}
