package dev.fovea.tensor;

import java.util.Arrays;

/**
 * Static helpers for shapes ({@code long[]} sizes, outermost first) and row-major strides.
 *
 * <p>Every check here throws an {@link IllegalArgumentException} whose message starts with the
 * name of the op that asked, names the argument, and shows the shape seen and the shape expected.
 */
public final class Shape {
    private Shape() {}

    /**
     * Returns the number of elements of {@code shape} (1 for a scalar's empty shape).
     *
     * @throws IllegalArgumentException if a size is negative or the count overflows a {@code long}
     */
    public static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("shape " + toString(shape) + " has a negative size");
            }
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** Returns {@code shape} as {@code "[2, 3]"} ({@code "[]"} for a scalar). */
    public static String toString(long[] shape) {
        return Arrays.toString(shape);
    }

    /** Returns the row-major (C order) strides of {@code shape}, in elements. */
    public static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /**
     * Validates sizes given to {@code op} as argument {@code arg}: each must be {@code >= 0}.
     *
     * @return a copy of {@code shape}
     * @throws IllegalArgumentException naming the op, the argument and the bad size
     */
    public static long[] checkSizes(String op, String arg, long[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException(op + ": " + arg + " must not be null");
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException(op + ": " + arg + " " + toString(shape) + " has size "
                        + shape[i] + " at dimension " + i + "; sizes must be >= 0");
            }
        }
        try {
            numel(shape);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(op + ": " + arg + " " + toString(shape)
                    + " has more elements than a long can count");
        }
        return shape.clone();
    }

    /**
     * Returns the NumPy broadcast of shapes {@code a} and {@code b}: aligned at the right, each
     * dimension pair must be equal or contain a 1.
     *
     * @throws IllegalArgumentException e.g. {@code "add: cannot broadcast shapes [2, 3] and [4]:
     *     dimension 1 is 3 vs 4"}, dimensions counted in the result
     */
    public static long[] broadcast(String op, long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long sa = dimFromRight(a, rank - 1 - i);
            long sb = dimFromRight(b, rank - 1 - i);
            if (sa != sb && sa != 1 && sb != 1) {
                throw new IllegalArgumentException(op + ": cannot broadcast shapes " + toString(a) + " and "
                        + toString(b) + ": dimension " + i + " is " + sa + " vs " + sb);
            }
            out[i] = sa == 1 ? sb : sa;
        }
        return out;
    }

    private static long dimFromRight(long[] shape, int fromRight) {
        int i = shape.length - 1 - fromRight;
        return i >= 0 ? shape[i] : 1;
    }

    /**
     * Returns {@code dim} as an index in {@code [0, rank)}, accepting PyTorch-style negative dims
     * ({@code -1} is the last).
     *
     * @param rank the number of valid dims (a tensor's rank, or rank + 1 for unsqueeze-like ops)
     * @throws IllegalArgumentException naming the op, the dim, the shape and the valid range
     */
    public static int normalizeDim(String op, int dim, int rank, long[] shape) {
        if (dim < -rank || dim >= rank) {
            String range = rank == 0 ? "none (the tensor is a scalar)" : (-rank) + ".." + (rank - 1);
            throw new IllegalArgumentException(op + ": dim " + dim + " is out of range for shape "
                    + toString(shape) + "; expected " + range);
        }
        return dim < 0 ? dim + rank : dim;
    }

    /**
     * Normalizes a list of dims for {@code op} (see {@link #normalizeDim}) and returns a mask of
     * the dims it names; an empty list names no dims.
     *
     * @throws IllegalArgumentException if a dim is out of range or repeated
     */
    public static boolean[] dimMask(String op, int[] dims, long[] shape) {
        boolean[] mask = new boolean[shape.length];
        for (int d : dims) {
            int n = normalizeDim(op, d, shape.length, shape);
            if (mask[n]) {
                throw new IllegalArgumentException(op + ": dim " + d + " appears more than once in "
                        + Arrays.toString(dims) + " for shape " + toString(shape));
            }
            mask[n] = true;
        }
        return mask;
    }
}
