package dev.fovea.simd.reduce;

import static dev.fovea.simd.eltwise.TestData.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.eltwise.TestData;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link Reduce} on the running path against references in double, at every tail and stride. */
class ReduceTest {
    /**
     * The documented bound of the blocked sums, in units of u = 2^-24 times sum|terms|: at most 63
     * float additions per accumulator lane, 2 to combine the accumulators, 1 final rounding (66),
     * plus 2 for the rounding of {@code x - mean} squared in sumSquaredDeviations. The double
     * stage adds 2^-53 per block and lane, negligible at these sizes.
     */
    private static final double BOUND_ULPS = 68;
    private static final double U = Math.ulp(1f) / 2;

    @Test
    void sumIsWithinTheStatedBoundAtEveryTailAndStride() {
        for (long n : TestData.sizes()) {
            float[] x = TestData.random(n, (int) n, -1f, 1f, 0);
            checkSum(x, n, Reduce.sum(segment(x, 3), 3, 1, n), i -> x[i]);
            int m = (int) (n + 2) / 3;
            checkSum(x, m, Reduce.sum(segment(x, 0), 0, 3, m), i -> x[3 * i]);
            checkSum(x, n, Reduce.sum(segment(x, 0), n - 1, -1, n), i -> x[(int) n - 1 - i]);
        }
    }

    @Test
    void longSumsStayAccurateWhereARunningFloatDrifts() {
        // 3 million times 0.1f: a single running float sum gives 290774.78, 3.1% low (numpy float32
        // cumsum), as the sum's ulp grows toward the addend; the blocked sum must stay within ~66 u.
        float v = 0.1f;
        long n = 3_000_000;
        double exact = (double) v * n;
        MemorySegment one = segment(new float[] {v}, 0);
        float broadcast = Reduce.sum(one, 0, 0, n);
        assertTrue(Math.abs(broadcast - exact) <= BOUND_ULPS * U * exact, "stride-0 sum " + broadcast + " vs " + exact);
        float[] x = new float[1 << 20];
        java.util.Arrays.fill(x, v);
        float contiguous = Reduce.sum(segment(x, 0), 0, 1, x.length);
        double exact2 = (double) v * x.length;
        assertTrue(Math.abs(contiguous - exact2) <= BOUND_ULPS * U * exact2, "sum " + contiguous + " vs " + exact2);
    }

    @Test
    void sumOrderDependsOnlyOnN() {
        float[] x = TestData.random(5, 4099, -100f, 100f, 0);
        float at0 = Reduce.sum(segment(x, 0), 0, 1, x.length);
        float at1 = Reduce.sum(segment(x, 1), 1, 1, x.length); // misaligned by one float
        float again = Reduce.sum(segment(x, 7), 7, 1, x.length);
        assertEquals(Float.floatToRawIntBits(at0), Float.floatToRawIntBits(at1));
        assertEquals(Float.floatToRawIntBits(at0), Float.floatToRawIntBits(again));
    }

    @Test
    void sumsPropagateNanAndInfinity() {
        for (long n : TestData.sizes()) {
            if (n == 0) {
                assertEquals(0f, Reduce.sum(segment(new float[0], 0), 0, 1, 0));
                continue;
            }
            float[] x = TestData.random(n, (int) n, -1f, 1f, 0);
            x[(int) n - 1] = Float.POSITIVE_INFINITY;
            assertEquals(Float.POSITIVE_INFINITY, Reduce.sum(segment(x, 0), 0, 1, n));
            x[0] = Float.NaN;
            assertTrue(Float.isNaN(Reduce.sum(segment(x, 0), 0, 1, n)));
            assertTrue(Float.isNaN(Reduce.dot(segment(x, 0), 0, 1, segment(x, 0), 0, 1, n)));
            assertTrue(Float.isNaN(Reduce.sumSquaredDeviations(segment(x, 0), 0, 1, n, 0f)));
        }
    }

    @Test
    void dotAndSumSquaredDeviationsAreWithinTheBound() {
        for (long n : TestData.sizes()) {
            float[] a = TestData.random(n, (int) n, -3f, 3f, 0);
            float[] b = TestData.random(n + 1, (int) n, -3f, 3f, 0);
            double exact = 0;
            double abs = 0;
            double mean = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) a[i] * b[i];
                abs += Math.abs((double) a[i] * b[i]);
                mean += a[i];
            }
            float dot = Reduce.dot(segment(a, 1), 1, 1, segment(b, 0), 0, 1, n);
            assertTrue(Math.abs(dot - exact) <= BOUND_ULPS * U * abs + Float.MIN_VALUE, "dot n=" + n);
            float dotStrided = Reduce.dot(segment(a, 0), n - 1, -1, segment(b, 0), 0, 1, n);
            double exactRev = 0;
            for (int i = 0; i < n; i++) {
                exactRev += (double) a[(int) n - 1 - i] * b[i];
            }
            assertTrue(Math.abs(dotStrided - exactRev) <= BOUND_ULPS * U * abs + Float.MIN_VALUE, "dot strided n=" + n);
            float m = n == 0 ? 0f : (float) (mean / n);
            double ssd = 0;
            for (int i = 0; i < n; i++) {
                ssd += ((double) a[i] - m) * ((double) a[i] - m);
            }
            float got = Reduce.sumSquaredDeviations(segment(a, 0), 0, 1, n, m);
            assertTrue(Math.abs(got - ssd) <= BOUND_ULPS * U * ssd + Float.MIN_VALUE, "ssd n=" + n + ": " + got + " vs " + ssd);
            float gotStrided = Reduce.sumSquaredDeviations(segment(a, 0), 0, 2, (n + 1) / 2, m);
            double ssd2 = 0;
            for (int i = 0; i < n; i += 2) {
                ssd2 += ((double) a[i] - m) * ((double) a[i] - m);
            }
            assertTrue(Math.abs(gotStrided - ssd2) <= BOUND_ULPS * U * ssd2 + Float.MIN_VALUE, "ssd stride 2 n=" + n);
        }
    }

    private static void checkSum(float[] data, long n, float got, java.util.function.IntToDoubleFunction x) {
        double exact = 0;
        double abs = 0;
        for (int i = 0; i < n; i++) {
            exact += x.applyAsDouble(i);
            abs += Math.abs(x.applyAsDouble(i));
        }
        assertTrue(Math.abs(got - exact) <= BOUND_ULPS * U * abs,
                "sum of " + n + " (" + TestData.head(data) + "): got " + got + ", exact " + exact);
    }

    @Test
    void badArgumentsAreRejected() {
        MemorySegment s = segment(new float[4], 0);
        assertBad("Reduce.max", "n must be >= 1", () -> Reduce.max(s, 0, 1, 0));
        assertBad("Reduce.argmin", "n must be >= 1", () -> Reduce.argmin(s, 0, 1, 0));
        assertBad("Reduce.sum", "n must be >= 0", () -> Reduce.sum(s, 0, 1, -2));
        assertBad("Reduce.sum", "x holds 7 floats", () -> Reduce.sum(s, 0, 1, 8));
        assertBad("Reduce.dot", "b holds", () -> Reduce.dot(s, 0, 1, s, 1, 1, 7));
        assertBad("Reduce.sumSquaredDeviations", "xOff=-1", () -> Reduce.sumSquaredDeviations(s, -1, 1, 2, 0f));
        assertBad("Reduce.argmax", "overflows", () -> Reduce.argmax(s, 1, Long.MIN_VALUE, 3));
    }

    private static void assertBad(String kernel, String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(kernel + ":") && e.getMessage().contains(fragment), e.getMessage());
    }
}
