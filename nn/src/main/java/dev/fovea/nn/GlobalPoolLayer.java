package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.F;

/**
 * Keras' global pooling over the height and width of {@code (n, c, h, w)}: {@link GlobalAvgPool2d}
 * and {@link GlobalMaxPool2d}. The output is {@code (n, c)}, or {@code (n, c, 1, 1)} with
 * {@code keepDims} (Keras' {@code keepdims=True}, PyTorch's {@code AdaptiveAvgPool2d(1)}).
 * PyTorch has no such layer; these print as {@code GlobalAvgPool2d()}.
 */
public abstract sealed class GlobalPoolLayer extends Module permits GlobalAvgPool2d, GlobalMaxPool2d {
    private final boolean max;
    private final boolean keepDims;

    GlobalPoolLayer(boolean max, boolean keepDims) {
        this.max = max;
        this.keepDims = keepDims;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input == null || input.rank() != 4) {
            throw new IllegalArgumentException(this + ": input must be (n, c, h, w), got "
                    + (input == null ? "null" : Shape.toString(input.shape())));
        }
        // F's global pools give (n, c) for any of 1 to 3 spatial dims; the rank check above keeps it 2-d.
        Tensor y = max ? F.globalMaxPool(input) : F.globalAvgPool(input);
        return keepDims ? y.unsqueeze(2).unsqueeze(3) : y;
    }

    /** Whether the output keeps the pooled dims as size 1, {@code (n, c, 1, 1)}. */
    public boolean keepDims() {
        return keepDims;
    }

    @Override
    protected String extraRepr() {
        return keepDims ? "keepdims=True" : "";
    }
}
