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
 * Local response normalization against PyTorch's definition evaluated in double (forward) and its
 * central finite differences in double (backward), and against the scalar reference bit for bit.
 * The parameters are far from AlexNet's tiny alpha so that the cross-channel terms weigh in the
 * result and a wrong window is caught.
 */
class LrnTest {
    private static final float ALPHA = 0.6f;
    private static final float BETA = 0.75f;
    private static final float K = 1.5f;
    private static ComputeContext two;

    @BeforeAll
    static void contexts() {
        two = ComputeContext.create(2);
    }

    @AfterAll
    static void close() {
        two.close();
    }

    /** PyTorch's formula in double: x / (k + alpha / size * sum of the window's squares)^beta. */
    private static double[] forward(double[] x, NormDims d, int size, double[] divOut) {
        double[] y = new double[x.length];
        long ch = d.channels();
        for (long o = 0; o < d.outer(); o++) {
            for (long c = 0; c < ch; c++) {
                for (long i = 0; i < d.inner(); i++) {
                    double sq = 0;
                    for (long j = c - size / 2; j <= c + (size - 1) / 2; j++) {
                        if (j >= 0 && j < ch) {
                            double v = x[(int) ((o * ch + j) * d.inner() + i)];
                            sq += v * v;
                        }
                    }
                    int at = (int) ((o * ch + c) * d.inner() + i);
                    double div = K + (double) ALPHA / size * sq;
                    y[at] = x[at] / Math.pow(div, BETA);
                    if (divOut != null) {
                        divOut[at] = div;
                    }
                }
            }
        }
        return y;
    }

    private static double[] doubles(MemorySegment m, long n) {
        double[] out = new double[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = m.getAtIndex(F, i);
        }
        return out;
    }

    /**
     * Forward within {@code (2 beta (size + 2) + 2 beta |ln div| + 8) u |y|}: the window's float sum
     * of squares (size terms) and the fma for div, log within 1 ulp of |ln div| scaled by beta, exp
     * and the division within 1 ulp each. Backward within {@code (2 size + 16) u} of the magnitude
     * of its two terms, plus 1e-8 for the finite difference (step 1e-5 in double: truncation
     * ~1e-10, rounding ~1e-11).
     */
    @Test
    void forwardAndBackwardMatchTheDefinition() {
        long seed = 40;
        for (NormDims d : new NormDims[] {new NormDims(2, 7, 5), new NormDims(1, 6, 19), new NormDims(2, 4, 33),
                                          new NormDims(3, 3, 1)}) {
            for (int size : new int[] {1, 2, 3, 4, 5, 9}) {
                long n = d.elements();
                MemorySegment x = NormTester.random(0, n, 0, 1.5, seed++);
                MemorySegment g = NormTester.random(0, n, 0, 1, seed++);
                MemorySegment y = NormTester.floats(n);
                MemorySegment div = NormTester.floats(n);
                MemorySegment dx = NormTester.floats(n);
                Lrn.forward(d, size, ALPHA, BETA, K, x, 0, y, 0, div, 0, two);
                Lrn.backward(d, size, ALPHA, BETA, g, 0, x, 0, y, 0, div, 0, dx, 0, two);
                String what = d + " size " + size;
                checkAgainstReference(d, size, x, g, y, div, dx, what);
                double[] xd = doubles(x, n);
                double[] gd = doubles(g, n);
                double[] divRef = new double[(int) n];
                double[] yRef = forward(xd, d, size, divRef);
                for (int i = 0; i < n; i++) {
                    double tol = (2 * BETA * (size + 2) + 2 * BETA * Math.abs(Math.log(divRef[i])) + 8) * U
                            * Math.abs(yRef[i]) + Double.MIN_VALUE;
                    assertEquals(yRef[i], y.getAtIndex(F, i), tol, what + ": y " + i);
                }
                for (int j = 0; j < n; j++) {
                    double numeric = numericGradient(xd, gd, d, size, j);
                    double mag = magnitude(xd, gd, yRef, divRef, d, size, j);
                    assertEquals(numeric, dx.getAtIndex(F, j), (2 * size + 16) * U * mag + 1e-8, what + ": dx " + j);
                }
            }
        }
    }

    private static void checkAgainstReference(NormDims d, int size, MemorySegment x, MemorySegment g, MemorySegment y,
                                              MemorySegment div, MemorySegment dx, String what) {
        long n = d.elements();
        MemorySegment yRef = NormTester.floats(n);
        MemorySegment divRef = NormTester.floats(n);
        MemorySegment dxRef = NormTester.floats(n);
        float aos = (float) ((double) ALPHA / size);
        LrnScalar.forward(d, size, aos, BETA, K, x, 0, yRef, 0, divRef, 0, 0, d.runs(), 0, d.inner());
        LrnScalar.backward(d, size, BETA, (float) (2.0 * ALPHA * BETA / size), g, 0, x, 0, yRef, 0, divRef, 0,
                dxRef, 0, 0, d.runs(), 0, d.inner());
        assertArrayEquals(NormTester.read(yRef, 0, n), NormTester.read(y, 0, n), what + ": y vs reference");
        assertArrayEquals(NormTester.read(divRef, 0, n), NormTester.read(div, 0, n), what + ": div vs reference");
        assertArrayEquals(NormTester.read(dxRef, 0, n), NormTester.read(dx, 0, n), what + ": dx vs reference");
    }

    /** d/dx_j of sum(g * y(x)) by central differences in double. */
    private static double numericGradient(double[] x, double[] g, NormDims d, int size, int j) {
        double h = 1e-5;
        double keep = x[j];
        x[j] = keep + h;
        double plus = dot(g, forward(x, d, size, null));
        x[j] = keep - h;
        double minus = dot(g, forward(x, d, size, null));
        x[j] = keep;
        return (plus - minus) / (2 * h);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** |g_j div_j^-beta| + coef |x_j| sum over the reverse window of |g_c y_c / div_c|. */
    private static double magnitude(double[] x, double[] g, double[] y, double[] div, NormDims d, int size, int j) {
        long ch = d.channels();
        long inner = d.inner();
        long o = j / (ch * inner);
        long cj = j / inner % ch;
        long i = j % inner;
        double s = 0;
        for (long c = Math.max(0, cj - (size - 1) / 2); c <= Math.min(ch - 1, cj + size / 2); c++) {
            int at = (int) ((o * ch + c) * inner + i);
            s += Math.abs(g[at] * y[at] / div[at]);
        }
        return Math.abs(g[j] * Math.pow(div[j], -BETA)) + 2.0 * ALPHA * BETA / size * Math.abs(x[j]) * s;
    }

    @Test
    void badArgumentsAreRejected() {
        NormDims d = new NormDims(1, 3, 4);
        MemorySegment x = NormTester.floats(12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Lrn.forward(d, 0, ALPHA, BETA, K, x, 0, x, 0, null, 0, two));
        assertTrue(e.getMessage().contains("Lrn.forward: size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Lrn.forward(d, 3, Float.NaN, BETA, K, x, 0, x, 0, null, 0, two));
        assertTrue(e.getMessage().contains("alpha"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Lrn.backward(d, 3, ALPHA, BETA, x, 0, x, 0, x, 0, NormTester.floats(11), 0, x, 0, two));
        assertTrue(e.getMessage().contains("Lrn.backward: div"), e.getMessage());
    }
}
