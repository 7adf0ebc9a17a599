package dev.fovea.simd.reduce.impl;

import static dev.fovea.simd.eltwise.impl.Mem.get;

import java.lang.foreign.MemorySegment;

/**
 * Scalar reductions: the fallback of {@link dev.fovea.simd.reduce.Reduce} and the reference its
 * vector path is tested against. No argument checks; offsets and strides in float elements, any
 * stride (also 0 or negative).
 *
 * <p><b>Accumulation order</b> of {@link #sum}, {@link #dot} and {@link #sumSquaredDeviations}:
 * the elements are cut into blocks of {@value #BLOCK} consecutive elements (the last one shorter);
 * inside a block, element {@code j} goes to float accumulator {@code j % 4}, each a running sum in
 * element order; the block's result is {@code (acc0 + acc1) + (acc2 + acc3)} in float, added to a
 * double total in block order; the total is rounded once to float. This is the vector scheme of
 * {@link ReduceVector} with one lane, so both share its error bound (see
 * {@link dev.fovea.simd.reduce.Reduce}).
 */
public final class ReduceScalar {
    /** Accumulators per block. */
    static final int ACCUMULATORS = 4;
    /** Most terms one accumulator adds in a block: bounds the float rounding error. */
    static final int BLOCK_STEPS = 64;
    /** Elements per block. */
    public static final int BLOCK = ACCUMULATORS * BLOCK_STEPS;

    private ReduceScalar() {}

    /** Sum of {@code x[i]} in the blocked order above. */
    public static float sum(MemorySegment x, long off, long stride, long n) {
        double total = 0;
        for (long i = 0; i < n; i += BLOCK) {
            long len = Math.min(BLOCK, n - i);
            long p = off + i * stride;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            long j = 0;
            for (; j + ACCUMULATORS <= len; j += ACCUMULATORS, p += ACCUMULATORS * stride) {
                a0 += get(x, p);
                a1 += get(x, p + stride);
                a2 += get(x, p + 2 * stride);
                a3 += get(x, p + 3 * stride);
            }
            a0 += j < len ? get(x, p) : 0f;
            a1 += j + 1 < len ? get(x, p + stride) : 0f;
            a2 += j + 2 < len ? get(x, p + 2 * stride) : 0f;
            total += (a0 + a1) + (a2 + a3);
        }
        return (float) total;
    }

    /** Sum of {@code (x[i] - mean)^2}, each term a fused multiply-add, in the blocked order above. */
    public static float sumSquaredDeviations(MemorySegment x, long off, long stride, long n, float mean) {
        double total = 0;
        for (long i = 0; i < n; i += BLOCK) {
            long len = Math.min(BLOCK, n - i);
            long p = off + i * stride;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            long j = 0;
            for (; j + ACCUMULATORS <= len; j += ACCUMULATORS, p += ACCUMULATORS * stride) {
                float d0 = get(x, p) - mean, d1 = get(x, p + stride) - mean;
                float d2 = get(x, p + 2 * stride) - mean, d3 = get(x, p + 3 * stride) - mean;
                a0 = Math.fma(d0, d0, a0);
                a1 = Math.fma(d1, d1, a1);
                a2 = Math.fma(d2, d2, a2);
                a3 = Math.fma(d3, d3, a3);
            }
            float d0 = j < len ? get(x, p) - mean : 0f;
            float d1 = j + 1 < len ? get(x, p + stride) - mean : 0f;
            float d2 = j + 2 < len ? get(x, p + 2 * stride) - mean : 0f;
            a0 = Math.fma(d0, d0, a0);
            a1 = Math.fma(d1, d1, a1);
            a2 = Math.fma(d2, d2, a2);
            total += (a0 + a1) + (a2 + a3);
        }
        return (float) total;
    }

    /** Sum of {@code a[i] * b[i]}, each term a fused multiply-add, in the blocked order above. */
    public static float dot(MemorySegment a, long aOff, long aStride, MemorySegment b, long bOff, long bStride, long n) {
        double total = 0;
        for (long i = 0; i < n; i += BLOCK) {
            long len = Math.min(BLOCK, n - i);
            long p = aOff + i * aStride;
            long q = bOff + i * bStride;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            long j = 0;
            for (; j + ACCUMULATORS <= len; j += ACCUMULATORS, p += ACCUMULATORS * aStride,
                    q += ACCUMULATORS * bStride) {
                a0 = Math.fma(get(a, p), get(b, q), a0);
                a1 = Math.fma(get(a, p + aStride), get(b, q + bStride), a1);
                a2 = Math.fma(get(a, p + 2 * aStride), get(b, q + 2 * bStride), a2);
                a3 = Math.fma(get(a, p + 3 * aStride), get(b, q + 3 * bStride), a3);
            }
            if (j < len) {
                a0 = Math.fma(get(a, p), get(b, q), a0);
            }
            if (j + 1 < len) {
                a1 = Math.fma(get(a, p + aStride), get(b, q + bStride), a1);
            }
            if (j + 2 < len) {
                a2 = Math.fma(get(a, p + 2 * aStride), get(b, q + 2 * bStride), a2);
            }
            total += (a0 + a1) + (a2 + a3);
        }
        return (float) total;
    }

    /** Largest {@code x[i]} as {@link Math#max(float, float)} folds it: NaN wins; {@code n >= 1}. */
    public static float max(MemorySegment x, long off, long stride, long n) {
        float m = Float.NEGATIVE_INFINITY;
        for (long i = 0; i < n; i++) {
            m = Math.max(m, get(x, off + i * stride));
        }
        return m;
    }

    /** Smallest {@code x[i]} as {@link Math#min(float, float)} folds it: NaN wins; {@code n >= 1}. */
    public static float min(MemorySegment x, long off, long stride, long n) {
        float m = Float.POSITIVE_INFINITY;
        for (long i = 0; i < n; i++) {
            m = Math.min(m, get(x, off + i * stride));
        }
        return m;
    }

    /** Index of the first maximum, a NaN counting as larger than everything; {@code n >= 1}. */
    public static long argmax(MemorySegment x, long off, long stride, long n) {
        long best = 0;
        float m = get(x, off);
        for (long i = 1; i < n && m == m; i++) {
            float v = get(x, off + i * stride);
            if (v > m || v != v) {
                m = v;
                best = i;
            }
        }
        return best;
    }

    /** Index of the first minimum, a NaN counting as smaller than everything; {@code n >= 1}. */
    public static long argmin(MemorySegment x, long off, long stride, long n) {
        long best = 0;
        float m = get(x, off);
        for (long i = 1; i < n && m == m; i++) {
            float v = get(x, off + i * stride);
            if (v < m || v != v) {
                m = v;
                best = i;
            }
        }
        return best;
    }
}
