package dev.fovea.nn;

import dev.fovea.tensor.functional.ConvTransposeOptions;

/** A 1-d transposed convolution layer, as PyTorch's {@code nn.ConvTranspose1d}; see {@link ConvTransposeLayer}. */
public final class ConvTranspose1d extends ConvTransposeLayer {
    /** Kernel size {@code kernel} along every axis with the given options and a bias. */
    public ConvTranspose1d(int inC, int outC, int kernel, ConvTransposeOptions options) {
        this(inC, outC, ConvLayer.square(1, kernel), options, true);
    }

    /**
     * A transposed convolution with one kernel size per axis, the given options, with or without bias.
     *
     * @throws IllegalArgumentException if a size is below 1 or the groups do not divide the channels
     */
    public ConvTranspose1d(int inC, int outC, int[] kernel, ConvTransposeOptions options, boolean bias) {
        super(1, inC, outC, kernel, options, bias);
    }
}
