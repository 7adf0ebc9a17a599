package dev.fovea.tensor;

/**
 * The element type of a tensor's storage.
 *
 * <p>Only {@link #FLOAT32} exists today. The enum is where half-precision storage types
 * (F16, BF16, computed in float32) will be added: code that sizes buffers should use
 * {@link #byteSize()} rather than assume 4 bytes.
 */
public enum DType {
    /** IEEE 754 binary32, 4 bytes per element. */
    FLOAT32(4, "float32");

    private final int byteSize;
    private final String displayName;

    DType(int byteSize, String displayName) {
        this.byteSize = byteSize;
        this.displayName = displayName;
    }

    /** Returns the number of bytes one element occupies in storage. */
    public int byteSize() {
        return byteSize;
    }

    /** Returns the NumPy/PyTorch-style name, e.g. {@code "float32"}. */
    @Override
    public String toString() {
        return displayName;
    }
}
