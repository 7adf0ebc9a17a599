package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.F;
import dev.fovea.tensor.functional.PoolOptions;

/**
 * The max and average pooling layers in 1, 2 and 3 dimensions ({@link MaxPool2d},
 * {@link AvgPool2d}, ...), with PyTorch's arguments and defaults in {@link PoolOptions}.
 */
public abstract sealed class PoolLayer extends Module permits MaxPool1d, MaxPool2d, MaxPool3d, AvgPool1d,
        AvgPool2d, AvgPool3d {
    private final boolean max;
    private final int dims;
    private final PoolOptions options;

    PoolLayer(boolean max, int dims, PoolOptions options) {
        if (options == null) {
            throw new IllegalArgumentException((max ? "MaxPool" : "AvgPool") + dims + "d: options must not be null");
        }
        this.max = max;
        this.dims = dims;
        this.options = options;
    }

    @Override
    public Tensor forward(Tensor input) {
        return switch (dims) {
            case 1 -> max ? F.maxPool1d(input, options) : F.avgPool1d(input, options);
            case 2 -> max ? F.maxPool2d(input, options) : F.avgPool2d(input, options);
            default -> max ? F.maxPool3d(input, options) : F.avgPool3d(input, options);
        };
    }

    /** The pooling options. */
    public PoolOptions options() {
        return options;
    }

    @Override
    protected String extraRepr() {
        return options.toString();
    }
}
