package dev.fovea.simd.softmax;

import static dev.fovea.simd.eltwise.impl.VectorLanes.L;
import static dev.fovea.simd.eltwise.impl.VectorLanes.S;
import static dev.fovea.simd.eltwise.impl.VectorLanes.load;
import static dev.fovea.simd.eltwise.impl.VectorLanes.store;

import dev.fovea.simd.eltwise.impl.FloatVectorMath;
import dev.fovea.simd.eltwise.impl.ScalarMath;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The Vector API kernels of {@link Softmax}, over the species of {@code VectorLanes} ({@code L}
 * lanes). No argument checks.
 *
 * <p><b>Rows</b> ({@code inner == 1}): each row is contiguous and is read in vectors of {@code L}
 * elements, the last one masked. The sums run in blocks of {@link #BLOCK_VECTORS} vectors: one
 * float vector accumulator per block, whose lanes are then added, lane 0 first, to a double total.
 *
 * <p><b>Columns</b> ({@code inner > 1}): the kernel vectorizes across {@code inner}: a vector holds
 * {@code L} neighbouring rows (the last group of a block masked), and the reductions over
 * {@code d} run lanewise, reading vectors {@code inner} elements apart, each lane summing in float
 * in order of {@code d}.
 */
final class SoftmaxVector {
    /** Vectors summed in float per lane before the lanes go to the double total. */
    static final int BLOCK_VECTORS = 64;

    private SoftmaxVector() {}

    /** The forward of work units {@code [u0, u1)} (see {@link Softmax#units}). */
    static void forward(boolean log, MemorySegment x, long xOff, MemorySegment y, long yOff, long dim, long inner,
                        long u0, long u1) {
        if (inner == 1) {
            for (long u = u0; u < u1; u++) {
                forwardRow(log, x, xOff + u * dim, y, yOff + u * dim, dim);
            }
            return;
        }
        long blocks = Softmax.blocks(inner);
        for (long u = u0; u < u1; u++) {
            long base = u / blocks * dim * inner;
            long i0 = u % blocks * Softmax.INNER_BLOCK;
            long i1 = Math.min(inner, i0 + Softmax.INNER_BLOCK);
            for (long i = i0; i < i1; i += L) {
                VectorMask<Float> m = S.indexInRange(0, (int) Math.min(L, i1 - i));
                forwardColumns(log, x, xOff + base + i, y, yOff + base + i, dim, inner, m);
            }
        }
    }

    /** The backward of work units {@code [u0, u1)}. */
    static void backward(boolean log, MemorySegment y, long yOff, MemorySegment g, long gOff, MemorySegment dx,
                         long dxOff, long dim, long inner, long u0, long u1) {
        if (inner == 1) {
            for (long u = u0; u < u1; u++) {
                backwardRow(log, y, yOff + u * dim, g, gOff + u * dim, dx, dxOff + u * dim, dim);
            }
            return;
        }
        long blocks = Softmax.blocks(inner);
        for (long u = u0; u < u1; u++) {
            long base = u / blocks * dim * inner;
            long i0 = u % blocks * Softmax.INNER_BLOCK;
            long i1 = Math.min(inner, i0 + Softmax.INNER_BLOCK);
            for (long i = i0; i < i1; i += L) {
                VectorMask<Float> m = S.indexInRange(0, (int) Math.min(L, i1 - i));
                backwardColumns(log, y, yOff + base + i, g, gOff + base + i, dx, dxOff + base + i, dim, inner, m);
            }
        }
    }

    static FloatVector broadcast(float v) {
        return FloatVector.broadcast(S, v);
    }

    /** The lanes of {@code v} added to a double, lane 0 first: a fixed order. */
    static double lanes(FloatVector v) {
        double s = 0;
        for (int j = 0; j < L; j++) {
            s += v.lane(j);
        }
        return s;
    }

    /** The largest element of the contiguous row {@code x[xb .. xb + dim)}; NaN if any is NaN. */
    static float rowMax(MemorySegment x, long xb, long dim) {
        FloatVector vm = broadcast(Float.NEGATIVE_INFINITY);
        long full = dim - dim % L;
        long i = 0;
        for (; i < full; i += L) {
            vm = vm.max(load(x, xb + i));
        }
        if (i < dim) {
            VectorMask<Float> m = S.indexInRange(i, dim);
            vm = vm.max(broadcast(Float.NEGATIVE_INFINITY).blend(load(x, xb + i, m), m));
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < L; j++) {
            max = Math.max(max, vm.lane(j));
        }
        return max;
    }

    private static void forwardRow(boolean log, MemorySegment x, long xb, MemorySegment y, long yb, long dim) {
        float max = rowMax(x, xb, dim);
        double sum = 0;
        for (long b = 0; b < dim; b += (long) BLOCK_VECTORS * L) {
            long end = Math.min(dim, b + (long) BLOCK_VECTORS * L);
            FloatVector acc = FloatVector.zero(S);
            long i = b;
            for (; i + L <= end; i += L) {
                FloatVector e = FloatVectorMath.exp(load(x, xb + i).sub(max));
                if (!log) {
                    store(e, y, yb + i);
                }
                acc = acc.add(e);
            }
            if (i < end) {
                VectorMask<Float> m = S.indexInRange(i, end);
                FloatVector e = FloatVectorMath.exp(load(x, xb + i, m).sub(max));
                if (!log) {
                    store(e, y, yb + i, m);
                }
                acc = acc.add(e, m);
            }
            sum += lanes(acc);
        }
        long full = dim - dim % L;
        if (log) {
            float logSum = ScalarMath.log((float) sum);
            long i = 0;
            for (; i < full; i += L) {
                store(load(x, xb + i).sub(max).sub(logSum), y, yb + i);
            }
            if (i < dim) {
                VectorMask<Float> m = S.indexInRange(i, dim);
                store(load(x, xb + i, m).sub(max).sub(logSum), y, yb + i, m);
            }
        } else {
            float s = (float) sum;
            long i = 0;
            for (; i < full; i += L) {
                store(load(y, yb + i).div(s), y, yb + i);
            }
            if (i < dim) {
                VectorMask<Float> m = S.indexInRange(i, dim);
                store(load(y, yb + i, m).div(s), y, yb + i, m);
            }
        }
    }

    private static void backwardRow(boolean log, MemorySegment y, long yb, MemorySegment g, long gb, MemorySegment dx,
                                    long db, long dim) {
        double sum = 0;
        for (long b = 0; b < dim; b += (long) BLOCK_VECTORS * L) {
            long end = Math.min(dim, b + (long) BLOCK_VECTORS * L);
            FloatVector acc = FloatVector.zero(S);
            long i = b;
            for (; i + L <= end; i += L) {
                acc = log ? acc.add(load(g, gb + i)) : load(g, gb + i).fma(load(y, yb + i), acc);
            }
            if (i < end) {
                VectorMask<Float> m = S.indexInRange(i, end);
                acc = log ? acc.add(load(g, gb + i, m)) : load(g, gb + i, m).fma(load(y, yb + i, m), acc);
            }
            sum += lanes(acc);
        }
        float s = (float) sum;
        long full = dim - dim % L;
        long i = 0;
        for (; i < full; i += L) {
            store(backwardLanes(log, load(y, yb + i), load(g, gb + i), s), dx, db + i);
        }
        if (i < dim) {
            VectorMask<Float> m = S.indexInRange(i, dim);
            store(backwardLanes(log, load(y, yb + i, m), load(g, gb + i, m), s), dx, db + i, m);
        }
    }

    /** {@code g - exp(y) * s} (one fused multiply-add) for log-softmax, {@code (g - s) * y} for softmax. */
    private static FloatVector backwardLanes(boolean log, FloatVector y, FloatVector g, float s) {
        return log ? FloatVectorMath.exp(y).neg().fma(broadcast(s), g) : g.sub(s).mul(y);
    }

    /** {@code L} rows (lanes selected by {@code m}), their {@code d}-th elements {@code inner} apart. */
    private static void forwardColumns(boolean log, MemorySegment x, long xb, MemorySegment y, long yb, long dim,
                                       long inner, VectorMask<Float> m) {
        FloatVector max = broadcast(Float.NEGATIVE_INFINITY);
        for (long d = 0; d < dim; d++) {
            max = max.max(load(x, xb + d * inner, m));
        }
        FloatVector sum = FloatVector.zero(S);
        for (long d = 0; d < dim; d++) {
            FloatVector e = FloatVectorMath.exp(load(x, xb + d * inner, m).sub(max));
            if (!log) {
                store(e, y, yb + d * inner, m);
            }
            sum = sum.add(e);
        }
        if (log) {
            FloatVector logSum = FloatVectorMath.log(sum);
            for (long d = 0; d < dim; d++) {
                store(load(x, xb + d * inner, m).sub(max).sub(logSum), y, yb + d * inner, m);
            }
        } else {
            for (long d = 0; d < dim; d++) {
                store(load(y, yb + d * inner, m).div(sum), y, yb + d * inner, m);
            }
        }
    }

    private static void backwardColumns(boolean log, MemorySegment y, long yb, MemorySegment g, long gb,
                                        MemorySegment dx, long db, long dim, long inner, VectorMask<Float> m) {
        FloatVector sum = FloatVector.zero(S);
        for (long d = 0; d < dim; d++) {
            FloatVector gd = load(g, gb + d * inner, m);
            sum = log ? sum.add(gd) : gd.fma(load(y, yb + d * inner, m), sum);
        }
        for (long d = 0; d < dim; d++) {
            FloatVector gd = load(g, gb + d * inner, m);
            FloatVector yd = load(y, yb + d * inner, m);
            FloatVector dxd = log ? FloatVectorMath.exp(yd).neg().fma(sum, gd) : gd.sub(sum).mul(yd);
            store(dxd, dx, db + d * inner, m);
        }
    }
}
