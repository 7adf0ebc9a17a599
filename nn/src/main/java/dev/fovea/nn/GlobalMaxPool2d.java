package dev.fovea.nn;

/**
 * The maximum over height and width, {@code (n, c, h, w) -> (n, c)}, as Keras'
 * {@code GlobalMaxPooling2D}; see {@link GlobalPoolLayer}.
 */
public final class GlobalMaxPool2d extends GlobalPoolLayer {
    /** Output {@code (n, c)}. */
    public GlobalMaxPool2d() {
        this(false);
    }

    /** Output {@code (n, c, 1, 1)} with {@code keepDims} (Keras' {@code keepdims}), else {@code (n, c)}. */
    public GlobalMaxPool2d(boolean keepDims) {
        super(true, keepDims);
    }
}
