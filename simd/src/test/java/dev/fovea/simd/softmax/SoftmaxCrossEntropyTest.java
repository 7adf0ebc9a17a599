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
 * The fused cross-entropy kernels (the vector path at this run's width, or the scalar path; the
 * module runs its tests at 512 and 256 bits and scalar) against double-precision loops written
 * from the definition {@code -sum_c q_c log softmax(x)_c} with {@code q} the smoothed, weighted
 * one-hot target, against the scalar reference, across thread counts, at extreme logits, and
 * their argument checks.
 *
 * <p><b>Tolerances</b> ({@code u = 2^-24}) from the float32 steps, as in {@link SoftmaxTest}:
 * {@code log sum exp} has absolute error {@code e_ls} = the relative error of the sum (its terms'
 * exp and shift errors, {@code k} float additions per lane, one rounding) plus {@code 2u |ls|} for
 * the log; each {@code -log p = (m - x) + ls} adds {@code u} of itself; weights and products round
 * a few more times ({@code 4u} of the result). Gradients: {@code p} has relative error
 * {@code (|x - m| + 3 |ls| + 4) u + e_ls}, and the fused multiply-add and its operands add
 * {@code 3u} of their magnitudes.
 */
class SoftmaxCrossEntropyTest {
    private static final double U = 0x1p-24;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
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

    private record Case(int rows, int classes, boolean weighted, float smoothing, boolean perRowScale) {}

    @Test
    void matchesDoubleLoopsAndTheReference() {
        int[][] shapes = {{1, 1}, {3, 2}, {4, 5}, {2, 15}, {5, 16}, {3, 17}, {2, 33}, {7, 100}, {2, 1000}, {3, 1100},
            {40, 10}, {64, 600}};
        long seed = 0;
        for (int[] s : shapes) {
            for (int variant = 0; variant < 4; variant++) {
                Case c = new Case(s[0], s[1], variant % 2 == 1, variant >= 2 ? 0.15f : 0f, variant % 3 == 0);
                check(c, ++seed);
            }
        }
        check(new Case(5, 7, true, 1f, true), ++seed);
    }

    private static void check(Case c, long seed) {
        int rows = c.rows;
        int classes = c.classes;
        MemorySegment x = random(rows * (long) classes, seed, 6, 0);
        MemorySegment targets = ints(rows);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < rows; i++) {
            targets.setAtIndex(I, i, i % 4 == 3 ? -1 : r.nextInt(classes));
        }
        MemorySegment w = c.weighted ? random(classes, seed + 1, 0.75, 1.25) : null;
        MemorySegment scale = random(c.perRowScale ? rows : 1, seed + 2, 2, 0);
        long stride = c.perRowScale ? 1 : 0;
        MemorySegment loss1 = floats(rows);
        MemorySegment loss2 = floats(rows);
        MemorySegment lossRef = floats(rows);
        MemorySegment stats = floats(2L * rows);
        MemorySegment stats2 = floats(2L * rows);
        MemorySegment statsRef = floats(2L * rows);
        SoftmaxCrossEntropy.forward(x, 0, targets, 0, w, 0, c.smoothing, loss1, 0, stats, 0, rows, classes, one);
        SoftmaxCrossEntropy.forward(x, 0, targets, 0, w, 0, c.smoothing, loss2, 0, stats2, 0, rows, classes, two);
        SoftmaxCrossEntropy.forwardReference(x, 0, targets, 0, w, 0, c.smoothing, lossRef, 0, statsRef, 0, rows,
                classes);
        assertIdentical(c + " loss, 1 vs 2 threads", loss1, loss2, rows);
        long n = rows * (long) classes;
        MemorySegment dx1 = floats(n);
        MemorySegment dx2 = floats(n);
        MemorySegment dxRef = floats(n);
        SoftmaxCrossEntropy.backward(x, 0, targets, 0, w, 0, c.smoothing, stats, 0, scale, 0, stride, dx1, 0, rows,
                classes, one);
        SoftmaxCrossEntropy.backward(x, 0, targets, 0, w, 0, c.smoothing, stats, 0, scale, 0, stride, dx2, 0, rows,
                classes, two);
        SoftmaxCrossEntropy.backwardReference(x, 0, targets, 0, w, 0, c.smoothing, statsRef, 0, scale, 0, stride, dxRef,
                0, rows, classes);
        assertIdentical(c + " dx, 1 vs 2 threads", dx1, dx2, n);
        for (MemorySegment[] out : new MemorySegment[][] {{loss1, dx1}, {lossRef, dxRef}}) {
            String what = c + (out[0] == lossRef ? " reference" : "");
            oracle(what, c, x, targets, w, scale, stride, out[0], out[1]);
        }
    }

    /** Checks losses and gradients against double loops, with the bounds of the class comment. */
    private static void oracle(String what, Case c, MemorySegment x, MemorySegment targets, MemorySegment w,
                               MemorySegment scale, long stride, MemorySegment loss, MemorySegment dx) {
        int classes = c.classes;
        double eps = c.smoothing;
        double weightSum = 0;
        for (int k = 0; k < classes; k++) {
            weightSum += weight(w, k);
        }
        long k = Math.min(classes, SoftmaxVector.BLOCK_VECTORS + 16);
        for (int r = 0; r < c.rows; r++) {
            int t = targets.getAtIndex(I, r);
            long xb = (long) r * classes;
            if (t < 0) {
                check(what + " loss", r, loss.getAtIndex(F, r), 0, 0);
                for (int j = 0; j < classes; j++) {
                    check(what + " dx", xb + j, dx.getAtIndex(F, xb + j), 0, 0);
                }
                continue;
            }
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                m = Math.max(m, x.getAtIndex(F, xb + j));
            }
            double sum = 0;
            double termErrors = 0;
            double spread = 0;
            for (int j = 0; j < classes; j++) {
                double shifted = x.getAtIndex(F, xb + j) - m;
                sum += Math.exp(shifted);
                termErrors += Math.exp(shifted) * (Math.abs(shifted) + 2);
                spread -= weight(w, j) * shifted;
            }
            double ls = Math.log(sum);
            double lsError = (termErrors / sum + k + 1) * U + 2 * U * ls;
            double wt = weight(w, t);
            double nll = m - x.getAtIndex(F, xb + t) + ls;
            double ref = (1 - eps) * wt * nll + eps / classes * (weightSum * ls + spread);
            double bound = (1 - eps) * wt * (2 * U * nll + lsError)
                    + eps / classes * (weightSum * (lsError + classes * U * ls) + 2 * U * spread) + 4 * U * ref;
            check(what + " loss", r, loss.getAtIndex(F, r), ref, bound);
            double s = scale.getAtIndex(F, r * stride);
            double a = s * ((1 - eps) * wt + eps / classes * weightSum);
            for (int j = 0; j < classes; j++) {
                double shifted = x.getAtIndex(F, xb + j) - m;
                double p = Math.exp(shifted - ls);
                double rest = s * (eps / classes * weight(w, j) + (j == t ? (1 - eps) * wt : 0));
                double g = a * p - rest;
                double pError = (Math.abs(shifted) + 3 * ls + 4) * U + lsError;
                double gBound = Math.abs(a) * p * pError + 3 * U * (Math.abs(a) * p + Math.abs(rest));
                check(what + " dx", xb + j, dx.getAtIndex(F, xb + j), g, gBound);
            }
        }
    }

    @Test
    void extremeLogitsGiveExactFiniteResults() {
        // Rows (1e4, -1e4, 0, 5e3) with targets 1, 0, -1: m = 1e4 and ls = log(1 + 0 + 0 + 0) = 0 exactly,
        // so the losses are m - x_t = 2e4 and 0 (ignored: 0), and the gradients s (p - onehot) with p =
        // (1, 0, 0, 0): (1, -1, 0, 0) and (0, 0, 0, 0).
        float[] row = {1e4f, -1e4f, 0f, 5e3f};
        MemorySegment x = floats(12);
        for (int i = 0; i < 12; i++) {
            x.setAtIndex(F, i, row[i % 4]);
        }
        MemorySegment targets = ints(3);
        targets.setAtIndex(I, 0, 1);
        targets.setAtIndex(I, 2, -1);
        MemorySegment loss = floats(3);
        MemorySegment stats = floats(6);
        MemorySegment dx = floats(12);
        MemorySegment scale = floats(1);
        scale.setAtIndex(F, 0, 1f);
        SoftmaxCrossEntropy.forward(x, 0, targets, 0, null, 0, 0f, loss, 0, stats, 0, 3, 4, one);
        SoftmaxCrossEntropy.backward(x, 0, targets, 0, null, 0, 0f, stats, 0, scale, 0, 0, dx, 0, 3, 4, one);
        float[] expectedLoss = {2e4f, 0f, 0f};
        float[] expectedDx = {1f, -1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};
        for (int i = 0; i < 3; i++) {
            assertEquals(expectedLoss[i], loss.getAtIndex(F, i), "loss of row " + i);
        }
        for (int i = 0; i < 12; i++) {
            assertEquals(expectedDx[i], dx.getAtIndex(F, i), "dx element " + i);
        }
    }

    @Test
    void argumentsAreCheckedFirst() {
        MemorySegment x = floats(12);
        MemorySegment targets = ints(3);
        MemorySegment loss = floats(3);
        MemorySegment stats = floats(6);
        targets.setAtIndex(I, 1, 4);
        assertMessage(() -> SoftmaxCrossEntropy.forward(x, 0, targets, 0, null, 0, 0f, loss, 0, stats, 0, 3, 4, one),
                "softmax_cross_entropy", "targets[1] = 4", "[-1, 4)");
        targets.setAtIndex(I, 1, -2);
        assertMessage(() -> SoftmaxCrossEntropy.forward(x, 0, targets, 0, null, 0, 0f, loss, 0, stats, 0, 3, 4, one),
                "targets[1] = -2");
        targets.setAtIndex(I, 1, 0);
        assertMessage(() -> SoftmaxCrossEntropy.forward(x, 0, targets, 0, floats(3), 0, 0f, loss, 0, stats, 0, 3, 4,
                one), "weights needs 4 floats");
        assertMessage(() -> SoftmaxCrossEntropy.forward(x, 0, targets, 0, null, 0, 1.5f, loss, 0, stats, 0, 3, 4, one),
                "smoothing");
        assertMessage(() -> SoftmaxCrossEntropy.forward(x, 0, targets, 0, null, 0, 0f, loss, 0, floats(5), 0, 3, 4,
                one), "stats needs 6 floats");
        assertMessage(() -> SoftmaxCrossEntropy.forward(x, 0, targets, 0, null, 0, 0f, loss, 0, stats, 0, 3, 0, one),
                "classes >= 1");
        assertMessage(() -> SoftmaxCrossEntropy.backward(x, 0, targets, 0, null, 0, 0f, stats, 0, floats(2), 0, 1,
                floats(12), 0, 3, 4, one), "scale needs 3 floats");
        assertMessage(() -> SoftmaxCrossEntropy.backward(x, 0, targets, 0, null, 0, 0f, stats, 0, floats(3), 0, 2,
                floats(12), 0, 3, 4, one), "scaleStride");
        assertMessage(() -> SoftmaxCrossEntropy.backward(x, 0, targets, 0, null, 0, 0f, stats, 0, floats(3), 0, 1,
                floats(12).asReadOnly(), 0, 3, 4, one), "read-only");
    }

    // ------------------------------------------------------------------ helpers

    private static double weight(MemorySegment w, int c) {
        return w == null ? 1 : w.getAtIndex(F, c);
    }

    private static void check(String what, long at, float actual, double ref, double bound) {
        double err = Math.abs(actual - ref);
        if (!(err <= bound + Float.MIN_NORMAL)) {
            fail(what + ": element " + at + " is " + actual + ", expected " + ref + " within " + bound + " (error "
                    + err + ")");
        }
    }

    private static void assertIdentical(String what, MemorySegment a, MemorySegment b, long n) {
        for (long i = 0; i < n; i++) {
            if (Float.floatToIntBits(a.getAtIndex(F, i)) != Float.floatToIntBits(b.getAtIndex(F, i))) {
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

    /** {@code n} floats uniform in {@code [center - half, center + half)}. */
    private static MemorySegment random(long n, long seed, double half, double center) {
        MemorySegment m = floats(n);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            m.setAtIndex(F, i, (float) (center + (r.nextDouble() * 2 - 1) * half));
        }
        return m;
    }

    private static MemorySegment floats(long n) {
        return Arena.ofAuto().allocate(Math.max(1, n) * Float.BYTES, 64);
    }

    private static MemorySegment ints(long n) {
        return Arena.ofAuto().allocate(Math.max(1, n) * Integer.BYTES, 64);
    }
}
