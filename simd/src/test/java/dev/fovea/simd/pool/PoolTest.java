package dev.fovea.simd.pool;

import static dev.fovea.simd.pool.PoolTester.F;
import static dev.fovea.simd.pool.PoolTester.I;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.conv.Padding;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pooling kernels against the double-precision oracle of {@link PoolTester} over a sweep, the
 * worked examples of the seeds, the gradients as adjoints of the forwards, and thread-count identity.
 */
class PoolTest {
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

    private static MemorySegment grid(float... v) {
        MemorySegment m = PoolTester.floats(v.length);
        for (int i = 0; i < v.length; i++) {
            m.setAtIndex(F, i, v[i]);
        }
        return m;
    }

    private static final float[] GRID6 = {
        3, 0, 1, 2, 7, 4,
        1, 5, 8, 9, 3, 1,
        2, 7, 2, 5, 1, 3,
        0, 1, 3, 1, 7, 8,
        4, 2, 1, 6, 2, 8,
        2, 4, 5, 2, 3, 9};

    @Test
    void seedsMaxPool2x2Stride2() {
        PoolSpec s = PoolSpec.builder(2).c(1).input(6, 6).kernel(2).stride(2).build();
        MemorySegment out = PoolTester.floats(9);
        Pool.maxPool(s, grid(GRID6), 0, out, 0, null, 0, one);
        assertArrayEquals(new double[] {5, 9, 7, 7, 5, 8, 4, 6, 9}, PoolTester.read(out, 0, 9));
    }

    @Test
    void seedsAvgPool2x2Stride2() {
        PoolSpec s = PoolSpec.builder(2).c(1).input(6, 6).kernel(2).stride(2).build();
        MemorySegment out = PoolTester.floats(9);
        Pool.avgPool(s, grid(GRID6), 0, out, 0, one);
        assertArrayEquals(new double[] {2.25, 5, 3.75, 2.5, 2.75, 4.75, 3, 3.5, 5.5}, PoolTester.read(out, 0, 9));
    }

    @Test
    void seedsMaxPool3x3Stride1() {
        MemorySegment in = grid(
                3, 3, 2, 1, 0,
                0, 0, 1, 3, 1,
                3, 1, 2, 2, 3,
                2, 0, 0, 2, 2,
                2, 0, 0, 0, 1);
        PoolSpec s = PoolSpec.builder(2).c(1).input(5, 5).kernel(3).stride(1).build();
        MemorySegment out = PoolTester.floats(9);
        MemorySegment idx = PoolTester.ints(9);
        Pool.maxPool(s, in, 0, out, 0, null, 0, one);
        assertArrayEquals(new double[] {3, 3, 3, 3, 3, 3, 3, 2, 3}, PoolTester.read(out, 0, 9));
        Pool.maxPool(s, in, 0, out, 0, idx, 0, one);
        assertArrayEquals(new double[] {3, 3, 3, 3, 3, 3, 3, 2, 3}, PoolTester.read(out, 0, 9));
        // Ties keep the first index in row-major order: (0,0) for the first window, (1,3) for the third.
        assertEquals(0, idx.getAtIndex(I, 0));
        assertEquals(8, idx.getAtIndex(I, 2));
    }

    @Test
    void sweepMatchesTheOracle() {
        int checked = 0;
        for (PoolSpec s : PoolTester.sweep(400, 0x9001L)) {
            MemorySegment in = PoolTester.random(s.inputElements(), checked);
            int n = (int) s.outputElements();
            double[] maxRef = PoolTester.oracle(s, true, in);
            double[] avgRef = PoolTester.oracle(s, false, in);
            MemorySegment out = PoolTester.floats(n);
            MemorySegment idx = PoolTester.ints(n);
            ComputeContext ctx = checked % 2 == 0 ? one : two;
            Pool.maxPool(s, in, 0, out, 0, null, 0, ctx);
            assertArrayEquals(maxRef, PoolTester.read(out, 0, n), 0, s::toString);
            Pool.maxPool(s, in, 0, out, 0, idx, 0, ctx);
            assertArrayEquals(maxRef, PoolTester.read(out, 0, n), 0, s::toString);
            for (int o = 0; o < n; o++) {
                long plane = o / s.outPlane();
                assertEquals(maxRef[o], in.getAtIndex(F, plane * s.inPlane() + idx.getAtIndex(I, o)), 0,
                        () -> "index of the max, " + s);
            }
            Pool.avgPool(s, in, 0, out, 0, ctx);
            checkAverage(s, in, avgRef, out);
            // The same spec object again, on other data: the thread's cached buffers for it must
            // hold nothing of the first call.
            checkMaxAndAverage(s, PoolTester.random(s.inputElements(), checked + 7000), ctx);
            checked++;
        }
    }

    @Test
    void sameSizeStrideOnePoolingMatchesTheOracle() {
        // The flat-band kernel (PoolSameSize): row widths below, at and across the vector width,
        // heights below the kernel, every kernel up to 7 with "same" (asymmetric for even kernels)
        // or symmetric padding, 1-3 dims, both divisor rules and overrides. NaNs and infinities at
        // the ends of rows must not leak into the border columns of the next or previous row.
        SplittableRandom r = new SplittableRandom(0x5A3EL);
        int[] widths = {1, 2, 3, 7, 15, 16, 17, 31, 33, 56, 70};
        int checked = 0;
        while (checked < 160) {
            int dims = 1 + r.nextInt(3);
            int k = 1 + r.nextInt(7);
            int w = widths[r.nextInt(widths.length)];
            int h = 1 + r.nextInt(9);
            PoolSpec.Builder b = PoolSpec.builder(dims).n(1 + r.nextInt(2)).c(1 + r.nextInt(3)).stride(1);
            int[] kernel = dims == 1 ? new int[] {k} : dims == 2 ? new int[] {k, k} : new int[] {1, k, k};
            b.input(dims == 1 ? new int[] {w} : dims == 2 ? new int[] {h, w} : new int[] {1 + r.nextInt(3), h, w})
                    .kernel(kernel);
            if (k % 2 == 1 && r.nextBoolean()) {
                int p = k / 2;
                b.padding(dims == 3 ? new int[] {0, p, p} : dims == 2 ? new int[] {p, p} : new int[] {p});
            } else {
                b.padding(Padding.SAME);
            }
            b.countIncludePad(r.nextBoolean());
            if (r.nextInt(6) == 0) {
                b.divisorOverride(1 + r.nextInt(10));
            }
            PoolSpec s;
            try {
                s = b.build();
            } catch (IllegalArgumentException e) {
                continue; // a window larger than the padded input
            }
            assertTrue(PoolSameSize.applies(s), s::toString);
            ComputeContext ctx = checked % 2 == 0 ? one : two;
            checkMaxAndAverage(s, withSpecials(s, r, checked, Float.POSITIVE_INFINITY), ctx);
            // The same spec object again: the thread keeps its buffers for it, which must not
            // carry the first call's values (infinities, NaNs) into the second.
            checkMaxAndAverage(s, withSpecials(s, r, checked + 1000, Float.NEGATIVE_INFINITY), ctx);
            checked++;
        }
    }

    @Test
    void twoByTwoStrideTwoPoolingMatchesTheOracle() {
        // The direct 2x2 s2 kernel (Pool2x2): widths below, at and across two vectors, odd sizes
        // (the last row and column are dropped), 2 and 3 dims, divisor overrides, NaNs and infinities,
        // segments that end with the output and the input (the last vector goes scalar there).
        SplittableRandom r = new SplittableRandom(0x2B2L);
        int[] widths = {2, 3, 4, 5, 17, 31, 32, 33, 34, 63, 64, 65, 112, 113};
        for (int checked = 0; checked < 120; checked++) {
            int dims = 2 + r.nextInt(2);
            int w = widths[r.nextInt(widths.length)];
            int h = 2 + r.nextInt(7);
            PoolSpec.Builder b = PoolSpec.builder(dims).n(1 + r.nextInt(2)).c(1 + r.nextInt(3));
            if (dims == 2) {
                b.input(h, w).kernel(2).stride(2);
            } else {
                b.input(1 + r.nextInt(3), h, w).kernel(1, 2, 2).stride(1, 2, 2);
            }
            b.ceilMode(r.nextInt(4) == 0 && w % 2 == 0 && h % 2 == 0);
            PoolSpec s = checkDrawn(b, r, checked, Pool2x2::applies, Float.NEGATIVE_INFINITY);
            checkIndices(s, tiesAndNaNs(s, r), checked % 2 == 0 ? one : two);
        }
    }

    /**
     * Gives {@code b} a divisor override one time in five, checks that the kernel under test
     * {@code applies} to the spec, and checks max and average pooling against the oracle on an
     * input with specials, on one thread or two by {@code checked}'s parity.
     */
    private static PoolSpec checkDrawn(PoolSpec.Builder b, SplittableRandom r, int checked,
                                       java.util.function.Predicate<PoolSpec> applies, float special) {
        if (r.nextInt(5) == 0) {
            b.divisorOverride(1 + r.nextInt(10));
        }
        PoolSpec s = b.build();
        assertTrue(applies.test(s), s::toString);
        checkMaxAndAverage(s, withSpecials(s, r, checked, special), checked % 2 == 0 ? one : two);
        return s;
    }

    @Test
    void wholePlanePoolingMatchesTheOracle() {
        // PoolWhole (global pooling): planes shorter than a vector, not a multiple of one, of four,
        // long ones (56 x 56), 1 to 3 dims, divisor overrides, NaNs and infinities; the last plane
        // ends the segment.
        SplittableRandom r = new SplittableRandom(0x610BL);
        int[][] planes = {{1, 1}, {1, 5}, {4, 4}, {7, 7}, {3, 11}, {8, 8}, {9, 15}, {14, 14}, {56, 56}};
        for (int checked = 0; checked < 60; checked++) {
            int[] hw = planes[r.nextInt(planes.length)];
            int dims = 1 + r.nextInt(3);
            PoolSpec.Builder b = PoolSpec.builder(dims).n(1 + r.nextInt(2)).c(1 + r.nextInt(5));
            if (dims == 1) {
                b.input(hw[0] * hw[1]).kernel(hw[0] * hw[1]);
            } else if (dims == 2) {
                b.input(hw[0], hw[1]).kernel(hw[0], hw[1]);
            } else {
                b.input(2, hw[0], hw[1]).kernel(2, hw[0], hw[1]);
            }
            checkDrawn(b, r, checked, PoolWhole::applies, Float.POSITIVE_INFINITY);
        }
        PoolSpec padded = PoolSpec.builder(2).c(1).input(7, 7).kernel(7).padding(1).build();
        assertTrue(!PoolWhole.applies(padded), "a padded window covers more than the plane");
    }

    @Test
    void twoByTwoWritesNothingOutsideItsOutputs() {
        // Rows narrower than a vector store whole vectors whose lanes past the row land on later
        // outputs of the same call: nothing after the call's outputs, nor before them, may change,
        // with one thread or two (planes split between them).
        for (int w : new int[] {4, 10, 28, 30, 34}) {
            PoolSpec s = PoolSpec.builder(2).n(1).c(5).input(6, w).kernel(2).stride(2).build();
            MemorySegment in = PoolTester.random(s.inputElements(), w);
            int n = (int) s.outputElements();
            long guard = 64;
            for (ComputeContext ctx : new ComputeContext[] {one, two}) {
                for (boolean max : new boolean[] {true, false}) {
                    MemorySegment out = PoolTester.floats(n + 2 * guard);
                    for (long i = 0; i < n + 2 * guard; i++) {
                        out.setAtIndex(F, i, -7.5f);
                    }
                    if (max) {
                        Pool.maxPool(s, in, 0, out, guard, null, 0, ctx);
                        checkIndicesStayInside(s, in, ctx, guard);
                    } else {
                        Pool.avgPool(s, in, 0, out, guard, ctx);
                    }
                    assertArrayEquals(PoolTester.oracle(s, max, in), PoolTester.read(out, guard, n), max ? 0 : 1e-6,
                            s::toString);
                    for (long i = 0; i < guard; i++) {
                        assertEquals(-7.5f, out.getAtIndex(F, i), "before the outputs, " + s);
                        assertEquals(-7.5f, out.getAtIndex(F, guard + n + i), "after the outputs, " + s);
                    }
                }
            }
        }
    }

    /** Max pooling with indices between guards: values and indices match the reference loop, the guards stay. */
    private static void checkIndicesStayInside(PoolSpec s, MemorySegment in, ComputeContext ctx, long guard) {
        int n = (int) s.outputElements();
        MemorySegment out = PoolTester.floats(n + 2 * guard);
        MemorySegment idx = PoolTester.ints(n + 2 * guard);
        for (long i = 0; i < n + 2 * guard; i++) {
            out.setAtIndex(F, i, -7.5f);
            idx.setAtIndex(I, i, -7);
        }
        Pool.maxPool(s, in, 0, out, guard, idx, guard, ctx);
        MemorySegment refOut = PoolTester.floats(n);
        MemorySegment refIdx = PoolTester.ints(n);
        PoolNaive.max(s, in, 0, refOut, 0, refIdx, 0, 0, (int) s.planes());
        assertEquals(-1, refOut.mismatch(out.asSlice(guard * Float.BYTES, (long) n * Float.BYTES)), s::toString);
        assertEquals(-1, refIdx.mismatch(idx.asSlice(guard * Integer.BYTES, (long) n * Integer.BYTES)), s::toString);
        for (long i = 0; i < guard; i++) {
            assertEquals(-7.5f, out.getAtIndex(F, i), "before the outputs, " + s);
            assertEquals(-7.5f, out.getAtIndex(F, guard + n + i), "after the outputs, " + s);
            assertEquals(-7, idx.getAtIndex(I, i), "before the indices, " + s);
            assertEquals(-7, idx.getAtIndex(I, guard + n + i), "after the indices, " + s);
        }
    }

    /** A random input for {@code s} with up to three NaNs or {@code special}s at random places. */
    private static MemorySegment withSpecials(PoolSpec s, SplittableRandom r, long seed, float special) {
        MemorySegment in = PoolTester.random(s.inputElements(), seed);
        for (int i = 0; i < 3 && r.nextBoolean(); i++) {
            in.setAtIndex(F, r.nextLong(s.inputElements()), r.nextBoolean() ? Float.NaN : special);
        }
        return in;
    }

    /** Max pooling (exact) and average pooling ({@link #checkAverage}) against the oracle, exact-size outputs. */
    private static void checkMaxAndAverage(PoolSpec s, MemorySegment in, ComputeContext ctx) {
        int n = (int) s.outputElements();
        MemorySegment out = PoolTester.floats(n);
        Pool.maxPool(s, in, 0, out, 0, null, 0, ctx);
        assertArrayEquals(PoolTester.oracle(s, true, in), PoolTester.read(out, 0, n), 0, s::toString);
        Pool.avgPool(s, in, 0, out, 0, ctx);
        checkAverage(s, in, PoolTester.oracle(s, false, in), out);
    }

    @Test
    void maxIndicesAreTheReferenceLoopsIndices() {
        // Values on a coarse grid make ties common (ReLU outputs are often 0): the kernel must keep
        // the first index in (d, h, w) order as PyTorch does; NaNs must take over the window.
        SplittableRandom r = new SplittableRandom(0x1D5L);
        int checked = 0;
        for (PoolSpec s : PoolTester.sweep(300, 0x1D5L)) {
            checkIndices(s, tiesAndNaNs(s, r), checked % 2 == 0 ? one : two);
            checked++;
        }
    }

    /**
     * An input for {@code s} on a coarse grid, where ties are common (ReLU outputs are often 0),
     * with +0, -0 and a NaN in about one element in 200.
     */
    private static MemorySegment tiesAndNaNs(PoolSpec s, SplittableRandom r) {
        MemorySegment in = PoolTester.floats(s.inputElements());
        for (long i = 0; i < s.inputElements(); i++) {
            int level = r.nextInt(4);
            float v = level == 0 ? 0f : level == 1 ? -0f : r.nextInt(3);
            in.setAtIndex(F, i, r.nextInt(200) == 0 ? Float.NaN : v);
        }
        return in;
    }

    /** Max pooling with indices against {@link PoolNaive#max}, bit for bit, outputs ending their segments. */
    private static void checkIndices(PoolSpec s, MemorySegment in, ComputeContext ctx) {
        int n = (int) s.outputElements();
        MemorySegment out = PoolTester.floats(n);
        MemorySegment idx = PoolTester.ints(n);
        MemorySegment refOut = PoolTester.floats(n);
        MemorySegment refIdx = PoolTester.ints(n);
        PoolNaive.max(s, in, 0, refOut, 0, refIdx, 0, 0, (int) s.planes());
        Pool.maxPool(s, in, 0, out, 0, idx, 0, ctx);
        assertEquals(-1, refOut.mismatch(out), s::toString);
        assertEquals(-1, refIdx.mismatch(idx), s::toString);
    }

    /** Float sums of up to kernelVolume terms: |error| <= kernelVolume * 2^-24 * sum|x| / divisor, plus the division's rounding. */
    private static void checkAverage(PoolSpec s, MemorySegment in, double[] ref, MemorySegment out) {
        int o = 0;
        for (int p = 0; p < s.planes(); p++) {
            for (int od = 0; od < s.out(0); od++) {
                for (int oh = 0; oh < s.out(1); oh++) {
                    for (int ow = 0; ow < s.out(2); ow++, o++) {
                        double div = PoolNaive.divisor(s, od, oh, ow);
                        double tol = (s.kernelVolume() + 1) * 0x1p-24 * PoolTester.absScale(s, in, p, od, oh, ow) / div
                                + Math.ulp((float) ref[o]);
                        double got = out.getAtIndex(F, o);
                        int at = o;
                        if (Double.isFinite(ref[o])) {
                            assertEquals(ref[o], got, tol, () -> "average " + at + " of " + s);
                        } else {
                            assertEquals(ref[o], got, () -> "average " + at + " of " + s);
                        }
                    }
                }
            }
        }
    }

    @Test
    void naNPropagatesAndInfinityIsAValue() {
        MemorySegment in = grid(Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 1, Float.NaN, 2, 3, 4, 5);
        PoolSpec s = PoolSpec.builder(1).c(1).input(8).kernel(2).build();
        MemorySegment out = PoolTester.floats(4);
        MemorySegment idx = PoolTester.ints(4);
        for (MemorySegment ix : new MemorySegment[] {null, idx}) {
            Pool.maxPool(s, in, 0, out, 0, ix, 0, one);
            assertArrayEquals(new double[] {Double.NEGATIVE_INFINITY, Double.NaN, 3, 5}, PoolTester.read(out, 0, 4));
        }
        assertArrayEquals(new int[] {0, 3, 5, 7}, new int[] {idx.getAtIndex(I, 0), idx.getAtIndex(I, 1),
            idx.getAtIndex(I, 2), idx.getAtIndex(I, 3)});
    }

    @Test
    void gradientsAreTheAdjointsOfTheForwards() {
        int checked = 0;
        for (PoolSpec s : PoolTester.sweep(150, 0xAD70L)) {
            MemorySegment x = PoolTester.random(s.inputElements(), checked);
            MemorySegment g = PoolTester.random(s.outputElements(), checked + 1000);
            MemorySegment y = PoolTester.floats(s.outputElements());
            MemorySegment idx = PoolTester.ints(s.outputElements());
            MemorySegment gx = PoolTester.floats(s.inputElements());
            ComputeContext ctx = checked % 2 == 0 ? one : two;
            // max: y = x[idx] is linear in x for fixed indices, so <y, g> = <x, gx> exactly in double.
            Pool.maxPool(s, x, 0, y, 0, idx, 0, ctx);
            Pool.maxPoolBackward(s, g, 0, idx, 0, gx, 0, ctx);
            assertEquals(dot(y, g, s.outputElements()), dot(x, gx, s.inputElements()),
                    1e-5 * (1 + s.outputElements()), s::toString);
            // avg: linear, <avg(x), g> = <x, avg^T(g)> up to float rounding.
            Pool.avgPool(s, x, 0, y, 0, ctx);
            Pool.avgPoolBackward(s, g, 0, gx, 0, ctx);
            assertEquals(dot(y, g, s.outputElements()), dot(x, gx, s.inputElements()),
                    1e-5 * (1 + s.outputElements() * s.kernelVolume()), s::toString);
            checked++;
        }
    }

    private static double dot(MemorySegment a, MemorySegment b, long n) {
        double sum = 0;
        for (long i = 0; i < n; i++) {
            sum += (double) a.getAtIndex(F, i) * b.getAtIndex(F, i);
        }
        return sum;
    }

    @Test
    void twoThreadsGiveTheSameBitsAsOne() {
        PoolSpec s = PoolSpec.builder(2).n(3).c(16).input(37, 45).kernel(3).stride(2).padding(1).build();
        MemorySegment x = PoolTester.random(s.inputElements(), 7);
        for (boolean max : new boolean[] {true, false}) {
            MemorySegment a = PoolTester.floats(s.outputElements());
            MemorySegment b = PoolTester.floats(s.outputElements());
            if (max) {
                Pool.maxPool(s, x, 0, a, 0, null, 0, one);
                Pool.maxPool(s, x, 0, b, 0, null, 0, two);
            } else {
                Pool.avgPool(s, x, 0, a, 0, one);
                Pool.avgPool(s, x, 0, b, 0, two);
            }
            assertEquals(-1, a.mismatch(b), "max=" + max);
        }
    }

    @Test
    void offsetsAndTheLastElementOfTheSegment() {
        // Output and input sit at the very end of their segments: vector windows must not run past them.
        PoolSpec s = PoolSpec.builder(2).n(1).c(2).input(5, 19).kernel(2, 3).stride(1, 2).padding(1).build();
        long off = 13;
        MemorySegment x = PoolTester.random(off + s.inputElements(), 3);
        MemorySegment xs = PoolTester.floats(s.inputElements());
        MemorySegment.copy(x, off * Float.BYTES, xs, 0, s.inputElements() * Float.BYTES);
        MemorySegment y = PoolTester.floats(off + s.outputElements());
        for (boolean max : new boolean[] {true, false}) {
            double[] ref = PoolTester.oracle(s, max, xs);
            if (max) {
                Pool.maxPool(s, x, off, y, off, null, 0, one);
            } else {
                Pool.avgPool(s, x, off, y, off, one);
            }
            double[] got = PoolTester.read(y, off, (int) s.outputElements());
            assertArrayEquals(ref, got, max ? 0 : 1e-6);
        }
        assertTrue(s.outputElements() > 0);
    }
}
