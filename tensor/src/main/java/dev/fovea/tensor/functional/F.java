package dev.fovea.tensor.functional;

import dev.fovea.tensor.Tensor;

/**
 * Functional neural-network ops on tensors, as PyTorch's {@code torch.nn.functional}; each is
 * differentiable (it records an autograd node when grad mode is on and an argument requires grad).
 *
 * <pre>{@code
 * Tensor y = F.conv2d(x, w, b, ConvOptions.DEFAULT.stride(2).padding(1));
 * }</pre>
 *
 * <p><b>Convolutions</b> ({@link #conv1d}, {@link #conv2d}, {@link #conv3d}) compute PyTorch's
 * cross-correlation: input {@code (n, inC, spatial...)} (or unbatched {@code (inC, spatial...)}),
 * weight {@code (outC, inC / groups, k...)}, optional bias {@code (outC)}, output
 * {@code (n, outC, out...)} with {@code out = floor((in + padBegin + padEnd - dilation * (k - 1) - 1)
 * / stride) + 1} per axis. Non-contiguous arguments are copied to contiguous first. The forward
 * runs the algorithm chosen by {@link ConvOptions#policy()}; results do not depend on the thread
 * count.
 */
public final class F {
    private F() {}

    /** {@code torch.nn.functional.conv1d(input, weight, bias)} with default options (stride 1, no padding). */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias) {
        return ConvOp.conv(1, input, weight, bias, ConvOptions.DEFAULT);
    }

    /**
     * {@code torch.nn.functional.conv1d}: input {@code (n, inC, w)} or {@code (inC, w)}, weight
     * {@code (outC, inC / groups, k)}, bias {@code (outC)} or null.
     *
     * @throws IllegalArgumentException naming the argument if the shapes or options do not fit
     */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return ConvOp.conv(1, input, weight, bias, options);
    }

    /** {@code torch.nn.functional.conv2d(input, weight, bias)} with default options (stride 1, no padding). */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias) {
        return ConvOp.conv(2, input, weight, bias, ConvOptions.DEFAULT);
    }

    /**
     * {@code torch.nn.functional.conv2d}, with {@code padding_mode} as in {@code nn.Conv2d}: input
     * {@code (n, inC, h, w)} or {@code (inC, h, w)}, weight {@code (outC, inC / groups, kH, kW)},
     * bias {@code (outC)} or null.
     *
     * @throws IllegalArgumentException naming the argument if the shapes or options do not fit
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return ConvOp.conv(2, input, weight, bias, options);
    }

    /** {@code torch.nn.functional.conv3d(input, weight, bias)} with default options (stride 1, no padding). */
    public static Tensor conv3d(Tensor input, Tensor weight, Tensor bias) {
        return ConvOp.conv(3, input, weight, bias, ConvOptions.DEFAULT);
    }

    /**
     * {@code torch.nn.functional.conv3d}: input {@code (n, inC, d, h, w)} or {@code (inC, d, h, w)},
     * weight {@code (outC, inC / groups, kD, kH, kW)}, bias {@code (outC)} or null.
     *
     * @throws IllegalArgumentException naming the argument if the shapes or options do not fit
     */
    public static Tensor conv3d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return ConvOp.conv(3, input, weight, bias, options);
    }
}
