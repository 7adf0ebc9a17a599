package dev.fovea.simd.eltwise.impl;

import static dev.fovea.simd.eltwise.impl.Mem.bytes;
import static dev.fovea.simd.eltwise.impl.Mem.get;
import static dev.fovea.simd.eltwise.impl.Mem.put;

import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.simd.eltwise.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scalar elementwise kernels: the portable fallback of {@link dev.fovea.simd.eltwise.Eltwise} and
 * the per-element definitions ({@link #apply(UnaryOp, float)}, {@link #apply(BinaryOp, float, float)})
 * that the vector kernels are tested against.
 *
 * <p>Same contracts as the facade, without its argument checks: offsets and strides are in float
 * elements, strides may be any value, the output is overwritten ({@link #axpy} accumulates), and
 * {@code y} may alias an input only over the identical range. EXP, LOG, TANH and SIGMOID are
 * {@link ScalarMath}, the scalar twins of the vector path's {@link FloatVectorMath}, and POW is
 * {@link #pow}, a scalar loop on every path; {@link #axpy} uses a fused multiply-add, like the
 * vector path. So every op gives the same bits here as on the vector path, at any width, and in
 * every JIT tier (tested by EltwiseMathTest and EltwiseTierTest); NaN payloads may differ.
 */
public final class EltwiseScalar {
    /** Copies move raw bits so that NaN payloads survive. */
    private static final ValueLayout.OfInt BITS = ValueLayout.JAVA_INT_UNALIGNED;

    private EltwiseScalar() {}

    /** One element of {@code op}, the definition every path must agree with. */
    public static float apply(UnaryOp op, float x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> ScalarMath.exp(x);
            case LOG -> ScalarMath.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case RSQRT -> 1f / (float) Math.sqrt(x);
            case RECIPROCAL -> 1f / x;
            case SQUARE -> x * x;
            case RELU -> x <= 0f ? 0f : x;
            case SIGMOID -> ScalarMath.sigmoid(x);
            case TANH -> ScalarMath.tanh(x);
            case SIGN -> x > 0f ? 1f : (x < 0f ? -1f : 0f);
        };
    }

    /** One element of {@code op}, the definition every path must agree with. */
    public static float apply(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case POW -> pow(a, b);
            case EQ -> a == b ? 1f : 0f;
            case NE -> a != b ? 1f : 0f;
            case LT -> a < b ? 1f : 0f;
            case LE -> a <= b ? 1f : 0f;
            case GT -> a > b ? 1f : 0f;
            case GE -> a >= b ? 1f : 0f;
        };
    }

    /**
     * {@link Math#pow(double, double)} rounded to float, except for the two C99 cases where Java
     * and C's {@code powf} (hence PyTorch) differ: {@code pow(1, y) = 1} for every {@code y}, NaN
     * included, and {@code pow(-1, ±Inf) = 1}; Java gives NaN for both.
     *
     * <p>Deterministic in every JIT tier: HotSpot's interpreter, C1 and C2 all call the same
     * {@code Math.pow} stub (EltwiseTierTest checks the double results bit for bit). C2 alone
     * rewrites {@code Math.pow(x, 2.0)} to {@code x * x} and {@code Math.pow(x, 0.5)} to
     * {@code sqrt(x)} when it sees a constant exponent, e.g. once a caller's literal is inlined;
     * both are done here explicitly, so that every tier takes the same road. Both rewrites are
     * exact: {@code a * a} and {@code sqrt} are correctly rounded, as is the float of the exact
     * double square.
     */
    public static float pow(float a, float b) {
        if (a == 1f || (a == -1f && Float.isInfinite(b))) {
            return 1f;
        }
        if (b == 2f) {
            return a * a;
        }
        if (b == 0.5f && a > 0f) {
            return (float) Math.sqrt(a);
        }
        return (float) Math.pow(a, b);
    }

    /** {@code y[i] = op(x[i])}. */
    public static void unary(UnaryOp op, MemorySegment x, long xOff, long xStride,
                             MemorySegment y, long yOff, long yStride, long n) {
        for (long i = 0; i < n; i++) {
            put(y, yOff + i * yStride, apply(op, get(x, xOff + i * xStride)));
        }
    }

    /** {@code y[i] = op(a[i], b[i])}. */
    public static void binary(BinaryOp op, MemorySegment a, long aOff, long aStride,
                              MemorySegment b, long bOff, long bStride,
                              MemorySegment y, long yOff, long yStride, long n) {
        for (long i = 0; i < n; i++) {
            put(y, yOff + i * yStride, apply(op, get(a, aOff + i * aStride), get(b, bOff + i * bStride)));
        }
    }

    /** {@code y[i] = op(x[i], s)}. */
    public static void binaryScalar(BinaryOp op, MemorySegment x, long xOff, long xStride, float s,
                                    MemorySegment y, long yOff, long yStride, long n) {
        for (long i = 0; i < n; i++) {
            put(y, yOff + i * yStride, apply(op, get(x, xOff + i * xStride), s));
        }
    }

    /** {@code y[i] = op(s, x[i])}. */
    public static void scalarBinary(BinaryOp op, float s, MemorySegment x, long xOff, long xStride,
                                    MemorySegment y, long yOff, long yStride, long n) {
        for (long i = 0; i < n; i++) {
            put(y, yOff + i * yStride, apply(op, s, get(x, xOff + i * xStride)));
        }
    }

    /** {@code y[i] = min(max(x[i], lo), hi)}, NaN propagating. */
    public static void clamp(MemorySegment x, long xOff, long xStride, float lo, float hi,
                             MemorySegment y, long yOff, long yStride, long n) {
        for (long i = 0; i < n; i++) {
            put(y, yOff + i * yStride, Math.min(Math.max(get(x, xOff + i * xStride), lo), hi));
        }
    }

    /** {@code y[i] = cond[i] != 0 ? a[i] : b[i]} (a NaN condition selects {@code a}). */
    public static void where(MemorySegment cond, long cOff, long cStride, MemorySegment a, long aOff, long aStride,
                             MemorySegment b, long bOff, long bStride,
                             MemorySegment y, long yOff, long yStride, long n) {
        for (long i = 0; i < n; i++) {
            float c = get(cond, cOff + i * cStride);
            put(y, yOff + i * yStride, c != 0f ? get(a, aOff + i * aStride) : get(b, bOff + i * bStride));
        }
    }

    /** {@code y[i] = value}. */
    public static void fill(MemorySegment y, long yOff, long yStride, float value, long n) {
        for (long i = 0; i < n; i++) {
            put(y, yOff + i * yStride, value);
        }
    }

    /** {@code y[i] = x[i]}; with both strides 1 overlapping ranges are handled like {@code memmove}. */
    public static void copy(MemorySegment x, long xOff, long xStride, MemorySegment y, long yOff, long yStride, long n) {
        if (xStride == 1 && yStride == 1) {
            MemorySegment.copy(x, bytes(xOff), y, bytes(yOff), bytes(n));
            return;
        }
        for (long i = 0; i < n; i++) {
            y.setAtIndex(BITS, yOff + i * yStride, x.getAtIndex(BITS, xOff + i * xStride));
        }
    }

    /** {@code y[i] = fma(alpha, x[i], y[i])}. */
    public static void axpy(float alpha, MemorySegment x, long xOff, long xStride,
                            MemorySegment y, long yOff, long yStride, long n) {
        for (long i = 0; i < n; i++) {
            long yi = yOff + i * yStride;
            put(y, yi, Math.fma(alpha, get(x, xOff + i * xStride), get(y, yi)));
        }
    }
}
