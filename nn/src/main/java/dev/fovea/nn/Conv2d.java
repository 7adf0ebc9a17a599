package dev.fovea.nn;

import dev.fovea.tensor.functional.ConvOptions;

/** A 2-d convolution layer, as PyTorch's {@code nn.Conv2d}; see {@link ConvLayer}. */
public final class Conv2d extends ConvLayer {
    /** A square {@code kernel x kernel} convolution with stride 1, no padding and a bias. */
    public Conv2d(int inC, int outC, int kernel) {
        this(inC, outC, kernel, ConvOptions.DEFAULT);
    }

    /** A square {@code kernel x kernel} convolution with the given options and a bias. */
    public Conv2d(int inC, int outC, int kernel, ConvOptions options) {
        this(inC, outC, square(2, kernel), options, true);
    }

    /**
     * A convolution with kernel {@code (kH, kW)}, the given options, with or without bias.
     *
     * @throws IllegalArgumentException if a size is below 1 or the groups do not divide the channels
     */
    public Conv2d(int inC, int outC, int[] kernel, ConvOptions options, boolean bias) {
        super(2, inC, outC, kernel, options, bias);
    }
}
