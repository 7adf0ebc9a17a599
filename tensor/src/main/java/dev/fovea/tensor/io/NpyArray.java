package dev.fovea.tensor.io;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A float32 array read from or written to a {@code .npy} file: a shape and its elements in C
 * (row-major) order, contiguous, native byte order.
 *
 * @param shape dimensions, outermost first; empty for a 0-d array (one element); entries may be 0
 * @param data  exactly {@code product(shape) * 4} bytes of float32 elements
 */
public record NpyArray(long[] shape, MemorySegment data) {
    /**
     * Checks that the dimensions are non-negative and that {@code data} holds exactly their
     * product of floats; copies {@code shape}.
     *
     * @throws IllegalArgumentException when they do not agree
     */
    public NpyArray {
        shape = shape.clone();
        long n = Npy.elementCount("NpyArray", shape);
        if (data.byteSize() != n * Float.BYTES) {
            throw new IllegalArgumentException("NpyArray: shape " + Arrays.toString(shape) + " needs " + n * Float.BYTES
                    + " bytes of data, got " + data.byteSize());
        }
    }

    /** Returns a copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Returns the number of elements, the product of the shape. */
    public long size() {
        return data.byteSize() / Float.BYTES;
    }

    /** Equal when shapes and element bytes are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && Arrays.equals(shape, a.shape) && data.mismatch(a.data) < 0;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + Long.hashCode(data.byteSize());
    }

    @Override
    public String toString() {
        return "NpyArray" + Arrays.toString(shape);
    }
}
