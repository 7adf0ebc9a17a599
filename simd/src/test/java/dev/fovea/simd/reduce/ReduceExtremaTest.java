package dev.fovea.simd.reduce;

import static dev.fovea.simd.eltwise.TestData.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.simd.eltwise.TestData;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * max, min, argmax and argmin on the running path against a plain reference loop. These are exact
 * (no rounding), so results must match bit for bit, NaN included.
 */
class ReduceExtremaTest {

    /** PyTorch semantics: NaN wins; ties go to the first index; -0 and +0 tie for argmax, max(-0, +0) = +0. */
    private static float refMax(float[] x, int off, int stride, int n, boolean isMax) {
        float m = x[off];
        for (int i = 1; i < n; i++) {
            m = isMax ? Math.max(m, x[off + i * stride]) : Math.min(m, x[off + i * stride]);
        }
        return m;
    }

    private static long refArg(float[] x, int off, int stride, int n, boolean isMax) {
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(x[off + i * stride])) {
                return i;
            }
        }
        int best = 0;
        for (int i = 1; i < n; i++) {
            float v = x[off + i * stride];
            float b = x[off + best * stride];
            if (isMax ? v > b : v < b) {
                best = i;
            }
        }
        return best;
    }

    private static void checkAll(float[] x, int off, int stride, int n, String what) {
        MemorySegment s = segment(x, 0);
        String at = what + " n=" + n + " stride=" + stride + " " + TestData.head(x);
        assertEquals(Float.floatToIntBits(refMax(x, off, stride, n, true)),
                Float.floatToIntBits(Reduce.max(s, off, stride, n)), "max " + at);
        assertEquals(Float.floatToIntBits(refMax(x, off, stride, n, false)),
                Float.floatToIntBits(Reduce.min(s, off, stride, n)), "min " + at);
        assertEquals(refArg(x, off, stride, n, true), Reduce.argmax(s, off, stride, n), "argmax " + at);
        assertEquals(refArg(x, off, stride, n, false), Reduce.argmin(s, off, stride, n), "argmin " + at);
    }

    @Test
    void randomDataAtEveryTailAndStride() {
        for (long nl : TestData.sizes()) {
            int n = (int) nl;
            if (n == 0) {
                continue;
            }
            float[] x = TestData.random(n, n, -50f, 50f, 0);
            checkAll(x, 0, 1, n, "random");
            checkAll(x, n - 1, -1, n, "reversed");
            if (n >= 2) {
                checkAll(x, 1, 2, n / 2, "stride 2");
            }
            checkAll(x, 0, 0, n, "broadcast");
            for (int i = 0; i < n; i++) {
                x[i] = Math.round(x[i] / 20f); // few distinct values: many ties
            }
            checkAll(x, 0, 1, n, "ties");
        }
    }

    @Test
    void nanAtEveryPositionWins() {
        int n = 3 * TestData.lanes() + 2;
        for (int p = 0; p < n; p++) {
            float[] x = TestData.random(p, n, -1f, 1f, 0);
            x[p] = Float.NaN;
            if (p + 2 < n) {
                x[p + 2] = Float.NaN; // the first NaN must win
            }
            checkAll(x, 0, 1, n, "NaN at " + p);
        }
    }

    @Test
    void infinitiesAndSignedZeros() {
        int n = 2 * TestData.lanes() + 3;
        float[] x = new float[n];
        java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY);
        checkAll(x, 0, 1, n, "all -Inf");
        java.util.Arrays.fill(x, -0f);
        x[n - 1] = 0f;
        checkAll(x, 0, 1, n, "zeros");
        assertEquals(0L, Reduce.argmax(segment(x, 0), 0, 1, n), "-0 and +0 tie: the first index wins");
        x[n - 2] = Float.POSITIVE_INFINITY;
        x[n - 3] = Float.NEGATIVE_INFINITY;
        checkAll(x, 0, 1, n, "infinities in the tail");
    }
}
