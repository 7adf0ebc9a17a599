package dev.fovea.tensor.functional;

import java.util.Arrays;
import java.util.Objects;

/**
 * The immutable parameters of {@link F#convTranspose1d}, {@link F#convTranspose2d} and
 * {@link F#convTranspose3d} besides the tensors, with PyTorch's defaults: stride 1, padding 0,
 * output padding 0, groups 1, dilation 1. Every setter returns a new options object:
 *
 * <pre>{@code
 * ConvTransposeOptions up = ConvTransposeOptions.DEFAULT.stride(2).padding(1).outputPadding(1);
 * }</pre>
 *
 * <p>Each takes one value (every spatial axis) or one per axis, as PyTorch's int-or-tuple
 * arguments; the lengths are checked against the convolution's dimensionality when it runs.
 * The output extent is PyTorch's,
 * {@code (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1}.
 */
public final class ConvTransposeOptions {
    /** PyTorch's defaults. */
    public static final ConvTransposeOptions DEFAULT = new ConvTransposeOptions(new int[] {1}, new int[] {0},
            new int[] {0}, new int[] {1}, 1);

    private final int[] stride;
    private final int[] padding;
    private final int[] outputPadding;
    private final int[] dilation;
    private final int groups;

    private ConvTransposeOptions(int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
        this.stride = stride;
        this.padding = padding;
        this.outputPadding = outputPadding;
        this.dilation = dilation;
        this.groups = groups;
    }

    /** Strides (PyTorch {@code stride}, default 1). */
    public ConvTransposeOptions stride(int... stride) {
        return new ConvTransposeOptions(ConvOptions.axes("stride", stride, 1), padding, outputPadding, dilation,
                groups);
    }

    /** Padding cropped from both ends of each axis of the full result (PyTorch {@code padding}, default 0). */
    public ConvTransposeOptions padding(int... padding) {
        return new ConvTransposeOptions(stride, ConvOptions.axes("padding", padding, 0), outputPadding, dilation,
                groups);
    }

    /**
     * Extra size added at the end of each axis (PyTorch {@code output_padding}, default 0), which
     * picks one of the input sizes a strided convolution maps to the same output size; it must be
     * smaller than the stride or the dilation.
     */
    public ConvTransposeOptions outputPadding(int... outputPadding) {
        return new ConvTransposeOptions(stride, padding, ConvOptions.axes("outputPadding", outputPadding, 0),
                dilation, groups);
    }

    /** Dilations (PyTorch {@code dilation}, default 1). */
    public ConvTransposeOptions dilation(int... dilation) {
        return new ConvTransposeOptions(stride, padding, outputPadding, ConvOptions.axes("dilation", dilation, 1),
                groups);
    }

    /** Channel groups (PyTorch {@code groups}, default 1); must divide the input and output channels. */
    public ConvTransposeOptions groups(int groups) {
        if (groups < 1) {
            throw new IllegalArgumentException("groups must be >= 1, got " + groups);
        }
        return new ConvTransposeOptions(stride, padding, outputPadding, dilation, groups);
    }

    /** The strides as given (a copy). */
    public int[] stride() {
        return stride.clone();
    }

    /** The padding amounts as given (a copy). */
    public int[] padding() {
        return padding.clone();
    }

    /** The output padding as given (a copy). */
    public int[] outputPadding() {
        return outputPadding.clone();
    }

    /** The dilations as given (a copy). */
    public int[] dilation() {
        return dilation.clone();
    }

    /** The number of groups. */
    public int groups() {
        return groups;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvTransposeOptions c && Arrays.equals(stride, c.stride)
                && Arrays.equals(padding, c.padding) && Arrays.equals(outputPadding, c.outputPadding)
                && Arrays.equals(dilation, c.dilation) && groups == c.groups;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(stride), Arrays.hashCode(padding), Arrays.hashCode(outputPadding),
                Arrays.hashCode(dilation), groups);
    }

    @Override
    public String toString() {
        return "ConvTransposeOptions[stride=" + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding)
                + ", outputPadding=" + Arrays.toString(outputPadding) + ", dilation=" + Arrays.toString(dilation)
                + ", groups=" + groups + "]";
    }
}
