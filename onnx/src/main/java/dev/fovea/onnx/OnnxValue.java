package dev.fovea.onnx;

import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * One value flowing through an ONNX graph: a float32 {@link Tensor}, or an integer or boolean
 * tensor held as {@code long[]} in row-major order (shapes, indices and masks are small).
 */
public final class OnnxValue {
    private final ElementType type;
    private final Tensor floats;
    private final long[] longs;
    private final long[] shape;

    private OnnxValue(ElementType type, Tensor floats, long[] longs, long[] shape) {
        this.type = type;
        this.floats = floats;
        this.longs = longs;
        this.shape = shape;
    }

    /** A float32 value. */
    public static OnnxValue of(Tensor tensor) {
        Objects.requireNonNull(tensor, "tensor");
        return new OnnxValue(ElementType.FLOAT, tensor, null, tensor.shape());
    }

    /**
     * An integer or boolean value of the given type and shape; each element is wrapped to the
     * type's range.
     *
     * @throws IllegalArgumentException if {@code type} is {@link ElementType#FLOAT} or the element
     *     count does not match the shape
     */
    public static OnnxValue ofLongs(ElementType type, long[] data, long... shape) {
        Objects.requireNonNull(type, "type");
        if (type == ElementType.FLOAT) {
            throw new IllegalArgumentException("OnnxValue.ofLongs: type must be an integer or bool type, got float32;"
                    + " use OnnxValue.of(Tensor)");
        }
        long count = Shapes.numel(shape, "OnnxValue.ofLongs: shape");
        if (count != data.length) {
            throw new IllegalArgumentException("OnnxValue.ofLongs: shape " + Arrays.toString(shape) + " holds "
                    + count + " elements, data has " + data.length);
        }
        long[] copy = new long[data.length];
        for (int i = 0; i < data.length; i++) {
            copy[i] = type.wrap(data[i]);
        }
        return new OnnxValue(type, null, copy, shape.clone());
    }

    /** An int64 value; see {@link #ofLongs(ElementType, long[], long...)}. */
    public static OnnxValue ofLongs(long[] data, long... shape) {
        return ofLongs(ElementType.INT64, data, shape);
    }

    /** Wraps {@code data} without copying or range checks: the caller hands it over. */
    static OnnxValue wrapLongs(ElementType type, long[] data, long[] shape) {
        return new OnnxValue(type, null, data, shape);
    }

    /** Returns the element type. */
    public ElementType type() {
        return type;
    }

    /** Returns true for a float32 value. */
    public boolean isFloat() {
        return type == ElementType.FLOAT;
    }

    /** Returns a copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Returns the shape without copying it, for this package's kernels (which never change it). */
    long[] shapeRef() {
        return shape;
    }

    /** Returns the rank. */
    public int rank() {
        return shape.length;
    }

    /** Returns the element count. */
    public long numel() {
        return isFloat() ? floats.numel() : longs.length;
    }

    /**
     * Returns the float32 tensor.
     *
     * @throws IllegalStateException if this is an integer or boolean value
     */
    public Tensor tensor() {
        if (!isFloat()) {
            throw new IllegalStateException("OnnxValue.tensor: this is a " + type + " value of shape "
                    + Arrays.toString(shape) + ", not float32; use longs()");
        }
        return floats;
    }

    /**
     * Returns a copy of the integer or boolean elements in row-major order.
     *
     * @throws IllegalStateException if this is a float32 value
     */
    public long[] longs() {
        return longsRef().clone();
    }

    /** Returns the elements without copying, for this package's kernels (which never change them). */
    long[] longsRef() {
        if (isFloat()) {
            throw new IllegalStateException("OnnxValue.longs: this is a float32 value of shape "
                    + Arrays.toString(shape) + "; use tensor()");
        }
        return longs;
    }

    @Override
    public String toString() {
        return "OnnxValue(" + type + " " + Arrays.toString(shape) + ")";
    }
}
