package dev.fovea.simd.conv;

import java.util.Arrays;

/**
 * The shape of a transposed convolution (PyTorch {@code ConvTranspose1d/2d/3d}), 1-3 spatial
 * dimensions normalised, as in {@link ConvSpec}, to three axes D, H, W (unused leading axes have
 * extent, kernel, stride and dilation 1 and no padding).
 *
 * <p>Input {@code (n, inC, in...)}, weights {@code (inC, outC / groups, k...)}, output
 * {@code (n, outC, out...)} with, per axis,
 * <pre>
 *   out = (in - 1) * stride - padBegin - padEnd + dilation * (k - 1) + outputPadding + 1
 * </pre>
 * Input position {@code i} and tap {@code t} add {@code in * w} to output position
 * {@code i * stride + t * dilation - padBegin}, dropped when outside {@code [0, out)}: padding
 * crops the full result and output padding extends it at the end. Padding is zeros only (as in
 * PyTorch); output padding must be smaller than the stride or the dilation (PyTorch's rule).
 */
public final class ConvTransposeSpec {
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
    private final int[] outPad;
    private final int[] out;

    private ConvTransposeSpec(Builder b, int[] out) {
        this.dims = b.dims;
        this.n = b.n;
        this.inC = b.inC;
        this.outC = b.outC;
        this.groups = b.groups;
        this.in = b.in;
        this.k = b.k;
        this.stride = b.stride;
        this.dil = b.dil;
        this.padBegin = b.padBegin;
        this.padEnd = b.padEnd;
        this.outPad = b.outPad;
        this.out = out;
    }

    /** Starts a spec of {@code dims} (1, 2 or 3) spatial dimensions. */
    public static Builder builder(int dims) {
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException("convTranspose: dims must be 1, 2 or 3, got " + dims);
        }
        return new Builder(dims);
    }

    /** Spatial dimensions (1-3). */
    public int dims() {
        return dims;
    }

    /** Batch size. */
    public int n() {
        return n;
    }

    /** Input channels (rows of the weights). */
    public int inC() {
        return inC;
    }

    /** Output channels. */
    public int outC() {
        return outC;
    }

    /** Channel groups. */
    public int groups() {
        return groups;
    }

    /** Input extent along axis 0 (D), 1 (H) or 2 (W). */
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

    /** Padding cropped from the start of an axis. */
    public int padBegin(int axis) {
        return padBegin[axis];
    }

    /** Padding cropped from the end of an axis. */
    public int padEnd(int axis) {
        return padEnd[axis];
    }

    /** Output padding added at the end of an axis. */
    public int outputPadding(int axis) {
        return outPad[axis];
    }

    /** Output extent along an axis. */
    public int out(int axis) {
        return out[axis];
    }

    /** Kernel taps per (input channel, output channel) pair. */
    public int kernelVolume() {
        return k[0] * k[1] * k[2];
    }

    /** Elements of one input channel. */
    public long inSpatial() {
        return (long) in[0] * in[1] * in[2];
    }

    /** Elements of one output channel. */
    public long outSpatial() {
        return (long) out[0] * out[1] * out[2];
    }

    /** Floats of the input {@code (n, inC, in...)}. */
    public long inputElements() {
        return (long) n * inC * inSpatial();
    }

    /** Floats of the weights {@code (inC, outC / groups, k...)}. */
    public long weightElements() {
        return (long) inC * (outC / groups) * kernelVolume();
    }

    /** Floats of the output {@code (n, outC, out...)}. */
    public long outputElements() {
        return (long) n * outC * outSpatial();
    }

    /**
     * The convolution this one is the input-gradient of: its input is this output, its output this
     * input, its weights {@code (outC_conv = inC, inC_conv / groups = outC / groups, k...)} are this
     * spec's weights. Given as a geometry because with {@code outputPadding >= stride} no
     * {@link ConvSpec} (non-negative end padding) has exactly this input as its output.
     */
    ConvCol2im.Geometry geometry() {
        return new ConvCol2im.Geometry(n, outC, inC, groups, out, k, stride, dil, padBegin, in, PaddingMode.ZEROS);
    }

    @Override
    public String toString() {
        int from = 3 - dims;
        return "convTranspose" + dims + "d(n=" + n + ", inC=" + inC + ", outC=" + outC + ", groups=" + groups
                + ", in=" + Arrays.toString(Arrays.copyOfRange(in, from, 3))
                + ", k=" + Arrays.toString(Arrays.copyOfRange(k, from, 3))
                + ", stride=" + Arrays.toString(Arrays.copyOfRange(stride, from, 3))
                + ", dilation=" + Arrays.toString(Arrays.copyOfRange(dil, from, 3))
                + ", pad=" + Arrays.toString(Arrays.copyOfRange(padBegin, from, 3))
                + "/" + Arrays.toString(Arrays.copyOfRange(padEnd, from, 3))
                + ", outputPadding=" + Arrays.toString(Arrays.copyOfRange(outPad, from, 3))
                + " -> out=" + Arrays.toString(Arrays.copyOfRange(out, from, 3)) + ")";
    }

    /** Collects and validates a {@link ConvTransposeSpec}; per-axis setters take one value (every axis) or one per axis. */
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
        private int[] padBegin = {0, 0, 0};
        private int[] padEnd = {0, 0, 0};
        private int[] outPad = {0, 0, 0};

        private Builder(int dims) {
            this.dims = dims;
        }

        /** Batch size (default 1; 0 gives an empty output). */
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

        /** Input spatial extents, outermost first. */
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

        /** Symmetric padding (PyTorch's {@code padding}), cropped from both ends (default 0). */
        public Builder padding(int... each) {
            this.padBegin = axes("padding", each, 0, true);
            this.padEnd = padBegin.clone();
            return this;
        }

        /** Per-side padding cropped from the start ({@code begin}) and end ({@code end}) of each axis. */
        public Builder padding(int[] begin, int[] end) {
            this.padBegin = axes("padding begin", begin, 0, true);
            this.padEnd = axes("padding end", end, 0, true);
            return this;
        }

        /** Output padding added at the end of each axis (default 0); must be below max(stride, dilation). */
        public Builder outputPadding(int... each) {
            this.outPad = axes("outputPadding", each, 0, true);
            return this;
        }

        private int[] axes(String name, int[] v, int fill, boolean broadcast) {
            if (v == null || !(v.length == dims || (broadcast && v.length == 1))) {
                throw new IllegalArgumentException("convTranspose" + dims + "d: " + name + " needs "
                        + (broadcast ? "1 or " : "") + dims + " values, got " + Arrays.toString(v));
            }
            int[] r = {fill, fill, fill};
            for (int d = 0; d < dims; d++) {
                r[3 - dims + d] = v[v.length == 1 ? 0 : d];
            }
            return r;
        }

        /** The prefix of this builder's error messages, built only when a check fails. */
        private String what() {
            return "convTranspose" + dims + "d: ";
        }

        /** Validates the values and computes the output extents. */
        public ConvTransposeSpec build() {
            ConvSpec.Builder.checkCounts("convTranspose", dims, n, inC, outC);
            if (groups < 1 || inC % groups != 0 || outC % groups != 0) {
                throw new IllegalArgumentException(what() + "groups must be >= 1 and divide inC and outC, got groups="
                        + groups + ", inC=" + inC + ", outC=" + outC);
            }
            if (in == null) {
                throw new IllegalArgumentException(what() + "input sizes not set");
            }
            if (k == null) {
                throw new IllegalArgumentException(what() + "kernel size not set");
            }
            ConvSpec.Builder.checkAxes("convTranspose", dims, in, k, stride, dil);
            int[] out = {1, 1, 1};
            for (int a = 3 - dims; a < 3; a++) {
                int axis = a - (3 - dims);
                if (padBegin[a] < 0 || padEnd[a] < 0) {
                    throw new IllegalArgumentException(what() + "padding must be >= 0, got "
                        + Arrays.toString(padBegin) + " / " + Arrays.toString(padEnd));
                }
                if (outPad[a] < 0 || outPad[a] >= Math.max(stride[a], dil[a])) {
                    throw new IllegalArgumentException(what() + "output padding must be >= 0 and smaller than either"
                            + " stride or dilation, got outputPadding " + outPad[a] + " with stride " + stride[a]
                            + " and dilation " + dil[a] + " along axis " + axis);
                }
                long size = (long) (in[a] - 1) * stride[a] - padBegin[a] - padEnd[a] + (long) dil[a] * (k[a] - 1)
                        + outPad[a] + 1;
                if (size < 1 || size > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(what() + "output size along axis " + axis + " would be "
                        + size + ": (in - 1) * stride - padBegin - padEnd + dilation * (k - 1) + outputPadding + 1 = ("
                        + in[a] + " - 1) * " + stride[a] + " - " + padBegin[a] + " - " + padEnd[a] + " + " + dil[a]
                        + " * (" + k[a] + " - 1) + " + outPad[a] + " + 1");
                }
                out[a] = (int) size;
            }
            return new ConvTransposeSpec(this, out);
        }
    }
}
