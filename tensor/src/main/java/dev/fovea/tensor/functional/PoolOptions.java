package dev.fovea.tensor.functional;

import dev.fovea.simd.conv.Padding;
import dev.fovea.simd.pool.PoolSpec;
import java.util.Arrays;
import java.util.Objects;

/**
 * The immutable parameters of the pooling functions of {@link F}, with PyTorch's defaults: stride =
 * kernel size, padding 0, dilation 1, {@code ceil_mode} false, {@code count_include_pad} true, no
 * divisor override. Start from the kernel size; every setter returns a new options object:
 *
 * <pre>{@code
 * PoolOptions o = PoolOptions.kernel(3).stride(2).padding(1);          // ResNet's stem max pool
 * PoolOptions keras = PoolOptions.kernel(2).padding("same");            // Keras MaxPooling2D(padding='same')
 * }</pre>
 *
 * <p>Kernel, stride, padding and dilation take one value (every spatial axis) or one per axis.
 * With padding {@code "same"} the output is {@code ceil(input / stride)} (TensorFlow/Keras), and
 * average pooling does not count the padding unless {@link #countIncludePad(boolean)} says so, as in
 * Keras. PyTorch allows padding up to half the (dilated) kernel; so does Fovea.
 */
public final class PoolOptions {
    private final int[] kernel;
    private final int[] stride;
    private final Padding padding;
    private final int[] dilation;
    private final boolean ceilMode;
    private final Boolean countIncludePad;
    private final int divisorOverride;

    private PoolOptions(int[] kernel, int[] stride, Padding padding, int[] dilation, boolean ceilMode,
                        Boolean countIncludePad, int divisorOverride) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    /** Options with this window size (one value for every axis or one per axis) and the defaults. */
    public static PoolOptions kernel(int... kernel) {
        return new PoolOptions(check("kernel", kernel, 1), null, Padding.of(0), new int[] {1}, false, null, 0);
    }

    /** Strides (PyTorch {@code stride}; default: the kernel size). */
    public PoolOptions stride(int... stride) {
        return new PoolOptions(kernel, check("stride", stride, 1), padding, dilation, ceilMode, countIncludePad,
                divisorOverride);
    }

    /** Symmetric implicit padding (PyTorch {@code padding}; -inf for max, zeros for average pooling). */
    public PoolOptions padding(int... each) {
        return padding(Padding.of(check("padding", each, 0)));
    }

    /** A padding rule by name: {@code "valid"} (none) or {@code "same"} (output = ceil(input / stride), Keras). */
    public PoolOptions padding(String rule) {
        return padding(Padding.named(Objects.requireNonNull(rule, "padding")));
    }

    /** Padding as a {@link Padding} value (explicit amounts, per side too, or a named rule). */
    public PoolOptions padding(Padding padding) {
        if (padding == null) {
            throw new IllegalArgumentException("padding must not be null");
        }
        return new PoolOptions(kernel, stride, padding, dilation, ceilMode, countIncludePad, divisorOverride);
    }

    /** Spacing between window elements (PyTorch max pooling's {@code dilation}, default 1). */
    public PoolOptions dilation(int... dilation) {
        return new PoolOptions(kernel, stride, padding, check("dilation", dilation, 1), ceilMode, countIncludePad,
                divisorOverride);
    }

    /** Round the output size up (PyTorch {@code ceil_mode}, default false). */
    public PoolOptions ceilMode(boolean ceilMode) {
        return new PoolOptions(kernel, stride, padding, dilation, ceilMode, countIncludePad, divisorOverride);
    }

    /** Count padding in average windows' divisors (PyTorch {@code count_include_pad}; default true, false with "same"). */
    public PoolOptions countIncludePad(boolean countIncludePad) {
        return new PoolOptions(kernel, stride, padding, dilation, ceilMode, countIncludePad, divisorOverride);
    }

    /** Divide every average window by this (PyTorch {@code divisor_override}); 0 for the window's count. */
    public PoolOptions divisorOverride(int divisorOverride) {
        if (divisorOverride < 0) {
            throw new IllegalArgumentException("divisorOverride must be > 0, or 0 for none, got " + divisorOverride);
        }
        return new PoolOptions(kernel, stride, padding, dilation, ceilMode, countIncludePad, divisorOverride);
    }

    /** The kernel size as given (a copy). */
    public int[] kernel() {
        return kernel.clone();
    }

    /** The strides as given, or null for the kernel size. */
    public int[] stride() {
        return stride == null ? null : stride.clone();
    }

    /** The padding amounts or rule. */
    public Padding padding() {
        return padding;
    }

    /** The dilations as given (a copy). */
    public int[] dilation() {
        return dilation.clone();
    }

    /** Whether the output size rounds up. */
    public boolean ceilMode() {
        return ceilMode;
    }

    /** The divisor override, 0 for none. */
    public int divisorOverride() {
        return divisorOverride;
    }

    /**
     * Returns the kernels' spec of these options for an input of {@code n} x {@code c} planes of
     * the given spatial sizes ({@code dims} of them), for callers that run {@link
     * dev.fovea.simd.pool.Pool} directly (an inference session's compiled graph).
     *
     * @throws IllegalArgumentException if the options do not fit the input (e.g. an empty output)
     */
    public PoolSpec spec(int dims, int n, int c, int[] size) {
        PoolSpec.Builder b = PoolSpec.builder(dims).n(n).c(c).input(size).kernel(kernel).dilation(dilation)
                .padding(padding).ceilMode(ceilMode).divisorOverride(divisorOverride);
        if (stride != null) {
            b.stride(stride);
        }
        if (countIncludePad != null) {
            b.countIncludePad(countIncludePad);
        }
        return b.build();
    }

    private static int[] check(String name, int[] v, int min) {
        return ConvOptions.axes(name, v, min);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolOptions p && toString().equals(p.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "PoolOptions[kernel=" + Arrays.toString(kernel) + ", stride="
                + (stride == null ? "kernel" : Arrays.toString(stride)) + ", padding=" + padding + ", dilation="
                + Arrays.toString(dilation) + ", ceilMode=" + ceilMode + ", countIncludePad="
                + (countIncludePad == null ? "default" : countIncludePad) + ", divisorOverride=" + divisorOverride + "]";
    }
}
