package dev.fovea.simd.eltwise.impl;

import static dev.fovea.simd.eltwise.impl.Mem.get;
import static dev.fovea.simd.eltwise.impl.VectorLanes.L;
import static dev.fovea.simd.eltwise.impl.VectorLanes.S;
import static dev.fovea.simd.eltwise.impl.VectorLanes.load;
import static dev.fovea.simd.eltwise.impl.VectorLanes.store;

import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.simd.eltwise.UnaryOp;
import dev.fovea.simd.eltwise.impl.generated.BinaryVectorOps;
import dev.fovea.simd.eltwise.impl.generated.UnaryVectorOps;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API elementwise kernels over {@link dev.fovea.simd.internal.FloatSpecies#SPECIES}:
 * chooses a loop by operand shape. Contiguous operands (stride 1) and, for binary ops, one
 * broadcast input (stride 0) run the generated per-op loops of {@link UnaryVectorOps} and
 * {@link BinaryVectorOps}; when every input is a broadcast, the one value is computed with
 * {@link EltwiseScalar#apply} and filled; any other stride runs {@link EltwiseScalar}.
 *
 * <p>Each loop runs whole vectors, then one masked vector for the tail (EXP, LOG, TANH and
 * SIGMOID: their scalar twins, element by element), so an element's result does not depend on
 * where it sits or on {@code n}. EXP, LOG, TANH and SIGMOID are {@link FloatVectorMath}, built from
 * exactly rounded lane operations and bit-identical to {@link ScalarMath}; POW is a scalar loop
 * over {@link EltwiseScalar#pow}. Every op therefore gives the same bits at any vector width, on
 * the scalar path and in every JIT tier. The Vector API's lanewise EXP/LOG/TANH/POW are not used:
 * their interpreter fallback and C2's SVML stubs disagree in the last bit. Contract otherwise as
 * in {@link EltwiseScalar}; no argument checks.
 */
public final class EltwiseVector {
    private EltwiseVector() {}

    /** {@code y[i] = op(x[i])}. */
    public static void unary(UnaryOp op, MemorySegment x, long xOff, long xStride,
                             MemorySegment y, long yOff, long yStride, long n) {
        if (xStride == 1 && yStride == 1) {
            UnaryVectorOps.unary(op, x, xOff, y, yOff, n);
        } else if (xStride == 0 && yStride == 1 && n > 0) {
            fill(y, yOff, 1, EltwiseScalar.apply(op, get(x, xOff)), n);
        } else {
            EltwiseScalar.unary(op, x, xOff, xStride, y, yOff, yStride, n);
        }
    }

    /** {@code y[i] = op(a[i], b[i])}. */
    public static void binary(BinaryOp op, MemorySegment a, long aOff, long aStride,
                              MemorySegment b, long bOff, long bStride,
                              MemorySegment y, long yOff, long yStride, long n) {
        if (yStride != 1 || n == 0) {
            EltwiseScalar.binary(op, a, aOff, aStride, b, bOff, bStride, y, yOff, yStride, n);
        } else if (aStride == 1 && bStride == 1) {
            BinaryVectorOps.binary(op, a, aOff, b, bOff, y, yOff, n);
        } else if (aStride == 1 && bStride == 0) {
            BinaryVectorOps.binaryScalar(op, a, aOff, get(b, bOff), y, yOff, n);
        } else if (aStride == 0 && bStride == 1) {
            BinaryVectorOps.scalarBinary(op, get(a, aOff), b, bOff, y, yOff, n);
        } else if (aStride == 0 && bStride == 0) {
            fill(y, yOff, 1, EltwiseScalar.apply(op, get(a, aOff), get(b, bOff)), n);
        } else {
            EltwiseScalar.binary(op, a, aOff, aStride, b, bOff, bStride, y, yOff, yStride, n);
        }
    }

    /** {@code y[i] = op(x[i], s)}. */
    public static void binaryScalar(BinaryOp op, MemorySegment x, long xOff, long xStride, float s,
                                    MemorySegment y, long yOff, long yStride, long n) {
        if (xStride == 1 && yStride == 1) {
            BinaryVectorOps.binaryScalar(op, x, xOff, s, y, yOff, n);
        } else if (xStride == 0 && yStride == 1 && n > 0) {
            fill(y, yOff, 1, EltwiseScalar.apply(op, get(x, xOff), s), n);
        } else {
            EltwiseScalar.binaryScalar(op, x, xOff, xStride, s, y, yOff, yStride, n);
        }
    }

    /** {@code y[i] = op(s, x[i])}. */
    public static void scalarBinary(BinaryOp op, float s, MemorySegment x, long xOff, long xStride,
                                    MemorySegment y, long yOff, long yStride, long n) {
        if (xStride == 1 && yStride == 1) {
            BinaryVectorOps.scalarBinary(op, s, x, xOff, y, yOff, n);
        } else if (xStride == 0 && yStride == 1 && n > 0) {
            fill(y, yOff, 1, EltwiseScalar.apply(op, s, get(x, xOff)), n);
        } else {
            EltwiseScalar.scalarBinary(op, s, x, xOff, xStride, y, yOff, yStride, n);
        }
    }

    /** {@code y[i] = min(max(x[i], lo), hi)}, NaN propagating. */
    public static void clamp(MemorySegment x, long xOff, long xStride, float lo, float hi,
                             MemorySegment y, long yOff, long yStride, long n) {
        if (xStride != 1 || yStride != 1) {
            EltwiseScalar.clamp(x, xOff, xStride, lo, hi, y, yOff, yStride, n);
            return;
        }
        long bound = S.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            store(load(x, xOff + i).max(lo).min(hi), y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            store(load(x, xOff + i, m).max(lo).min(hi), y, yOff + i, m);
        }
    }

    /** {@code y[i] = cond[i] != 0 ? a[i] : b[i]} (a NaN condition selects {@code a}). */
    public static void where(MemorySegment cond, long cOff, long cStride, MemorySegment a, long aOff, long aStride,
                             MemorySegment b, long bOff, long bStride,
                             MemorySegment y, long yOff, long yStride, long n) {
        if (cStride != 1 || aStride != 1 || bStride != 1 || yStride != 1) {
            EltwiseScalar.where(cond, cOff, cStride, a, aOff, aStride, b, bOff, bStride, y, yOff, yStride, n);
            return;
        }
        long bound = S.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            VectorMask<Float> pick = load(cond, cOff + i).compare(VectorOperators.NE, 0f);
            store(load(b, bOff + i).blend(load(a, aOff + i), pick), y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            VectorMask<Float> pick = load(cond, cOff + i, m).compare(VectorOperators.NE, 0f);
            store(load(b, bOff + i, m).blend(load(a, aOff + i, m), pick), y, yOff + i, m);
        }
    }

    /** {@code y[i] = value}. */
    public static void fill(MemorySegment y, long yOff, long yStride, float value, long n) {
        if (yStride != 1) {
            EltwiseScalar.fill(y, yOff, yStride, value, n);
            return;
        }
        FloatVector v = FloatVector.broadcast(S, value);
        long bound = S.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            store(v, y, yOff + i);
        }
        if (i < n) {
            store(v, y, yOff + i, S.indexInRange(i, n));
        }
    }

    /** {@code y[i] = x[i]}; contiguous copies are one {@code MemorySegment.copy} (memmove). */
    public static void copy(MemorySegment x, long xOff, long xStride, MemorySegment y, long yOff, long yStride, long n) {
        EltwiseScalar.copy(x, xOff, xStride, y, yOff, yStride, n);
    }

    /** {@code y[i] = fma(alpha, x[i], y[i])}, bit-identical to {@link EltwiseScalar#axpy}. */
    public static void axpy(float alpha, MemorySegment x, long xOff, long xStride,
                            MemorySegment y, long yOff, long yStride, long n) {
        if (xStride != 1 || yStride != 1) {
            EltwiseScalar.axpy(alpha, x, xOff, xStride, y, yOff, yStride, n);
            return;
        }
        FloatVector av = FloatVector.broadcast(S, alpha);
        long bound = S.loopBound(n);
        long i = 0;
        for (; i < bound; i += L) {
            store(load(x, xOff + i).fma(av, load(y, yOff + i)), y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            store(load(x, xOff + i, m).fma(av, load(y, yOff + i, m)), y, yOff + i, m);
        }
    }
}
