package dev.fovea.simd.norm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;

/** Segments, data and the double-precision oracles of the normalization kernel tests. */
final class NormTester {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** The unit roundoff of float32. */
    static final double U = 0x1p-24;

    private NormTester() {}

    /**
     * Shapes that reach every path: column mode ({@code inner == 1}) below, at and above the lane
     * count with channel tails and more than 64 rows (a flush); runs shorter than a vector, with
     * tails, and long enough to flush the accumulators several times (5000 elements).
     */
    static final List<NormDims> SWEEP = List.of(
            new NormDims(1, 1, 1), new NormDims(7, 3, 1), new NormDims(5, 37, 1), new NormDims(300, 19, 1),
            new NormDims(2, 16, 1), new NormDims(2, 5, 3), new NormDims(3, 4, 17), new NormDims(2, 3, 33),
            new NormDims(4, 2, 49), new NormDims(1, 2, 5000), new NormDims(3, 6, 64), new NormDims(9, 1, 130));

    static MemorySegment floats(long n) {
        return Arena.ofAuto().allocate(Math.max(1, n) * Float.BYTES, 64);
    }

    /** {@code n} values {@code mean + scale * N(0, 1)} after {@code pad} zeros (so offsets are exercised). */
    static MemorySegment random(long pad, long n, double mean, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        MemorySegment m = floats(pad + n);
        for (long i = 0; i < n; i++) {
            m.setAtIndex(F, pad + i, (float) (mean + scale * gaussian(r)));
        }
        return m;
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    static float[] read(MemorySegment m, long off, long n) {
        float[] out = new float[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = m.getAtIndex(F, off + i);
        }
        return out;
    }

    static double at(MemorySegment m, long off, NormDims d, long o, long c, long i) {
        return m.getAtIndex(F, off + (o * d.channels() + c) * d.inner() + i);
    }

    /** Exact-as-double mean, biased variance and mean |x| of channel {@code c}. */
    static double[] moments(MemorySegment x, long off, NormDims d, long c) {
        double sum = 0;
        double abs = 0;
        for (long o = 0; o < d.outer(); o++) {
            for (long i = 0; i < d.inner(); i++) {
                sum += at(x, off, d, o, c, i);
                abs += Math.abs(at(x, off, d, o, c, i));
            }
        }
        long n = d.perChannel();
        double mean = sum / n;
        double ssd = 0;
        for (long o = 0; o < d.outer(); o++) {
            for (long i = 0; i < d.inner(); i++) {
                double dev = at(x, off, d, o, c, i) - mean;
                ssd += dev * dev;
            }
        }
        return new double[] {mean, ssd / n, abs / n};
    }
}
