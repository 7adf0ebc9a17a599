package dev.fovea.simd.resample;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test helpers for the resampling kernels: a seeded sweep of specs, random segments, and an oracle
 * written from PyTorch's definitions ({@code ATen/native/UpSample.h}) in double precision,
 * independent of {@link AxisTable}: per axis, the input positions and weights each output reads.
 * Nearest indices use PyTorch's float scale (they must match exactly); linear and cubic weights
 * are computed in double, so they differ from the kernels' float ones by rounding only.
 */
final class ResampleTester {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ResampleTester() {}

    /** {@code count} random specs: every mode, 1-3 axes, sizes 1 to 40 (W), up and down, align both, scale factors. */
    static List<ResampleSpec> sweep(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<ResampleSpec> specs = new ArrayList<>();
        ResampleMode[] modes = ResampleMode.values();
        while (specs.size() < count) {
            ResampleMode mode = modes[r.nextInt(modes.length)];
            int dims = 1 + r.nextInt(3);
            int[] in = new int[dims];
            int[] out = new int[dims];
            double[] scales = r.nextInt(3) == 0 ? new double[dims] : null;
            for (int d = 0; d < dims; d++) {
                in[d] = 1 + r.nextInt(d == dims - 1 ? 40 : (dims == 3 ? 6 : 10));
                if (scales != null) {
                    scales[d] = 0.3 + r.nextDouble() * 2.9;
                    out[d] = (int) Math.max(1, Math.floor(in[d] * scales[d]));
                } else {
                    out[d] = 1 + r.nextInt(Math.max(2, in[d] * 3));
                }
            }
            boolean align = mode.interpolates() && r.nextBoolean();
            specs.add(ResampleSpec.of(mode, 1 + r.nextInt(3), in, out, align, scales));
        }
        return specs;
    }

    /** The sources of one output position along one axis: input positions and weights. */
    record Taps(int[] index, double[] weight) {}

    /** PyTorch's sources of output {@code o} along {@code axis} of {@code s}, in double (nearest in float, as PyTorch). */
    static Taps taps(ResampleSpec s, int axis, int o) {
        int in = s.in(axis);
        int out = s.out(axis);
        double scale = s.scale(axis);
        double given = scale > 0 ? 1.0 / scale : (double) in / out;
        switch (s.mode()) {
            case NEAREST, NEAREST_EXACT -> {
                float f = scale > 0 ? (float) (1.0 / scale) : (float) in / (float) out;
                int i;
                if (s.mode() == ResampleMode.NEAREST_EXACT) {
                    i = (int) Math.floor((float) ((o + 0.5) * f));
                } else {
                    i = out == in ? o : out == 2 * in ? o / 2 : (int) Math.floor((float) o * f);
                }
                return new Taps(new int[] {Math.min(i, in - 1)}, new double[] {1});
            }
            case LINEAR -> {
                if (out == in) {
                    return new Taps(new int[] {o}, new double[] {1});
                }
                double ratio = s.alignCorners() ? (out > 1 ? (in - 1.0) / (out - 1) : 0) : given;
                double real = s.alignCorners() ? ratio * o : Math.max(0, ratio * (o + 0.5) - 0.5);
                int i0 = Math.min((int) real, in - 1);
                double l = real - i0;
                return guarded(new int[] {i0, Math.min(i0 + 1, in - 1)}, new double[] {1 - l, l}, in);
            }
            default -> {
                double ratio = s.alignCorners() ? (out > 1 ? (in - 1.0) / (out - 1) : 0) : given;
                double real = s.alignCorners() ? ratio * o : ratio * (o + 0.5) - 0.5;
                int i0 = (int) Math.floor(real);
                double t = real - i0;
                int[] idx = new int[4];
                double[] w = new double[4];
                for (int j = 0; j < 4; j++) {
                    idx[j] = Math.clamp(i0 - 1 + j, 0, in - 1);
                    w[j] = keys(Math.abs(t - (j - 1)));
                }
                return guarded(idx, w, in);
            }
        }
    }

    /**
     * The taps plus a zero-weight tap on either side: where the source coordinate is (nearly) a
     * whole number, a float one may fall on the other side of it and give a neighbour a tiny weight;
     * the guards make that neighbour's values count in the error scale.
     */
    private static Taps guarded(int[] idx, double[] w, int in) {
        int n = idx.length;
        int[] gi = new int[n + 2];
        double[] gw = new double[n + 2];
        gi[0] = Math.max(idx[0] - 1, 0);
        gi[n + 1] = Math.min(idx[n - 1] + 1, in - 1);
        System.arraycopy(idx, 0, gi, 1, n);
        System.arraycopy(w, 0, gw, 1, n);
        return new Taps(gi, gw);
    }

    /** Keys' cubic convolution kernel with a = -0.75. */
    static double keys(double x) {
        double a = -0.75;
        if (x <= 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        return x < 2 ? ((a * x - 5 * a) * x + 8 * a) * x - 4 * a : 0;
    }

    /** A visitor of the (output, input, weight) entries of one plane's resampling matrix. */
    interface Entry {
        void accept(long out, long in, double weight);
    }

    /** Visits every entry of one plane's resampling matrix (repeated pairs visited once per tap combination). */
    static void entries(ResampleSpec s, Entry e) {
        long o = 0;
        for (int od = 0; od < s.out(0); od++) {
            Taps td = taps(s, 0, od);
            for (int oh = 0; oh < s.out(1); oh++) {
                Taps th = taps(s, 1, oh);
                for (int ow = 0; ow < s.out(2); ow++, o++) {
                    Taps tw = taps(s, 2, ow);
                    for (int a = 0; a < td.index().length; a++) {
                        for (int b = 0; b < th.index().length; b++) {
                            for (int c = 0; c < tw.index().length; c++) {
                                long i = ((long) td.index()[a] * s.in(1) + th.index()[b]) * s.in(2) + tw.index()[c];
                                e.accept(o, i, td.weight()[a] * th.weight()[b] * tw.weight()[c]);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Applies one plane's resampling matrix (or its transpose) to every plane of {@code v} in double:
     * {@code result[0]} the result, {@code result[1]} per element the sum of {@code |w v|} over its
     * terms (the scale of its rounding error), {@code result[2]} the sum of {@code |v|} (the scale
     * of the error a perturbed weight causes).
     */
    static double[][] apply(ResampleSpec s, MemorySegment v, long off, boolean transpose) {
        long srcPlane = transpose ? s.outPlane() : s.inPlane();
        long dstPlane = transpose ? s.inPlane() : s.outPlane();
        double[] sum = new double[(int) (s.planes() * dstPlane)];
        double[] absTerms = new double[sum.length];
        double[] absValues = new double[sum.length];
        for (int p = 0; p < s.planes(); p++) {
            long srcBase = off + p * srcPlane;
            long dstBase = p * dstPlane;
            entries(s, (o, i, w) -> {
                int to = (int) (dstBase + (transpose ? i : o));
                double value = v.getAtIndex(F, srcBase + (transpose ? o : i));
                sum[to] += w * value;
                absTerms[to] += Math.abs(w * value);
                absValues[to] += Math.abs(value);
            });
        }
        return new double[][] {sum, absTerms, absValues};
    }

    /**
     * The bound on the error of a float kernel against the double oracle, per unit of the sum of
     * |values| a term reads: the kernels compute the source coordinate in float, or in double from
     * a float scale, so it is off by up to about {@code 3 * (in + 1) * 2^-24} (three roundings of a
     * number below {@code in + 1}); a weight moves by at most 1.35 times that (the steepest slope of
     * the linear and Keys kernels, Keys' at 0.6), on each axis.
     */
    static double weightError(ResampleSpec s) {
        if (!s.mode().interpolates()) {
            return 0;
        }
        int maxIn = Math.max(s.in(0), Math.max(s.in(1), s.in(2)));
        return 2 * s.dims() * 1.35 * 3 * (maxIn + 1) * 0x1p-24;
    }

    /** A segment of {@code n} random floats in [-2, 2) from {@code seed}, in an auto arena. */
    static MemorySegment random(long n, long seed) {
        MemorySegment m = floats(n);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            m.setAtIndex(F, i, (float) (r.nextDouble() * 4 - 2));
        }
        return m;
    }

    /** A zeroed float segment of {@code n} elements (at least one). */
    static MemorySegment floats(long n) {
        return Arena.ofAuto().allocate(Math.max(1, n) * Float.BYTES, 64);
    }

    /** Reads {@code n} floats as doubles. */
    static double[] read(MemorySegment m, long off, long n) {
        double[] r = new double[(int) n];
        for (int i = 0; i < n; i++) {
            r[i] = m.getAtIndex(F, off + i);
        }
        return r;
    }
}
