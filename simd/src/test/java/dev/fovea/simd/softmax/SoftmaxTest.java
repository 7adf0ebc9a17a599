package dev.fovea.simd.softmax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The softmax kernels (the vector path at the width this run uses, or the scalar path) against
 * double-precision loops written from the definitions, against the scalar reference, across thread
 * counts, in place, on extreme and special values, and their argument checks. The surefire
 * executions of this module run the class at 512 and 256 bits and on the scalar path.
 *
 * <p><b>Tolerances</b> ({@code u = 2^-24}), from the error analysis of the float32 steps against
 * exact results of the same float inputs: {@code x - m} rounds once ({@code u |x - m|}, which
 * {@code exp} turns into a relative error of the same size), {@code exp}/{@code log} are within
 * 1 ulp ({@code 2u}), a sum of {@code k} same-signed terms summed in float has relative error at
 * most {@code k u} ({@code k = dim} across columns, 64 + lanes for blocked rows; double sums add
 * nothing), and each remaining operation rounds once. {@link #sumTerms} bounds {@code k}; the
 * per-element bounds below add these terms, scaled by the magnitudes they multiply.
 */
class SoftmaxTest {
    private static final double U = 0x1p-24;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static ComputeContext one;
    private static ComputeContext two;

    @BeforeAll
    static void contexts() {
        one = ComputeContext.create(1);
        two = ComputeContext.create(2);
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
    }

    private static final long[][] SHAPES = {
        {1, 1, 1}, {3, 1, 1}, {2, 5, 1}, {4, 15, 1}, {3, 16, 1}, {2, 17, 1}, {2, 31, 1}, {1, 33, 1}, {5, 100, 1},
        {1, 1000, 1}, {1, 1025, 1}, {2, 2100, 1}, {40, 10, 1}, {1, 3, 2}, {2, 4, 3}, {3, 7, 15}, {2, 5, 16},
        {2, 9, 17}, {1, 12, 33}, {2, 3, 100}, {1, 6, 257}, {2, 2, 300}, {1, 40, 5}, {7, 1, 9}, {1, 300, 1},
        {64, 1000, 1}, {2, 64, 300}};

    @Test
    void forwardMatchesDoubleLoopsAndTheReference() {
        int seed = 0;
        for (long[] s : SHAPES) {
            for (boolean log : new boolean[] {false, true}) {
                long n = s[0] * s[1] * s[2];
                MemorySegment x = random(n, ++seed, 4);
                MemorySegment y1 = floats(n);
                MemorySegment y2 = floats(n);
                MemorySegment ref = floats(n);
                Softmax.forward(log, x, 0, y1, 0, s[0], s[1], s[2], one);
                Softmax.forward(log, x, 0, y2, 0, s[0], s[1], s[2], two);
                Softmax.forwardReference(log, x, 0, ref, 0, s[0], s[1], s[2]);
                String what = (log ? "log_softmax " : "softmax ") + java.util.Arrays.toString(s);
                assertIdentical(what + " 1 vs 2 threads", y1, y2, n);
                checkForward(what, log, x, y1, s);
                checkForward(what + " reference", log, x, ref, s);
            }
        }
    }

    @Test
    void backwardMatchesDoubleLoopsAndTheReference() {
        int seed = 100;
        for (long[] s : SHAPES) {
            for (boolean log : new boolean[] {false, true}) {
                long n = s[0] * s[1] * s[2];
                MemorySegment y = floats(n);
                Softmax.forwardReference(log, random(n, ++seed, 3), 0, y, 0, s[0], s[1], s[2]);
                MemorySegment g = random(n, ++seed, 2);
                MemorySegment dx1 = floats(n);
                MemorySegment dx2 = floats(n);
                MemorySegment ref = floats(n);
                Softmax.backward(log, y, 0, g, 0, dx1, 0, s[0], s[1], s[2], one);
                Softmax.backward(log, y, 0, g, 0, dx2, 0, s[0], s[1], s[2], two);
                Softmax.backwardReference(log, y, 0, g, 0, ref, 0, s[0], s[1], s[2]);
                String what = (log ? "log_softmax backward " : "softmax backward ") + java.util.Arrays.toString(s);
                assertIdentical(what + " 1 vs 2 threads", dx1, dx2, n);
                checkBackward(what, log, y, g, dx1, s);
                checkBackward(what + " reference", log, y, g, ref, s);
            }
        }
    }

    @Test
    void offsetsAndInPlace() {
        long[] s = {3, 37, 2};
        long n = s[0] * s[1] * s[2];
        for (boolean log : new boolean[] {false, true}) {
            MemorySegment x = random(n + 5, 7, 4);
            MemorySegment out = floats(n + 9);
            Softmax.forward(log, x, 5, out, 9, s[0], s[1], s[2], two);
            MemorySegment inPlace = floats(n + 5);
            MemorySegment.copy(x, 0, inPlace, 0, x.byteSize());
            Softmax.forward(log, inPlace, 5, inPlace, 5, s[0], s[1], s[2], two);
            assertIdentical("in place " + log, out.asSlice(9L * Float.BYTES), inPlace.asSlice(5L * Float.BYTES), n);
            checkForward("offsets " + log, log, x.asSlice(5L * Float.BYTES), out.asSlice(9L * Float.BYTES), s);
            MemorySegment g = random(n, 8, 1);
            MemorySegment dx = floats(n);
            Softmax.backward(log, out, 9, g, 0, dx, 0, s[0], s[1], s[2], one);
            Softmax.backward(log, out, 9, g, 0, g, 0, s[0], s[1], s[2], one);
            assertIdentical("backward in place " + log, dx, g, n);
        }
    }

    @Test
    void extremeLogitsStayFiniteAndExact() {
        // Rows of +-1e4 logits: exp of the shifted values is exactly 1 or 0, so the results are exact.
        float[] row = {1e4f, -1e4f, 0f, 1e4f, -3e4f, 5f};
        for (long[] s : new long[][] {{1, 6, 1}, {1, 6, 20}}) {
            long inner = s[2];
            MemorySegment x = floats(6 * inner);
            for (int d = 0; d < 6; d++) {
                for (long i = 0; i < inner; i++) {
                    x.setAtIndex(F, d * inner + i, row[d]);
                }
            }
            MemorySegment y = floats(6 * inner);
            MemorySegment ly = floats(6 * inner);
            Softmax.forward(false, x, 0, y, 0, 1, 6, inner, one);
            Softmax.forward(true, x, 0, ly, 0, 1, 6, inner, one);
            float logTwo = (float) Math.log(2);
            float[] softmax = {0.5f, 0f, 0f, 0.5f, 0f, 0f};
            float[] logSoftmax = {-logTwo, -2e4f - logTwo, -1e4f - logTwo, -logTwo, -4e4f - logTwo, 5f - 1e4f - logTwo};
            for (int d = 0; d < 6; d++) {
                for (long i = 0; i < inner; i++) {
                    assertEquals(softmax[d], y.getAtIndex(F, d * inner + i), 0, "softmax element " + d);
                    assertEquals(logSoftmax[d], ly.getAtIndex(F, d * inner + i), Math.ulp(logSoftmax[d]),
                            "log_softmax element " + d);
                }
            }
        }
    }

    @Test
    void specialValuesFollowPyTorch() {
        float inf = Float.POSITIVE_INFINITY;
        float[][] rows = {{-inf, -inf, -inf}, {1f, Float.NaN, 2f}, {inf, 1f, 2f}, {-inf, 0f, -inf}};
        float nan = Float.NaN;
        // torch.softmax / torch.log_softmax of these rows (torch 1.13).
        float[][] softmax = {{nan, nan, nan}, {nan, nan, nan}, {nan, nan, nan}, {0f, 1f, 0f}};
        float[][] logSoftmax = {{nan, nan, nan}, {nan, nan, nan}, {nan, nan, nan}, {-inf, 0f, -inf}};
        for (int r = 0; r < rows.length; r++) {
            MemorySegment x = floats(3);
            for (int d = 0; d < 3; d++) {
                x.setAtIndex(F, d, rows[r][d]);
            }
            for (boolean log : new boolean[] {false, true}) {
                MemorySegment y = floats(3);
                Softmax.forward(log, x, 0, y, 0, 1, 3, 1, one);
                for (int d = 0; d < 3; d++) {
                    assertEquals((log ? logSoftmax : softmax)[r][d], y.getAtIndex(F, d), 0,
                            "row " + r + " element " + d + (log ? " log_softmax" : " softmax"));
                }
            }
        }
    }

    @Test
    void argumentsAreCheckedFirst() {
        MemorySegment x = floats(12);
        MemorySegment y = floats(12);
        assertMessage(() -> Softmax.forward(false, x, 0, y, 0, 2, -3, 2, one), "softmax", "dim=-3");
        assertMessage(() -> Softmax.forward(true, x, 0, y, 1, 2, 3, 2, one), "log_softmax", "y needs 12 floats from offset 1");
        assertMessage(() -> Softmax.forward(true, null, 0, y, 0, 2, 3, 2, one), "log_softmax", "x segment");
        assertMessage(() -> Softmax.forward(false, x, 0, y.asReadOnly(), 0, 2, 3, 2, one), "softmax", "read-only");
        assertMessage(() -> Softmax.backward(false, x, 0, y, 0, floats(11), 0, 2, 3, 2, one), "softmax backward",
                "dx needs 12 floats");
        assertMessage(() -> Softmax.backward(true, x, 0, y, -1, y, 0, 2, 3, 2, one), "log_softmax backward",
                "g needs 12 floats from offset -1");
        assertMessage(() -> Softmax.forward(false, x, 0, y, 0, Long.MAX_VALUE, 3, 2, one), "softmax", "overflows");
        Softmax.forward(false, x, 0, y, 0, 4, 0, 3, one);
        assertEquals(0f, y.getAtIndex(F, 0), "an empty softmax writes nothing");
    }

    // ------------------------------------------------------------------ checks against double loops

    /** Sum terms in float per lane on any path: the dim (columns) or 64 blocked vectors plus 16 lanes. */
    private static long sumTerms(long dim, long inner) {
        return inner == 1 ? Math.min(dim, SoftmaxVector.BLOCK_VECTORS + 16) : dim;
    }

    private static void checkForward(String what, boolean log, MemorySegment x, MemorySegment y, long[] s) {
        long outer = s[0], dim = s[1], inner = s[2];
        long k = sumTerms(dim, inner);
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                long base = o * dim * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (long d = 0; d < dim; d++) {
                    m = Math.max(m, x.getAtIndex(F, base + d * inner));
                }
                double sum = 0;
                double termErrors = 0;
                for (long d = 0; d < dim; d++) {
                    double shifted = x.getAtIndex(F, base + d * inner) - m;
                    sum += Math.exp(shifted);
                    termErrors += Math.exp(shifted) * (Math.abs(shifted) + 2);
                }
                // Relative error of the float sum: its terms' own errors, k additions, the rounding to float.
                double sumError = (termErrors / sum + k + 1) * U;
                for (long d = 0; d < dim; d++) {
                    double shifted = x.getAtIndex(F, base + d * inner) - m;
                    double ref = log ? shifted - Math.log(sum) : Math.exp(shifted) / sum;
                    double bound = log
                            ? (Math.abs(shifted) + 2 * Math.log(sum) + Math.abs(ref)) * U + sumError
                            : ((Math.abs(shifted) + 3) * U + sumError) * ref;
                    check(what, base + d * inner, y.getAtIndex(F, base + d * inner), ref, bound);
                }
            }
        }
    }

    private static void checkBackward(String what, boolean log, MemorySegment y, MemorySegment g, MemorySegment dx,
                                      long[] s) {
        long outer = s[0], dim = s[1], inner = s[2];
        long k = sumTerms(dim, inner);
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                long base = o * dim * inner + i;
                double sum = 0;
                double magnitude = 0;
                for (long d = 0; d < dim; d++) {
                    double term = log ? g.getAtIndex(F, base + d * inner)
                            : (double) g.getAtIndex(F, base + d * inner) * y.getAtIndex(F, base + d * inner);
                    sum += term;
                    magnitude += Math.abs(term);
                }
                double sumError = (k + 1) * U * magnitude;
                for (long d = 0; d < dim; d++) {
                    double gd = g.getAtIndex(F, base + d * inner);
                    double yd = y.getAtIndex(F, base + d * inner);
                    double ref = log ? gd - Math.exp(yd) * sum : yd * (gd - sum);
                    double bound = log
                            ? Math.exp(yd) * (2 * U * Math.abs(sum) + sumError) + U * Math.abs(ref)
                            : Math.abs(yd) * (U * Math.abs(gd - sum) + sumError) + U * Math.abs(ref);
                    check(what, base + d * inner, dx.getAtIndex(F, base + d * inner), ref, bound);
                }
            }
        }
    }

    private static void check(String what, long at, float actual, double ref, double bound) {
        double err = Math.abs(actual - ref);
        if (!(err <= bound + Float.MIN_NORMAL)) {
            fail(what + ": element " + at + " is " + actual + ", expected " + ref + " within " + bound
                    + " (error " + err + ")");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void assertIdentical(String what, MemorySegment a, MemorySegment b, long n) {
        for (long i = 0; i < n; i++) {
            int ba = Float.floatToIntBits(a.getAtIndex(F, i));
            int bb = Float.floatToIntBits(b.getAtIndex(F, i));
            if (ba != bb) {
                fail(what + ": element " + i + " differs: " + a.getAtIndex(F, i) + " vs " + b.getAtIndex(F, i));
            }
        }
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    /** {@code n} floats uniform in {@code [-scale, scale)} from {@code seed}. */
    private static MemorySegment random(long n, long seed, double scale) {
        MemorySegment m = floats(n);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            m.setAtIndex(F, i, (float) ((r.nextDouble() * 2 - 1) * scale));
        }
        return m;
    }

    private static MemorySegment floats(long n) {
        return Arena.ofAuto().allocate(Math.max(1, n) * Float.BYTES, 64);
    }
}
