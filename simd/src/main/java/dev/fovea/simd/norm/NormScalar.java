package dev.fovea.simd.norm;

import static dev.fovea.simd.eltwise.impl.Mem.get;
import static dev.fovea.simd.eltwise.impl.Mem.put;

import java.lang.foreign.MemorySegment;

/**
 * The scalar reference of the normalization kernels: the fallback when the vector path is off,
 * and the oracle the vector kernels are tested against. No argument checks (see {@link Norm}).
 *
 * <p>Statistics and gradient sums add every term to a {@code double}, channel by channel, in
 * element order ({@code o} outer, {@code i} inner): with at most 2^29 terms per channel that is
 * within {@code n * 2^-53} relative to the sum of magnitudes, far below a float's rounding. The
 * variance is two-pass: the mean first, then the squared deviations from it. The elementwise
 * passes ({@link #normalize}, {@link #normalizeRows}, {@link #backward}) are float formulas with
 * fused multiply-adds that {@link NormVectorAffine} computes in the same order, lane by lane, so
 * those two paths agree bit for bit.
 */
final class NormScalar {
    private NormScalar() {}

    /** Element index of run {@code (o, c)}'s first element, relative to the tensor. */
    static long run(NormDims d, long o, long c) {
        return (o * d.channels() + c) * d.inner();
    }

    /** Means (table row 0) and biased variances (row 1) of channels {@code [c0, c1)}. */
    static void moments(NormDims d, MemorySegment x, long xOff, MemorySegment t, long tOff, long c0, long c1) {
        long count = d.perChannel();
        for (long c = c0; c < c1; c++) {
            double sum = 0;
            for (long o = 0; o < d.outer(); o++) {
                long base = xOff + run(d, o, c);
                for (long i = 0; i < d.inner(); i++) {
                    sum += get(x, base + i);
                }
            }
            double mean = sum / count;
            double ssd = 0;
            for (long o = 0; o < d.outer(); o++) {
                long base = xOff + run(d, o, c);
                for (long i = 0; i < d.inner(); i++) {
                    double dev = get(x, base + i) - mean;
                    ssd += dev * dev;
                }
            }
            put(t, tOff + c, (float) mean);
            put(t, tOff + d.channels() + c, (float) (ssd / count));
        }
    }

    /**
     * For channels {@code [c0, c1)}: {@code sum(g)} into table row 0 and
     * {@code sum(g * (x - center[c]))} into row 1; {@code center} is row 0 of {@code ct}.
     */
    static void gradSums(NormDims d, MemorySegment g, long gOff, MemorySegment x, long xOff, MemorySegment ct,
                         long ctOff, MemorySegment t, long tOff, long c0, long c1) {
        for (long c = c0; c < c1; c++) {
            double center = get(ct, ctOff + c);
            double sumG = 0;
            double sumGX = 0;
            for (long o = 0; o < d.outer(); o++) {
                long at = run(d, o, c);
                for (long i = 0; i < d.inner(); i++) {
                    double gi = get(g, gOff + at + i);
                    sumG += gi;
                    sumGX += gi * (get(x, xOff + at + i) - center);
                }
            }
            put(t, tOff + c, (float) sumG);
            put(t, tOff + d.channels() + c, (float) sumGX);
        }
    }

    /**
     * {@code y = fma(x - mean[c], scale[c], shift[c])} over runs {@code [r0, r1)} (run
     * {@code r = o * channels + c}); the coefficient table's rows are mean, scale, shift.
     */
    static void normalize(NormDims d, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment k,
                          long kOff, long r0, long r1) {
        long ch = d.channels();
        long inner = d.inner();
        for (long r = r0; r < r1; r++) {
            long c = r % ch;
            float mean = get(k, kOff + c);
            float scale = get(k, kOff + ch + c);
            float shift = get(k, kOff + 2 * ch + c);
            for (long i = r * inner; i < (r + 1) * inner; i++) {
                put(y, yOff + i, Math.fma(get(x, xOff + i) - mean, scale, shift));
            }
        }
    }

    /**
     * {@code dx = fma(a[c], g, fma(b[c], x - center[c], bias[c]))} over runs {@code [r0, r1)}; the
     * table's rows are center, a, b, bias.
     */
    static void backward(NormDims d, MemorySegment g, long gOff, MemorySegment x, long xOff, MemorySegment dx,
                         long dxOff, MemorySegment k, long kOff, long r0, long r1) {
        long ch = d.channels();
        long inner = d.inner();
        for (long r = r0; r < r1; r++) {
            long c = r % ch;
            float center = get(k, kOff + c);
            float a = get(k, kOff + ch + c);
            float b = get(k, kOff + 2 * ch + c);
            float bias = get(k, kOff + 3 * ch + c);
            for (long i = r * inner; i < (r + 1) * inner; i++) {
                float dev = get(x, xOff + i) - center;
                put(dx, dxOff + i, Math.fma(a, get(g, gOff + i), Math.fma(b, dev, bias)));
            }
        }
    }

    /**
     * Layer norm's pass over rows {@code [r0, r1)} of {@code (rows, cols)}:
     * {@code y = fma((x - mean[r]) * invstd[r], w[i], b[i])} ({@code w = 1}, {@code b = 0} where null);
     * the statistics table's rows are mean, invstd (one entry per row).
     */
    static void normalizeRows(long rows, long cols, MemorySegment x, long xOff, MemorySegment y, long yOff,
                              MemorySegment st, long stOff, MemorySegment w, long wOff, MemorySegment b, long bOff,
                              long r0, long r1) {
        for (long r = r0; r < r1; r++) {
            float mean = get(st, stOff + r);
            float invstd = get(st, stOff + rows + r);
            long base = r * cols;
            for (long i = 0; i < cols; i++) {
                float t = (get(x, xOff + base + i) - mean) * invstd;
                float wi = w == null ? 1f : get(w, wOff + i);
                float bi = b == null ? 0f : get(b, bOff + i);
                put(y, yOff + base + i, Math.fma(t, wi, bi));
            }
        }
    }
}
