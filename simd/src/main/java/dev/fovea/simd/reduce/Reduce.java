package dev.fovea.simd.reduce;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.impl.Checks;
import dev.fovea.simd.reduce.impl.ReduceScalar;
import dev.fovea.simd.reduce.impl.ReduceVector;
import java.lang.foreign.MemorySegment;

/**
 * Reductions of float32 {@link MemorySegment} ranges: element {@code i} of {@code x} is the float at
 * element index {@code off + i * stride} (elements, not bytes; any stride, also 0 or negative).
 *
 * <p><b>Order and error.</b> Sums ({@link #sum}, {@link #dot}, {@link #sumSquaredDeviations}) use
 * a fixed blocked order, documented in {@link ReduceVector} and {@link ReduceScalar}: {@code 4}
 * float accumulators of {@code L} lanes ({@code L = 1} on the scalar path and for strided input),
 * each lane summing at most 64 terms per block, blocks combined in double. The result depends only
 * on {@code n}, the path and {@code L} (never on timing); with unit roundoff {@code u = 2^-24},
 * <pre>|computed - exact| <= (66 + n * 2^-37) * u * sum |terms|</pre>
 * that is about {@code 66 u sum|terms|} (~3.9e-6 relative to {@code sum|x|}) for any practical
 * {@code n}: at most 63 float additions per accumulator lane, 2 to combine the accumulators, 1 for
 * the final rounding to float; the double stage adds one {@code 2^-53} rounding per lane and
 * block, {@code n / 256} of them. Terms of {@link #dot} and {@link #sumSquaredDeviations} are fused
 * into the accumulation (one rounding each); {@link #sumSquaredDeviations} adds {@code 2 u} for
 * rounding {@code x - mean} before squaring.
 *
 * <p><b>Max/min.</b> NaN propagates (PyTorch); {@code -0 < +0} as in {@link Math#max(float, float)}.
 * {@link #argmax}/{@link #argmin} return the first index of the extreme, a NaN counting as the
 * extreme (so the first NaN wins), as PyTorch does. These need {@code n >= 1}.
 *
 * <p><b>Checks.</b> Arguments are validated on entry: {@code n >= 0} ({@code >= 1} where stated)
 * and every element inside its segment; violations throw an {@link IllegalArgumentException}
 * naming the kernel, the argument and the values. Nothing is allocated.
 */
public final class Reduce {
    private Reduce() {}

    /** Sum of the {@code n} elements (0 for {@code n == 0}). */
    public static float sum(MemorySegment x, long off, long stride, long n) {
        check("Reduce.sum", x, off, stride, n, 0);
        return Simd.VECTOR ? ReduceVector.sum(x, off, stride, n) : ReduceScalar.sum(x, off, stride, n);
    }

    /** Largest element; NaN if any element is NaN. */
    public static float max(MemorySegment x, long off, long stride, long n) {
        check("Reduce.max", x, off, stride, n, 1);
        return Simd.VECTOR ? ReduceVector.max(x, off, stride, n) : ReduceScalar.max(x, off, stride, n);
    }

    /** Smallest element; NaN if any element is NaN. */
    public static float min(MemorySegment x, long off, long stride, long n) {
        check("Reduce.min", x, off, stride, n, 1);
        return Simd.VECTOR ? ReduceVector.min(x, off, stride, n) : ReduceScalar.min(x, off, stride, n);
    }

    /** Index in {@code [0, n)} of the first largest element, or of the first NaN if there is one. */
    public static long argmax(MemorySegment x, long off, long stride, long n) {
        check("Reduce.argmax", x, off, stride, n, 1);
        return Simd.VECTOR ? ReduceVector.argmax(x, off, stride, n) : ReduceScalar.argmax(x, off, stride, n);
    }

    /** Index in {@code [0, n)} of the first smallest element, or of the first NaN if there is one. */
    public static long argmin(MemorySegment x, long off, long stride, long n) {
        check("Reduce.argmin", x, off, stride, n, 1);
        return Simd.VECTOR ? ReduceVector.argmin(x, off, stride, n) : ReduceScalar.argmin(x, off, stride, n);
    }

    /**
     * {@code sum((x[i] - mean)^2)}, the numerator of a variance: pass the mean of the same elements
     * (two-pass variance, stable where {@code sum(x^2) - n mean^2} is not).
     */
    public static float sumSquaredDeviations(MemorySegment x, long off, long stride, long n, float mean) {
        check("Reduce.sumSquaredDeviations", x, off, stride, n, 0);
        return Simd.VECTOR
                ? ReduceVector.sumSquaredDeviations(x, off, stride, n, mean)
                : ReduceScalar.sumSquaredDeviations(x, off, stride, n, mean);
    }

    /** {@code sum(a[i] * b[i])} (0 for {@code n == 0}). */
    public static float dot(MemorySegment a, long aOff, long aStride, MemorySegment b, long bOff, long bStride, long n) {
        String k = "Reduce.dot";
        Checks.count(k, n);
        Checks.input(k, "a", a, aOff, aStride, n);
        Checks.input(k, "b", b, bOff, bStride, n);
        return Simd.VECTOR
                ? ReduceVector.dot(a, aOff, aStride, b, bOff, bStride, n)
                : ReduceScalar.dot(a, aOff, aStride, b, bOff, bStride, n);
    }

    private static void check(String kernel, MemorySegment x, long off, long stride, long n, long minN) {
        if (n < minN) {
            throw new IllegalArgumentException(kernel + ": n must be >= " + minN + ", got " + n
                    + (minN > 0 ? " (the reduction of an empty range is undefined)" : ""));
        }
        Checks.input(kernel, "x", x, off, stride, n);
    }
}
