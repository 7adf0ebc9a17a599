package dev.fovea.simd.resample;

import dev.fovea.simd.conv.PaddingMode;
import java.util.Arrays;
import java.util.Objects;

/**
 * The geometry of a border padding ({@link Pad}): {@code planes} contiguous planes of 1 to 3
 * axes, each axis padded by {@code begin} elements before and {@code end} after (negative amounts
 * crop), so {@code out = in + begin + end}. Axes are numbered {@code (D, H, W)} as in
 * {@link ResampleSpec}; absent leading axes have size 1 and no padding.
 *
 * <p>What an output position {@code o} reads, per axis (PyTorch's {@code F.pad}):
 * <ul>
 *   <li>{@link PaddingMode#REFLECT}: input position {@code o - begin} mirrored at the edges without
 *       repeating them; both amounts must be below the input size;
 *   <li>{@link PaddingMode#REPLICATE}: {@code o - begin} clamped to the input;
 *   <li>{@link PaddingMode#CIRCULAR}: the input first cropped by the negative amounts, then wrapped
 *       around once: {@code crop + (o - max(begin, 0)) mod kept}; a positive amount may not exceed
 *       the input size (PyTorch's rule) nor the kept size (where PyTorch reads memory it never
 *       wrote).
 * </ul>
 * {@link PaddingMode#ZEROS} is not a border mode here: constant padding is a copy into a filled
 * output, done by the tensor op. Immutable; checked when made.
 */
public final class PadSpec {
    private final PaddingMode mode;
    private final int dims;
    private final long planes;
    private final int[] in = {1, 1, 1};
    private final int[] begin = new int[3];
    private final int[] end = new int[3];

    private PadSpec(PaddingMode mode, long planes, int[] inSize, int[] padBegin, int[] padEnd) {
        this.mode = mode;
        this.dims = inSize.length;
        this.planes = planes;
        for (int d = 0; d < dims; d++) {
            int axis = 3 - dims + d;
            in[axis] = inSize[d];
            begin[axis] = padBegin[d];
            end[axis] = padEnd[d];
        }
    }

    /**
     * Returns the spec padding {@code planes} planes of size {@code inSize} (1 to 3 axes,
     * outermost first) by {@code padBegin} and {@code padEnd} elements per axis.
     *
     * @throws IllegalArgumentException naming the axis and amounts if the mode does not allow them,
     *     an input size is not positive, or an output size is negative
     */
    public static PadSpec of(PaddingMode mode, long planes, int[] inSize, int[] padBegin, int[] padEnd) {
        Objects.requireNonNull(mode, "pad: mode is null");
        if (mode == PaddingMode.ZEROS) {
            throw new IllegalArgumentException("pad: the border kernels do reflect, replicate and circular padding;"
                    + " constant padding is a copy into a filled tensor");
        }
        if (inSize == null || padBegin == null || padEnd == null || inSize.length < 1 || inSize.length > 3
                || padBegin.length != inSize.length || padEnd.length != inSize.length) {
            throw new IllegalArgumentException("pad: sizes and amounts need the same 1 to 3 axes, got input "
                    + Arrays.toString(inSize) + ", begin " + Arrays.toString(padBegin) + ", end "
                    + Arrays.toString(padEnd));
        }
        if (planes < 0) {
            throw new IllegalArgumentException("pad: planes=" + planes + ", expected >= 0");
        }
        long inPlane = 1;
        long outPlane = 1;
        for (int d = 0; d < inSize.length; d++) {
            checkAxis(mode, d, inSize[d], padBegin[d], padEnd[d]);
            inPlane *= inSize[d];
            outPlane *= (long) inSize[d] + padBegin[d] + padEnd[d];
        }
        if (inPlane > Integer.MAX_VALUE || outPlane > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pad: planes of 2^31 elements or more are not supported, got input "
                    + Arrays.toString(inSize) + " padded by " + Arrays.toString(padBegin) + " and "
                    + Arrays.toString(padEnd));
        }
        return new PadSpec(mode, planes, inSize.clone(), padBegin.clone(), padEnd.clone());
    }

    private static void checkAxis(PaddingMode mode, int d, int in, int b, int e) {
        String where = " at spatial axis " + d + " of size " + in;
        if (in < 1) {
            throw new IllegalArgumentException("pad: " + mode.wireName() + " padding needs non-empty axes, got size "
                    + in + " at spatial axis " + d);
        }
        if ((long) in + b + e < 0) {
            throw new IllegalArgumentException("pad: padding (" + b + ", " + e + ")" + where
                    + " gives a negative output size " + ((long) in + b + e));
        }
        if (mode == PaddingMode.REFLECT && (b >= in || e >= in)) {
            throw new IllegalArgumentException("pad: reflect padding must be less than the input size, got padding ("
                    + b + ", " + e + ")" + where);
        }
        if (mode == PaddingMode.CIRCULAR) {
            long kept = (long) in + Math.min(b, 0) + Math.min(e, 0);
            if (b > in || e > in) {
                throw new IllegalArgumentException("pad: circular padding may wrap around at most once: padding ("
                        + b + ", " + e + ")" + where + " exceeds the input size");
            }
            if ((b > 0 || e > 0) && Math.max(b, e) > kept) {
                throw new IllegalArgumentException("pad: circular padding (" + b + ", " + e + ")" + where
                        + " wraps around more than the " + kept + " elements left after cropping");
            }
        }
    }

    /** The mode. */
    public PaddingMode mode() {
        return mode;
    }

    /** The number of padded axes, 1 to 3. */
    public int dims() {
        return dims;
    }

    /** The number of planes. */
    public long planes() {
        return planes;
    }

    /** Input size along {@code axis} (0 = D, 1 = H, 2 = W). */
    public int in(int axis) {
        return in[axis];
    }

    /** Output size along {@code axis}: {@code in + begin + end}. */
    public int out(int axis) {
        return in[axis] + begin[axis] + end[axis];
    }

    /** Elements of one input plane. */
    public long inPlane() {
        return (long) in[0] * in[1] * in[2];
    }

    /** Elements of one output plane. */
    public long outPlane() {
        return (long) out(0) * out(1) * out(2);
    }

    /** For each output position along {@code axis}, the input position it reads. */
    int[] sourceTable(int axis) {
        int size = in[axis];
        int b = begin[axis];
        int[] src = new int[out(axis)];
        int crop = Math.max(-b, 0);
        int kept = size + Math.min(b, 0) + Math.min(end[axis], 0);
        for (int o = 0; o < src.length; o++) {
            src[o] = mode == PaddingMode.CIRCULAR ? crop + Math.floorMod(o - Math.max(b, 0), kept)
                    : mode.sourceIndex(o - b, size);
        }
        return src;
    }

    @Override
    public String toString() {
        return "PadSpec[" + mode.wireName() + ", planes=" + planes + ", in="
                + Arrays.toString(Arrays.copyOfRange(in, 3 - dims, 3)) + ", begin="
                + Arrays.toString(Arrays.copyOfRange(begin, 3 - dims, 3)) + ", end="
                + Arrays.toString(Arrays.copyOfRange(end, 3 - dims, 3)) + "]";
    }
}
