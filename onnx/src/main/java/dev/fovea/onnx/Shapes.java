package dev.fovea.onnx;

import java.util.Arrays;

/** Shape arithmetic shared by the loader and the kernels: element counts, axes, broadcasting. */
final class Shapes {
    private Shapes() {
    }

    /**
     * Returns the element count of {@code shape}.
     *
     * @throws OnnxException naming {@code what} if a dim is negative or the count overflows a long
     */
    static long numel(long[] shape, String what) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new OnnxException(what + " " + Arrays.toString(shape) + " has a negative dim");
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new OnnxException(what + " " + Arrays.toString(shape) + " has more than 2^63 elements", e);
            }
        }
        return n;
    }

    /** Returns the element count of {@code shape}, known to be valid. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * Returns {@code axis} in {@code [0, rank)}, counting negative axes from the end.
     *
     * @throws OnnxException naming the node if the axis is outside {@code [-rank, rank)}
     */
    static int axis(long axis, int rank, Node node) {
        if (axis < -rank || axis >= rank) {
            throw new OnnxException(node + ": axis " + axis + " is outside [" + (-rank) + ", " + rank + ") for rank "
                    + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** Returns the row-major strides of {@code shape}. */
    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /**
     * Returns the numpy broadcast of two shapes.
     *
     * @throws OnnxException naming the node and both shapes if they do not broadcast
     */
    static long[] broadcast(long[] a, long[] b, Node node) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new OnnxException(node + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast (dim " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Returns the strides to read {@code shape} broadcast to {@code target} (0 on broadcast dims). */
    static long[] broadcastStrides(long[] shape, long[] target) {
        long[] own = strides(shape);
        long[] s = new long[target.length];
        int lead = target.length - shape.length;
        for (int i = lead; i < target.length; i++) {
            s[i] = shape[i - lead] == 1 ? 0 : own[i - lead];
        }
        return s;
    }

    /** Converts a shape to int[] for APIs that take ints. */
    static int[] toInts(long[] values, String what, Node node) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] > Integer.MAX_VALUE || values[i] < Integer.MIN_VALUE) {
                throw new OnnxException(node + ": " + what + " " + Arrays.toString(values) + " does not fit in int");
            }
            out[i] = (int) values[i];
        }
        return out;
    }
}
