package dev.fovea.conformance;

import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Gradients of matmul over PyTorch's rank cases, broadcast batches and transposed operands. */
class MatMulGradTest {
    private static void check(String name, Tensor a, Tensor b) {
        GradientChecker.of(name, in -> in[0].matmul(in[1])).check(a, b);
    }

    @Test
    void ranksOneAndTwo() {
        check("2d", Tensor.randn(1, 3, 4), Tensor.randn(2, 4, 5));
        check("dot", Tensor.randn(3, 6), Tensor.randn(4, 6));
        check("vector-matrix", Tensor.randn(5, 4), Tensor.randn(6, 4, 3));
        check("matrix-vector", Tensor.randn(7, 3, 4), Tensor.randn(8, 4));
        check("outer-ish 1x1", Tensor.randn(9, 5, 1), Tensor.randn(10, 1, 2));
    }

    @Test
    void batchedWithBroadcasting() {
        check("batched", Tensor.randn(11, 2, 3, 4), Tensor.randn(12, 2, 4, 2));
        check("broadcast batch", Tensor.randn(13, 2, 1, 3, 4), Tensor.randn(14, 3, 4, 2));
        check("2d times batch", Tensor.randn(15, 3, 4), Tensor.randn(16, 2, 4, 5));
        check("batch times vector", Tensor.randn(17, 2, 3, 4), Tensor.randn(18, 4));
        check("vector times batch", Tensor.randn(19, 3), Tensor.randn(20, 2, 3, 4));
    }

    @Test
    void transposedOperands() {
        GradientChecker.of("a^T b", in -> in[0].t().matmul(in[1])).check(Tensor.randn(21, 4, 3), Tensor.randn(22, 4, 5));
        GradientChecker.of("a b^T", in -> in[0].matmul(in[1].transpose(-1, -2)))
                .check(Tensor.randn(23, 2, 3, 4), Tensor.randn(24, 5, 4));
        GradientChecker.of("expanded a", in -> in[0].expand(3, 4).matmul(in[1])).check(Tensor.randn(25, 1, 4), Tensor.randn(26, 4, 2));
    }
}
