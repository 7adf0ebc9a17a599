package dev.fovea.simd.norm;

import static dev.fovea.simd.eltwise.impl.Mem.bytes;
import static dev.fovea.simd.eltwise.impl.Mem.get;
import static dev.fovea.simd.eltwise.impl.Mem.put;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API statistics of the normalization kernels ({@link Norm#moments},
 * {@link Norm#gradSums}); loaded only on the vector path. No argument checks.
 *
 * <p><b>Accumulation order.</b> Every channel is reduced by one thread, in a fixed order that
 * depends only on the dims and the lane count {@code L}:
 * <ul>
 * <li><i>Runs</i> ({@code inner >= 2}): the channel's runs in order; in each, whole vectors
 *     alternate between two float vector accumulators (the first when one is left), the last
 *     {@code inner % L} elements go to a float scalar accumulator. Before any accumulator lane
 *     holds more than {@value #STEPS} terms, its lanes are added, lane 0 first, to a
 *     {@code double} total and it restarts from zero (a sum taking two vectors per step is flushed
 *     every {@value #STEPS}/2 steps); what is left is added at the end, vector accumulators
 *     first.
 * <li><i>Columns</i> ({@code inner == 1}, the {@code (n, c)} input of a 1-d batch norm): channel
 *     blocks of {@code L} lanes, each lane a channel; rows are added in order to a float vector,
 *     flushed to per-lane {@code double}s every {@value #STEPS} rows. The last
 *     {@code channels % L} channels run {@link NormScalar}. Threads get whole blocks, so a channel
 *     takes the same path for any thread count.
 * </ul>
 * So each float accumulator lane sums at most {@value #STEPS} terms: the error of a sum is at most
 * about {@code 66 u sum|terms|} ({@code u = 2^-24}), as in {@code Reduce}. The variance is the
 * corrected two-pass one (Chan, Golub and LeVeque 1983): a first pass gives the mean {@code m}
 * (rounded to float), a second pass sums {@code d = x - m} and {@code d^2}; then
 * {@code mean = m + sum(d) / n} and {@code var = (sum(d^2) - sum(d)^2 / n) / n}, which removes the
 * error of {@code m} to first order and never cancels catastrophically as {@code E[x^2] - E[x]^2}
 * does.
 */
final class NormVectorStats {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    /** Terms per float accumulator lane before it is flushed to double. */
    static final int STEPS = 64;

    private NormVectorStats() {}

    private static FloatVector load(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(S, s, bytes(i), O);
    }

    /** The lanes of {@code v} added to a double, lane 0 first. */
    private static double lanes(FloatVector v) {
        double s = 0;
        for (int j = 0; j < L; j++) {
            s += v.lane(j);
        }
        return s;
    }

    /** Means (table row 0) and biased variances (row 1) of channels {@code [c0, c1)}, {@code inner >= 2}. */
    static void moments(NormDims d, MemorySegment x, long xOff, MemorySegment t, long tOff, long c0, long c1) {
        double[] acc = new double[2];
        long n = d.perChannel();
        for (long c = c0; c < c1; c++) {
            float m = (float) (channelSum(d, x, xOff, c) / n);
            acc[0] = 0;
            acc[1] = 0;
            channelDeviations(d, x, xOff, c, m, acc);
            double var = (acc[1] - acc[0] * acc[0] / n) / n;
            put(t, tOff + c, (float) (m + acc[0] / n));
            put(t, tOff + d.channels() + c, (float) Math.max(0, var));
        }
    }

    private static double channelSum(NormDims d, MemorySegment x, long xOff, long c) {
        long inner = d.inner();
        long full = inner - inner % L;
        FloatVector a0 = FloatVector.zero(S), a1 = a0;
        float rest = 0;
        int steps = 0;
        int restSteps = 0;
        double total = 0;
        for (long o = 0; o < d.outer(); o++) {
            long base = xOff + NormScalar.run(d, o, c);
            long i = 0;
            for (; i < full; i += 2L * L) {
                a0 = a0.add(load(x, base + i));
                if (i + L < full) {
                    a1 = a1.add(load(x, base + i + L));
                }
                if (++steps == STEPS) {
                    total += lanes(a0) + lanes(a1);
                    a0 = FloatVector.zero(S);
                    a1 = a0;
                    steps = 0;
                }
            }
            for (i = full; i < inner; i++) {
                rest += get(x, base + i);
                if (++restSteps == STEPS) {
                    total += rest;
                    rest = 0;
                    restSteps = 0;
                }
            }
        }
        return total + lanes(a0) + lanes(a1) + rest;
    }

    /** Adds {@code sum(x - m)} to {@code acc[0]} and {@code sum((x - m)^2)} to {@code acc[1]} over channel {@code c}. */
    private static void channelDeviations(NormDims d, MemorySegment x, long xOff, long c, float m, double[] acc) {
        long inner = d.inner();
        long full = inner - inner % L;
        FloatVector s = FloatVector.zero(S), q0 = s, q1 = s;
        float rest = 0;
        float restSq = 0;
        int steps = 0;
        int restSteps = 0;
        for (long o = 0; o < d.outer(); o++) {
            long base = xOff + NormScalar.run(d, o, c);
            long i = 0;
            for (; i < full; i += 2L * L) {
                FloatVector v0 = load(x, base + i).sub(m);
                s = s.add(v0);
                q0 = v0.fma(v0, q0);
                if (i + L < full) {
                    FloatVector v1 = load(x, base + i + L).sub(m);
                    s = s.add(v1);
                    q1 = v1.fma(v1, q1);
                }
                if (++steps == STEPS / 2) {
                    acc[0] += lanes(s);
                    acc[1] += lanes(q0) + lanes(q1);
                    s = FloatVector.zero(S);
                    q0 = s;
                    q1 = s;
                    steps = 0;
                }
            }
            for (i = full; i < inner; i++) {
                float dev = get(x, base + i) - m;
                rest += dev;
                restSq = Math.fma(dev, dev, restSq);
                if (++restSteps == STEPS) {
                    acc[0] += rest;
                    acc[1] += restSq;
                    rest = 0;
                    restSq = 0;
                    restSteps = 0;
                }
            }
        }
        acc[0] += lanes(s) + rest;
        acc[1] += lanes(q0) + lanes(q1) + restSq;
    }

    /**
     * For channels {@code [c0, c1)} ({@code inner >= 2}): {@code sum(g)} into table row 0 and
     * {@code sum(g * (x - center[c]))} into row 1, {@code center} being row 0 of {@code ct}.
     */
    static void gradSums(NormDims d, MemorySegment g, long gOff, MemorySegment x, long xOff, MemorySegment ct,
                         long ctOff, MemorySegment t, long tOff, long c0, long c1) {
        long inner = d.inner();
        long full = inner - inner % L;
        for (long c = c0; c < c1; c++) {
            float center = get(ct, ctOff + c);
            FloatVector sg = FloatVector.zero(S), sx0 = sg, sx1 = sg;
            float rest = 0;
            float restX = 0;
            int steps = 0;
            int restSteps = 0;
            double sumG = 0;
            double sumGX = 0;
            for (long o = 0; o < d.outer(); o++) {
                long at = NormScalar.run(d, o, c);
                long i = 0;
                for (; i < full; i += 2L * L) {
                    FloatVector g0 = load(g, gOff + at + i);
                    sg = sg.add(g0);
                    sx0 = g0.fma(load(x, xOff + at + i).sub(center), sx0);
                    if (i + L < full) {
                        FloatVector g1 = load(g, gOff + at + i + L);
                        sg = sg.add(g1);
                        sx1 = g1.fma(load(x, xOff + at + i + L).sub(center), sx1);
                    }
                    if (++steps == STEPS / 2) {
                        sumG += lanes(sg);
                        sumGX += lanes(sx0) + lanes(sx1);
                        sg = FloatVector.zero(S);
                        sx0 = sg;
                        sx1 = sg;
                        steps = 0;
                    }
                }
                for (i = full; i < inner; i++) {
                    float gi = get(g, gOff + at + i);
                    rest += gi;
                    restX = Math.fma(gi, get(x, xOff + at + i) - center, restX);
                    if (++restSteps == STEPS) {
                        sumG += rest;
                        sumGX += restX;
                        rest = 0;
                        restX = 0;
                        restSteps = 0;
                    }
                }
            }
            put(t, tOff + c, (float) (sumG + lanes(sg) + rest));
            put(t, tOff + d.channels() + c, (float) (sumGX + lanes(sx0) + lanes(sx1) + restX));
        }
    }

    /** {@link #moments} for {@code inner == 1}: channel blocks {@code [b0, b1)} of {@code L} channels. */
    static void momentsColumns(NormDims d, MemorySegment x, long xOff, MemorySegment t, long tOff, long b0, long b1) {
        long ch = d.channels();
        long n = d.outer();
        double[] s1 = new double[L];
        double[] s2 = new double[L];
        float[] mean = new float[L];
        for (long b = b0; b < b1; b++) {
            long c = b * L;
            if (c + L > ch) {
                NormScalar.moments(d, x, xOff, t, tOff, c, ch);
                break;
            }
            columnSums(x, xOff + c, ch, n, null, 0, null, s1, s2);
            for (int j = 0; j < L; j++) {
                mean[j] = (float) (s1[j] / n);
            }
            FloatVector m = FloatVector.fromArray(S, mean, 0);
            columnSums(x, xOff + c, ch, n, m, 0, null, s1, s2);
            for (int j = 0; j < L; j++) {
                double var = (s2[j] - s1[j] * s1[j] / n) / n;
                put(t, tOff + c + j, (float) (mean[j] + s1[j] / n));
                put(t, tOff + ch + c + j, (float) Math.max(0, var));
            }
        }
    }

    /** {@link #gradSums} for {@code inner == 1}, over channel blocks {@code [b0, b1)}. */
    static void gradSumsColumns(NormDims d, MemorySegment g, long gOff, MemorySegment x, long xOff, MemorySegment ct,
                                long ctOff, MemorySegment t, long tOff, long b0, long b1) {
        long ch = d.channels();
        double[] s1 = new double[L];
        double[] s2 = new double[L];
        for (long b = b0; b < b1; b++) {
            long c = b * L;
            if (c + L > ch) {
                NormScalar.gradSums(d, g, gOff, x, xOff, ct, ctOff, t, tOff, c, ch);
                break;
            }
            columnSums(x, xOff + c, ch, d.outer(), load(ct, ctOff + c), gOff - xOff, g, s1, s2);
            for (int j = 0; j < L; j++) {
                put(t, tOff + c + j, (float) s1[j]);
                put(t, tOff + ch + c + j, (float) s2[j]);
            }
        }
    }

    /**
     * Column sums over {@code rows} rows of stride {@code ch} from element {@code at}, per lane:
     * without {@code m}, {@code s1 = sum(x)}; with {@code m} and no {@code g},
     * {@code s1 = sum(x - m)}, {@code s2 = sum((x - m)^2)}; with {@code g} (at
     * {@code at + gShift}), {@code s1 = sum(g)}, {@code s2 = sum(g * (x - m))}.
     */
    private static void columnSums(MemorySegment x, long at, long ch, long rows, FloatVector m, long gShift,
                                   MemorySegment g, double[] s1, double[] s2) {
        Arrays.fill(s1, 0);
        Arrays.fill(s2, 0);
        FloatVector a1 = FloatVector.zero(S), a2 = a1;
        int steps = 0;
        for (long r = 0; r < rows; r++, at += ch) {
            FloatVector v = load(x, at);
            if (m == null) {
                a1 = a1.add(v);
            } else if (g == null) {
                FloatVector dev = v.sub(m);
                a1 = a1.add(dev);
                a2 = dev.fma(dev, a2);
            } else {
                FloatVector gv = load(g, at + gShift);
                a1 = a1.add(gv);
                a2 = gv.fma(v.sub(m), a2);
            }
            if (++steps == STEPS || r == rows - 1) {
                for (int j = 0; j < L; j++) {
                    s1[j] += a1.lane(j);
                    s2[j] += a2.lane(j);
                }
                a1 = FloatVector.zero(S);
                a2 = a1;
                steps = 0;
            }
        }
    }
}
