package dev.fovea.simd.resample;

import java.util.Arrays;
import java.util.Objects;

/**
 * The geometry of a resampling ({@link Resample}): {@code planes} contiguous input planes of
 * {@code 1 to 3} spatial axes ({@code n * c} planes of an NCHW tensor) resized to the output sizes
 * by a {@link ResampleMode}. Axes are numbered as in {@code (inD, inH, inW)}: a spec of fewer than
 * three dims has size 1 on the leading ones ({@code in(0) == out(0) == 1} for 2-d), and its tables
 * there are never used.
 *
 * <p>Immutable; the per-axis index and weight tables are computed when the spec is made, so a
 * spec is cheap to run many times. Every argument is checked here: sizes at least 1, at most
 * {@code 2^31 - 1} elements per plane, scale factors positive and finite or NaN (none given),
 * {@code alignCorners} only with an interpolating mode.
 */
public final class ResampleSpec {
    private final ResampleMode mode;
    private final int dims;
    private final long planes;
    private final int[] in = {1, 1, 1};
    private final int[] out = {1, 1, 1};
    private final double[] scale = {Double.NaN, Double.NaN, Double.NaN};
    private final boolean alignCorners;
    private final AxisTable[] tables = new AxisTable[3];

    private ResampleSpec(ResampleMode mode, long planes, int[] inSize, int[] outSize, boolean alignCorners,
                         double[] scales) {
        this.mode = mode;
        this.dims = inSize.length;
        this.planes = planes;
        this.alignCorners = alignCorners;
        for (int d = 0; d < dims; d++) {
            int axis = 3 - dims + d;
            in[axis] = inSize[d];
            out[axis] = outSize[d];
            scale[axis] = scales == null ? Double.NaN : scales[d];
        }
        for (int axis = 0; axis < 3; axis++) {
            tables[axis] = AxisTable.of(mode, in[axis], out[axis], alignCorners, scale[axis]);
        }
    }

    /**
     * Returns the spec of resampling {@code planes} planes of size {@code inSize} (1 to 3 axes,
     * outermost first) to {@code outSize} by {@code mode}.
     *
     * @param scales per axis the scale factor the output size came from (PyTorch's
     *     {@code scale_factor} without {@code recompute_scale_factor}): the kernels then use
     *     {@code 1 / scale} as PyTorch does; NaN for an axis, or a null array, means none
     * @param alignCorners PyTorch's {@code align_corners} (only for LINEAR and CUBIC)
     * @throws IllegalArgumentException naming the argument if any is out of range
     */
    public static ResampleSpec of(ResampleMode mode, long planes, int[] inSize, int[] outSize, boolean alignCorners,
                                  double[] scales) {
        Objects.requireNonNull(mode, "Resample: mode is null");
        if (inSize == null || outSize == null || inSize.length < 1 || inSize.length > 3
                || outSize.length != inSize.length) {
            throw new IllegalArgumentException("Resample: input and output sizes need the same 1 to 3 axes, got "
                    + Arrays.toString(inSize) + " and " + Arrays.toString(outSize));
        }
        if (planes < 0) {
            throw new IllegalArgumentException("Resample: planes=" + planes + ", expected >= 0");
        }
        if (scales != null && scales.length != inSize.length) {
            throw new IllegalArgumentException("Resample: " + scales.length + " scale factors for "
                    + inSize.length + " axes");
        }
        long inPlane = 1;
        long outPlane = 1;
        for (int d = 0; d < inSize.length; d++) {
            if (inSize[d] < 1 || outSize[d] < 1) {
                throw new IllegalArgumentException("Resample: input and output sizes must be >= 1, got input "
                        + Arrays.toString(inSize) + " and output " + Arrays.toString(outSize));
            }
            if (scales != null && !Double.isNaN(scales[d]) && !(scales[d] > 0 && Double.isFinite(scales[d]))) {
                throw new IllegalArgumentException("Resample: scale factors must be positive and finite (or NaN for"
                        + " none), got " + Arrays.toString(scales));
            }
            inPlane *= inSize[d];
            outPlane *= outSize[d];
        }
        if (inPlane > Integer.MAX_VALUE || outPlane > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Resample: planes of 2^31 elements or more are not supported, got input "
                    + Arrays.toString(inSize) + " and output " + Arrays.toString(outSize));
        }
        if (alignCorners && !mode.interpolates()) {
            throw new IllegalArgumentException("Resample: alignCorners applies to LINEAR and CUBIC only, got " + mode);
        }
        return new ResampleSpec(mode, planes, inSize.clone(), outSize.clone(), alignCorners,
                scales == null ? null : scales.clone());
    }

    /** The mode. */
    public ResampleMode mode() {
        return mode;
    }

    /** The number of spatial axes, 1 to 3. */
    public int dims() {
        return dims;
    }

    /** The number of planes ({@code n * c}). */
    public long planes() {
        return planes;
    }

    /** Input size along {@code axis} (0 = D, 1 = H, 2 = W; 1 on axes the spec does not have). */
    public int in(int axis) {
        return in[axis];
    }

    /** Output size along {@code axis} (0 = D, 1 = H, 2 = W; 1 on axes the spec does not have). */
    public int out(int axis) {
        return out[axis];
    }

    /** The scale factor given for {@code axis}, or NaN. */
    public double scale(int axis) {
        return scale[axis];
    }

    /** PyTorch's {@code align_corners}. */
    public boolean alignCorners() {
        return alignCorners;
    }

    /** Elements of one input plane. */
    public long inPlane() {
        return (long) in[0] * in[1] * in[2];
    }

    /** Elements of one output plane. */
    public long outPlane() {
        return (long) out[0] * out[1] * out[2];
    }

    /** Elements of the whole input. */
    public long inputElements() {
        return planes * inPlane();
    }

    /** Elements of the whole output. */
    public long outputElements() {
        return planes * outPlane();
    }

    /** True when {@code axis} is one of the spec's axes (so its pass runs). */
    boolean active(int axis) {
        return axis >= 3 - dims;
    }

    AxisTable table(int axis) {
        return tables[axis];
    }

    @Override
    public String toString() {
        return "ResampleSpec[" + mode + ", planes=" + planes + ", in=" + Arrays.toString(Arrays.copyOfRange(in, 3 - dims, 3))
                + ", out=" + Arrays.toString(Arrays.copyOfRange(out, 3 - dims, 3)) + ", alignCorners=" + alignCorners
                + ", scales=" + Arrays.toString(Arrays.copyOfRange(scale, 3 - dims, 3)) + "]";
    }
}
