package dev.fovea.nn;

/**
 * Adaptive max pooling of {@code (n, c, l)} or {@code (c, l)} to a fixed length, as PyTorch's
 * {@code nn.AdaptiveMaxPool1d}; see {@link AdaptivePoolLayer}.
 */
public final class AdaptiveMaxPool1d extends AdaptivePoolLayer {
    /** To length {@code size} (>= 1). */
    public AdaptiveMaxPool1d(int size) {
        super(true, 1, true, size);
    }
}
