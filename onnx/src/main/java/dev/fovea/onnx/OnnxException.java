package dev.fovea.onnx;

/**
 * An ONNX model that cannot be read or run: a malformed or truncated file, data that does not
 * match its declared shape, unsupported operators, or inputs that do not fit the model. The
 * message names the node, tensor or input concerned and what was expected.
 */
public class OnnxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** An exception with the given message. */
    public OnnxException(String message) {
        super(message);
    }

    /** An exception with the given message and cause. */
    public OnnxException(String message, Throwable cause) {
        super(message, cause);
    }
}
