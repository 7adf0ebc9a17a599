package dev.fovea.nn;

/**
 * Adaptive average pooling of {@code (n, c, h, w)} or {@code (c, h, w)} to a fixed size, as
 * PyTorch's {@code nn.AdaptiveAvgPool2d}; see {@link AdaptivePoolLayer}.
 */
public final class AdaptiveAvgPool2d extends AdaptivePoolLayer {
    /** To {@code size x size} (PyTorch's {@code AdaptiveAvgPool2d(size)}). */
    public AdaptiveAvgPool2d(int size) {
        super(false, 2, true, size);
    }

    /**
     * To {@code height x width} (PyTorch's {@code AdaptiveAvgPool2d((height, width))}); a null
     * extent is PyTorch's {@code None} and keeps the input's.
     */
    public AdaptiveAvgPool2d(Integer height, Integer width) {
        super(false, 2, false, height, width);
    }
}
