package dev.fovea.nn;

import dev.fovea.nn.init.Init;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.ConvTransposeOptions;
import dev.fovea.tensor.functional.F;
import java.util.Arrays;

/**
 * The transposed convolution layers {@link ConvTranspose1d}, {@link ConvTranspose2d} and
 * {@link ConvTranspose3d} (the upsampling of U-Net and FCN decoders): weight
 * {@code (inC, outC / groups, k...)} and bias {@code (outC)} initialised as PyTorch does (fan-in
 * {@code outC / groups * kernel volume}, from the weight's second dimension).
 */
public abstract sealed class ConvTransposeLayer extends Module permits ConvTranspose1d, ConvTranspose2d,
        ConvTranspose3d {
    private final int dims;
    private final int inC;
    private final int outC;
    private final int[] kernel;
    private final ConvTransposeOptions options;
    private final Tensor weight;
    private final Tensor bias;
    private final long fanIn;

    ConvTransposeLayer(int dims, int inC, int outC, int[] kernel, ConvTransposeOptions options, boolean bias) {
        int groups = options.groups();
        ConvLayer.checkShape("ConvTranspose" + dims + "d", dims, inC, outC, kernel, groups);
        this.dims = dims;
        this.inC = inC;
        this.outC = outC;
        this.kernel = kernel.clone();
        this.options = options;
        long[] shape = ConvLayer.weightShape(inC, outC / groups, kernel);
        this.fanIn = ConvLayer.fanIn(shape);
        this.weight = registerParameter("weight", Init.defaultWeight(fanIn, shape));
        this.bias = bias ? registerParameter("bias", Init.defaultBias(fanIn, outC)) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        return switch (dims) {
            case 1 -> F.convTranspose1d(input, weight, bias, options);
            case 2 -> F.convTranspose2d(input, weight, bias, options);
            default -> F.convTranspose3d(input, weight, bias, options);
        };
    }

    /** Each input element feeds {@code outC / groups * kernel volume} multiply-accumulates. */
    @Override
    protected long macs(Tensor input, Tensor output) {
        return input.numel() * fanIn;
    }

    /** The weight {@code (inC, outC / groups, k...)}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code (outC)}, or null. */
    public Tensor bias() {
        return bias;
    }

    @Override
    protected String extraRepr() {
        return inC + ", " + outC + ", kernel_size=" + Arrays.toString(kernel) + ", stride="
                + Arrays.toString(options.stride()) + ", padding=" + Arrays.toString(options.padding())
                + (bias == null ? ", bias=False" : "");
    }
}
