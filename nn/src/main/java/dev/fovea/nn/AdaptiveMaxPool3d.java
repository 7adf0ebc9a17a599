package dev.fovea.nn;

/**
 * Adaptive max pooling of {@code (n, c, d, h, w)} or {@code (c, d, h, w)} to a fixed size, as
 * PyTorch's {@code nn.AdaptiveMaxPool3d}; see {@link AdaptivePoolLayer}.
 */
public final class AdaptiveMaxPool3d extends AdaptivePoolLayer {
    /** To {@code size x size x size} (PyTorch's {@code AdaptiveMaxPool3d(size)}). */
    public AdaptiveMaxPool3d(int size) {
        super(true, 3, true, size);
    }

    /**
     * To {@code depth x height x width} (PyTorch's {@code AdaptiveMaxPool3d((depth, height,
     * width))}); a null extent is PyTorch's {@code None} and keeps the input's.
     */
    public AdaptiveMaxPool3d(Integer depth, Integer height, Integer width) {
        super(true, 3, false, depth, height, width);
    }
}
