package dev.fovea.nn;

import dev.fovea.tensor.functional.PoolOptions;

/** 1-d max pooling, as PyTorch's {@code nn.MaxPool1d} (stride defaults to the kernel size). */
public final class MaxPool1d extends PoolLayer {
    /** A window of {@code kernel} along every axis, with stride {@code kernel}. */
    public MaxPool1d(int kernel) {
        this(PoolOptions.kernel(kernel));
    }

    /** Pooling with the given options. */
    public MaxPool1d(PoolOptions options) {
        super(true, 1, options);
    }
}
