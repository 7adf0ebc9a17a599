package dev.fovea.nn;

import dev.fovea.tensor.functional.ConvOptions;

/** A 3-d convolution layer, as PyTorch's {@code nn.Conv3d}; see {@link ConvLayer}. */
public final class Conv3d extends ConvLayer {
    /** A convolution with kernel size {@code kernel} along every axis, stride 1, no padding and a bias. */
    public Conv3d(int inC, int outC, int kernel) {
        this(inC, outC, kernel, ConvOptions.DEFAULT);
    }

    /** A convolution with kernel size {@code kernel} along every axis, the given options and a bias. */
    public Conv3d(int inC, int outC, int kernel, ConvOptions options) {
        this(inC, outC, square(3, kernel), options, true);
    }

    /**
     * A convolution with kernel (kD, kH, kW), the given options, with or without bias.
     *
     * @throws IllegalArgumentException if a size is below 1 or the groups do not divide the channels
     */
    public Conv3d(int inC, int outC, int[] kernel, ConvOptions options, boolean bias) {
        super(3, inC, outC, kernel, options, bias);
    }
}
