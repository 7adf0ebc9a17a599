package dev.fovea.nn;

import dev.fovea.nn.init.Init;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.ConvOptions;
import dev.fovea.tensor.functional.F;
import java.util.Arrays;

/**
 * A 2-d convolution layer, as PyTorch's {@code nn.Conv2d}: weight
 * {@code (outC, inC / groups, kH, kW)} and bias {@code (outC)} initialised as PyTorch does
 * ({@link Init}); stride, padding, dilation, groups, padding mode, algorithm and a fused
 * activation (Keras' {@code activation=}) come from {@link ConvOptions}.
 */
public class Conv2d extends Module {
    private final int inC;
    private final int outC;
    private final int[] kernel;
    private final ConvOptions options;
    private final Tensor weight;
    private final Tensor bias;

    /** A square {@code kernel x kernel} convolution with stride 1, no padding and a bias. */
    public Conv2d(int inC, int outC, int kernel) {
        this(inC, outC, new int[] {kernel, kernel}, ConvOptions.DEFAULT, true);
    }

    /** A square {@code kernel x kernel} convolution with the given options and a bias. */
    public Conv2d(int inC, int outC, int kernel, ConvOptions options) {
        this(inC, outC, new int[] {kernel, kernel}, options, true);
    }

    /**
     * A convolution with kernel {@code (kH, kW)}, the given options, with or without bias.
     *
     * @throws IllegalArgumentException if a size is below 1 or the groups do not divide the channels
     */
    public Conv2d(int inC, int outC, int[] kernel, ConvOptions options, boolean bias) {
        if (kernel == null || kernel.length != 2 || kernel[0] < 1 || kernel[1] < 1 || inC < 1 || outC < 1) {
            throw new IllegalArgumentException("Conv2d: channels must be >= 1 and kernel two sizes >= 1, got inC="
                    + inC + ", outC=" + outC + ", kernel=" + Arrays.toString(kernel));
        }
        int groups = options.groups();
        if (inC % groups != 0 || outC % groups != 0) {
            throw new IllegalArgumentException("Conv2d: groups=" + groups + " must divide inC=" + inC + " and outC="
                    + outC);
        }
        this.inC = inC;
        this.outC = outC;
        this.kernel = kernel.clone();
        this.options = options;
        long fanIn = (long) inC / groups * kernel[0] * kernel[1];
        this.weight = registerParameter("weight",
                Init.defaultWeight(fanIn, outC, inC / groups, kernel[0], kernel[1]));
        this.bias = bias ? registerParameter("bias", Init.defaultBias(fanIn, outC)) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.conv2d(input, weight, bias, options);
    }

    /** Each output element takes {@code inC / groups * kH * kW} multiply-accumulates. */
    @Override
    protected long macs(Tensor input, Tensor output) {
        return output.numel() * ((long) inC / options.groups() * kernel[0] * kernel[1]);
    }

    /** The weight {@code (outC, inC / groups, kH, kW)}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code (outC)}, or null. */
    public Tensor bias() {
        return bias;
    }

    /** The options the layer convolves with. */
    public ConvOptions options() {
        return options;
    }

    @Override
    protected String extraRepr() {
        return inC + ", " + outC + ", kernel_size=(" + kernel[0] + ", " + kernel[1] + "), stride="
                + Arrays.toString(options.stride()) + ", padding=" + options.padding()
                + (options.groups() != 1 ? ", groups=" + options.groups() : "") + (bias == null ? ", bias=false" : "");
    }
}
