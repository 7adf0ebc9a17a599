package dev.fovea.nn;

/**
 * The mean over height and width, {@code (n, c, h, w) -> (n, c)}, as Keras'
 * {@code GlobalAveragePooling2D}; see {@link GlobalPoolLayer}.
 */
public final class GlobalAvgPool2d extends GlobalPoolLayer {
    /** Output {@code (n, c)}. */
    public GlobalAvgPool2d() {
        this(false);
    }

    /** Output {@code (n, c, 1, 1)} with {@code keepDims} (Keras' {@code keepdims}), else {@code (n, c)}. */
    public GlobalAvgPool2d(boolean keepDims) {
        super(false, keepDims);
    }
}
