package dev.fovea.simd.pool;

import dev.fovea.simd.conv.Padding;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test helpers for the pooling kernels: a seeded sweep of valid specs, random segments, and an
 * oracle written from PyTorch's definitions in double precision, independent of {@link PoolNaive}.
 */
final class PoolTester {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

    private PoolTester() {}

    /** {@code count} random valid specs (invalid draws are skipped): dims 1-3, tails, strides, dilations, padding, ceil mode, divisors. */
    static List<PoolSpec> sweep(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<PoolSpec> specs = new ArrayList<>();
        while (specs.size() < count) {
            int dims = 1 + r.nextInt(3);
            int[] in = new int[dims];
            int[] k = new int[dims];
            int[] s = new int[dims];
            int[] d = new int[dims];
            int[] pb = new int[dims];
            int[] pe = new int[dims];
            for (int a = 0; a < dims; a++) {
                boolean last = a == dims - 1;
                in[a] = 1 + r.nextInt(last ? 70 : (dims == 3 ? 7 : 12));
                k[a] = 1 + r.nextInt(4);
                s[a] = 1 + r.nextInt(3);
                d[a] = r.nextInt(4) == 0 ? 2 : 1;
                pb[a] = r.nextInt(k[a] / 2 + 1);
                pe[a] = r.nextInt(3) == 0 ? r.nextInt(k[a] / 2 + 1) : pb[a];
            }
            PoolSpec.Builder b = PoolSpec.builder(dims).n(1 + r.nextInt(2)).c(1 + r.nextInt(3)).input(in).kernel(k)
                    .stride(s).dilation(d).ceilMode(r.nextBoolean());
            switch (r.nextInt(6)) {
                case 0 -> b.padding(Padding.SAME);
                case 1 -> b.padding(Padding.VALID);
                default -> b.padding(Padding.of(pb, pe));
            }
            if (r.nextInt(5) == 0) {
                b.countIncludePad(r.nextBoolean());
            }
            if (r.nextInt(8) == 0) {
                b.divisorOverride(1 + r.nextInt(10));
            }
            try {
                specs.add(b.build());
            } catch (IllegalArgumentException e) {
                // An invalid draw (window larger than the input, an empty window): draw again.
            }
        }
        return specs;
    }

    /** A segment of {@code n} random floats in [-2, 2) from {@code seed}, in an auto arena. */
    static MemorySegment random(long n, long seed) {
        MemorySegment m = Arena.ofAuto().allocate(Math.max(1, n) * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            m.setAtIndex(F, i, (float) (r.nextDouble() * 4 - 2));
        }
        return m;
    }

    /** A zeroed float segment of {@code n} elements. */
    static MemorySegment floats(long n) {
        return Arena.ofAuto().allocate(Math.max(1, n) * Float.BYTES, 64);
    }

    /** A zeroed int32 segment of {@code n} elements. */
    static MemorySegment ints(long n) {
        return Arena.ofAuto().allocate(Math.max(1, n) * Integer.BYTES, 64);
    }

    /** The window's taps along an axis as input positions, -1 for padding; PyTorch's definition. */
    private static int[] taps(PoolSpec s, int axis, int o) {
        int[] t = new int[s.kernel(axis)];
        for (int j = 0; j < t.length; j++) {
            int p = o * s.stride(axis) - s.padBegin(axis) + j * s.dilation(axis);
            t[j] = p < 0 || p >= s.in(axis) ? -1 : p;
        }
        return t;
    }

    /**
     * The oracle: per output element, max (value; ties and NaN as PyTorch) or the average in double.
     * The include-pad divisor is PyTorch's {@code (min(start + k, in + padEnd) - start)} per axis for
     * dilation 1, the count of taps inside the padded input otherwise.
     */
    static double[] oracle(PoolSpec s, boolean max, MemorySegment in) {
        double[] out = new double[(int) s.outputElements()];
        int o = 0;
        for (int p = 0; p < s.planes(); p++) {
            for (int od = 0; od < s.out(0); od++) {
                for (int oh = 0; oh < s.out(1); oh++) {
                    for (int ow = 0; ow < s.out(2); ow++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        int inside = 0;
                        for (int id : taps(s, 0, od)) {
                            for (int ih : taps(s, 1, oh)) {
                                for (int iw : taps(s, 2, ow)) {
                                    if (id < 0 || ih < 0 || iw < 0) {
                                        continue;
                                    }
                                    inside++;
                                    float v = in.getAtIndex(F, p * s.inPlane() + ((long) id * s.in(1) + ih) * s.in(2) + iw);
                                    acc = max ? (Float.isNaN(v) || Double.isNaN(acc) ? Double.NaN : Math.max(acc, v)) : acc + v;
                                }
                            }
                        }
                        double div = s.divisorOverride() > 0 ? s.divisorOverride()
                                : s.countIncludePad() ? padded(s, 0, od) * padded(s, 1, oh) * padded(s, 2, ow) : inside;
                        out[o++] = max ? acc : acc / div;
                    }
                }
            }
        }
        return out;
    }

    private static double padded(PoolSpec s, int axis, int o) {
        int start = o * s.stride(axis) - s.padBegin(axis);
        if (s.dilation(axis) == 1) {
            return Math.min(start + s.kernel(axis), s.in(axis) + s.padEnd(axis)) - start;
        }
        int count = 0;
        for (int j = 0; j < s.kernel(axis); j++) {
            count += start + j * s.dilation(axis) < s.in(axis) + s.padEnd(axis) ? 1 : 0;
        }
        return count;
    }

    /** Reads {@code n} floats as doubles. */
    static double[] read(MemorySegment m, long off, int n) {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = m.getAtIndex(F, off + i);
        }
        return r;
    }

    /** The sum of |x| over a window of average output {@code o}: its rounding scale (the oracle without the divisor). */
    static double absScale(PoolSpec s, MemorySegment in, int plane, int od, int oh, int ow) {
        double sum = 0;
        for (int id : taps(s, 0, od)) {
            for (int ih : taps(s, 1, oh)) {
                for (int iw : taps(s, 2, ow)) {
                    if (id >= 0 && ih >= 0 && iw >= 0) {
                        sum += Math.abs(in.getAtIndex(F, plane * s.inPlane() + ((long) id * s.in(1) + ih) * s.in(2) + iw));
                    }
                }
            }
        }
        return sum;
    }
}
