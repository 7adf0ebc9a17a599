package dev.fovea.simd.resample;

import java.util.Arrays;

/**
 * The source samples of one axis of a resampling, computed once per call as PyTorch computes them
 * for float32 tensors: for output position {@code o} and tap {@code t < taps}, input position
 * {@code index[t][o]} with weight {@code weight[t][o]}. The arrays are tap-major so that a vector
 * of consecutive outputs gathers with one index vector per tap; they are padded to a multiple of
 * {@link #PAD} with index 0 and weight 0, so full vectors never read outside them.
 *
 * <p>PyTorch's rules ({@code ATen/native/UpSample.h}, 1.13): the scale is {@code 1 / scale_factor}
 * when a scale factor is given, else {@code in / out} (float); with {@code align_corners} it is
 * {@code (in - 1) / (out - 1)}. Nearest: {@code min(floor(o * scale), in - 1)} (exact copies for
 * {@code out == in} and {@code out == 2 in}); nearest-exact: {@code min(floor((o + 0.5) * scale),
 * in - 1)}. Linear: source {@code (o + 0.5) * scale - 0.5} clamped at 0 (or {@code o * scale}),
 * in double, neighbours {@code i0, min(i0 + 1, in - 1)}, weights {@code 1 - l, l}; equal sizes copy.
 * Cubic: the same source in float without the clamp, Keys' weights with {@code A = -0.75} for
 * {@code i0 - 1 .. i0 + 2}, each index clamped to {@code [0, in - 1]}.
 */
final class AxisTable {
    /** Padding unit of the tables: the lane count of the widest species (512 bits). */
    static final int PAD = 16;
    private static final float A = -0.75f;

    final int in;
    final int out;
    final int taps;
    final int[][] index;
    final float[][] weight;

    private AxisTable(int in, int out, int taps) {
        this.in = in;
        this.out = out;
        this.taps = taps;
        this.index = new int[taps][padded(out)];
        this.weight = new float[taps][padded(out)];
    }

    /** Returns {@code n} rounded up to a multiple of {@link #PAD}. */
    static int padded(int n) {
        return (n + PAD - 1) / PAD * PAD;
    }

    /** The table of one axis; {@code scale} is the axis' scale factor, or NaN when none was given. */
    static AxisTable of(ResampleMode mode, int in, int out, boolean alignCorners, double scale) {
        AxisTable t = new AxisTable(in, out, mode.taps());
        for (int o = 0; o < out; o++) {
            switch (mode) {
                case NEAREST -> t.set(0, o, nearest(o, in, out, scale), 1f);
                case NEAREST_EXACT -> t.set(0, o, nearestExact(o, in, out, scale), 1f);
                case LINEAR -> t.linear(o, alignCorners, scale);
                case CUBIC -> t.cubic(o, alignCorners, scale);
            }
        }
        return t;
    }

    private void set(int tap, int o, int i, float w) {
        index[tap][o] = i;
        weight[tap][o] = w;
    }

    /** PyTorch's {@code compute_scales_value<float>}. */
    static float scaleValue(double scale, int in, int out) {
        return scale > 0 ? (float) (1.0 / scale) : (float) in / out;
    }

    /** PyTorch's {@code area_pixel_compute_scale<float>}. */
    static float areaScale(int in, int out, boolean alignCorners, double scale) {
        if (alignCorners) {
            return out > 1 ? (float) (in - 1) / (out - 1) : 0f;
        }
        return scaleValue(scale, in, out);
    }

    static int nearest(int o, int in, int out, double scale) {
        if (out == in) {
            return o;
        }
        if (out == 2L * in) {
            return o >> 1;
        }
        float s = scaleValue(scale, in, out);
        return (int) Math.min((long) Math.floor((float) o * s), in - 1);
    }

    static int nearestExact(int o, int in, int out, double scale) {
        float s = scaleValue(scale, in, out);
        return (int) Math.min((long) Math.floor((float) ((o + 0.5) * s)), in - 1);
    }

    private void linear(int o, boolean alignCorners, double scale) {
        if (out == in) {
            set(0, o, o, 1f);
            set(1, o, o, 0f);
            return;
        }
        double ratio = areaScale(in, out, alignCorners, scale);
        double real = alignCorners ? ratio * o : Math.max(0.0, ratio * (o + 0.5) - 0.5);
        int i0 = (int) Math.min((long) real, in - 1);
        float l1 = (float) (real - i0);
        set(0, o, i0, 1f - l1);
        set(1, o, i0 < in - 1 ? i0 + 1 : i0, l1);
    }

    private void cubic(int o, boolean alignCorners, double scale) {
        float ratio = areaScale(in, out, alignCorners, scale);
        float real = alignCorners ? ratio * o : ratio * (o + 0.5f) - 0.5f;
        int i0 = (int) Math.floor(real);
        float t = real - i0;
        float[] w = {far(t + 1f), near(t), near(1f - t), far(1f - t + 1f)};
        for (int j = 0; j < 4; j++) {
            set(j, o, Math.clamp(i0 - 1L + j, 0, in - 1), w[j]);
        }
    }

    /** Keys' kernel for {@code |x| <= 1}. */
    private static float near(float x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    /** Keys' kernel for {@code 1 < |x| < 2}. */
    private static float far(float x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }

    /**
     * The transpose of this table, for the adjoint: input position {@code i} receives, in order of
     * ascending output position and then tap, the outputs {@code outputs[k][i]} with weights
     * {@code weights[k][i]}, {@code k < fan}. Unused entries name position {@code out} (a zero the
     * caller appends to its output row) with weight 0. Arrays padded to a multiple of {@link #PAD}.
     */
    record Transposed(int fan, int[][] outputs, float[][] weights) {}

    Transposed transposed() {
        int[] count = new int[in];
        for (int o = 0; o < out; o++) {
            for (int t = 0; t < taps; t++) {
                count[index[t][o]]++;
            }
        }
        int fan = Math.max(1, Arrays.stream(count).max().orElse(1));
        int[][] outputs = new int[fan][padded(in)];
        float[][] weights = new float[fan][padded(in)];
        for (int[] row : outputs) {
            Arrays.fill(row, out);
        }
        int[] used = new int[in];
        for (int o = 0; o < out; o++) {
            for (int t = 0; t < taps; t++) {
                int i = index[t][o];
                int k = used[i]++;
                outputs[k][i] = o;
                weights[k][i] = weight[t][o];
            }
        }
        return new Transposed(fan, outputs, weights);
    }
}
