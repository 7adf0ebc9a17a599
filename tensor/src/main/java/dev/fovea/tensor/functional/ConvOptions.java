package dev.fovea.tensor.functional;

import dev.fovea.simd.conv.ConvPolicy;
import dev.fovea.simd.conv.Padding;
import dev.fovea.simd.conv.PaddingMode;
import dev.fovea.simd.eltwise.ActivationFunction;
import java.util.Arrays;
import java.util.Objects;

/**
 * The immutable parameters of {@link F#conv1d}, {@link F#conv2d} and {@link F#conv3d} besides the
 * tensors, with PyTorch's defaults: stride 1, padding 0, dilation 1, groups 1, padding mode
 * {@code zeros}. Every setter returns a new options object:
 *
 * <pre>{@code
 * ConvOptions o = ConvOptions.DEFAULT.stride(2).padding(1).groups(4);
 * ConvOptions same = ConvOptions.DEFAULT.padding("same").paddingMode("reflect");
 * }</pre>
 *
 * <p>Stride, dilation and padding take one value (every spatial axis) or one per axis, as
 * PyTorch's int-or-tuple arguments; the lengths are checked against the convolution's
 * dimensionality when it runs. An {@link #activation} (Keras' {@code Conv2D(activation=...)};
 * none by default) is applied to the output, fused into the convolution's output pass when no
 * gradient is recorded.
 */
public final class ConvOptions {
    /** PyTorch's defaults, with the algorithm chosen by {@link ConvPolicy#fromSystemProperty()}. */
    public static final ConvOptions DEFAULT = new ConvOptions(new int[] {1}, Padding.of(0), new int[] {1}, 1,
            PaddingMode.ZEROS, null, null);

    private final int[] stride;
    private final Padding padding;
    private final int[] dilation;
    private final int groups;
    private final PaddingMode paddingMode;
    private final ConvPolicy policy;
    private final ActivationFunction activation;

    private ConvOptions(int[] stride, Padding padding, int[] dilation, int groups, PaddingMode paddingMode,
                        ConvPolicy policy, ActivationFunction activation) {
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.paddingMode = paddingMode;
        this.policy = policy;
        this.activation = activation;
    }

    /** Strides: one value for every axis or one per axis (PyTorch {@code stride}, default 1). */
    public ConvOptions stride(int... stride) {
        return new ConvOptions(positive("stride", stride), padding, dilation, groups, paddingMode, policy,
                activation);
    }

    /** Dilations: one value for every axis or one per axis (PyTorch {@code dilation}, default 1). */
    public ConvOptions dilation(int... dilation) {
        return new ConvOptions(stride, padding, positive("dilation", dilation), groups, paddingMode, policy,
                activation);
    }

    /** Symmetric zero-based padding amounts: one for every axis or one per axis (PyTorch int or tuple {@code padding}). */
    public ConvOptions padding(int... each) {
        return padding(Padding.of(nonNegative("padding", each)));
    }

    /**
     * Per-side padding: {@code begin[d]} before and {@code end[d]} after axis d (one value: every
     * axis). PyTorch needs an explicit {@code F.pad} for this.
     */
    public ConvOptions padding(int[] begin, int[] end) {
        return padding(Padding.of(nonNegative("padding begin", begin), nonNegative("padding end", end)));
    }

    /**
     * A padding rule by name: {@code "valid"} (none), {@code "same"} (output size = input size at
     * stride 1, the odd element padded at the end, exactly PyTorch's {@code padding='same'}; at
     * larger strides Fovea extends it as TensorFlow does, output = ceil(input / stride), where
     * PyTorch refuses) or {@code "full"} ({@code dilation * (k - 1)} on both sides).
     */
    public ConvOptions padding(String rule) {
        return padding(Padding.named(Objects.requireNonNull(rule, "padding")));
    }

    /** Padding as a {@link Padding} value (explicit amounts or a named rule). */
    public ConvOptions padding(Padding padding) {
        if (padding == null) {
            throw new IllegalArgumentException("padding must not be null");
        }
        return new ConvOptions(stride, padding, dilation, groups, paddingMode, policy, activation);
    }

    /** Number of blocked connections from input to output channels (PyTorch {@code groups}, default 1). */
    public ConvOptions groups(int groups) {
        if (groups < 1) {
            throw new IllegalArgumentException("groups must be >= 1, got " + groups);
        }
        return new ConvOptions(stride, padding, dilation, groups, paddingMode, policy, activation);
    }

    /** What is read outside the input (PyTorch {@code padding_mode}, default {@link PaddingMode#ZEROS}). */
    public ConvOptions paddingMode(PaddingMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("paddingMode must not be null");
        }
        return new ConvOptions(stride, padding, dilation, groups, mode, policy, activation);
    }

    /** {@link #paddingMode(PaddingMode)} by PyTorch name: zeros, reflect, replicate or circular. */
    public ConvOptions paddingMode(String mode) {
        return paddingMode(PaddingMode.fromWireName(Objects.requireNonNull(mode, "paddingMode")));
    }

    /** How the forward algorithm is chosen; null restores the default, {@link ConvPolicy#fromSystemProperty()}. */
    public ConvOptions policy(ConvPolicy policy) {
        return new ConvOptions(stride, padding, dilation, groups, paddingMode, policy, activation);
    }

    /** The strides as given (a copy). */
    public int[] stride() {
        return stride.clone();
    }

    /** The padding amounts or rule. */
    public Padding padding() {
        return padding;
    }

    /** The dilations as given (a copy). */
    public int[] dilation() {
        return dilation.clone();
    }

    /** The number of groups. */
    public int groups() {
        return groups;
    }

    /** The padding mode. */
    public PaddingMode paddingMode() {
        return paddingMode;
    }

    /**
     * The activation applied to the convolution's output, or null for none (the default). Without
     * gradient recording it runs fused into the pass that writes the output (see
     * {@link dev.fovea.simd.conv.ConvPlan}); with it, as a separate differentiable op.
     */
    public ConvOptions activation(ActivationFunction activation) {
        return new ConvOptions(stride, padding, dilation, groups, paddingMode, policy, activation);
    }

    /** The activation applied to the output, or null for none. */
    public ActivationFunction activation() {
        return activation;
    }

    /** The algorithm policy: the one set, else {@link ConvPolicy#fromSystemProperty()} (read at each call). */
    public ConvPolicy policy() {
        return policy != null ? policy : ConvPolicy.fromSystemProperty();
    }

    private static int[] positive(String name, int[] v) {
        return axes(name, v, 1);
    }

    private static int[] nonNegative(String name, int[] v) {
        return axes(name, v, 0);
    }

    /** A copy of per-axis values {@code v} (1 to 3 of them), each checked to be >= {@code min}; shared with {@link PoolOptions}. */
    static int[] axes(String name, int[] v, int min) {
        if (v == null || v.length < 1 || v.length > 3) {
            throw new IllegalArgumentException(name + " needs 1 to 3 values (one, or one per spatial axis), got "
                    + Arrays.toString(v));
        }
        for (int x : v) {
            if (x < min) {
                throw new IllegalArgumentException(name + " values must be >= " + min + ", got " + Arrays.toString(v));
            }
        }
        return v.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvOptions c && Arrays.equals(stride, c.stride) && padding.toString().equals(
                c.padding.toString()) && Arrays.equals(dilation, c.dilation) && groups == c.groups
                && paddingMode == c.paddingMode && Objects.equals(policy, c.policy)
                && Objects.equals(activation, c.activation);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(stride), padding.toString(), Arrays.hashCode(dilation), groups,
                paddingMode, policy, activation);
    }

    @Override
    public String toString() {
        return "ConvOptions[stride=" + Arrays.toString(stride) + ", padding=" + padding + ", dilation="
                + Arrays.toString(dilation) + ", groups=" + groups + ", paddingMode=" + paddingMode.wireName()
                + ", policy=" + (policy == null ? "system property" : policy)
                + (activation == null ? "" : ", activation=" + activation) + "]";
    }
}
