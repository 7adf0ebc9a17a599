package dev.fovea.nn;

import dev.fovea.tensor.functional.ConvTransposeOptions;

/** A 3-d transposed convolution layer, as PyTorch's {@code nn.ConvTranspose3d}; see {@link ConvTransposeLayer}. */
public final class ConvTranspose3d extends ConvTransposeLayer {
    /** Kernel size {@code kernel} along every axis with the given options and a bias. */
    public ConvTranspose3d(int inC, int outC, int kernel, ConvTransposeOptions options) {
        this(inC, outC, ConvLayer.square(3, kernel), options, true);
    }

    /**
     * A transposed convolution with one kernel size per axis, the given options, with or without bias.
     *
     * @throws IllegalArgumentException if a size is below 1 or the groups do not divide the channels
     */
    public ConvTranspose3d(int inC, int outC, int[] kernel, ConvTransposeOptions options, boolean bias) {
        super(3, inC, outC, kernel, options, bias);
    }
}
