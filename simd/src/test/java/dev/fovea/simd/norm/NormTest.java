package dev.fovea.simd.norm;

import static dev.fovea.simd.norm.NormTester.F;
import static dev.fovea.simd.norm.NormTester.U;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The normalization kernels of {@link Norm} against double-precision loops written from the
 * definitions, and against the scalar reference {@link NormScalar}: statistics within the error
 * bound of their documented accumulation order, elementwise passes bit for bit equal to the
 * reference, and every result identical for one and two threads.
 */
class NormTest {
    private static final long PAD = 3;
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

    /**
     * Mean and variance of every sweep shape, with a mean of 3 (so the two-pass variance matters)
     * and of 1000 with a deviation of 0.01 (where {@code E[x^2] - E[x]^2} would lose every digit).
     * Bounds: each float accumulator lane sums at most 64 terms and blocks are combined in double,
     * so a sum is within {@code 66 u sum|terms|}; the mean within {@code 66 u mean|x|} plus its
     * rounding, the variance within {@code 70 u var} (the squares are non-negative; the correction
     * term {@code sum(d)^2 / n} is second order). The scalar reference sums in double: within one
     * rounding (1 ulp).
     */
    @Test
    void momentsMatchTheDoubleDefinition() {
        long seed = 1;
        for (double[] meanScale : new double[][] {{3, 1}, {1000, 0.01}}) {
            for (NormDims d : NormTester.SWEEP) {
                MemorySegment x = NormTester.random(PAD, d.elements(), meanScale[0], meanScale[1], seed++);
                MemorySegment got = NormTester.floats(PAD + 2 * d.channels());
                MemorySegment ref = NormTester.floats(2 * d.channels());
                Norm.moments(d, x, PAD, got, PAD, seed % 2 == 0 ? one : two);
                NormScalar.moments(d, x, PAD, ref, 0, 0, d.channels());
                for (long c = 0; c < d.channels(); c++) {
                    double[] m = NormTester.moments(x, PAD, d, c);
                    String what = d + " channel " + c + " mean " + meanScale[0];
                    float mean = got.getAtIndex(F, PAD + c);
                    float var = got.getAtIndex(F, PAD + d.channels() + c);
                    assertEquals(m[0], mean, 66 * U * m[2] + Math.ulp((float) m[0]), what + ": mean");
                    assertEquals(m[1], var, 70 * U * m[1] + Math.ulp((float) m[1]), what + ": variance");
                    assertEquals(m[0], ref.getAtIndex(F, c), Math.ulp((float) m[0]), what + ": reference mean");
                    assertEquals(m[1], ref.getAtIndex(F, d.channels() + c), Math.ulp((float) m[1]),
                            what + ": reference variance");
                }
            }
        }
    }

    /** {@code sum(g)} and {@code sum(g (x - center))} per channel; bounds as for the moments, on the sums of magnitudes. */
    @Test
    void gradSumsMatchTheDoubleDefinition() {
        long seed = 100;
        for (NormDims d : NormTester.SWEEP) {
            MemorySegment x = NormTester.random(PAD, d.elements(), 2, 1, seed++);
            MemorySegment g = NormTester.random(PAD, d.elements(), 0.1, 1, seed++);
            MemorySegment center = NormTester.random(0, d.channels(), 2, 0.1, seed++);
            MemorySegment got = NormTester.floats(2 * d.channels());
            Norm.gradSums(d, g, PAD, x, PAD, center, 0, got, 0, seed % 2 == 0 ? one : two);
            for (long c = 0; c < d.channels(); c++) {
                double sumG = 0;
                double absG = 0;
                double sumGX = 0;
                double absGX = 0;
                double m = center.getAtIndex(F, c);
                for (long o = 0; o < d.outer(); o++) {
                    for (long i = 0; i < d.inner(); i++) {
                        double gi = NormTester.at(g, PAD, d, o, c, i);
                        double t = gi * (NormTester.at(x, PAD, d, o, c, i) - m);
                        sumG += gi;
                        absG += Math.abs(gi);
                        sumGX += t;
                        absGX += Math.abs(t);
                    }
                }
                String what = d + " channel " + c;
                assertEquals(sumG, got.getAtIndex(F, c), 66 * U * absG + Math.ulp((float) sumG), what + ": sum g");
                assertEquals(sumGX, got.getAtIndex(F, d.channels() + c), 68 * U * absGX + Math.ulp((float) sumGX),
                        what + ": sum g (x - center)");
            }
        }
    }

    /**
     * {@code y = (x - mean) * scale + shift} and {@code dx = a g + b (x - center) + bias}: the
     * kernels equal {@link NormScalar} bit for bit, and the double formulas within one rounding
     * per operation of the terms' magnitudes ({@code 3u} of their sum, {@code x - center} included).
     */
    @Test
    void normalizeAndBackwardMatchTheReference() {
        long seed = 200;
        for (NormDims d : NormTester.SWEEP) {
            long n = d.elements();
            long ch = d.channels();
            MemorySegment x = NormTester.random(PAD, n, 1, 2, seed++);
            MemorySegment g = NormTester.random(PAD, n, 0, 1, seed++);
            MemorySegment k = NormTester.random(PAD, 4 * ch, 0.5, 1, seed++);
            MemorySegment y = NormTester.floats(n);
            MemorySegment dx = NormTester.floats(n);
            MemorySegment ref = NormTester.floats(n);
            Norm.normalize(d, x, PAD, y, 0, k, PAD, seed % 2 == 0 ? one : two);
            NormScalar.normalize(d, x, PAD, ref, 0, k, PAD, 0, d.runs());
            assertArrayEquals(NormTester.read(ref, 0, n), NormTester.read(y, 0, n), d + ": normalize vs reference");
            Norm.backward(d, g, PAD, x, PAD, dx, 0, k, PAD, seed % 2 == 0 ? two : one);
            NormScalar.backward(d, g, PAD, x, PAD, ref, 0, k, PAD, 0, d.runs());
            assertArrayEquals(NormTester.read(ref, 0, n), NormTester.read(dx, 0, n), d + ": backward vs reference");
            for (long i = 0; i < n; i++) {
                long c = i / d.inner() % ch;
                double k0 = k.getAtIndex(F, PAD + c);
                double k1 = k.getAtIndex(F, PAD + ch + c);
                double k2 = k.getAtIndex(F, PAD + 2 * ch + c);
                double k3 = k.getAtIndex(F, PAD + 3 * ch + c);
                double dev = x.getAtIndex(F, PAD + i) - k0;
                double want = dev * k1 + k2;
                double tol = 3 * U * (Math.abs(dev * k1) + Math.abs(k2)) + Double.MIN_VALUE;
                assertEquals(want, y.getAtIndex(F, i), tol, d + ": normalize element " + i);
                double ag = k1 * g.getAtIndex(F, PAD + i);
                want = ag + k2 * dev + k3;
                tol = 3 * U * (Math.abs(ag) + Math.abs(k2 * dev) + Math.abs(k3)) + Double.MIN_VALUE;
                assertEquals(want, dx.getAtIndex(F, i), tol, d + ": backward element " + i);
            }
        }
    }

    /** Layer norm's row pass with and without weight and bias: bit-equal to the reference, and the double formula within 3 roundings. */
    @Test
    void normalizeRowsMatchesTheReference() {
        long seed = 300;
        long[][] shapes = {{1, 1}, {3, 5}, {4, 16}, {2, 37}, {5, 100}};
        for (long[] s : shapes) {
            long rows = s[0];
            long cols = s[1];
            MemorySegment x = NormTester.random(PAD, rows * cols, 1, 2, seed++);
            MemorySegment st = NormTester.random(0, 2 * rows, 0.7, 0.5, seed++);
            MemorySegment w = NormTester.random(PAD, cols, 1, 0.5, seed++);
            MemorySegment b = NormTester.random(PAD, cols, 0, 0.5, seed++);
            for (boolean affine : new boolean[] {false, true}) {
                MemorySegment y = NormTester.floats(rows * cols);
                MemorySegment yRef = NormTester.floats(rows * cols);
                Norm.normalizeRows(rows, cols, x, PAD, y, 0, st, 0, affine ? w : null, PAD, affine ? b : null, PAD,
                        two);
                NormScalar.normalizeRows(rows, cols, x, PAD, yRef, 0, st, 0, affine ? w : null, PAD,
                        affine ? b : null, PAD, 0, rows);
                String what = rows + "x" + cols + (affine ? " affine" : "");
                assertArrayEquals(NormTester.read(yRef, 0, rows * cols), NormTester.read(y, 0, rows * cols), what);
                for (long r = 0; r < rows; r++) {
                    for (long i = 0; i < cols; i++) {
                        double t = (x.getAtIndex(F, PAD + r * cols + i) - st.getAtIndex(F, r)) * st.getAtIndex(F, rows + r);
                        double wi = affine ? w.getAtIndex(F, PAD + i) : 1;
                        double want = t * wi + (affine ? b.getAtIndex(F, PAD + i) : 0);
                        assertEquals(want, y.getAtIndex(F, r * cols + i), 3 * U * (Math.abs(t * wi) + Math.abs(want))
                                + Double.MIN_VALUE, what + " element " + r + "," + i);
                    }
                }
            }
        }
    }

    /** Big enough to be split over two threads: every output identical to the one-thread run. */
    @Test
    void resultsDoNotDependOnTheThreadCount() {
        for (NormDims d : new NormDims[] {new NormDims(4, 8, 4096), new NormDims(4096, 40, 1)}) {
            long n = d.elements();
            MemorySegment x = NormTester.random(0, n, 1, 1, 7);
            MemorySegment g = NormTester.random(0, n, 0, 1, 8);
            float[][] results = new float[2][];
            int t = 0;
            for (ComputeContext ctx : new ComputeContext[] {one, two}) {
                MemorySegment stats = NormTester.floats(2 * d.channels());
                MemorySegment sums = NormTester.floats(2 * d.channels());
                MemorySegment k = NormTester.random(0, 4 * d.channels(), 0.5, 1, 9);
                MemorySegment y = NormTester.floats(n);
                Norm.moments(d, x, 0, stats, 0, ctx);
                Norm.gradSums(d, g, 0, x, 0, stats, 0, sums, 0, ctx);
                Norm.normalize(d, x, 0, y, 0, k, 0, ctx);
                Norm.backward(d, g, 0, y, 0, y, 0, k, 0, ctx);
                float[] all = new float[(int) (4 * d.channels() + n)];
                System.arraycopy(NormTester.read(stats, 0, 2 * d.channels()), 0, all, 0, (int) (2 * d.channels()));
                System.arraycopy(NormTester.read(sums, 0, 2 * d.channels()), 0, all, (int) (2 * d.channels()),
                        (int) (2 * d.channels()));
                System.arraycopy(NormTester.read(y, 0, n), 0, all, (int) (4 * d.channels()), (int) n);
                results[t++] = all;
            }
            assertArrayEquals(results[0], results[1], d + ": one thread vs two");
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyWork() {
        NormDims d = new NormDims(2, 3, 4);
        MemorySegment x = NormTester.floats(24);
        MemorySegment small = NormTester.floats(23);
        MemorySegment stats = NormTester.floats(6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Norm.moments(d, small, 0, stats, 0, one));
        assertTrue(e.getMessage().contains("Norm.moments") && e.getMessage().contains("x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Norm.moments(d, x, 0, NormTester.floats(5), 0, one));
        assertTrue(e.getMessage().contains("stats"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Norm.moments(new NormDims(0, 3, 4), x, 0, stats, 0, one));
        assertTrue(e.getMessage().contains("empty channel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Norm.normalize(d, x, 1, x, 0, stats, 0, one));
        assertTrue(e.getMessage().contains("Norm.normalize: x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Norm.backward(d, x, 0, x, 0, x, 0, stats, 0, one));
        assertTrue(e.getMessage().contains("coef"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Norm.normalizeRows(6, 4, x, 0, x, 0, NormTester.floats(12), 0, small, 21, null, 0, one));
        assertTrue(e.getMessage().contains("Norm.normalizeRows: w"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NormDims(-1, 2, 3));
        assertTrue(e.getMessage().contains("NormDims"), e.getMessage());
    }
}
