package dev.fovea.simd.eltwise;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.impl.Checks;
import dev.fovea.simd.eltwise.impl.EltwiseScalar;
import dev.fovea.simd.eltwise.impl.EltwiseVector;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Elementwise kernels over float32 {@link MemorySegment}s: {@code y[i] = f(inputs[i])} for
 * {@code i} in {@code [0, n)}.
 *
 * <p><b>Addressing.</b> Element {@code i} of operand {@code x} is the float at element index
 * {@code xOff + i * xStride} of {@code x}; offsets and strides count float elements, not bytes.
 * An input stride may be 0 (one value broadcast) or negative; the output stride must be positive
 * (when {@code n > 1}). Floats are read and written in native byte order, at any alignment.
 *
 * <p><b>Output.</b> Overwritten, never read, except by {@link #axpy}, which accumulates.
 * <b>Aliasing:</b> {@code y} may alias an input only when both cover the identical elements
 * (same segment memory, offset and stride), as for an in-place op; any other overlap gives
 * unspecified results ({@link #copy} with both strides 1 is the exception: it behaves like
 * {@code memmove}).
 *
 * <p><b>Paths.</b> With the Vector API ({@link Simd#VECTOR}), contiguous operands and stride-0
 * broadcasts run vector loops (one generated loop per op, with a masked or scalar tail); other strides, and
 * the scalar fallback, run {@link EltwiseScalar}.
 *
 * <p><b>Determinism.</b> Every op gives the same bits on every path: vector (any width) or scalar,
 * vector body or tail, however a range is split across threads, and in every JIT tier
 * (interpreter, C1, C2). EXP, LOG, TANH and SIGMOID are Fovea's own float32 functions built from
 * exactly rounded operations ({@code ScalarMath}/{@code FloatVectorMath}), not {@link Math} and not the
 * Vector API's lanewise EXP/LOG/TANH, whose interpreter and C2 (SVML) results differ in the last
 * bit; measured over every float, exp and log are within 1 ulp of the correctly rounded result,
 * tanh and sigmoid within 2. POW is {@link Math#pow(double, double)} (the same HotSpot stub in
 * every tier) rounded to float, with PyTorch's C99 corner cases. Only NaN payloads and NaN sign
 * bits are unspecified. Semantics follow PyTorch float32.
 *
 * <p><b>Checks.</b> Every method validates its arguments on entry: {@code n >= 0}, every element
 * touched inside its segment, a positive output stride, a writable output. Violations throw an
 * {@link IllegalArgumentException} naming the kernel, the argument and the values; null segments
 * or ops throw {@link NullPointerException}. The kernels allocate nothing (null checks build their
 * messages only when they throw).
 */
public final class Eltwise {
    private Eltwise() {}

    /** {@code y[i] = op(x[i])}. */
    public static void unary(UnaryOp op, MemorySegment x, long xOff, long xStride,
                             MemorySegment y, long yOff, long yStride, long n) {
        String k = "Eltwise.unary";
        if (op == null) {
            throw new NullPointerException(k + ": op is null");
        }
        Checks.count(k, n);
        Checks.input(k, "x", x, xOff, xStride, n);
        Checks.output(k, "y", y, yOff, yStride, n);
        if (Simd.VECTOR) {
            EltwiseVector.unary(op, x, xOff, xStride, y, yOff, yStride, n);
        } else {
            EltwiseScalar.unary(op, x, xOff, xStride, y, yOff, yStride, n);
        }
    }

    /** {@code y[i] = op(a[i], b[i])}; comparisons give {@code 1f} or {@code 0f}. */
    public static void binary(BinaryOp op, MemorySegment a, long aOff, long aStride,
                              MemorySegment b, long bOff, long bStride,
                              MemorySegment y, long yOff, long yStride, long n) {
        String k = "Eltwise.binary";
        if (op == null) {
            throw new NullPointerException(k + ": op is null");
        }
        Checks.count(k, n);
        Checks.input(k, "a", a, aOff, aStride, n);
        Checks.input(k, "b", b, bOff, bStride, n);
        Checks.output(k, "y", y, yOff, yStride, n);
        if (Simd.VECTOR) {
            EltwiseVector.binary(op, a, aOff, aStride, b, bOff, bStride, y, yOff, yStride, n);
        } else {
            EltwiseScalar.binary(op, a, aOff, aStride, b, bOff, bStride, y, yOff, yStride, n);
        }
    }

    /** {@code y[i] = op(x[i], s)}. */
    public static void binaryScalar(BinaryOp op, MemorySegment x, long xOff, long xStride, float s,
                                    MemorySegment y, long yOff, long yStride, long n) {
        String k = "Eltwise.binaryScalar";
        if (op == null) {
            throw new NullPointerException(k + ": op is null");
        }
        Checks.count(k, n);
        Checks.input(k, "x", x, xOff, xStride, n);
        Checks.output(k, "y", y, yOff, yStride, n);
        if (Simd.VECTOR) {
            EltwiseVector.binaryScalar(op, x, xOff, xStride, s, y, yOff, yStride, n);
        } else {
            EltwiseScalar.binaryScalar(op, x, xOff, xStride, s, y, yOff, yStride, n);
        }
    }

    /** {@code y[i] = op(s, x[i])}. */
    public static void scalarBinary(BinaryOp op, float s, MemorySegment x, long xOff, long xStride,
                                    MemorySegment y, long yOff, long yStride, long n) {
        String k = "Eltwise.scalarBinary";
        if (op == null) {
            throw new NullPointerException(k + ": op is null");
        }
        Checks.count(k, n);
        Checks.input(k, "x", x, xOff, xStride, n);
        Checks.output(k, "y", y, yOff, yStride, n);
        if (Simd.VECTOR) {
            EltwiseVector.scalarBinary(op, s, x, xOff, xStride, y, yOff, yStride, n);
        } else {
            EltwiseScalar.scalarBinary(op, s, x, xOff, xStride, y, yOff, yStride, n);
        }
    }

    /**
     * {@code y[i] = min(max(x[i], lo), hi)} as PyTorch's {@code clamp}: NaN propagates (from
     * {@code x} or a bound) and {@code lo > hi} gives {@code hi} everywhere.
     */
    public static void clamp(MemorySegment x, long xOff, long xStride, float lo, float hi,
                             MemorySegment y, long yOff, long yStride, long n) {
        String k = "Eltwise.clamp";
        Checks.count(k, n);
        Checks.input(k, "x", x, xOff, xStride, n);
        Checks.output(k, "y", y, yOff, yStride, n);
        if (Simd.VECTOR) {
            EltwiseVector.clamp(x, xOff, xStride, lo, hi, y, yOff, yStride, n);
        } else {
            EltwiseScalar.clamp(x, xOff, xStride, lo, hi, y, yOff, yStride, n);
        }
    }

    /** {@code y[i] = cond[i] != 0 ? a[i] : b[i]}; a NaN condition counts as true, as in a bool cast. */
    public static void where(MemorySegment cond, long cOff, long cStride, MemorySegment a, long aOff, long aStride,
                             MemorySegment b, long bOff, long bStride,
                             MemorySegment y, long yOff, long yStride, long n) {
        String k = "Eltwise.where";
        Checks.count(k, n);
        Checks.input(k, "c", cond, cOff, cStride, n);
        Checks.input(k, "a", a, aOff, aStride, n);
        Checks.input(k, "b", b, bOff, bStride, n);
        Checks.output(k, "y", y, yOff, yStride, n);
        if (Simd.VECTOR) {
            EltwiseVector.where(cond, cOff, cStride, a, aOff, aStride, b, bOff, bStride, y, yOff, yStride, n);
        } else {
            EltwiseScalar.where(cond, cOff, cStride, a, aOff, aStride, b, bOff, bStride, y, yOff, yStride, n);
        }
    }

    /** {@code y[i] = value}. */
    public static void fill(MemorySegment y, long yOff, long yStride, float value, long n) {
        String k = "Eltwise.fill";
        Checks.count(k, n);
        Checks.output(k, "y", y, yOff, yStride, n);
        if (Simd.VECTOR) {
            EltwiseVector.fill(y, yOff, yStride, value, n);
        } else {
            EltwiseScalar.fill(y, yOff, yStride, value, n);
        }
    }

    /** {@code y[i] = x[i]}, bit for bit (NaN payloads kept); overlapping contiguous ranges are safe. */
    public static void copy(MemorySegment x, long xOff, long xStride, MemorySegment y, long yOff, long yStride, long n) {
        String k = "Eltwise.copy";
        Checks.count(k, n);
        Checks.input(k, "x", x, xOff, xStride, n);
        Checks.output(k, "y", y, yOff, yStride, n);
        EltwiseScalar.copy(x, xOff, xStride, y, yOff, yStride, n);
    }

    /** {@code y[i] += alpha * x[i]}, as one fused multiply-add per element. */
    public static void axpy(float alpha, MemorySegment x, long xOff, long xStride,
                            MemorySegment y, long yOff, long yStride, long n) {
        String k = "Eltwise.axpy";
        Checks.count(k, n);
        Checks.input(k, "x", x, xOff, xStride, n);
        Checks.output(k, "y", y, yOff, yStride, n);
        if (Simd.VECTOR) {
            EltwiseVector.axpy(alpha, x, xOff, xStride, y, yOff, yStride, n);
        } else {
            EltwiseScalar.axpy(alpha, x, xOff, xStride, y, yOff, yStride, n);
        }
    }
}
