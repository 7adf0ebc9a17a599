package dev.fovea.nn;

import dev.fovea.nn.init.Init;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.ConvOptions;
import dev.fovea.tensor.functional.F;
import java.util.Arrays;

/**
 * The convolution layers {@link Conv1d}, {@link Conv2d} and {@link Conv3d}: weight
 * {@code (outC, inC / groups, k...)} and bias {@code (outC)} initialised as PyTorch does
 * ({@link Init}); stride, padding, dilation, groups, padding mode, algorithm and a fused
 * activation come from {@link ConvOptions}.
 */
public abstract sealed class ConvLayer extends Module permits Conv1d, Conv2d, Conv3d {
    private final int dims;
    private final int inC;
    private final int outC;
    private final int[] kernel;
    private final ConvOptions options;
    private final Tensor weight;
    private final Tensor bias;
    private final long fanIn;

    ConvLayer(int dims, int inC, int outC, int[] kernel, ConvOptions options, boolean bias) {
        int groups = options.groups();
        checkShape("Conv" + dims + "d", dims, inC, outC, kernel, groups);
        this.dims = dims;
        this.inC = inC;
        this.outC = outC;
        this.kernel = kernel.clone();
        this.options = options;
        long[] shape = weightShape(outC, inC / groups, kernel);
        this.fanIn = fanIn(shape);
        this.weight = registerParameter("weight", Init.defaultWeight(fanIn, shape));
        this.bias = bias ? registerParameter("bias", Init.defaultBias(fanIn, outC)) : null;
    }

    /** Throws unless the channels and kernel sizes are at least 1 and {@code groups} divides both channel counts. */
    static void checkShape(String name, int dims, int inC, int outC, int[] kernel, int groups) {
        if (kernel == null || kernel.length != dims || Arrays.stream(kernel).anyMatch(k -> k < 1) || inC < 1
                || outC < 1) {
            throw new IllegalArgumentException(name + ": channels must be >= 1 and the kernel " + dims
                    + " sizes >= 1, got inC=" + inC + ", outC=" + outC + ", kernel=" + Arrays.toString(kernel));
        }
        if (inC % groups != 0 || outC % groups != 0) {
            throw new IllegalArgumentException(name + ": groups=" + groups + " must divide inC=" + inC + " and outC="
                    + outC);
        }
    }

    /** The weight shape {@code (rows, perGroup, kernel...)} of a convolution or transposed convolution layer. */
    static long[] weightShape(int rows, int perGroup, int[] kernel) {
        long[] shape = new long[2 + kernel.length];
        shape[0] = rows;
        shape[1] = perGroup;
        for (int d = 0; d < kernel.length; d++) {
            shape[2 + d] = kernel[d];
        }
        return shape;
    }

    /**
     * PyTorch's fan-in of such a weight: dimension 1 times the kernel volume, which is also the
     * multiply-accumulates per output element (convolution) or per input element (transposed).
     */
    static long fanIn(long[] weightShape) {
        long f = 1;
        for (int d = 1; d < weightShape.length; d++) {
            f *= weightShape[d];
        }
        return f;
    }

    /** {@code k} repeated {@code dims} times. */
    static int[] square(int dims, int k) {
        int[] r = new int[dims];
        Arrays.fill(r, k);
        return r;
    }

    @Override
    public Tensor forward(Tensor input) {
        return switch (dims) {
            case 1 -> F.conv1d(input, weight, bias, options);
            case 2 -> F.conv2d(input, weight, bias, options);
            default -> F.conv3d(input, weight, bias, options);
        };
    }

    /** Each output element takes {@code inC / groups * kernel volume} multiply-accumulates. */
    @Override
    protected long macs(Tensor input, Tensor output) {
        return output.numel() * fanIn;
    }

    /** The weight {@code (outC, inC / groups, k...)}. */
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
        return inC + ", " + outC + ", kernel_size=" + Arrays.toString(kernel) + ", stride="
                + Arrays.toString(options.stride()) + ", padding=" + options.padding()
                + (options.groups() != 1 ? ", groups=" + options.groups() : "") + (bias == null ? ", bias=False" : "");
    }
}
