package dev.fovea.simd.eltwise;

import static dev.fovea.simd.eltwise.TestData.get;
import static dev.fovea.simd.eltwise.TestData.output;
import static dev.fovea.simd.eltwise.TestData.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.simd.eltwise.impl.EltwiseScalar;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Eltwise#unary} on the running path (vector or scalar) against the double reference. */
class EltwiseUnaryTest {
    /** Guard pattern written around outputs: a kernel must not touch it. */
    private static final float GUARD = Float.intBitsToFloat(0x7f7f7f7f);

    /** Inputs spanning each op's interesting range: overflow/underflow for EXP, x <= 0 for LOG... */
    static float[] input(UnaryOp op, long seed, int n) {
        return switch (op) {
            case EXP, SIGMOID -> TestData.random(seed, n, -104f, 92f, 9);
            case LOG -> TestData.random(seed, n, -1f, 3f, 9);
            case TANH -> TestData.random(seed, n, -12f, 12f, 9);
            case RECIPROCAL, RSQRT, SQRT -> TestData.random(seed, n, -1e3f, 1e6f, 9);
            default -> TestData.random(seed, n, -1e19f, 1e19f, 7);
        };
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void contiguousMatchesReferenceAtEveryTail(UnaryOp op) {
        for (long n : TestData.sizes()) {
            float[] x = input(op, n * 31 + op.ordinal(), (int) n);
            MemorySegment xs = segment(x, 5);
            MemorySegment y = output(n + 4);
            Eltwise.unary(op, xs, 5, 1, y, 2, 1, n);
            assertEquals(GUARD, get(y, 0));
            assertEquals(GUARD, get(y, 1));
            assertEquals(GUARD, get(y, n + 2), "wrote past the end, n=" + n);
            for (int i = 0; i < n; i++) {
                Reference.check(op + "(" + x[i] + ") n=" + n + " i=" + i, get(y, 2 + i),
                        Reference.unary(op, x[i]), Reference.ulps(op));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void scalarKernelMatchesReference(UnaryOp op) {
        float[] x = input(op, 7, 4099);
        MemorySegment y = output(x.length);
        EltwiseScalar.unary(op, segment(x, 0), 0, 1, y, 0, 1, x.length);
        for (int i = 0; i < x.length; i++) {
            Reference.check(op + "(" + x[i] + ")", get(y, i), Reference.unary(op, x[i]), Reference.ulps(op));
        }
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void stridedNegativeAndBroadcastStrides(UnaryOp op) {
        int n = 2 * TestData.lanes() + 3;
        float[] x = input(op, 99, 3 * n);
        MemorySegment xs = segment(x, 0);
        MemorySegment y = output(2L * n);
        Eltwise.unary(op, xs, 1, 3, y, 0, 2, n);
        for (int i = 0; i < n; i++) {
            Reference.check(op + " stride 3", get(y, 2L * i), Reference.unary(op, x[1 + 3 * i]), Reference.ulps(op));
            assertEquals(GUARD, get(y, 2L * i + 1), "stride-2 output must skip odd elements");
        }
        Eltwise.unary(op, xs, 3L * n - 1, -3, y, 0, 1, n);
        for (int i = 0; i < n; i++) {
            Reference.check(op + " stride -3", get(y, i), Reference.unary(op, x[3 * n - 1 - 3 * i]), Reference.ulps(op));
        }
        Eltwise.unary(op, xs, 4, 0, y, 0, 1, n);
        for (int i = 0; i < n; i++) {
            Reference.check(op + " stride 0", get(y, i), Reference.unary(op, x[4]), Reference.ulps(op));
        }
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void inPlaceOnTheIdenticalRange(UnaryOp op) {
        float[] x = input(op, 5, 1000);
        MemorySegment s = segment(x, 1);
        Eltwise.unary(op, s, 1, 1, s, 1, 1, x.length);
        for (int i = 0; i < x.length; i++) {
            Reference.check(op + " in place", get(s, 1 + i), Reference.unary(op, x[i]), Reference.ulps(op));
        }
    }

    @Test
    void specialValuesFollowPyTorch() {
        float nan = Float.NaN;
        assertUnary(UnaryOp.RELU, nan, nan);
        assertUnary(UnaryOp.RELU, -0f, 0f);
        assertUnary(UnaryOp.RELU, -3f, 0f);
        assertUnary(UnaryOp.SIGN, 0f, 0f);
        assertUnary(UnaryOp.SIGN, -0f, 0f);
        assertUnary(UnaryOp.SIGN, nan, 0f); // torch.sign(nan) == 0 (pytorch#41245)
        assertUnary(UnaryOp.SIGN, Float.NEGATIVE_INFINITY, -1f);
        assertUnary(UnaryOp.SQRT, -0f, -0f);
        assertUnary(UnaryOp.SQRT, -1f, nan);
        assertUnary(UnaryOp.RSQRT, 0f, Float.POSITIVE_INFINITY);
        assertUnary(UnaryOp.RSQRT, -0f, Float.NEGATIVE_INFINITY);
        assertUnary(UnaryOp.LOG, 0f, Float.NEGATIVE_INFINITY);
        assertUnary(UnaryOp.LOG, -1f, nan);
        assertUnary(UnaryOp.EXP, Float.NEGATIVE_INFINITY, 0f);
        assertUnary(UnaryOp.EXP, 100f, Float.POSITIVE_INFINITY);
        assertUnary(UnaryOp.SIGMOID, -200f, 0f);
        assertUnary(UnaryOp.SIGMOID, 200f, 1f);
        assertUnary(UnaryOp.TANH, Float.POSITIVE_INFINITY, 1f);
        assertUnary(UnaryOp.NEG, 0f, -0f);
        assertUnary(UnaryOp.ABS, -0f, 0f);
    }

    /** Checks {@code op(x) == expected} at every lane position of a vector and in a tail. */
    private static void assertUnary(UnaryOp op, float x, float expected) {
        int n = 2 * TestData.lanes() + 3;
        float[] v = new float[n];
        java.util.Arrays.fill(v, x);
        MemorySegment y = output(n);
        Eltwise.unary(op, segment(v, 0), 0, 1, y, 0, 1, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(get(y, i)),
                    op + "(" + x + ") at " + i + " gave " + get(y, i) + ", expected " + expected);
        }
    }
}
