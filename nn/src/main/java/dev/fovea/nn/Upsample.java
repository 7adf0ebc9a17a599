package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.InterpolateOptions;
import dev.fovea.tensor.functional.Resampling;

/** Resizing by {@link Resampling#interpolate}, as PyTorch's {@code nn.Upsample} (nearest, bilinear, bicubic...). */
public final class Upsample extends Module {
    private final InterpolateOptions options;

    /** Resizing with the given options (a size or a scale factor, a mode). */
    public Upsample(InterpolateOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("Upsample: options must not be null");
        }
        this.options = options;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Resampling.interpolate(input, options);
    }

    @Override
    protected String extraRepr() {
        return options.toString();
    }
}
