package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.F;

/** Average pooling to a fixed output size, as PyTorch's {@code nn.AdaptiveAvgPool2d}. */
public class AdaptiveAvgPool2d extends Module {
    private final int height;
    private final int width;

    /** To {@code size x size}. */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    /** To {@code height x width}. */
    public AdaptiveAvgPool2d(int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be >= 1, got " + height + "x"
                    + width);
        }
        this.height = height;
        this.width = width;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.adaptiveAvgPool2d(input, height, width);
    }

    @Override
    protected String extraRepr() {
        return "output_size=(" + height + ", " + width + ")";
    }
}
