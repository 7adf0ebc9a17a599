package dev.fovea.nn;

import dev.fovea.tensor.functional.PoolOptions;

/** 2-d max pooling, as PyTorch's {@code nn.MaxPool2d} (stride defaults to the kernel size). */
public final class MaxPool2d extends PoolLayer {
    /** A window of {@code kernel} along every axis, with stride {@code kernel}. */
    public MaxPool2d(int kernel) {
        this(PoolOptions.kernel(kernel));
    }

    /** Pooling with the given options. */
    public MaxPool2d(PoolOptions options) {
        super(true, 2, options);
    }
}
