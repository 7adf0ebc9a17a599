package dev.fovea.simd.reduce.impl;

import static dev.fovea.simd.eltwise.impl.Mem.bytes;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API reductions over {@link FloatSpecies#SPECIES} ({@code L} lanes) for contiguous input;
 * other strides run {@link ReduceScalar}. No argument checks.
 *
 * <p><b>Accumulation order</b> of {@link #sum}, {@link #dot} and {@link #sumSquaredDeviations}:
 * blocks of {@code 4 * L * 64} consecutive elements (the last one shorter). Inside a block, step
 * {@code s} adds vectors {@code 4s .. 4s+3} to vector accumulators {@code acc0 .. acc3}; the at
 * most three whole vectors left go to {@code acc0, acc1, acc2} and a masked remainder to
 * {@code acc3}. The block's vector {@code (acc0 + acc1) + (acc2 + acc3)} is then added lane by
 * lane, lane 0 first, to a double total, in block order; the total is rounded once to float. So
 * each float accumulator lane sums at most 64 terms, and the order depends only on {@code n} and
 * {@code L}, never on timing or JIT tier (the lane combine avoids {@code reduceLanes(ADD)}, whose
 * order the Vector API leaves open).
 */
public final class ReduceVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final int STEP = ReduceScalar.ACCUMULATORS * L;
    /** Elements per block. */
    public static final long BLOCK = (long) STEP * ReduceScalar.BLOCK_STEPS;

    private ReduceVector() {}

    private static FloatVector load(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(S, s, bytes(i), O);
    }

    private static FloatVector load(MemorySegment s, long i, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, bytes(i), O, m);
    }

    /** Adds the lanes of {@code v} to a double, lane 0 first: a fixed order. */
    private static double lanes(FloatVector v) {
        double s = 0;
        for (int j = 0; j < L; j++) {
            s += v.lane(j);
        }
        return s;
    }

    /** Sum of {@code x[i]} in the blocked order above. */
    public static float sum(MemorySegment x, long off, long stride, long n) {
        if (stride != 1) {
            return ReduceScalar.sum(x, off, stride, n);
        }
        double total = 0;
        for (long i = 0; i < n; i += BLOCK) {
            total += sumBlock(x, off + i, Math.min(BLOCK, n - i));
        }
        return (float) total;
    }

    private static double sumBlock(MemorySegment x, long off, long len) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        long full = len - len % STEP;
        long i = 0;
        for (; i < full; i += STEP) {
            a0 = a0.add(load(x, off + i));
            a1 = a1.add(load(x, off + i + L));
            a2 = a2.add(load(x, off + i + 2 * L));
            a3 = a3.add(load(x, off + i + 3 * L));
        }
        if (i + L <= len) {
            a0 = a0.add(load(x, off + i));
            i += L;
        }
        if (i + L <= len) {
            a1 = a1.add(load(x, off + i));
            i += L;
        }
        if (i + L <= len) {
            a2 = a2.add(load(x, off + i));
            i += L;
        }
        if (i < len) {
            a3 = a3.add(load(x, off + i, S.indexInRange(i, len)));
        }
        return lanes(a0.add(a1).add(a2.add(a3)));
    }

    /** Sum of {@code (x[i] - mean)^2} (fused multiply-adds) in the blocked order above. */
    public static float sumSquaredDeviations(MemorySegment x, long off, long stride, long n, float mean) {
        if (stride != 1) {
            return ReduceScalar.sumSquaredDeviations(x, off, stride, n, mean);
        }
        double total = 0;
        for (long i = 0; i < n; i += BLOCK) {
            total += ssdBlock(x, off + i, Math.min(BLOCK, n - i), mean);
        }
        return (float) total;
    }

    private static double ssdBlock(MemorySegment x, long off, long len, float mean) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        long full = len - len % STEP;
        long i = 0;
        for (; i < full; i += STEP) {
            FloatVector d0 = load(x, off + i).sub(mean), d1 = load(x, off + i + L).sub(mean);
            FloatVector d2 = load(x, off + i + 2 * L).sub(mean), d3 = load(x, off + i + 3 * L).sub(mean);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
            a2 = d2.fma(d2, a2);
            a3 = d3.fma(d3, a3);
        }
        if (i + L <= len) {
            FloatVector d = load(x, off + i).sub(mean);
            a0 = d.fma(d, a0);
            i += L;
        }
        if (i + L <= len) {
            FloatVector d = load(x, off + i).sub(mean);
            a1 = d.fma(d, a1);
            i += L;
        }
        if (i + L <= len) {
            FloatVector d = load(x, off + i).sub(mean);
            a2 = d.fma(d, a2);
            i += L;
        }
        if (i < len) {
            VectorMask<Float> m = S.indexInRange(i, len);
            FloatVector d = load(x, off + i, m).lanewise(VectorOperators.SUB, mean, m);
            a3 = d.fma(d, a3);
        }
        return lanes(a0.add(a1).add(a2.add(a3)));
    }

    /** Sum of {@code a[i] * b[i]} (fused multiply-adds) in the blocked order above. */
    public static float dot(MemorySegment a, long aOff, long aStride, MemorySegment b, long bOff, long bStride, long n) {
        if (aStride != 1 || bStride != 1) {
            return ReduceScalar.dot(a, aOff, aStride, b, bOff, bStride, n);
        }
        double total = 0;
        for (long i = 0; i < n; i += BLOCK) {
            total += dotBlock(a, aOff + i, b, bOff + i, Math.min(BLOCK, n - i));
        }
        return (float) total;
    }

    private static double dotBlock(MemorySegment a, long aOff, MemorySegment b, long bOff, long len) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        long full = len - len % STEP;
        long i = 0;
        for (; i < full; i += STEP) {
            a0 = load(a, aOff + i).fma(load(b, bOff + i), a0);
            a1 = load(a, aOff + i + L).fma(load(b, bOff + i + L), a1);
            a2 = load(a, aOff + i + 2 * L).fma(load(b, bOff + i + 2 * L), a2);
            a3 = load(a, aOff + i + 3 * L).fma(load(b, bOff + i + 3 * L), a3);
        }
        if (i + L <= len) {
            a0 = load(a, aOff + i).fma(load(b, bOff + i), a0);
            i += L;
        }
        if (i + L <= len) {
            a1 = load(a, aOff + i).fma(load(b, bOff + i), a1);
            i += L;
        }
        if (i + L <= len) {
            a2 = load(a, aOff + i).fma(load(b, bOff + i), a2);
            i += L;
        }
        if (i < len) {
            VectorMask<Float> m = S.indexInRange(i, len);
            a3 = load(a, aOff + i, m).fma(load(b, bOff + i, m), a3);
        }
        return lanes(a0.add(a1).add(a2.add(a3)));
    }

    /** Largest {@code x[i]}, NaN propagating as {@link Math#max(float, float)}; {@code n >= 1}. */
    public static float max(MemorySegment x, long off, long stride, long n) {
        return stride == 1 ? maxContiguous(x, off, n) : ReduceScalar.max(x, off, stride, n);
    }

    /** Smallest {@code x[i]}, NaN propagating as {@link Math#min(float, float)}; {@code n >= 1}. */
    public static float min(MemorySegment x, long off, long stride, long n) {
        return stride == 1 ? minContiguous(x, off, n) : ReduceScalar.min(x, off, stride, n);
    }

    /*
     * Max and min are exact, so their order does not matter (only which NaN comes out). They are
     * two methods rather than one with a flag: each loop then gets its own profile and never runs
     * a cold, uninlined Vector API branch (see EltwiseCodegen in the tests for the measurement).
     */

    private static float maxContiguous(MemorySegment x, long off, long n) {
        FloatVector a0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), a1 = a0, a2 = a0, a3 = a0;
        long full = n - n % STEP;
        long i = 0;
        for (; i < full; i += STEP) {
            a0 = a0.max(load(x, off + i));
            a1 = a1.max(load(x, off + i + L));
            a2 = a2.max(load(x, off + i + 2 * L));
            a3 = a3.max(load(x, off + i + 3 * L));
        }
        for (; i + L <= n; i += L) {
            a0 = a0.max(load(x, off + i));
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            a1 = a1.lanewise(VectorOperators.MAX, load(x, off + i, m), m);
        }
        FloatVector v = a0.max(a1).max(a2.max(a3));
        return v.test(VectorOperators.IS_NAN).anyTrue() ? Float.NaN : v.reduceLanes(VectorOperators.MAX);
    }

    private static float minContiguous(MemorySegment x, long off, long n) {
        FloatVector a0 = FloatVector.broadcast(S, Float.POSITIVE_INFINITY), a1 = a0, a2 = a0, a3 = a0;
        long full = n - n % STEP;
        long i = 0;
        for (; i < full; i += STEP) {
            a0 = a0.min(load(x, off + i));
            a1 = a1.min(load(x, off + i + L));
            a2 = a2.min(load(x, off + i + 2 * L));
            a3 = a3.min(load(x, off + i + 3 * L));
        }
        for (; i + L <= n; i += L) {
            a0 = a0.min(load(x, off + i));
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            a1 = a1.lanewise(VectorOperators.MIN, load(x, off + i, m), m);
        }
        FloatVector v = a0.min(a1).min(a2.min(a3));
        return v.test(VectorOperators.IS_NAN).anyTrue() ? Float.NaN : v.reduceLanes(VectorOperators.MIN);
    }

    /** Index of the first maximum, a NaN counting as larger than everything; {@code n >= 1}. */
    public static long argmax(MemorySegment x, long off, long stride, long n) {
        return stride == 1 ? firstIndexOf(x, off, n, maxContiguous(x, off, n)) : ReduceScalar.argmax(x, off, stride, n);
    }

    /** Index of the first minimum, a NaN counting as smaller than everything; {@code n >= 1}. */
    public static long argmin(MemorySegment x, long off, long stride, long n) {
        return stride == 1 ? firstIndexOf(x, off, n, minContiguous(x, off, n)) : ReduceScalar.argmin(x, off, stride, n);
    }

    /** First {@code i} with {@code x[i] == target}, or the first NaN for a NaN target. */
    private static long firstIndexOf(MemorySegment x, long off, long n, float target) {
        long i = Float.isNaN(target) ? firstNaN(x, off, n) : firstEqual(x, off, n, target);
        if (i < 0) {
            throw new IllegalStateException("Reduce.argmax/argmin: extreme " + target + " not found again; was the input "
                    + "modified concurrently?");
        }
        return i;
    }

    private static long firstEqual(MemorySegment x, long off, long n, float target) {
        long bound = S.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            VectorMask<Float> hit = load(x, off + i).compare(VectorOperators.EQ, target);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            VectorMask<Float> hit = load(x, off + i, m).compare(VectorOperators.EQ, target, m);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        return -1;
    }

    private static long firstNaN(MemorySegment x, long off, long n) {
        long bound = S.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            VectorMask<Float> hit = load(x, off + i).test(VectorOperators.IS_NAN);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            VectorMask<Float> hit = load(x, off + i, m).test(VectorOperators.IS_NAN, m);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        return -1;
    }
}
