package dev.fovea.nn;

/**
 * Adaptive average pooling of {@code (n, c, l)} or {@code (c, l)} to a fixed length, as PyTorch's
 * {@code nn.AdaptiveAvgPool1d}; see {@link AdaptivePoolLayer}.
 */
public final class AdaptiveAvgPool1d extends AdaptivePoolLayer {
    /** To length {@code size} (>= 1). */
    public AdaptiveAvgPool1d(int size) {
        super(false, 1, true, size);
    }
}
