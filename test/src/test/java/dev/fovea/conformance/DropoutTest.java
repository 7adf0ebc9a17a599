package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Dropout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The dropout ops of {@link Dropout}. PyTorch cannot share our generator, so these test the
 * semantics rather than PyTorch's masks: the kept fraction within a binomial tolerance, kept
 * values scaled exactly and dropped ones exactly 0, reproducibility from a seed, whole channels
 * for the channel-wise forms, alpha dropout's preserved mean and variance, the identity in
 * evaluation, and gradients through the same mask.
 *
 * <p><b>Binomial tolerance.</b> With {@code n} independent draws kept with probability
 * {@code q = 1 - p}, the kept count has mean {@code n q} and deviation {@code sqrt(n q (1 - q))};
 * the tests accept 5 deviations (a false failure about once in 1.7 million runs, and with fixed
 * seeds never flaky). A wrong keep probability (p instead of 1 - p at p = 0.3) is off by
 * 40000 / 205 = 195 deviations.
 */
class DropoutTest {
    private static void assertBinomial(long kept, long n, double keep, String what) {
        double sd = Math.sqrt(n * keep * (1 - keep));
        assertTrue(Math.abs(kept - n * keep) <= 5 * sd, what + ": kept " + kept + " of " + n + ", expected "
                + n * keep + " +- " + 5 * sd);
    }

    @Test
    void dropoutKeepsABinomialFractionScaledExactly() {
        long n = 200_000;
        double p = 0.3;
        Tensor x = Tensor.randn(1, n);
        float[] xs = x.toArray();
        float[] ys = Dropout.dropout(x, p, true, new SplittableRandom(11)).toArray();
        float scale = (float) (1 / (1 - p));
        long kept = 0;
        for (int i = 0; i < n; i++) {
            if (ys[i] != 0) {
                kept++;
                assertEquals(xs[i] * scale, ys[i], 0f, "kept element " + i);
            }
        }
        assertBinomial(kept, n, 1 - p, "dropout");
        assertArrayEquals(ys, Dropout.dropout(x, p, true, 11L).toArray(), "a seed is a fresh SplittableRandom");
        assertFalse(Arrays.equals(ys, Dropout.dropout(x, p, true, 12L).toArray()), "another seed");
    }

    @Test
    void identityInEvaluationOrWithoutDropping() {
        Tensor x = Tensor.randn(2, 4, 5);
        assertSame(x, Dropout.dropout(x, 0.5, false, null));
        assertSame(x, Dropout.dropout(x, 0.0, true, new SplittableRandom(1)));
        assertSame(x, Dropout.dropout1d(x, 0.5, false, null));
        assertSame(x, Dropout.alphaDropout(x, 0.5, false, null));
        assertSame(x, Dropout.featureAlphaDropout(x, 0.5, false, null));
        Tensor y = Tensor.randn(4, 2, 3, 4, 5);
        assertSame(y, Dropout.dropout2d(y, 0.5, false, null));
        assertSame(y, Dropout.dropout3d(y, 0.0, true, 5L));
    }

    @Test
    void probabilityOneGivesZerosAndZeroGradient() {
        Tensor x = Tensor.randn(5, 3, 7).requiresGrad(true);
        Tensor y = Dropout.dropout(x, 1.0, true, null);
        assertArrayEquals(new float[21], y.toArray());
        y.sum().backward();
        assertArrayEquals(new float[21], x.grad().toArray());
        float[] nan = Dropout.dropout(Tensor.full(Float.NaN, 2), 1.0, true, null).toArray();
        assertTrue(Float.isNaN(nan[0]) && Float.isNaN(nan[1]), "input * 0 keeps NaN, as PyTorch");
        assertArrayEquals(new float[21], Dropout.alphaDropout(x, 1.0, true, 3L).toArray());
    }

    @Test
    void probabilityOutsideTheUnitIntervalIsRejected() {
        Tensor x = Tensor.randn(6, 3);
        for (double p : new double[] {-0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Dropout.dropout(x, p, true, 1L));
            assertTrue(e.getMessage().contains("dropout: dropout probability p must be in [0, 1]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Dropout.alphaDropout(x, p, false, 1L));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dropout.dropout(x, 0.5, true, null));
        assertTrue(e.getMessage().contains("random generator"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dropout.dropout1d(Tensor.randn(7, 2, 3, 4, 5), 0.5, true,
                1L));
        assertTrue(e.getMessage().contains("dropout1d") && e.getMessage().contains("[2, 3, 4, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dropout.dropout2d(Tensor.randn(8, 2, 3), 0.5, true, 1L));
        assertTrue(e.getMessage().contains("dropout2d") && e.getMessage().contains("3 or 4 dims"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dropout.featureAlphaDropout(Tensor.randn(9, 4), 0.5,
                true, 1L));
        assertTrue(e.getMessage().contains("feature_alpha_dropout"), e.getMessage());
    }

    /** Each (n, c) plane entirely dropped or entirely kept and scaled; the count of kept planes binomial. */
    @Test
    void channelDropoutZeroesWholeChannels() {
        double p = 0.4;
        float scale = (float) (1 / (1 - p));
        // {spatial dims, shape...}: batched and unbatched inputs of dropout1d, 2d and 3d.
        long[][] cases = {{1, 40, 50, 6}, {2, 50, 40, 2, 3}, {3, 20, 100, 2, 1, 3}, {1, 2000, 3}, {2, 1000, 2, 3},
                          {3, 500, 2, 1, 3}};
        for (long[] c : cases) {
            int spatial = (int) c[0];
            long[] shape = Arrays.copyOfRange(c, 1, c.length);
            Tensor x = Tensor.rand(10, shape).add(0.5f);
            boolean batched = shape.length == spatial + 2;
            Tensor y = switch (spatial) {
                case 1 -> Dropout.dropout1d(x, p, true, 21L);
                case 2 -> Dropout.dropout2d(x, p, true, 21L);
                default -> Dropout.dropout3d(x, p, true, 21L);
            };
            long planes = batched ? shape[0] * shape[1] : shape[0];
            int inner = (int) (x.numel() / planes);
            float[] xs = x.toArray();
            float[] ys = y.toArray();
            long kept = 0;
            for (int plane = 0; plane < planes; plane++) {
                boolean keep = ys[plane * inner] != 0;
                kept += keep ? 1 : 0;
                for (int i = plane * inner; i < (plane + 1) * inner; i++) {
                    assertEquals(keep ? xs[i] * scale : 0f, ys[i], 0f, Arrays.toString(shape) + " " + i);
                }
            }
            assertBinomial(kept, planes, 1 - p, "channel dropout of " + Arrays.toString(shape));
        }
    }

    /**
     * Standard-normal input, n = 200000: the output's mean within 5 standard errors
     * ({@code 5 / sqrt(n) = 0.011}) of 0 and its variance within 5 standard errors of 1 (the
     * sample variance's error is {@code sqrt((m4 - 1) / n)}, {@code m4 <= 5} for this mixture:
     * 0.022). Dropped values are exactly {@code alpha' a (p - 1)}, kept ones {@code fma(x, a, alpha' a p)}.
     */
    @Test
    void alphaDropoutKeepsMeanAndVariance() {
        int n = 200_000;
        double p = 0.2;
        double alpha = 1.7580993408473766;
        double a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p));
        float dropped = (float) (alpha * a * (p - 1));
        Tensor x = Tensor.randn(30, n);
        float[] xs = x.toArray();
        float[] ys = Dropout.alphaDropout(x, p, true, 31L).toArray();
        double sum = 0;
        double sq = 0;
        long kept = 0;
        for (int i = 0; i < n; i++) {
            sum += ys[i];
            sq += (double) ys[i] * ys[i];
            if (ys[i] != dropped) {
                kept++;
                assertEquals(Math.fma(xs[i], (float) a, (float) (alpha * a * p)), ys[i], 0f, "kept " + i);
            }
        }
        double mean = sum / n;
        double var = sq / n - mean * mean;
        assertEquals(0, mean, 5 / Math.sqrt(n), "mean");
        assertEquals(1, var, 5 * Math.sqrt(4.0 / n), "variance");
        assertBinomial(kept, n, 1 - p, "alpha dropout");
    }

    @Test
    void featureAlphaDropoutActsOnWholePlanes() {
        double p = 0.5;
        Tensor x = Tensor.randn(40, 30, 20, 7);
        float[] ys = Dropout.featureAlphaDropout(x, p, true, 41L).toArray();
        double alpha = 1.7580993408473766;
        double a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p));
        float dropped = (float) (alpha * a * (p - 1));
        long kept = 0;
        for (int plane = 0; plane < 600; plane++) {
            long drops = 0;
            for (int i = plane * 7; i < plane * 7 + 7; i++) {
                drops += ys[i] == dropped ? 1 : 0;
            }
            assertTrue(drops == 0 || drops == 7, "plane " + plane + " partly dropped");
            kept += drops == 0 ? 1 : 0;
        }
        assertBinomial(kept, 600, 1 - p, "feature alpha dropout");
    }

    /** The backward multiplies by the forward's mask: exactly g * scale where kept and 0 where dropped. */
    @Test
    void gradientsFlowThroughTheSameMask() {
        double p = 0.35;
        Tensor x = Tensor.randn(50, 4, 6, 5).requiresGrad(true);
        Tensor y = Dropout.dropout(x, p, true, 51L);
        Tensor g = Tensor.randn(52, 4, 6, 5);
        y.backward(g);
        float[] ys = y.toArray();
        float[] gs = g.toArray();
        float[] gx = x.grad().toArray();
        float scale = (float) (1 / (1 - p));
        for (int i = 0; i < gx.length; i++) {
            assertEquals(ys[i] != 0 ? gs[i] * scale : 0f, gx[i], 0f, "element " + i);
        }
        GradientChecker.of("dropout", t -> Dropout.dropout(t[0], p, true, 53L)).check(Tensor.randn(54, 3, 17));
        GradientChecker.of("dropout2d", t -> Dropout.dropout2d(t[0], p, true, 55L)).check(Tensor.randn(56, 2, 3, 2, 4));
        GradientChecker.of("alpha_dropout", t -> Dropout.alphaDropout(t[0], p, true, 57L))
                .check(Tensor.randn(58, 3, 17));
        GradientChecker.of("feature_alpha_dropout", t -> Dropout.featureAlphaDropout(t[0], p, true, 59L))
                .check(Tensor.randn(60, 2, 4, 5));
    }
}
