package dev.fovea.simd.eltwise;

import static dev.fovea.simd.eltwise.TestData.get;
import static dev.fovea.simd.eltwise.TestData.output;
import static dev.fovea.simd.eltwise.TestData.same;
import static dev.fovea.simd.eltwise.TestData.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** clamp, where, fill, copy and axpy at every tail and stride, and argument validation of all kernels. */
class EltwiseTest {
    private static final float GUARD = Float.intBitsToFloat(0x7f7f7f7f);

    @Test
    void clampMatchesPyTorch() {
        float[][] bounds = {{-1f, 1f}, {0f, Float.POSITIVE_INFINITY}, {2f, -2f}, {Float.NaN, 1f}, {-0f, 0f}};
        for (long n : TestData.sizes()) {
            float[] x = TestData.random(n, (int) n, -3f, 3f, 5);
            for (float[] lh : bounds) {
                MemorySegment y = output(n + 1);
                Eltwise.clamp(segment(x, 1), 1, 1, lh[0], lh[1], y, 0, 1, n);
                assertEquals(GUARD, get(y, n));
                for (int i = 0; i < n; i++) {
                    // PyTorch: min(max(x, lo), hi); NaN anywhere propagates; lo > hi gives hi.
                    double ref = Math.min(Math.max((double) x[i], lh[0]), lh[1]);
                    Reference.check("clamp(" + x[i] + ", " + lh[0] + ", " + lh[1] + ")", get(y, i), ref, 0);
                }
            }
        }
    }

    @Test
    void whereSelectsWithNanAsTrue() {
        for (long n : TestData.sizes()) {
            float[] c = TestData.random(n, (int) n, -1f, 1f, 2);
            for (int i = 0; i < n; i += 3) {
                c[i] = i % 2 == 0 ? 0f : -0f;
            }
            float[] a = TestData.random(n + 1, (int) n, -9f, 9f, 4);
            float[] b = TestData.random(n + 2, (int) n, -9f, 9f, 4);
            MemorySegment y = output(n + 1);
            Eltwise.where(segment(c, 0), 0, 1, segment(a, 2), 2, 1, segment(b, 0), 0, 1, y, 0, 1, n);
            assertEquals(GUARD, get(y, n));
            for (int i = 0; i < n; i++) {
                float expected = c[i] != 0f ? a[i] : b[i]; // NaN != 0 is true, like bool(nan) in PyTorch
                assertTrue(same(expected, get(y, i)), "where n=" + n + " i=" + i + " c=" + c[i]);
            }
            if (n > 0) {
                Eltwise.where(segment(c, 0), 0, 1, segment(a, 0), 0, 1, segment(b, 0), 0, 0, y, 0, 1, n);
                for (int i = 0; i < n; i++) {
                    assertTrue(same(c[i] != 0f ? a[i] : b[0], get(y, i)), "where broadcast b, i=" + i);
                }
            }
        }
    }

    @Test
    void fillAndCopyAtEveryTailAndStride() {
        for (long n : TestData.sizes()) {
            MemorySegment y = output(2 * n + 2);
            Eltwise.fill(y, 1, 1, -0f, n);
            Eltwise.fill(y, n + 1, 1, 3.5f, n);
            assertEquals(GUARD, get(y, 0));
            assertEquals(GUARD, get(y, 2 * n + 1));
            for (int i = 0; i < n; i++) {
                assertTrue(same(-0f, get(y, 1 + i)));
                assertEquals(3.5f, get(y, n + 1 + i));
            }
            float[] x = TestData.random(n, (int) n, -5f, 5f, 3);
            MemorySegment z = output(2 * n + 1);
            Eltwise.copy(segment(x, 0), 0, 1, z, 1, 2, n);
            Eltwise.fill(z, 0, 2, 7f, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(get(z, 1 + 2L * i)), "copy keeps bits");
                assertEquals(7f, get(z, 2L * i));
            }
        }
    }

    @Test
    void copyOfOverlappingContiguousRangesIsAMemmove() {
        float[] x = TestData.random(1, 100, -5f, 5f, 0);
        MemorySegment s = segment(x, 0);
        Eltwise.copy(s, 0, 1, s, 3, 1, 97);
        for (int i = 0; i < 97; i++) {
            assertEquals(x[i], get(s, 3 + i));
        }
    }

    @Test
    void axpyIsOneFusedMultiplyAddPerElement() {
        for (long n : TestData.sizes()) {
            float[] x = TestData.random(n, (int) n, -5f, 5f, 11);
            float[] y0 = TestData.random(n + 9, (int) n, -5f, 5f, 11);
            MemorySegment y = segment(y0, 0);
            Eltwise.axpy(0.3f, segment(x, 0), 0, 1, y, 0, 1, n);
            MemorySegment ys = segment(y0, 0);
            Eltwise.axpy(0.3f, segment(x, 0), n - 1, -1, ys, 0, 1, n);
            for (int i = 0; i < n; i++) {
                // An fma is correctly rounded: the exact a*x+y rounded once, identical on every path.
                assertTrue(same(Math.fma(0.3f, x[i], y0[i]), get(y, i)), "axpy n=" + n + " i=" + i);
                assertTrue(same(Math.fma(0.3f, x[(int) n - 1 - i], y0[i]), get(ys, i)), "axpy reversed x, i=" + i);
            }
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheKernelAndArgumentNamed() {
        MemorySegment s = output(10);
        assertBad("Eltwise.unary", "n must be >= 0", () -> Eltwise.unary(UnaryOp.EXP, s, 0, 1, s, 0, 1, -1));
        assertBad("Eltwise.unary", "x holds 10 floats", () -> Eltwise.unary(UnaryOp.EXP, s, 1, 1, s, 0, 1, 10));
        assertBad("Eltwise.unary", "yStride must be positive", () -> Eltwise.unary(UnaryOp.EXP, s, 0, 1, s, 9, -1, 3));
        assertBad("Eltwise.fill", "yStride must be positive", () -> Eltwise.fill(s, 0, 0, 1f, 2));
        assertBad("Eltwise.binary", "b holds", () -> Eltwise.binary(BinaryOp.ADD, s, 0, 1, s, -1, 1, s, 0, 1, 2));
        assertBad("Eltwise.binary", "overflows",
                () -> Eltwise.binary(BinaryOp.ADD, s, 0, Long.MAX_VALUE / 2, s, 0, 1, s, 0, 1, 4));
        assertBad("Eltwise.binaryScalar", "x holds", () -> Eltwise.binaryScalar(BinaryOp.ADD, s, 0, 2, 1f, s, 0, 1, 6));
        assertBad("Eltwise.scalarBinary", "y holds", () -> Eltwise.scalarBinary(BinaryOp.ADD, 1f, s, 0, 1, s, 5, 1, 6));
        assertBad("Eltwise.clamp", "x holds", () -> Eltwise.clamp(s, 0, 1, 0f, 1f, s, 0, 1, 11));
        assertBad("Eltwise.where", "c holds", () -> Eltwise.where(s, 0, 4, s, 0, 1, s, 0, 1, s, 0, 1, 4));
        assertBad("Eltwise.copy", "y holds", () -> Eltwise.copy(s, 0, 1, s, 1, 1, 10));
        assertBad("Eltwise.axpy", "x holds", () -> Eltwise.axpy(1f, s, 9, 1, s, 0, 1, 2));
        assertBad("Eltwise.unary", "read-only",
                () -> Eltwise.unary(UnaryOp.EXP, s, 0, 1, s.asReadOnly(), 0, 1, 1));
        MemorySegment tiny = Arena.ofAuto().allocate(7); // one float and 3 stray bytes
        assertBad("Eltwise.fill", "y holds 1 floats", () -> Eltwise.fill(tiny, 0, 1, 0f, 2));
        assertThrows(NullPointerException.class, () -> Eltwise.unary(null, s, 0, 1, s, 0, 1, 1));
        assertThrows(NullPointerException.class, () -> Eltwise.copy(null, 0, 1, s, 0, 1, 1));
    }

    @Test
    void emptyRangesTouchNothingAndAcceptAnyOffset() {
        MemorySegment s = output(1);
        Eltwise.unary(UnaryOp.EXP, s, 99, -3, s, 1234, 0, 0);
        Eltwise.fill(s, -5, 1, 1f, 0);
        assertEquals(GUARD, get(s, 0));
    }

    private static void assertBad(String kernel, String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(kernel + ":"), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }
}
