package dev.fovea.nn;

/**
 * Adaptive max pooling of {@code (n, c, h, w)} or {@code (c, h, w)} to a fixed size, as
 * PyTorch's {@code nn.AdaptiveMaxPool2d}; see {@link AdaptivePoolLayer}.
 */
public final class AdaptiveMaxPool2d extends AdaptivePoolLayer {
    /** To {@code size x size} (PyTorch's {@code AdaptiveMaxPool2d(size)}). */
    public AdaptiveMaxPool2d(int size) {
        super(true, 2, true, size);
    }

    /**
     * To {@code height x width} (PyTorch's {@code AdaptiveMaxPool2d((height, width))}); a null
     * extent is PyTorch's {@code None} and keeps the input's.
     */
    public AdaptiveMaxPool2d(Integer height, Integer width) {
        super(true, 2, false, height, width);
    }
}
