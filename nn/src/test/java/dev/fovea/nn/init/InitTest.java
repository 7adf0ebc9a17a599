package dev.fovea.nn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.TestResources;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The initialisers of {@link Init}: gains and the normal distribution's CDF against
 * {@code scripts/fixtures/init_fixtures.py} (torch 1.13, Python's {@code statistics}); the
 * orthogonal factor against a replay of {@code orthogonal_}; the random ones by their sample
 * moments, bounds and orthogonality; seeds.
 *
 * <p>Moment tolerances: for N independent draws of variance {@code s2} the sample mean has
 * standard error {@code sqrt(s2 / N)} and the sample variance {@code sqrt((m4 - s2^2) / N)}, with
 * {@code m4} the fourth central moment ({@code 3 s2^2} for a normal, {@code 9/5 s2^2} for a
 * uniform). The checks allow 5 standard errors (a correct sampler fails with probability below
 * 1e-6, and the seeds are fixed); with N = 2^18 that is 1% of the standard deviation for the
 * mean and 1.4% of the variance for a normal, while a wrong fan or gain moves the variance by
 * 25% or more (fans of 1024 against 4096 below, gains 1 against sqrt(2)).
 */
class InitTest {
    private static final long[] SHAPE = {256, 64, 4, 4};
    /** Fan-in and fan-out of {@link #SHAPE}. */
    private static final double FAN_IN = 64 * 16;
    private static final double FAN_OUT = 256 * 16;
    private static final double Z = 5;

    private static List<String[]> fixture(String kind) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : TestResources.text("init/init_fixtures.txt").split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f[0].equals(kind)) {
                rows.add(f);
            }
        }
        assertFalse(rows.isEmpty(), "no '" + kind + "' lines in init_fixtures.txt");
        return rows;
    }

    @Test
    void gainsAreTorchsCalculateGain() throws IOException {
        for (String[] g : fixture("gain")) {
            Nonlinearity n = Nonlinearity.of(g[1]);
            double expected = Double.parseDouble(g[3]);
            double actual = g[2].equals("none") ? Init.calculateGain(n) : Init.calculateGain(n, Double.parseDouble(g[2]));
            assertEquals(expected, actual, 1e-15, String.join(" ", g));
        }
        assertEquals(Nonlinearity.values().length, fixture("gain").stream().filter(g -> g[2].equals("none")).count());
        assertThrows(IllegalArgumentException.class, () -> Nonlinearity.of("gelu"));
    }

    @Test
    void normalCdfAndItsInverseMatchPython() throws IOException {
        for (String[] c : fixture("cdf")) {
            double expected = Double.parseDouble(c[2]);
            // The documented accuracy: 1e-8 relative in the far tail, 1e-13 within 3 standard deviations.
            double rel = Math.abs(Double.parseDouble(c[1])) <= 3 ? 1e-13 : 1e-8;
            assertEquals(expected, StandardNormal.cdf(Double.parseDouble(c[1])), rel * expected, "cdf " + c[1]);
        }
        for (String[] c : fixture("inv_cdf")) {
            double expected = Double.parseDouble(c[2]);
            assertEquals(expected, StandardNormal.inverseCdf(Double.parseDouble(c[1])), 1e-9, "inverse cdf " + c[1]);
        }
    }

    @Test
    void orthogonalFactorIsTorchs() throws IOException {
        List<String[]> heads = fixture("orthogonal");
        List<String[]> ins = fixture("in");
        List<String[]> outs = fixture("out");
        for (int c = 0; c < heads.size(); c++) {
            int rows = Integer.parseInt(heads.get(c)[1]);
            int cols = Integer.parseInt(heads.get(c)[2]);
            double gain = Double.parseDouble(heads.get(c)[3]);
            double[] in = Arrays.stream(ins.get(c), 1, ins.get(c).length).mapToDouble(Double::parseDouble).toArray();
            double[] out = Arrays.stream(outs.get(c), 1, outs.get(c).length).mapToDouble(Double::parseDouble)
                    .toArray();
            double[] q = Orthogonal.of(in, rows, cols);
            for (int i = 0; i < q.length; i++) {
                // Both in float64 by different QR algorithms; the sign correction makes Q unique.
                assertEquals(out[i], gain * q[i], 1e-12, rows + "x" + cols + " element " + i);
            }
        }
    }

    @Test
    void orthogonalRowsOrColumnsAreOrthonormalTimesTheGain() {
        // rows < cols (64 x 288, flattened from dimension 1): W W^T = gain^2 I.
        checkGram(Init.orthogonal(new SplittableRandom(1), 2, 64, 32, 3, 3), 64, 288, true, 4);
        // rows > cols: W^T W = gain^2 I.
        checkGram(Init.orthogonal(new SplittableRandom(2), 1, 300, 20), 300, 20, false, 1);
        checkGram(Init.orthogonal(new SplittableRandom(3), 0.5, 40, 40), 40, 40, true, 0.25);
        checkGram(Init.orthogonal(new SplittableRandom(3), 0.5, 40, 40), 40, 40, false, 0.25);
        assertThrows(IllegalArgumentException.class, () -> Init.orthogonal(new SplittableRandom(1), 1, 5));
    }

    /** The Gram matrix of W's rows ({@code rowsGram}) or columns, in double, against {@code g2 I}. */
    private static void checkGram(Tensor w, int rows, int cols, boolean rowsGram, double g2) {
        float[] v = w.toArray();
        int n = rowsGram ? rows : cols;
        int len = rowsGram ? cols : rows;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double dot = 0;
                for (int k = 0; k < len; k++) {
                    dot += rowsGram ? (double) v[a * cols + k] * v[b * cols + k]
                            : (double) v[k * cols + a] * v[k * cols + b];
                }
                // Float32 rounding of the entries moves a dot product of unit vectors by about 1e-7.
                assertEquals(a == b ? g2 : 0, dot, 1e-5, "Gram entry " + a + "," + b);
            }
        }
    }

    @Test
    void xavierUniformHasItsBoundAndVariance() {
        double gain = Init.calculateGain(Nonlinearity.RELU);
        double bound = gain * Math.sqrt(6 / (FAN_IN + FAN_OUT));
        float[] v = Init.xavierUniform(new SplittableRandom(10), gain, SHAPE).toArray();
        checkUniform(v, bound);
    }

    @Test
    void kaimingUniformUsesTheLeakyReluGainAndTheFanIn() {
        double bound = Math.sqrt(3) * Init.calculateGain(Nonlinearity.LEAKY_RELU, 0.2) / Math.sqrt(FAN_IN);
        float[] v = Init.kaimingUniform(new SplittableRandom(11), 0.2, FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, SHAPE)
                .toArray();
        checkUniform(v, bound);
        // PyTorch's kaiming_uniform_(w, a=sqrt(5)) is the layers' default: the same as the older form.
        float[] a = Init.kaimingUniform(new SplittableRandom(5), Math.sqrt(5), FanMode.FAN_IN,
                Nonlinearity.LEAKY_RELU, 6, 4, 3).toArray();
        checkBounds(a, 1 / Math.sqrt(12));
    }

    private static void checkUniform(float[] v, double bound) {
        checkBounds(v, bound);
        double s2 = bound * bound / 3;
        checkMoments(v, 0, s2, 1.8 * s2 * s2);
    }

    private static void checkBounds(float[] v, double bound) {
        double max = 0;
        for (float x : v) {
            assertTrue(Math.abs(x) <= (float) bound, x + " outside +-" + bound);
            max = Math.max(max, Math.abs(x));
        }
        // The largest of n uniform draws is below 0.99 of the bound with probability 0.995^n.
        assertTrue(v.length < 1000 || max > 0.99 * bound, "largest " + max + " of bound " + bound);
    }

    @Test
    void xavierNormalHasItsVariance() {
        double gain = Init.calculateGain(Nonlinearity.TANH);
        double s2 = gain * gain * 2 / (FAN_IN + FAN_OUT);
        checkMoments(Init.xavierNormal(new SplittableRandom(12), gain, SHAPE).toArray(), 0, s2, 3 * s2 * s2);
    }

    @Test
    void kaimingNormalUsesTheChosenFan() {
        double s2Out = 2 / FAN_OUT;
        checkMoments(Init.kaimingNormal(new SplittableRandom(13), 0, FanMode.FAN_OUT, Nonlinearity.RELU, SHAPE)
                .toArray(), 0, s2Out, 3 * s2Out * s2Out);
        double s2In = 1 / FAN_IN;
        checkMoments(Init.kaimingNormal(new SplittableRandom(14), 0, FanMode.FAN_IN, Nonlinearity.LINEAR, SHAPE)
                .toArray(), 0, s2In, 3 * s2In * s2In);
    }

    @Test
    void truncatedNormalHasTheTruncatedMoments() throws IOException {
        for (String[] c : fixture("trunc")) {
            double mean = Double.parseDouble(c[1]);
            double std = Double.parseDouble(c[2]);
            double a = Double.parseDouble(c[3]);
            double b = Double.parseDouble(c[4]);
            float[] v = Init.truncNormal(new SplittableRandom(15), mean, std, a, b, 1 << 17).toArray();
            for (float x : v) {
                assertTrue(x >= a && x <= b, x + " outside [" + a + ", " + b + "]");
            }
            // The fourth central moment is the sample's own (no closed form needed for the error).
            double m = Arrays.stream(toDouble(v)).average().orElseThrow();
            double m4 = Arrays.stream(toDouble(v)).map(x -> Math.pow(x - m, 4)).average().orElseThrow();
            double s2 = Double.parseDouble(c[6]);
            checkMoments(v, Double.parseDouble(c[5]), s2, m4);
        }
        assertThrows(IllegalArgumentException.class, () -> Init.truncNormal(new SplittableRandom(1), 0, 1, 2, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Init.truncNormal(new SplittableRandom(1), 0, 0, -1, 1, 3));
        // 40 standard deviations out: no probability left in double precision.
        assertThrows(IllegalArgumentException.class, () -> Init.truncNormal(new SplittableRandom(1), 0, 1, 40, 41, 3));
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /** Sample mean and variance of {@code v} within {@link #Z} standard errors of {@code mean} and {@code s2}. */
    private static void checkMoments(float[] v, double mean, double s2, double m4) {
        int n = v.length;
        double sum = 0;
        for (float x : v) {
            sum += x;
        }
        double m = sum / n;
        double ss = 0;
        for (float x : v) {
            ss += (x - m) * (x - m);
        }
        double var = ss / (n - 1);
        assertEquals(mean, m, Z * Math.sqrt(s2 / n), "mean");
        assertEquals(s2, var, Z * Math.sqrt((m4 - s2 * s2) / n) + 1e-12 * s2, "variance");
    }

    @Test
    void sameSeedSameValuesDifferentSeedDifferentValues() {
        List<Function<RandomGenerator, Tensor>> inits = List.of(
                r -> Init.uniform(r, -1, 1, 8, 9),
                r -> Init.normal(r, 0, 1, 8, 9),
                r -> Init.xavierUniform(r, 1, 8, 9),
                r -> Init.xavierNormal(r, 1, 8, 9),
                r -> Init.kaimingUniform(r, 0, FanMode.FAN_IN, Nonlinearity.RELU, 8, 9),
                r -> Init.kaimingNormal(r, 0, FanMode.FAN_OUT, Nonlinearity.RELU, 8, 9),
                r -> Init.orthogonal(r, 1, 8, 9),
                r -> Init.truncNormal(r, 0, 1, -2, 2, 8, 9));
        for (int i = 0; i < inits.size(); i++) {
            float[] a = inits.get(i).apply(new SplittableRandom(42)).toArray();
            assertArrayEquals(a, inits.get(i).apply(new SplittableRandom(42)).toArray(), "initialiser " + i);
            assertFalse(Arrays.equals(a, inits.get(i).apply(new SplittableRandom(43)).toArray()), "initialiser " + i);
        }
    }

    @Test
    void fanBasedInitialisersNeedRankTwo() {
        RandomGenerator r = new SplittableRandom(1);
        assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(r, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> Init.xavierNormal(r, 1, 10));
        assertThrows(IllegalArgumentException.class,
                () -> Init.kaimingNormal(r, 0, FanMode.FAN_IN, Nonlinearity.RELU, 10));
        assertThrows(IllegalArgumentException.class,
                () -> Init.kaimingUniform(r, 0, FanMode.FAN_IN, Nonlinearity.RELU));
        assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(r, Double.NaN, 3, 3));
        // Zero elements: nothing to draw, as PyTorch's no-op.
        assertArrayEquals(new long[] {0, 3}, Init.orthogonal(r, 1, 0, 3).shape());
        assertArrayEquals(new long[] {4, 0}, Init.kaimingNormal(r, 0, FanMode.FAN_IN, Nonlinearity.RELU, 4, 0)
                .shape());
    }

    @Test
    void zerosOnesAndConstantWriteInPlace() {
        Tensor p = Tensor.randn(1, 3, 4).requiresGrad(true);
        Init.zeros(p);
        assertArrayEquals(new float[12], p.toArray());
        Init.ones(p);
        float[] ones = new float[12];
        Arrays.fill(ones, 1f);
        assertArrayEquals(ones, p.toArray());
        Init.constant(p, 0.5f);
        assertEquals(0.5f, p.get(2, 3));
        assertTrue(p.requiresGrad() && p.isLeaf());
    }
}
