package dev.fovea.nn;

import dev.fovea.tensor.functional.ConvOptions;

/** A 1-d convolution layer, as PyTorch's {@code nn.Conv1d}; see {@link ConvLayer}. */
public final class Conv1d extends ConvLayer {
    /** A convolution with kernel size {@code kernel} along every axis, stride 1, no padding and a bias. */
    public Conv1d(int inC, int outC, int kernel) {
        this(inC, outC, kernel, ConvOptions.DEFAULT);
    }

    /** A convolution with kernel size {@code kernel} along every axis, the given options and a bias. */
    public Conv1d(int inC, int outC, int kernel, ConvOptions options) {
        this(inC, outC, square(1, kernel), options, true);
    }

    /**
     * A convolution with kernel (k), the given options, with or without bias.
     *
     * @throws IllegalArgumentException if a size is below 1 or the groups do not divide the channels
     */
    public Conv1d(int inC, int outC, int[] kernel, ConvOptions options, boolean bias) {
        super(1, inC, outC, kernel, options, bias);
    }
}
