package dev.fovea.tensor;

import static dev.fovea.tensor.TensorCreationTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** matmul against a naive double loop, over PyTorch's rank cases, broadcast batches and strided operands. */
class MatMulTest {
    /** Naive product of a [..., m, k] and b [..., k, n] (ranks >= 2, batch dims broadcast) in double. */
    private static double[] naive(Tensor a, Tensor b) {
        long[] as = a.shape();
        long[] bs = b.shape();
        int m = (int) as[as.length - 2];
        int k = (int) as[as.length - 1];
        int n = (int) bs[bs.length - 1];
        long[] batch = Ref.broadcast(java.util.Arrays.copyOf(as, as.length - 2), java.util.Arrays.copyOf(bs, bs.length - 2));
        int nb = Ref.numel(batch);
        double[] av = Ref.values(a);
        double[] bv = Ref.values(b);
        long[] outShape = java.util.Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        long[] aFull = java.util.Arrays.copyOf(batch, batch.length + 2);
        aFull[batch.length] = m;
        aFull[batch.length + 1] = k;
        long[] bFull = java.util.Arrays.copyOf(batch, batch.length + 2);
        bFull[batch.length] = k;
        bFull[batch.length + 1] = n;
        double[] out = new double[nb * m * n];
        for (int p = 0; p < nb; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        s += Ref.at(av, as, aFull, (p * m + i) * k + q) * Ref.at(bv, bs, bFull, (p * k + q) * n + j);
                    }
                    out[(p * m + i) * n + j] = s;
                }
            }
        }
        return out;
    }

    private static void check(Tensor a, Tensor b) {
        Ref.assertClose(naive(a, b), a.matmul(b), 1e-5, 1e-5);
    }

    @Test
    void twoDimensionalIncludingTails() {
        int[][] sizes = {{1, 1, 1}, {2, 3, 4}, {5, 7, 3}, {17, 33, 9}, {64, 1, 65}, {1, 100, 1}};
        long seed = 1;
        for (int[] s : sizes) {
            check(Tensor.randn(seed++, s[0], s[1]), Tensor.randn(seed++, s[1], s[2]));
        }
    }

    @Test
    void transposedAndStridedOperandsAreReadInPlace() {
        Tensor a = Tensor.randn(1, 6, 4);
        Tensor b = Tensor.randn(2, 5, 6);
        check(a.t(), b.t());
        check(a.t(), Tensor.randn(3, 6, 5));
        check(Tensor.randn(4, 5, 4), b.t().t().t().narrow(0, 0, 4));
        Tensor wide = Tensor.randn(5, 8, 10);
        check(wide.narrow(1, 2, 6), wide.narrow(1, 1, 6).t().narrow(0, 0, 6));
        check(Tensor.randn(6, 1, 3).expand(4, 3), Tensor.randn(7, 3, 2));
        check(Tensor.randn(8, 3, 1).expand(3, 5), Tensor.randn(9, 5, 2).slice(0, 0, 5, 1));
    }

    @Test
    void oneDimensionalCases() {
        Tensor v = Tensor.randn(1, 5);
        Tensor w = Tensor.randn(2, 5);
        Tensor m = Tensor.randn(3, 5, 3);
        Tensor dot = v.matmul(w);
        assertArrayEquals(new long[] {}, dot.shape());
        double expected = 0;
        for (int i = 0; i < 5; i++) {
            expected += (double) v.get(i) * w.get(i);
        }
        Ref.assertClose(new double[] {expected}, dot, 1e-5, 1e-6);
        Tensor vm = v.matmul(m);
        assertArrayEquals(new long[] {3}, vm.shape());
        Ref.assertClose(naive(v.unsqueeze(0), m), vm, 1e-5, 1e-6);
        Tensor mv = m.t().matmul(v);
        assertArrayEquals(new long[] {3}, mv.shape());
        Ref.assertClose(naive(m.t(), v.unsqueeze(1)), mv, 1e-5, 1e-6);
        Tensor batch = Tensor.randn(4, 2, 3, 5);
        assertArrayEquals(new long[] {2, 3}, batch.matmul(v).shape());
        assertArrayEquals(new long[] {2, 3}, v.matmul(Tensor.randn(5, 2, 5, 3)).shape());
    }

    @Test
    void batchedWithBroadcastBatchDims() {
        check(Tensor.randn(1, 3, 4, 5), Tensor.randn(2, 3, 5, 2));
        check(Tensor.randn(3, 2, 1, 4, 5), Tensor.randn(4, 3, 5, 6));
        check(Tensor.randn(5, 4, 5), Tensor.randn(6, 2, 1, 5, 3));
        check(Tensor.randn(7, 2, 3, 4, 5).permute(1, 0, 3, 2), Tensor.randn(8, 4, 2));
        check(Tensor.randn(9, 3, 4, 5).transpose(0, 1), Tensor.randn(10, 4, 3, 5, 2).select(1, 1));
        check(Tensor.randn(11, 4, 5).expand(3, 4, 5), Tensor.randn(12, 3, 5, 2));
    }

    @Test
    void emptyDims() {
        Ref.assertValues(Tensor.ones(2, 0).matmul(Tensor.ones(0, 3)), 0, 0, 0, 0, 0, 0);
        assertArrayEquals(new long[] {0, 3}, Tensor.ones(0, 4).matmul(Tensor.ones(4, 3)).shape());
    }

    @Test
    void shapeErrors() {
        assertMessage(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)),
                "matmul: shapes [2, 3] and [4, 5] cannot be multiplied: the first has 3 columns (last dim) but the second has 4 rows (dim -2)");
        assertMessage(() -> Tensor.zeros(3).matmul(Tensor.zeros(4)),
                "matmul: shapes [3] and [4] cannot be multiplied");
        assertMessage(() -> Tensor.scalar(1).matmul(Tensor.zeros(4)),
                "matmul: both arguments need at least 1 dim, got shapes [] and [4]");
        assertMessage(() -> Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(3, 4, 5)),
                "matmul (batch dims): cannot broadcast shapes [2] and [3]: dimension 0 is 2 vs 3");
    }
}
