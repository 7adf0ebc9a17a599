package dev.fovea.tensor;

import static dev.fovea.tensor.TensorCreationTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reductions over every subset of dims of strided inputs, against double references. */
class ReductionsTest {
    private static final long[][] SHAPES = {{7}, {3, 5}, {2, 3, 4}, {4, 1, 6}, {70, 40}, {1, 66000}};

    private static Tensor[] inputs(long[] shape, long seed) {
        Tensor x = Tensor.randn(seed, shape);
        Tensor reversed = x.permute(reverse(shape.length)).contiguous().permute(reverse(shape.length));
        return new Tensor[] {x, reversed};
    }

    private static int[] reverse(int rank) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = rank - 1 - i;
        }
        return p;
    }

    /** Every non-empty subset of dims, as int[] lists. */
    private static int[][] subsets(int rank) {
        int[][] out = new int[(1 << rank) - 1][];
        for (int m = 1; m < (1 << rank); m++) {
            int bits = m;
            out[m - 1] = java.util.stream.IntStream.range(0, rank).filter(d -> (bits & (1 << d)) != 0).toArray();
        }
        return out;
    }

    private static boolean[] mask(int rank, int[] dims) {
        boolean[] mask = new boolean[rank];
        for (int d : dims) {
            mask[d] = true;
        }
        return mask;
    }

    @Test
    void sumMeanMaxMinOverEveryDimSubset() {
        long seed = 10;
        for (long[] shape : SHAPES) {
            for (Tensor x : inputs(shape, seed++)) {
                for (int[] dims : subsets(shape.length)) {
                    boolean[] m = mask(shape.length, dims);
                    double count = 1;
                    for (int d : dims) {
                        count *= shape[d];
                    }
                    double n = count;
                    double[] sum = Ref.reduce(x, m, 0, Double::sum);
                    Ref.assertClose(sum, x.sum(dims, false), 1e-5, 1e-4);
                    double[] mean = sum.clone();
                    for (int i = 0; i < mean.length; i++) {
                        mean[i] /= n;
                    }
                    Ref.assertClose(mean, x.mean(dims, true), 1e-5, 1e-5);
                    Ref.assertClose(Ref.reduce(x, m, Double.NEGATIVE_INFINITY, Math::max), x.max(dims, false), 0, 0);
                    Ref.assertClose(Ref.reduce(x, m, Double.POSITIVE_INFINITY, Math::min), x.min(dims, true), 0, 0);
                }
            }
        }
    }

    @Test
    void varianceUnbiasedAndBiased() {
        Tensor x = Tensor.randn(3, 4, 5, 6).transpose(0, 2);
        for (int[] dims : subsets(3)) {
            boolean[] m = mask(3, dims);
            double[] mean = Ref.reduce(x, m, 0, Double::sum);
            long n = 1;
            for (int d : dims) {
                n *= x.shape()[d];
            }
            for (int i = 0; i < mean.length; i++) {
                mean[i] /= n;
            }
            double[] ssd = new double[mean.length];
            double[] v = Ref.values(x);
            long[] outShape = x.shape();
            for (int d : dims) {
                outShape[d] = 1;
            }
            for (int i = 0; i < v.length; i++) {
                int o = Ref.outIndex(i, x.shape(), outShape);
                ssd[o] += (v[i] - mean[o]) * (v[i] - mean[o]);
            }
            double[] unbiased = new double[ssd.length];
            double[] biased = new double[ssd.length];
            for (int i = 0; i < ssd.length; i++) {
                unbiased[i] = ssd[i] / (n - 1);
                biased[i] = ssd[i] / n;
            }
            Ref.assertClose(unbiased, x.var(dims, true, false), 1e-5, 1e-6);
            Ref.assertClose(biased, x.var(dims, false, true), 1e-5, 1e-6);
        }
        assertTrue(Float.isNaN(Tensor.ones(1).var().item()));
        assertEquals(0f, Tensor.ones(1).var(false).item());
        assertEquals(2.5f, Tensor.arange(1, 6, 1).var().item(), 1e-6);
    }

    @Test
    void fullReductionsAndKeepdimShapes() {
        Tensor x = Tensor.arange(12).reshape(3, 4);
        assertEquals(66f, x.sum().item());
        assertEquals(5.5f, x.mean().item());
        assertEquals(11f, x.max().item());
        assertEquals(0f, x.min().item());
        assertArrayEquals(new long[] {}, x.sum().shape());
        assertArrayEquals(new long[] {3, 1}, x.sum(1, true).shape());
        assertArrayEquals(new long[] {4}, x.sum(0).shape());
        assertArrayEquals(new long[] {1, 1}, x.sum(new int[] {0, 1}, true).shape());
        assertArrayEquals(new long[] {}, x.sum(new int[0], false).shape());
        Ref.assertValues(x.sum(-1), 6, 22, 38);
        Ref.assertValues(x.mean(0), 4, 5, 6, 7);
        assertEquals(0f, Tensor.zeros(0, 3).sum().item());
        assertTrue(Float.isNaN(Tensor.zeros(0).mean().item()));
        Ref.assertValues(Tensor.zeros(0, 3).sum(0), 0, 0, 0);
        assertEquals(5f, Tensor.scalar(5f).sum().item());
    }

    @Test
    void argmaxArgminTakeTheFirstExtreme() {
        Tensor x = Tensor.of(new float[] {1, 5, 5, 0, 2, 0, 7, 7}, 2, 4);
        assertEquals(6f, x.argmax().item());
        assertEquals(3f, x.argmin().item());
        Ref.assertValues(x.argmax(1, false), 1, 2);
        Ref.assertValues(x.argmin(1, false), 3, 1);
        Ref.assertValues(x.argmax(0, true), 1, 0, 1, 1);
        assertArrayEquals(new long[] {1, 4}, x.argmax(0, true).shape());
        Ref.assertValues(x.t().argmax(0, false), 1, 2);
        Tensor withNan = Tensor.of(new float[] {1, Float.NaN, 3, Float.NaN});
        assertEquals(1f, withNan.argmax().item());
        assertEquals(1f, withNan.argmin().item());
        assertTrue(Float.isNaN(withNan.max().item()));
        Tensor big = Tensor.randn(4, 50, 30);
        double[] v = Ref.values(big);
        for (int r = 0; r < 50; r++) {
            int best = 0;
            for (int c = 1; c < 30; c++) {
                best = v[r * 30 + c] > v[r * 30 + best] ? c : best;
            }
            assertEquals(best, big.argmax(1, false).get(r));
        }
    }

    @Test
    void reductionErrors() {
        Tensor x = Tensor.zeros(2, 3);
        assertMessage(() -> x.sum(2), "sum: dim 2 is out of range for shape [2, 3]; expected -2..1");
        assertMessage(() -> x.mean(new int[] {1, -1}, false), "mean: dim -1 appears more than once in [1, -1]");
        assertMessage(() -> Tensor.zeros(0, 2).max(0, false), "max: cannot reduce over zero elements: shape [0, 2]");
        assertMessage(() -> Tensor.zeros(0).argmax(), "argmax: cannot reduce over zero elements");
        assertMessage(() -> x.var(new int[] {5}, true, false), "var: dim 5 is out of range");
    }
}
