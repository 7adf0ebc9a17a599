package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.F;
import java.util.Arrays;

/**
 * The adaptive pooling layers in 1, 2 and 3 dimensions ({@link AdaptiveAvgPool2d},
 * {@link AdaptiveMaxPool2d}, ...), as PyTorch's: input {@code (n, c, spatial...)} or unbatched
 * {@code (c, spatial...)} pooled to a fixed output size, output {@code o} of an axis covering input
 * positions {@code [floor(o * in / out), ceil((o + 1) * in / out))} (windows may overlap). A
 * {@code null} output extent is PyTorch's {@code None}: that axis keeps the input's extent.
 */
public abstract sealed class AdaptivePoolLayer extends Module permits AdaptiveAvgPool1d, AdaptiveAvgPool2d,
        AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d {
    private final boolean max;
    private final Integer[] size;
    private final boolean single;

    /**
     * Max ({@code max}) or average pooling over {@code dims} axes to {@code size}.
     *
     * @param single whether the size was given as one number for every axis, which PyTorch prints
     *     as {@code output_size=3} rather than {@code (3, 3)}
     */
    AdaptivePoolLayer(boolean max, int dims, boolean single, Integer... size) {
        Integer[] s = single ? filled(dims, size[0]) : size.clone();
        if (s.length != dims) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": output size needs " + dims
                    + " values, got " + s.length);
        }
        for (Integer v : s) {
            if (v != null && v < 1) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": output size must be >= 1 (or null"
                        + " to keep the input's size), got " + PyRepr.tuple((Object[]) s));
            }
        }
        this.max = max;
        this.size = s;
        this.single = single;
    }

    private static Integer[] filled(int dims, Integer v) {
        Integer[] s = new Integer[dims];
        Arrays.fill(s, v);
        return s;
    }

    @Override
    public Tensor forward(Tensor input) {
        int dims = size.length;
        if (input == null || (input.rank() != dims + 1 && input.rank() != dims + 2)) {
            throw new IllegalArgumentException(this + ": input must be (n, c, " + spatial(dims) + ") or unbatched (c, "
                    + spatial(dims) + "), got " + (input == null ? "null" : Shape.toString(input.shape())));
        }
        long[] shape = input.shape();
        int first = shape.length - dims;
        int[] out = new int[dims];
        for (int d = 0; d < dims; d++) {
            out[d] = size[d] != null ? size[d] : Math.toIntExact(shape[first + d]);
        }
        return switch (dims) {
            case 1 -> max ? F.adaptiveMaxPool1d(input, out[0]) : F.adaptiveAvgPool1d(input, out[0]);
            case 2 -> max ? F.adaptiveMaxPool2d(input, out) : F.adaptiveAvgPool2d(input, out);
            default -> max ? F.adaptiveMaxPool3d(input, out) : F.adaptiveAvgPool3d(input, out);
        };
    }

    private static String spatial(int dims) {
        return switch (dims) {
            case 1 -> "l";
            case 2 -> "h, w";
            default -> "d, h, w";
        };
    }

    /** The output size per spatial axis, outermost first; {@code null} keeps the input's extent. */
    public Integer[] outputSize() {
        return size.clone();
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + (single ? size[0].toString() : PyRepr.tuple((Object[]) size));
    }
}
