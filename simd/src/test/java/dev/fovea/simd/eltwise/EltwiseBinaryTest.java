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

/**
 * {@link Eltwise#binary}, {@link Eltwise#binaryScalar} and {@link Eltwise#scalarBinary} on the
 * running path against the double reference, for contiguous, broadcast (stride 0), strided and
 * negative-stride operands.
 */
class EltwiseBinaryTest {
    private static final float GUARD = Float.intBitsToFloat(0x7f7f7f7f);

    /** Left operands; for POW a small base range so results stay finite often. */
    static float[] left(BinaryOp op, long seed, int n) {
        return op == BinaryOp.POW ? TestData.random(seed, n, -3f, 3f, 9) : TestData.random(seed, n, -1e4f, 1e4f, 7);
    }

    /** Right operands; equal to the left one every third element so that EQ/LE/GE are exercised. */
    static float[] right(BinaryOp op, float[] a, long seed) {
        float[] b = op == BinaryOp.POW ? TestData.random(seed, a.length, -9f, 9f, 9)
                : TestData.random(seed, a.length, -1e4f, 1e4f, 7);
        for (int i = 0; i < b.length; i++) {
            if (op == BinaryOp.POW && i % 2 == 0) {
                b[i] = Math.round(b[i]); // integer exponents give finite results for negative bases
            } else if (op != BinaryOp.POW && i % 3 == 0) {
                b[i] = a[i];
            }
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void contiguousMatchesReferenceAtEveryTail(BinaryOp op) {
        for (long n : TestData.sizes()) {
            float[] a = left(op, n, (int) n);
            float[] b = right(op, a, n + 1000);
            MemorySegment y = output(n + 3);
            Eltwise.binary(op, segment(a, 3), 3, 1, segment(b, 0), 0, 1, y, 1, 1, n);
            assertEquals(GUARD, get(y, 0));
            assertEquals(GUARD, get(y, n + 1), "wrote past the end, n=" + n);
            for (int i = 0; i < n; i++) {
                Reference.check(op + "(" + a[i] + ", " + b[i] + ") n=" + n, get(y, 1 + i),
                        Reference.binary(op, a[i], b[i]), Reference.ulps(op));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void scalarKernelMatchesReference(BinaryOp op) {
        float[] a = left(op, 1, 4099);
        float[] b = right(op, a, 2);
        MemorySegment y = output(a.length);
        EltwiseScalar.binary(op, segment(a, 0), 0, 1, segment(b, 0), 0, 1, y, 0, 1, a.length);
        for (int i = 0; i < a.length; i++) {
            // Math.pow is within 1 ulp in double, so after rounding to float at most 1 float ulp.
            Reference.check(op + "(" + a[i] + ", " + b[i] + ")", get(y, i), Reference.binary(op, a[i], b[i]),
                    Math.min(1, Reference.ulps(op)));
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void broadcastOperands(BinaryOp op) {
        for (long n : TestData.sizes()) {
            float[] a = left(op, n, (int) n + 1);
            float[] b = right(op, a, n + 7);
            MemorySegment as = segment(a, 0);
            MemorySegment bs = segment(b, 0);
            MemorySegment y = output(n);
            float a0 = a[(int) n];
            float b0 = b[(int) n];
            Eltwise.binary(op, as, 0, 1, bs, n, 0, y, 0, 1, n);
            checkAll(op, "b stride 0", y, n, i -> a[i], i -> b0);
            Eltwise.binary(op, as, n, 0, bs, 0, 1, y, 0, 1, n);
            checkAll(op, "a stride 0", y, n, i -> a0, i -> b[i]);
            Eltwise.binary(op, as, n, 0, bs, n, 0, y, 0, 1, n);
            checkAll(op, "both stride 0", y, n, i -> a0, i -> b0);
            Eltwise.binaryScalar(op, as, 0, 1, b0, y, 0, 1, n);
            checkAll(op, "binaryScalar", y, n, i -> a[i], i -> b0);
            Eltwise.scalarBinary(op, a0, bs, 0, 1, y, 0, 1, n);
            checkAll(op, "scalarBinary", y, n, i -> a0, i -> b[i]);
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void stridedAndNegativeStrides(BinaryOp op) {
        int n = 2 * TestData.lanes() + 3;
        float[] a = left(op, 11, 2 * n);
        float[] b = right(op, a, 12);
        MemorySegment y = output(3L * n);
        Eltwise.binary(op, segment(a, 0), 1, 2, segment(b, 0), 2L * n - 1, -1, y, 0, 3, n);
        for (int i = 0; i < n; i++) {
            Reference.check(op + " strided", get(y, 3L * i), Reference.binary(op, a[1 + 2 * i], b[2 * n - 1 - i]),
                    Reference.ulps(op));
            assertEquals(GUARD, get(y, 3L * i + 1));
        }
        Eltwise.binaryScalar(op, segment(a, 0), 0, 2, 1.5f, y, 0, 2, n);
        Eltwise.scalarBinary(op, -0.5f, segment(a, 0), 1, 2, y, 1, 2, n);
        for (int i = 0; i < n; i++) {
            Reference.check(op + " binaryScalar strided", get(y, 2L * i), Reference.binary(op, a[2 * i], 1.5f),
                    Reference.ulps(op));
            Reference.check(op + " scalarBinary strided", get(y, 2L * i + 1), Reference.binary(op, -0.5f, a[2 * i + 1]),
                    Reference.ulps(op));
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void everyPairOfSpecialValues(BinaryOp op) {
        float[] s = TestData.SPECIALS;
        int n = s.length * s.length;
        float[] a = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = s[i / s.length];
            b[i] = s[i % s.length];
        }
        MemorySegment y = output(n);
        Eltwise.binary(op, segment(a, 0), 0, 1, segment(b, 0), 0, 1, y, 0, 1, n);
        checkAll(op, "specials", y, n, i -> a[i], i -> b[i]);
    }

    @Test
    void inPlaceAccumulateOnTheIdenticalRange() {
        float[] a = TestData.random(3, 1000, -10f, 10f, 0);
        float[] b = TestData.random(4, 1000, -10f, 10f, 0);
        MemorySegment as = segment(a, 0);
        Eltwise.binary(BinaryOp.ADD, as, 0, 1, segment(b, 0), 0, 1, as, 0, 1, a.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] + b[i], get(as, i), "a += b in place at " + i);
        }
    }

    @Test
    void nanAndSignedZeroSemantics() {
        assertEquals(Float.NaN, one(BinaryOp.MAX, Float.NaN, 1f));
        assertEquals(Float.NaN, one(BinaryOp.MIN, 1f, Float.NaN));
        assertEquals(0f, one(BinaryOp.MAX, -0f, 0f));
        assertEquals(-0f, one(BinaryOp.MIN, 0f, -0f));
        assertEquals(1f, one(BinaryOp.POW, Float.NaN, 0f));
        assertEquals(1f, one(BinaryOp.POW, 1f, Float.NaN));
        assertEquals(1f, one(BinaryOp.POW, -1f, Float.NEGATIVE_INFINITY));
        assertEquals(Float.NaN, one(BinaryOp.POW, -2f, 0.5f));
        assertEquals(-8f, one(BinaryOp.POW, -2f, 3f));
        assertEquals(1f, one(BinaryOp.NE, Float.NaN, Float.NaN));
        assertEquals(0f, one(BinaryOp.EQ, Float.NaN, Float.NaN));
        assertEquals(1f, one(BinaryOp.EQ, 0f, -0f));
        assertEquals(0f, one(BinaryOp.GE, Float.NaN, 1f));
    }

    /** {@code op(a, b)} computed at the last lane of a full vector plus a tail, through the facade. */
    private static float one(BinaryOp op, float a, float b) {
        int n = TestData.lanes() + 1;
        float[] av = new float[n];
        float[] bv = new float[n];
        java.util.Arrays.fill(av, a);
        java.util.Arrays.fill(bv, b);
        MemorySegment y = output(n);
        Eltwise.binary(op, segment(av, 0), 0, 1, segment(bv, 0), 0, 1, y, 0, 1, n);
        assertEquals(Float.floatToIntBits(get(y, 0)), Float.floatToIntBits(get(y, n - 1)), "vector lane vs tail");
        return get(y, n - 1);
    }

    private static void checkAll(BinaryOp op, String what, MemorySegment y, long n,
                                 java.util.function.IntToDoubleFunction a, java.util.function.IntToDoubleFunction b) {
        for (int i = 0; i < n; i++) {
            float ai = (float) a.applyAsDouble(i);
            float bi = (float) b.applyAsDouble(i);
            Reference.check(op + " " + what + " (" + ai + ", " + bi + ") n=" + n + " i=" + i, get(y, i),
                    Reference.binary(op, ai, bi), Reference.ulps(op));
        }
    }
}
