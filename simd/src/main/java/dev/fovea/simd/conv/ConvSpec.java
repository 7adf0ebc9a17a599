package dev.fovea.simd.conv;

import java.util.Arrays;

/**
 * The shape and parameters of one 1-, 2- or 3-d convolution, validated, with the output-size
 * arithmetic in one place. Layouts: input {@code (n, inC, [inD,] [inH,] inW)}, weights
 * {@code (outC, inC / groups, [kD,] [kH,] kW)}, output {@code (n, outC, [outD,] [outH,] outW)},
 * all contiguous float32 (NCW, NCHW, NCDHW).
 *
 * <p>Per spatial axis, {@code out = floor((in + padBegin + padEnd - dil * (k - 1) - 1) / stride) + 1},
 * exactly PyTorch's {@code Conv1d/2d/3d}. Internally every spec has three spatial axes (D, H, W):
 * a 2-d spec has {@code inD = kD = outD = 1}, a 1-d spec also {@code inH = kH = outH = 1}, so kernels
 * can be written once for 3-d. Axis arguments are 0 = D, 1 = H, 2 = W.
 *
 * <p>Build with {@link #builder(int)}:
 * <pre>{@code
 * ConvSpec s = ConvSpec.builder(2).n(1).inC(64).outC(64).input(56, 56).kernel(3)
 *         .stride(1).padding(Padding.SAME).build();
 * s.outH();   // 56
 * }</pre>
 */
public final class ConvSpec {
    private final int dims;
    private final int n;
    private final int inC;
    private final int outC;
    private final int groups;
    private final int[] in;
    private final int[] k;
    private final int[] stride;
    private final int[] dil;
    private final int[] padBegin;
    private final int[] padEnd;
    private final int[] out;
    private final PaddingMode paddingMode;

    private ConvSpec(Builder b, int[] padBegin, int[] padEnd, int[] out) {
        this.dims = b.dims;
        this.n = b.n;
        this.inC = b.inC;
        this.outC = b.outC;
        this.groups = b.groups;
        this.in = b.in;
        this.k = b.k;
        this.stride = b.stride;
        this.dil = b.dil;
        this.padBegin = padBegin;
        this.padEnd = padEnd;
        this.out = out;
        this.paddingMode = b.paddingMode;
    }

    /** Starts a spec with {@code dims} (1, 2 or 3) spatial dimensions; stride, dilation and groups default to 1, padding to 0. */
    public static Builder builder(int dims) {
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException("dims must be 1, 2 or 3 spatial dimensions, got " + dims);
        }
        return new Builder(dims);
    }

    /** Returns a builder holding this spec's values (padding as the resolved explicit amounts). */
    public Builder toBuilder() {
        Builder b = new Builder(dims).n(n).inC(inC).outC(outC).groups(groups).paddingMode(paddingMode);
        b.in = in.clone();
        b.k = k.clone();
        b.stride = stride.clone();
        b.dil = dil.clone();
        b.padding = Padding.of(last(padBegin), last(padEnd));
        return b;
    }

    /** Number of spatial dimensions: 1, 2 or 3. */
    public int dims() {
        return dims;
    }

    /** Batch size. */
    public int n() {
        return n;
    }

    /** Input channels. */
    public int inC() {
        return inC;
    }

    /** Output channels. */
    public int outC() {
        return outC;
    }

    /** Channel groups: each group of {@code outC / groups} outputs sees {@code inC / groups} inputs. */
    public int groups() {
        return groups;
    }

    /** Input channels per group, the weights' second dimension. */
    public int inCPerGroup() {
        return inC / groups;
    }

    /** Output channels per group. */
    public int outCPerGroup() {
        return outC / groups;
    }

    /** True for a depthwise convolution: one input channel per group ({@code groups == inC}). */
    public boolean isDepthwise() {
        return groups == inC && groups > 1;
    }

    /** Input extent along axis 0 = D, 1 = H, 2 = W (1 for axes a lower-dimensional spec lacks). */
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

    /** What the convolution reads outside the input. */
    public PaddingMode paddingMode() {
        return paddingMode;
    }

    /** True if every padding amount is 0. */
    public boolean unpadded() {
        for (int a = 0; a < 3; a++) {
            if (padBegin[a] != 0 || padEnd[a] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Input depth (1 unless 3-d). */
    public int inD() {
        return in[0];
    }

    /** Input height (1 for 1-d). */
    public int inH() {
        return in[1];
    }

    /** Input width. */
    public int inW() {
        return in[2];
    }

    /** Kernel depth. */
    public int kD() {
        return k[0];
    }

    /** Kernel height. */
    public int kH() {
        return k[1];
    }

    /** Kernel width. */
    public int kW() {
        return k[2];
    }

    /** Output depth. */
    public int outD() {
        return out[0];
    }

    /** Output height. */
    public int outH() {
        return out[1];
    }

    /** Output width. */
    public int outW() {
        return out[2];
    }

    /** Input elements per image: {@code inC * inD * inH * inW}. */
    public long inImageElements() {
        return (long) inC * in[0] * in[1] * in[2];
    }

    /** Output elements per image. */
    public long outImageElements() {
        return (long) outC * out[0] * out[1] * out[2];
    }

    /** Input spatial elements per channel. */
    public long inSpatial() {
        return (long) in[0] * in[1] * in[2];
    }

    /** Output spatial elements per channel. */
    public long outSpatial() {
        return (long) out[0] * out[1] * out[2];
    }

    /** Kernel taps per channel: {@code kD * kH * kW}. */
    public int kernelVolume() {
        return k[0] * k[1] * k[2];
    }

    /** Elements of the whole input. */
    public long inputElements() {
        return n * inImageElements();
    }

    /** Elements of the whole output. */
    public long outputElements() {
        return n * outImageElements();
    }

    /** Elements of the weights: {@code outC * inC / groups * kD * kH * kW}. */
    public long weightElements() {
        return (long) outC * inCPerGroup() * kernelVolume();
    }

    /**
     * Floating-point operations of the direct convolution, {@code 2 n outC outSpatial (inC / groups) kVolume}:
     * the common measure in which every algorithm's GFLOP/s is quoted.
     */
    public double flops() {
        return 2.0 * n * outC * outSpatial() * inCPerGroup() * kernelVolume();
    }

    /** The input shape {@code [n, inC, spatial...]} with {@link #dims()} spatial extents. */
    public long[] inputShape() {
        return shape(n, inC, in);
    }

    /** The output shape {@code [n, outC, spatial...]}. */
    public long[] outputShape() {
        return shape(n, outC, out);
    }

    /** The weight shape {@code [outC, inC / groups, k...]}. */
    public long[] weightShape() {
        return shape(outC, inCPerGroup(), k);
    }

    private long[] shape(int first, int second, int[] spatial) {
        long[] s = new long[2 + dims];
        s[0] = first;
        s[1] = second;
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
        return "conv" + dims + "d(n=" + n + ", inC=" + inC + ", outC=" + outC + ", in=" + Arrays.toString(last(in))
                + ", kernel=" + Arrays.toString(last(k)) + ", stride=" + Arrays.toString(last(stride))
                + ", dilation=" + Arrays.toString(last(dil)) + ", padBegin=" + Arrays.toString(last(padBegin))
                + ", padEnd=" + Arrays.toString(last(padEnd)) + ", groups=" + groups + ", paddingMode="
                + paddingMode.wireName() + ", out=" + Arrays.toString(last(out)) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvSpec s && dims == s.dims && n == s.n && inC == s.inC && outC == s.outC
                && groups == s.groups && Arrays.equals(in, s.in) && Arrays.equals(k, s.k)
                && Arrays.equals(stride, s.stride) && Arrays.equals(dil, s.dil)
                && Arrays.equals(padBegin, s.padBegin) && Arrays.equals(padEnd, s.padEnd)
                && paddingMode == s.paddingMode;
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** Collects and validates a {@link ConvSpec}; per-axis setters take one value (every axis) or one per axis. */
    public static final class Builder {
        private final int dims;
        private int n = 1;
        private int inC = -1;
        private int outC = -1;
        private int groups = 1;
        private int[] in;
        private int[] k;
        private int[] stride = {1, 1, 1};
        private int[] dil = {1, 1, 1};
        private Padding padding = Padding.VALID;
        private PaddingMode paddingMode = PaddingMode.ZEROS;

        private Builder(int dims) {
            this.dims = dims;
        }

        /** Batch size (default 1; 0 is allowed and gives an empty output). */
        public Builder n(int n) {
            this.n = n;
            return this;
        }

        /** Input channels. */
        public Builder inC(int inC) {
            this.inC = inC;
            return this;
        }

        /** Output channels. */
        public Builder outC(int outC) {
            this.outC = outC;
            return this;
        }

        /** Channel groups (default 1); must divide inC and outC. */
        public Builder groups(int groups) {
            this.groups = groups;
            return this;
        }

        /** Input spatial extents, outermost first ({@code inH, inW} for 2-d). */
        public Builder input(int... sizes) {
            this.in = axes("input", sizes, 1, false);
            return this;
        }

        /** Kernel extents. */
        public Builder kernel(int... sizes) {
            this.k = axes("kernel", sizes, 1, true);
            return this;
        }

        /** Strides (default 1). */
        public Builder stride(int... sizes) {
            this.stride = axes("stride", sizes, 1, true);
            return this;
        }

        /** Dilations (default 1). */
        public Builder dilation(int... sizes) {
            this.dil = axes("dilation", sizes, 1, true);
            return this;
        }

        /** Padding amounts or rule (default {@link Padding#VALID}). */
        public Builder padding(Padding padding) {
            if (padding == null) {
                throw new IllegalArgumentException("padding must not be null");
            }
            this.padding = padding;
            return this;
        }

        /** Symmetric explicit padding, one value or one per axis. */
        public Builder padding(int... each) {
            return padding(Padding.of(each));
        }

        /** What is read outside the input (default {@link PaddingMode#ZEROS}). */
        public Builder paddingMode(PaddingMode mode) {
            if (mode == null) {
                throw new IllegalArgumentException("paddingMode must not be null");
            }
            this.paddingMode = mode;
            return this;
        }

        /** Expands one value (every axis) or {@code dims} values to three axes D, H, W padded with {@code fill}. */
        private int[] axes(String name, int[] v, int fill, boolean broadcast) {
            if (v == null || !(v.length == dims || (broadcast && v.length == 1))) {
                throw new IllegalArgumentException(name + " needs " + (broadcast ? "1 or " : "") + dims
                        + " values for a " + dims + "-d convolution, got " + Arrays.toString(v));
            }
            int[] r = {fill, fill, fill};
            for (int d = 0; d < dims; d++) {
                r[3 - dims + d] = v[v.length == 1 ? 0 : d];
            }
            return r;
        }

        /** The prefix of this builder's error messages, built only when a check fails. */
        private String what() {
            return "conv" + dims + "d: ";
        }

        /** Checks the batch (>= 0) and channel counts (>= 1); shared with {@link ConvTransposeSpec.Builder}. */
        static void checkCounts(String op, int dims, int n, int inC, int outC) {
            String bad = n < 0 ? "n (batch) must be >= 0, got " + n : inC < 1 ? "inC must be >= 1, got " + inC
                    : outC < 1 ? "outC must be >= 1, got " + outC : null;
            if (bad != null) {
                throw new IllegalArgumentException(op + dims + "d: " + bad);
            }
        }

        /**
         * Checks that every used axis of the sizes, kernel, strides and dilations is >= 1; shared
         * with {@link ConvTransposeSpec.Builder}. {@code op} names the operation in the message.
         */
        static void checkAxes(String op, int dims, int[] in, int[] k, int[] stride, int[] dil) {
            for (int a = 3 - dims; a < 3; a++) {
                String bad = in[a] < 1 ? "input sizes" : k[a] < 1 ? "kernel sizes" : stride[a] < 1 ? "strides"
                        : dil[a] < 1 ? "dilations" : null;
                if (bad != null) {
                    int[] values = in[a] < 1 ? in : k[a] < 1 ? k : stride[a] < 1 ? stride : dil;
                    throw new IllegalArgumentException(op + dims + "d: " + bad + " must be >= 1, got "
                            + Arrays.toString(values));
                }
            }
        }

        /** Validates the values, resolves the padding and computes the output extents. */
        public ConvSpec build() {
            checkCounts("conv", dims, n, inC, outC);
            if (groups < 1) {
                throw new IllegalArgumentException(what() + "groups must be >= 1, got " + groups);
            }
            if (inC % groups != 0 || outC % groups != 0) {
                throw new IllegalArgumentException(what() + "groups must divide inC and outC, got groups="
                    + groups + ", inC=" + inC + ", outC=" + outC);
            }
            if (in == null) {
                throw new IllegalArgumentException(what() + "input sizes not set");
            }
            if (k == null) {
                throw new IllegalArgumentException(what() + "kernel size not set");
            }
            checkAxes("conv", dims, in, k, stride, dil);
            int[] pb = new int[3];
            int[] pe = new int[3];
            resolvePadding(pb, pe);
            int[] out = {1, 1, 1};
            for (int a = 3 - dims; a < 3; a++) {
                if (pb[a] < 0 || pe[a] < 0) {
                    throw new IllegalArgumentException(what() + "padding must be >= 0, got " + padding);
                }
                long span = (long) in[a] + pb[a] + pe[a] - (long) dil[a] * (k[a] - 1) - 1;
                if (span < 0) {
                    throw new IllegalArgumentException(what() + "output would be empty: padded input "
                            + (in[a] + pb[a] + pe[a]) + " is smaller than the dilated kernel "
                            + ((long) dil[a] * (k[a] - 1) + 1) + " along axis " + (a - (3 - dims)) + " (input "
                            + Arrays.toString(in) + ", kernel " + Arrays.toString(k) + ", dilation "
                            + Arrays.toString(dil) + ", padding " + padding + ")");
                }
                out[a] = (int) (span / stride[a] + 1);
                checkModePadding(a, pb[a], pe[a]);
            }
            return new ConvSpec(this, pb, pe, out);
        }

        private void resolvePadding(int[] pb, int[] pe) {
            switch (padding) {
                case Padding.Explicit e -> {
                    int[] b = axes("padding", e.begin(), 0, true);
                    int[] en = axes("padding", e.end(), 0, true);
                    System.arraycopy(b, 0, pb, 0, 3);
                    System.arraycopy(en, 0, pe, 0, 3);
                }
                case Padding.Named named -> {
                    for (int a = 3 - dims; a < 3; a++) {
                        int dk = dil[a] * (k[a] - 1);
                        switch (named.name()) {
                            case "valid" -> { }
                            case "full" -> {
                                pb[a] = dk;
                                pe[a] = dk;
                            }
                            default -> {
                                int o = (in[a] + stride[a] - 1) / stride[a];
                                int total = Math.max((o - 1) * stride[a] + dk + 1 - in[a], 0);
                                pb[a] = total / 2;
                                pe[a] = total - total / 2;
                            }
                        }
                    }
                }
            }
        }

        private void checkModePadding(int a, int pb, int pe) {
            int max = Math.max(pb, pe);
            if (paddingMode == PaddingMode.REFLECT && max >= in[a]) {
                throw new IllegalArgumentException(what() + "reflect padding must be smaller than the input, got"
                        + " padding " + max + " for input size " + in[a] + " along axis " + (a - (3 - dims)));
            }
            if (paddingMode == PaddingMode.CIRCULAR && max > in[a]) {
                throw new IllegalArgumentException(what() + "circular padding must not exceed the input, got"
                        + " padding " + max + " for input size " + in[a] + " along axis " + (a - (3 - dims)));
            }
        }
    }
}
