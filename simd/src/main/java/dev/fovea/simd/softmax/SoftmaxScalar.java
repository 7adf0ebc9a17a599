package dev.fovea.simd.softmax;

import static dev.fovea.simd.eltwise.impl.Mem.get;
import static dev.fovea.simd.eltwise.impl.Mem.put;

import dev.fovea.simd.eltwise.impl.ScalarMath;
import java.lang.foreign.MemorySegment;

/**
 * The scalar reference of {@link Softmax}: one row (the {@code dim} elements of one
 * {@code (o, i)}, {@code inner} apart) at a time, in three passes (maximum, sum, output) for the
 * forward and two (sum, output) for the backward, with the sums accumulated in double in order of
 * {@code d}. The elementwise steps are those of {@link SoftmaxVector}, operation for operation.
 * No argument checks.
 */
final class SoftmaxScalar {
    private SoftmaxScalar() {}

    /** The forward of work units {@code [u0, u1)} (see {@link Softmax#units}). */
    static void forward(boolean log, MemorySegment x, long xOff, MemorySegment y, long yOff, long dim, long inner,
                        long u0, long u1) {
        long blocks = Softmax.blocks(inner);
        for (long u = u0; u < u1; u++) {
            long base = u / blocks * dim * inner;
            long i0 = u % blocks * Softmax.INNER_BLOCK;
            long i1 = Math.min(inner, i0 + Softmax.INNER_BLOCK);
            for (long i = i0; i < i1; i++) {
                forwardRow(log, x, xOff + base + i, y, yOff + base + i, dim, inner);
            }
        }
    }

    /** The backward of work units {@code [u0, u1)}. */
    static void backward(boolean log, MemorySegment y, long yOff, MemorySegment g, long gOff, MemorySegment dx,
                         long dxOff, long dim, long inner, long u0, long u1) {
        long blocks = Softmax.blocks(inner);
        for (long u = u0; u < u1; u++) {
            long base = u / blocks * dim * inner;
            long i0 = u % blocks * Softmax.INNER_BLOCK;
            long i1 = Math.min(inner, i0 + Softmax.INNER_BLOCK);
            for (long i = i0; i < i1; i++) {
                backwardRow(log, y, yOff + base + i, g, gOff + base + i, dx, dxOff + base + i, dim, inner);
            }
        }
    }

    /** One row: {@code dim} elements from {@code xb} / {@code yb}, {@code stride} apart. */
    static void forwardRow(boolean log, MemorySegment x, long xb, MemorySegment y, long yb, long dim, long stride) {
        float max = Float.NEGATIVE_INFINITY;
        for (long d = 0; d < dim; d++) {
            max = Math.max(max, get(x, xb + d * stride));
        }
        double sum = 0;
        for (long d = 0; d < dim; d++) {
            float e = ScalarMath.exp(get(x, xb + d * stride) - max);
            if (!log) {
                put(y, yb + d * stride, e);
            }
            sum += e;
        }
        if (log) {
            float logSum = ScalarMath.log((float) sum);
            for (long d = 0; d < dim; d++) {
                put(y, yb + d * stride, get(x, xb + d * stride) - max - logSum);
            }
        } else {
            float s = (float) sum;
            for (long d = 0; d < dim; d++) {
                put(y, yb + d * stride, get(y, yb + d * stride) / s);
            }
        }
    }

    /** One row of the backward. */
    static void backwardRow(boolean log, MemorySegment y, long yb, MemorySegment g, long gb, MemorySegment dx,
                            long db, long dim, long stride) {
        double sum = 0;
        for (long d = 0; d < dim; d++) {
            float gd = get(g, gb + d * stride);
            sum += log ? gd : (double) gd * get(y, yb + d * stride);
        }
        float s = (float) sum;
        for (long d = 0; d < dim; d++) {
            float gd = get(g, gb + d * stride);
            float yd = get(y, yb + d * stride);
            put(dx, db + d * stride, log ? Math.fma(-ScalarMath.exp(yd), s, gd) : (gd - s) * yd);
        }
    }
}
