package dev.fovea.nn;

/**
 * Adaptive average pooling of {@code (n, c, d, h, w)} or {@code (c, d, h, w)} to a fixed size, as
 * PyTorch's {@code nn.AdaptiveAvgPool3d}; see {@link AdaptivePoolLayer}.
 */
public final class AdaptiveAvgPool3d extends AdaptivePoolLayer {
    /** To {@code size x size x size} (PyTorch's {@code AdaptiveAvgPool3d(size)}). */
    public AdaptiveAvgPool3d(int size) {
        super(false, 3, true, size);
    }

    /**
     * To {@code depth x height x width} (PyTorch's {@code AdaptiveAvgPool3d((depth, height,
     * width))}); a null extent is PyTorch's {@code None} and keeps the input's.
     */
    public AdaptiveAvgPool3d(Integer depth, Integer height, Integer width) {
        super(false, 3, false, depth, height, width);
    }
}
