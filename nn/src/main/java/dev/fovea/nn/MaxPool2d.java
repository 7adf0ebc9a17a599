package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.F;
import dev.fovea.tensor.functional.PoolOptions;

/** 2-d max pooling, as PyTorch's {@code nn.MaxPool2d} (stride defaults to the kernel size). */
public class MaxPool2d extends Module {
    private final PoolOptions options;

    /** A {@code kernel x kernel} window with stride {@code kernel}. */
    public MaxPool2d(int kernel) {
        this(PoolOptions.kernel(kernel));
    }

    /** Pooling with the given options. */
    public MaxPool2d(PoolOptions options) {
        this.options = options;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.maxPool2d(input, options);
    }

    @Override
    protected String extraRepr() {
        return options.toString();
    }
}
