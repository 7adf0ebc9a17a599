package dev.fovea.simd.pool;

import dev.fovea.simd.conv.Padding;
import java.util.Arrays;

/**
 * The shape and parameters of one 1-, 2- or 3-d max or average pooling, validated, with the
 * output-size arithmetic in one place. Layouts: input {@code (n, c, [inD,] [inH,] inW)}, output
 * {@code (n, c, [outD,] [outH,] outW)}, contiguous float32; each of the {@code n * c} planes is
 * pooled on its own.
 *
 * <p>Per spatial axis, PyTorch's rule ({@code pooling_output_shape}):
 * {@code out = floor_or_ceil((in + padBegin + padEnd - dil * (k - 1) - 1) / stride) + 1}, rounding up
 * when {@code ceilMode} is set, and then dropping the last window if it would start in the end
 * padding. Explicit padding may be at most half the kernel size (PyTorch's rule); {@code SAME}
 * padding is whatever Keras' rule needs. The stride defaults to the kernel size (PyTorch and Keras). Internally every spec has
 * three spatial axes (D, H, W) as {@link dev.fovea.simd.conv.ConvSpec} does; axis arguments are
 * 0 = D, 1 = H, 2 = W.
 *
 * <p>Window {@code o} along an axis covers input positions {@code o * stride - padBegin + j * dil}
 * for {@code j < k}; positions outside {@code [0, in)} are padding, which max pooling ignores and
 * average pooling counts in the divisor only with {@link #countIncludePad()} (up to the end of the
 * padding, not into the extra cells {@code ceilMode} may add, as PyTorch does). A divisor override
 * replaces the divisor of every window.
 *
 * <pre>{@code
 * PoolSpec s = PoolSpec.builder(2).n(1).c(64).input(112, 112).kernel(3).stride(2).padding(1).build();
 * s.outH();   // 56
 * }</pre>
 */
public final class PoolSpec {
    private final int dims;
    private final int n;
    private final int c;
    private final int[] in;
    private final int[] k;
    private final int[] stride;
    private final int[] dil;
    private final int[] padBegin;
    private final int[] padEnd;
    private final int[] out;
    private final boolean ceilMode;
    private final boolean countIncludePad;
    private final int divisorOverride;

    private PoolSpec(Builder b, int[] stride, int[] padBegin, int[] padEnd, int[] out, boolean countIncludePad) {
        this.dims = b.dims;
        this.n = b.n;
        this.c = b.c;
        this.in = b.in;
        this.k = b.k;
        this.stride = stride;
        this.dil = b.dil;
        this.padBegin = padBegin;
        this.padEnd = padEnd;
        this.out = out;
        this.ceilMode = b.ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = b.divisorOverride;
    }

    /** Starts a spec with {@code dims} (1, 2 or 3) spatial dimensions. */
    public static Builder builder(int dims) {
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException("pooling: dims must be 1, 2 or 3 spatial dimensions, got " + dims);
        }
        return new Builder(dims);
    }

    /** Number of spatial dimensions (1, 2 or 3). */
    public int dims() {
        return dims;
    }

    /** Batch size. */
    public int n() {
        return n;
    }

    /** Channels. */
    public int c() {
        return c;
    }

    /** Number of planes pooled, {@code n * c}. */
    public long planes() {
        return (long) n * c;
    }

    /** Input extent along an axis (0 = D, 1 = H, 2 = W; 1 for axes a lower-dimensional spec lacks). */
    public int in(int axis) {
        return in[axis];
    }

    /** Kernel extent along an axis. */
    public int kernel(int axis) {
        return k[axis];
    }

    /** Stride along an axis. */
    public int stride(int axis) {
        return stride[axis];
    }

    /** Dilation along an axis. */
    public int dilation(int axis) {
        return dil[axis];
    }

    /** Padding before the input along an axis, resolved from the padding rule. */
    public int padBegin(int axis) {
        return padBegin[axis];
    }

    /** Padding after the input along an axis. */
    public int padEnd(int axis) {
        return padEnd[axis];
    }

    /** Output extent along an axis. */
    public int out(int axis) {
        return out[axis];
    }

    /** Whether the output size was rounded up (PyTorch's {@code ceil_mode}). */
    public boolean ceilMode() {
        return ceilMode;
    }

    /** Whether average pooling counts padding cells in the divisor. */
    public boolean countIncludePad() {
        return countIncludePad;
    }

    /** The divisor of every average window, or 0 for the window's own count. */
    public int divisorOverride() {
        return divisorOverride;
    }

    /** Elements of one input plane. */
    public long inPlane() {
        return (long) in[0] * in[1] * in[2];
    }

    /** Elements of one output plane. */
    public long outPlane() {
        return (long) out[0] * out[1] * out[2];
    }

    /** Elements of the input. */
    public long inputElements() {
        return planes() * inPlane();
    }

    /** Elements of the output. */
    public long outputElements() {
        return planes() * outPlane();
    }

    /** Kernel points per window, {@code kD * kH * kW}. */
    public int kernelVolume() {
        return k[0] * k[1] * k[2];
    }

    /** The input shape {@code (n, c, spatial...)}. */
    public long[] inputShape() {
        return shape(in);
    }

    /** The output shape {@code (n, c, spatial...)}. */
    public long[] outputShape() {
        return shape(out);
    }

    private long[] shape(int[] spatial) {
        long[] s = new long[dims + 2];
        s[0] = n;
        s[1] = c;
        for (int d = 0; d < dims; d++) {
            s[2 + d] = spatial[3 - dims + d];
        }
        return s;
    }

    private int[] last(int[] axes) {
        return Arrays.copyOfRange(axes, 3 - dims, 3);
    }

    @Override
    public String toString() {
        return "pool" + dims + "d(n=" + n + ", c=" + c + ", in=" + Arrays.toString(last(in)) + ", kernel="
                + Arrays.toString(last(k)) + ", stride=" + Arrays.toString(last(stride)) + ", dilation="
                + Arrays.toString(last(dil)) + ", padBegin=" + Arrays.toString(last(padBegin)) + ", padEnd="
                + Arrays.toString(last(padEnd)) + ", ceilMode=" + ceilMode + ", countIncludePad=" + countIncludePad
                + ", divisorOverride=" + divisorOverride + ", out=" + Arrays.toString(last(out)) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolSpec s && toString().equals(s.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** Collects and validates a {@link PoolSpec}; per-axis setters take one value (every axis) or one per axis. */
    public static final class Builder {
        private final int dims;
        private int n = 1;
        private int c = -1;
        private int[] in;
        private int[] k;
        private int[] stride;
        private int[] dil = {1, 1, 1};
        private Padding padding = Padding.VALID;
        private boolean ceilMode;
        private Boolean countIncludePad;
        private int divisorOverride;

        private Builder(int dims) {
            this.dims = dims;
        }

        /** Batch size (default 1; 0 is allowed and gives an empty output). */
        public Builder n(int n) {
            this.n = n;
            return this;
        }

        /** Channels. */
        public Builder c(int c) {
            this.c = c;
            return this;
        }

        /** Input spatial extents, outermost first ({@code inH, inW} for 2-d). */
        public Builder input(int... sizes) {
            this.in = axes("input", sizes, 1, false);
            return this;
        }

        /** Kernel (window) extents. */
        public Builder kernel(int... sizes) {
            this.k = axes("kernel", sizes, 1, true);
            return this;
        }

        /** Strides (default: the kernel size). */
        public Builder stride(int... sizes) {
            this.stride = axes("stride", sizes, 1, true);
            return this;
        }

        /** Dilations (default 1). */
        public Builder dilation(int... sizes) {
            this.dil = axes("dilation", sizes, 1, true);
            return this;
        }

        /** Padding amounts or rule (default {@link Padding#VALID}; {@link Padding#FULL} is not a pooling rule). */
        public Builder padding(Padding padding) {
            if (padding == null) {
                throw new IllegalArgumentException("pooling: padding must not be null");
            }
            this.padding = padding;
            return this;
        }

        /** Symmetric explicit padding, one value or one per axis. */
        public Builder padding(int... each) {
            return padding(Padding.of(each));
        }

        /** Round the output size up (PyTorch's {@code ceil_mode}; default false). */
        public Builder ceilMode(boolean ceilMode) {
            this.ceilMode = ceilMode;
            return this;
        }

        /**
         * Count padding cells in average windows' divisors. Default: true unless the padding is
         * {@link Padding#SAME} (PyTorch's {@code count_include_pad}); false with SAME (TensorFlow/Keras).
         */
        public Builder countIncludePad(boolean countIncludePad) {
            this.countIncludePad = countIncludePad;
            return this;
        }

        /** A divisor for every average window (PyTorch's {@code divisor_override}); 0 (default) for none. */
        public Builder divisorOverride(int divisorOverride) {
            this.divisorOverride = divisorOverride;
            return this;
        }

        private int[] axes(String name, int[] v, int fill, boolean broadcast) {
            if (v == null || !(v.length == dims || (broadcast && v.length == 1))) {
                throw new IllegalArgumentException("pooling: " + name + " needs " + (broadcast ? "1 or " : "") + dims
                        + " values for " + dims + "-d pooling, got " + Arrays.toString(v));
            }
            int[] r = {fill, fill, fill};
            for (int d = 0; d < dims; d++) {
                r[3 - dims + d] = v[v.length == 1 ? 0 : d];
            }
            return r;
        }

        /**
         * The prefix of this builder's error messages. Messages are built only when a check fails:
         * built up front for every check, they were a quarter of the heap a LeNet-5 inference run
         * allocated.
         */
        private String what() {
            return "pool" + dims + "d: ";
        }

        /** Validates the values, resolves the padding and computes the output extents. */
        public PoolSpec build() {
            if (n < 0) {
                throw new IllegalArgumentException(what() + "n (batch) must be >= 0, got " + n);
            }
            if (c < 1) {
                throw new IllegalArgumentException(what() + "c (channels) must be >= 1, got " + c);
            }
            if (in == null) {
                throw new IllegalArgumentException(what() + "input sizes not set");
            }
            if (k == null) {
                throw new IllegalArgumentException(what() + "kernel size not set");
            }
            if (divisorOverride < 0) {
                throw new IllegalArgumentException(what() + "divisorOverride must be > 0, or 0 for none, got "
                        + divisorOverride);
            }
            int[] s = stride == null ? k.clone() : stride;
            for (int a = 3 - dims; a < 3; a++) {
                if (in[a] < 1) {
                    throw new IllegalArgumentException(what() + "input sizes must be >= 1, got "
                            + Arrays.toString(last(in)));
                }
                if (k[a] < 1) {
                    throw new IllegalArgumentException(what() + "kernel sizes must be >= 1, got "
                            + Arrays.toString(last(k)));
                }
                if (s[a] < 1) {
                    throw new IllegalArgumentException(what() + "strides must be >= 1, got "
                            + Arrays.toString(last(s)));
                }
                if (dil[a] < 1) {
                    throw new IllegalArgumentException(what() + "dilations must be >= 1, got "
                            + Arrays.toString(last(dil)));
                }
            }
            int[] pb = new int[3];
            int[] pe = new int[3];
            resolvePadding(s, pb, pe);
            int[] out = {1, 1, 1};
            for (int a = 3 - dims; a < 3; a++) {
                out[a] = outSize(a, s[a], pb[a], pe[a]);
            }
            boolean include = countIncludePad != null ? countIncludePad : padding != Padding.SAME;
            return new PoolSpec(this, s, pb, pe, out, include);
        }

        private int outSize(int a, int s, int pb, int pe) {
            int axis = a - (3 - dims);
            long eff = (long) dil[a] * (k[a] - 1) + 1;
            if (pb < 0 || pe < 0) {
                throw new IllegalArgumentException(what() + "padding must be >= 0, got " + padding);
            }
            if (padding instanceof Padding.Explicit && (pb > k[a] / 2 || pe > k[a] / 2)) {
                throw new IllegalArgumentException(what() + "padding must be at most half the kernel size " + k[a]
                        + " along axis " + axis + " (PyTorch's rule), got " + Math.max(pb, pe) + " (kernel "
                        + Arrays.toString(last(k)) + ", padding " + padding + ")");
            }
            long span = (long) in[a] + pb + pe - eff;
            if (span < 0) {
                throw new IllegalArgumentException(what() + "the pooling window (" + eff + " with dilation) is larger"
                        + " than the padded input " + (in[a] + pb + pe) + " along axis " + axis + " (input "
                        + Arrays.toString(last(in)) + ", kernel " + Arrays.toString(last(k)) + ", padding "
                        + padding + ")");
            }
            long o = (ceilMode ? (span + s - 1) / s : span / s) + 1;
            if (ceilMode && (o - 1) * s >= (long) in[a] + pb) {
                o--;
            }
            for (long w = 0; w < o; w++) {
                long start = w * s - pb;
                boolean any = false;
                for (int j = 0; j < k[a] && !any; j++) {
                    long p = start + (long) j * dil[a];
                    any = p >= 0 && p < in[a];
                }
                if (!any) {
                    throw new IllegalArgumentException(what() + "window " + w + " along axis " + axis
                            + " covers no input element (input " + in[a] + ", kernel " + k[a] + ", dilation "
                            + dil[a] + ", stride " + s + ", padding " + pb + "/" + pe + ")");
                }
            }
            return (int) o;
        }

        private void resolvePadding(int[] s, int[] pb, int[] pe) {
            switch (padding) {
                case Padding.Explicit e -> {
                    int[] b = axes("padding", e.begin(), 0, true);
                    int[] en = axes("padding", e.end(), 0, true);
                    System.arraycopy(b, 0, pb, 0, 3);
                    System.arraycopy(en, 0, pe, 0, 3);
                }
                case Padding.Named named -> {
                    if (named.name().equals("full")) {
                        throw new IllegalArgumentException(what() + "padding 'full' is a convolution rule;"
                                + " pooling takes valid, same or explicit amounts");
                    }
                    if (named.name().equals("same")) {
                        for (int a = 3 - dims; a < 3; a++) {
                            int o = (in[a] + s[a] - 1) / s[a];
                            int total = Math.max((o - 1) * s[a] + dil[a] * (k[a] - 1) + 1 - in[a], 0);
                            pb[a] = total / 2;
                            pe[a] = total - total / 2;
                        }
                    }
                }
            }
        }

        private int[] last(int[] axes) {
            return Arrays.copyOfRange(axes, 3 - dims, 3);
        }
    }
}
