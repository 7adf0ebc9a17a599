package dev.fovea.tensor.functional;

import dev.fovea.simd.conv.Padding;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.ops.Checks;
import java.util.Arrays;

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
 * count. <b>Transposed convolutions</b> ({@link #convTranspose1d}, {@link #convTranspose2d},
 * {@link #convTranspose3d}) take weight {@code (inC, outC / groups, k...)} and give
 * {@code out = (in - 1) * stride - 2 * padding + dilation * (k - 1) + outputPadding + 1}
 * ({@link ConvTransposeOptions}).
 *
 * <p><b>Pooling</b> ({@link #maxPool2d}, {@link #avgPool2d}, their 1-d and 3-d forms, adaptive,
 * global and power-average pooling, max unpooling) takes {@code (n, c, spatial...)} or unbatched
 * {@code (c, spatial...)} input and follows PyTorch's semantics and defaults (see
 * {@link PoolOptions}); max pooling propagates NaN and breaks ties by the first element.
 *
 * <p>The rest of {@code torch.nn.functional} lives in one class per op family, so that no class
 * grows without bound: {@link Activations} (relu to softmax), {@link Normalization} (batch, layer,
 * group, instance and local response norm), {@link Dropout}, {@link Resampling} (pad, interpolate,
 * pixel shuffle), {@link Linear} (linear, bilinear) and {@link Losses}.
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

    /** {@code torch.nn.functional.conv_transpose1d(input, weight, bias)} with default options. */
    public static Tensor convTranspose1d(Tensor input, Tensor weight, Tensor bias) {
        return ConvTransposeOp.convTranspose(1, input, weight, bias, ConvTransposeOptions.DEFAULT);
    }

    /**
     * {@code torch.nn.functional.conv_transpose1d}: input {@code (n, inC, w)} or {@code (inC, w)},
     * weight {@code (inC, outC / groups, k)}, bias {@code (outC)} or null.
     *
     * @throws IllegalArgumentException naming the argument if the shapes or options do not fit
     */
    public static Tensor convTranspose1d(Tensor input, Tensor weight, Tensor bias, ConvTransposeOptions options) {
        return ConvTransposeOp.convTranspose(1, input, weight, bias, options);
    }

    /** {@code torch.nn.functional.conv_transpose2d(input, weight, bias)} with default options. */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias) {
        return ConvTransposeOp.convTranspose(2, input, weight, bias, ConvTransposeOptions.DEFAULT);
    }

    /**
     * {@code torch.nn.functional.conv_transpose2d}, the upsampling of U-Net and FCN decoders: input
     * {@code (n, inC, h, w)} or {@code (inC, h, w)}, weight {@code (inC, outC / groups, kH, kW)},
     * bias {@code (outC)} or null.
     *
     * @throws IllegalArgumentException naming the argument if the shapes or options do not fit
     */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, ConvTransposeOptions options) {
        return ConvTransposeOp.convTranspose(2, input, weight, bias, options);
    }

    /** {@code torch.nn.functional.conv_transpose3d(input, weight, bias)} with default options. */
    public static Tensor convTranspose3d(Tensor input, Tensor weight, Tensor bias) {
        return ConvTransposeOp.convTranspose(3, input, weight, bias, ConvTransposeOptions.DEFAULT);
    }

    /**
     * {@code torch.nn.functional.conv_transpose3d}: input {@code (n, inC, d, h, w)} or
     * {@code (inC, d, h, w)}, weight {@code (inC, outC / groups, kD, kH, kW)}, bias {@code (outC)} or null.
     *
     * @throws IllegalArgumentException naming the argument if the shapes or options do not fit
     */
    public static Tensor convTranspose3d(Tensor input, Tensor weight, Tensor bias, ConvTransposeOptions options) {
        return ConvTransposeOp.convTranspose(3, input, weight, bias, options);
    }

    /** {@code torch.nn.functional.max_pool1d}: input {@code (n, c, w)} or {@code (c, w)}. */
    public static Tensor maxPool1d(Tensor input, PoolOptions options) {
        return PoolOp.max(1, input, options, false).values();
    }

    /** {@code torch.nn.functional.max_pool2d(input, kernel)}: window and stride {@code kernel}. */
    public static Tensor maxPool2d(Tensor input, int kernel) {
        return maxPool2d(input, PoolOptions.kernel(kernel));
    }

    /**
     * {@code torch.nn.functional.max_pool2d}: input {@code (n, c, h, w)} or {@code (c, h, w)}.
     *
     * @throws IllegalArgumentException naming the argument if the shapes or options do not fit
     */
    public static Tensor maxPool2d(Tensor input, PoolOptions options) {
        return PoolOp.max(2, input, options, false).values();
    }

    /** {@code torch.nn.functional.max_pool3d}: input {@code (n, c, d, h, w)} or {@code (c, d, h, w)}. */
    public static Tensor maxPool3d(Tensor input, PoolOptions options) {
        return PoolOp.max(3, input, options, false).values();
    }

    /** Max pooling over {@code dims} (1-3) spatial axes with PyTorch's {@code return_indices=True}. */
    public static MaxPoolResult maxPoolWithIndices(int dims, Tensor input, PoolOptions options) {
        return PoolOp.max(checkDims(dims), input, options, true);
    }

    /** {@code torch.nn.functional.avg_pool1d}: input {@code (n, c, w)} or {@code (c, w)}. */
    public static Tensor avgPool1d(Tensor input, PoolOptions options) {
        return PoolOp.avg(1, input, options);
    }

    /** {@code torch.nn.functional.avg_pool2d(input, kernel)}: window and stride {@code kernel}. */
    public static Tensor avgPool2d(Tensor input, int kernel) {
        return avgPool2d(input, PoolOptions.kernel(kernel));
    }

    /**
     * {@code torch.nn.functional.avg_pool2d}: input {@code (n, c, h, w)} or {@code (c, h, w)}.
     *
     * @throws IllegalArgumentException naming the argument if the shapes or options do not fit
     */
    public static Tensor avgPool2d(Tensor input, PoolOptions options) {
        return PoolOp.avg(2, input, options);
    }

    /** {@code torch.nn.functional.avg_pool3d}: input {@code (n, c, d, h, w)} or {@code (c, d, h, w)}. */
    public static Tensor avgPool3d(Tensor input, PoolOptions options) {
        return PoolOp.avg(3, input, options);
    }

    /**
     * {@code torch.nn.functional.lp_pool2d}: {@code (sum over the window of x^p)^(1/p)}, computed as
     * PyTorch does ({@code avg_pool2d(x^p) * kH * kW}, then the 1/p power; no padding). {@code p = 1}
     * is sum pooling; large p approaches max pooling.
     */
    public static Tensor lpPool2d(Tensor input, float p, PoolOptions options) {
        return lpPool(2, input, p, options);
    }

    /** {@code torch.nn.functional.lp_pool1d}; see {@link #lpPool2d}. */
    public static Tensor lpPool1d(Tensor input, float p, PoolOptions options) {
        return lpPool(1, input, p, options);
    }

    private static Tensor lpPool(int dims, Tensor input, float p, PoolOptions options) {
        Checks.live("lp_pool" + dims + "d", "input", input);
        if (!(p > 0) || Float.isInfinite(p)) {
            throw new IllegalArgumentException("lp_pool" + dims + "d: norm type p must be positive and finite, got " + p);
        }
        if (options == null || !unpadded(options.padding())) {
            throw new IllegalArgumentException("lp_pool" + dims + "d: takes no padding (as PyTorch), got " + options);
        }
        int[] k = options.kernel();
        int volume = 1;
        for (int d = 0; d < dims; d++) {
            volume *= k[k.length == 1 ? 0 : d];
        }
        Tensor avg = PoolOp.avg(dims, input.pow(p), options);
        return avg.mul((float) volume).pow(1f / p);
    }

    private static boolean unpadded(Padding p) {
        return p == Padding.VALID || p instanceof Padding.Explicit e && Arrays.stream(e.begin()).allMatch(v -> v == 0)
                && Arrays.stream(e.end()).allMatch(v -> v == 0);
    }

    /** {@code torch.nn.functional.adaptive_avg_pool1d}: input {@code (n, c, w)} pooled to width {@code size}. */
    public static Tensor adaptiveAvgPool1d(Tensor input, int size) {
        return PoolOp.adaptive(1, false, input, new int[] {size}, false).values();
    }

    /** {@code torch.nn.functional.adaptive_avg_pool2d}: pooled to {@code (outH, outW)} (one value: square). */
    public static Tensor adaptiveAvgPool2d(Tensor input, int... size) {
        return PoolOp.adaptive(2, false, input, size, false).values();
    }

    /** {@code torch.nn.functional.adaptive_avg_pool3d}: pooled to {@code (outD, outH, outW)} (one value: cube). */
    public static Tensor adaptiveAvgPool3d(Tensor input, int... size) {
        return PoolOp.adaptive(3, false, input, size, false).values();
    }

    /** {@code torch.nn.functional.adaptive_max_pool1d}. */
    public static Tensor adaptiveMaxPool1d(Tensor input, int size) {
        return PoolOp.adaptive(1, true, input, new int[] {size}, false).values();
    }

    /** {@code torch.nn.functional.adaptive_max_pool2d}. */
    public static Tensor adaptiveMaxPool2d(Tensor input, int... size) {
        return PoolOp.adaptive(2, true, input, size, false).values();
    }

    /** {@code torch.nn.functional.adaptive_max_pool3d}. */
    public static Tensor adaptiveMaxPool3d(Tensor input, int... size) {
        return PoolOp.adaptive(3, true, input, size, false).values();
    }

    /** Adaptive max pooling over {@code dims} spatial axes with PyTorch's {@code return_indices=True}. */
    public static MaxPoolResult adaptiveMaxPoolWithIndices(int dims, Tensor input, int... size) {
        return PoolOp.adaptive(checkDims(dims), true, input, size, true);
    }

    /**
     * Keras' {@code GlobalAveragePooling1D/2D/3D}: the mean over every spatial axis of
     * {@code (n, c, spatial...)} (1 to 3 of them), as {@code (n, c)}. For PyTorch's
     * {@code (n, c, 1, 1)} use {@code adaptiveAvgPool2d(input, 1)}.
     */
    public static Tensor globalAvgPool(Tensor input) {
        return global(false, input);
    }

    /** Keras' {@code GlobalMaxPooling1D/2D/3D}: the max over every spatial axis, as {@code (n, c)}. */
    public static Tensor globalMaxPool(Tensor input) {
        return global(true, input);
    }

    private static Tensor global(boolean max, Tensor input) {
        String op = max ? "global_max_pool" : "global_avg_pool";
        if (input == null || input.rank() < 3 || input.rank() > 5) {
            throw new IllegalArgumentException(op + ": input must be (n, c, spatial...) with 1 to 3 spatial dims, got "
                    + (input == null ? "null" : Shape.toString(input.shape())));
        }
        int dims = input.rank() - 2;
        return PoolOp.adaptive(dims, max, input, new int[] {1}, false).values().flatten(1, dims + 1);
    }

    /**
     * {@code torch.nn.functional.max_unpool1d/2d/3d} over {@code dims} spatial axes: zeros of
     * {@code outputSize} (null: {@code (in - 1) * stride - 2 * padding + kernel} per axis, PyTorch's
     * default) with each input element at its index from {@link #maxPoolWithIndices}.
     */
    public static Tensor maxUnpool(int dims, Tensor input, Tensor indices, PoolOptions options, int... outputSize) {
        return PoolOp.unpool(checkDims(dims), input, indices, options,
                outputSize == null || outputSize.length == 0 ? null : outputSize);
    }

    /** {@code torch.nn.functional.max_unpool2d}; see {@link #maxUnpool}. */
    public static Tensor maxUnpool2d(Tensor input, Tensor indices, PoolOptions options, int... outputSize) {
        return maxUnpool(2, input, indices, options, outputSize);
    }

    private static int checkDims(int dims) {
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException("pooling: dims must be 1, 2 or 3 spatial dimensions, got " + dims);
        }
        return dims;
    }
}
