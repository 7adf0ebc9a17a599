package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.F;
import dev.fovea.tensor.functional.MaxPoolResult;
import dev.fovea.tensor.functional.PoolOptions;
import org.junit.jupiter.api.Test;

/**
 * The pooling functions of {@link F}: gradients against central finite differences
 * ({@link GradientChecker}; max pooling on {@link GradientChecker#distinct} values, so no window
 * changes its winner under the step), unbatched inputs and views, the global and lp forms, and
 * argument errors that name the op, the argument and the shapes.
 */
class PoolGradTest {
    /**
     * A check of a function that selects: the step is 1e-3 of max(1, |x|), at most 0.005 for these
     * values (|x| < 5), well inside half the 0.05 gap between them, so no winner changes; and the
     * selected outputs are exact, so the differences are exact too.
     */
    private static GradientChecker selecting(String name, GradientChecker.Fn fn) {
        return GradientChecker.of(name, fn).eps(1e-3);
    }

    private static Tensor distinct(long seed, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return GradientChecker.distinct(seed, -0.025f * n, 0.05f, shape);
    }

    @Test
    void maxPoolingGradients() {
        selecting("max_pool1d k3 s2 p1 d2 ceil", in -> F.maxPool1d(in[0],
                PoolOptions.kernel(3).stride(2).padding(1).dilation(2).ceilMode(true))).check(distinct(1, 2, 3, 12));
        selecting("max_pool2d k3 s2 p1", in -> F.maxPool2d(in[0], PoolOptions.kernel(3).stride(2).padding(1)))
                .check(distinct(2, 2, 2, 7, 9));
        selecting("max_pool2d k3 s1 (overlapping windows)", in -> F.maxPool2d(in[0],
                PoolOptions.kernel(3).stride(1))).check(distinct(3, 1, 2, 6, 7));
        selecting("max_pool2d same", in -> F.maxPool2d(in[0], PoolOptions.kernel(2).padding("same")))
                .check(distinct(4, 1, 2, 5, 7));
        selecting("max_pool3d k2", in -> F.maxPool3d(in[0], PoolOptions.kernel(2, 2, 3)))
                .check(distinct(5, 1, 2, 4, 4, 6));
        selecting("adaptive_max_pool2d", in -> F.adaptiveMaxPool2d(in[0], 3, 4)).check(distinct(6, 1, 3, 7, 9));
        selecting("global_max_pool", in -> F.globalMaxPool(in[0])).check(distinct(7, 2, 3, 4, 5));
    }

    @Test
    void averagePoolingGradients() {
        GradientChecker.of("avg_pool1d exclude pad", in -> F.avgPool1d(in[0],
                PoolOptions.kernel(4).stride(3).padding(2).countIncludePad(false))).check(Tensor.randn(11, 2, 3, 13));
        GradientChecker.of("avg_pool2d k3 s1 p1", in -> F.avgPool2d(in[0], PoolOptions.kernel(3).stride(1).padding(1)))
                .check(Tensor.randn(12, 2, 2, 6, 7));
        GradientChecker.of("avg_pool2d ceil divisor", in -> F.avgPool2d(in[0],
                PoolOptions.kernel(3).stride(2).ceilMode(true).divisorOverride(4))).check(Tensor.randn(13, 1, 2, 8, 7));
        GradientChecker.of("avg_pool3d", in -> F.avgPool3d(in[0], PoolOptions.kernel(2).stride(1)))
                .check(Tensor.randn(14, 1, 2, 3, 4, 5));
        GradientChecker.of("adaptive_avg_pool1d", in -> F.adaptiveAvgPool1d(in[0], 4)).check(Tensor.randn(15, 2, 3, 10));
        GradientChecker.of("adaptive_avg_pool3d", in -> F.adaptiveAvgPool3d(in[0], 2, 3, 2))
                .check(Tensor.randn(16, 1, 2, 3, 5, 4));
        GradientChecker.of("global_avg_pool", in -> F.globalAvgPool(in[0])).check(Tensor.randn(17, 2, 3, 4, 5));
        Tensor positive = GradientChecker.awayFrom(Tensor.rand(18, 1, 2, 6, 6), 0.2f, 0f);
        GradientChecker.of("lp_pool2d p=2", in -> F.lpPool2d(in[0], 2f, PoolOptions.kernel(2))).check(positive);
        GradientChecker.of("lp_pool1d p=3", in -> F.lpPool1d(in[0], 3f, PoolOptions.kernel(3).stride(2)))
                .check(GradientChecker.awayFrom(Tensor.rand(19, 1, 2, 9), 0.2f, 0f));
    }

    @Test
    void maxUnpoolingGradient() {
        Tensor src = distinct(20, 1, 2, 6, 8);
        MaxPoolResult r = F.maxPoolWithIndices(2, src, PoolOptions.kernel(2));
        GradientChecker.of("max_unpool2d", in -> F.maxUnpool2d(in[0], r.indices(), PoolOptions.kernel(2)))
                .check(Tensor.randn(21, 1, 2, 3, 4));
        Tensor u = F.maxUnpool2d(r.values(), r.indices(), PoolOptions.kernel(2));
        assertArrayEquals(new long[] {1, 2, 6, 8}, u.shape());
        // Unpooling puts each maximum back where it was and zeros elsewhere: the sums agree.
        assertEquals(r.values().sum().item(), u.sum().item(), 1e-4f);
    }

    @Test
    void unbatchedInputsAndViews() {
        Tensor x = Tensor.randn(30, 3, 6, 8);
        Tensor batched = F.avgPool2d(x.unsqueeze(0), 2);
        Tensor y = F.avgPool2d(x, 2);
        assertArrayEquals(new long[] {3, 3, 4}, y.shape());
        assertArrayEquals(batched.toArray(), y.toArray());
        Tensor t = x.transpose(1, 2);
        assertArrayEquals(F.maxPool2d(t.contiguous(), 2).toArray(), F.maxPool2d(t, 2).toArray());
        selecting("max_pool2d of a transposed view", in -> F.maxPool2d(in[0].transpose(1, 2), 2))
                .check(distinct(31, 3, 8, 6));
        assertArrayEquals(new long[] {2, 3}, F.globalAvgPool(Tensor.randn(32, 2, 3, 4, 4)).shape());
        assertArrayEquals(new long[] {2, 3, 1, 1}, F.adaptiveAvgPool2d(Tensor.randn(32, 2, 3, 4, 4), 1).shape());
    }

    @Test
    void noIndicesAndNoTapeWhenGradIsOff() {
        Tensor x = distinct(40, 1, 2, 4, 4).requiresGrad(true);
        try (Grad off = Grad.off()) {
            assertNull(F.maxPool2d(x, 2).gradFn());
        }
        Tensor y = F.maxPool2d(x, 2);
        assertTrue(y.gradFn() != null);
        y.sum().backward();
        // Each 2x2 window sends its gradient to its maximum only: four ones per plane.
        float sum = 0;
        for (float v : x.grad().toArray()) {
            sum += v;
        }
        assertEquals(8f, sum);
    }

    @Test
    void argumentErrorsNameTheOpArgumentAndShapes() {
        Tensor x = Tensor.zeros(1, 2, 5, 5);
        String m = assertThrows(IllegalArgumentException.class, () -> F.maxPool2d(x, PoolOptions.kernel(3).padding(2)))
                .getMessage();
        assertTrue(m.contains("max_pool2d") && m.contains("at most half the kernel size") && m.contains("[1, 2, 5, 5]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> F.avgPool2d(x, 7)).getMessage();
        assertTrue(m.contains("avg_pool2d") && m.contains("larger than the padded input"), m);
        m = assertThrows(IllegalArgumentException.class, () -> F.maxPool2d(Tensor.zeros(5, 5), 2)).getMessage();
        assertTrue(m.contains("input must have 4 dims") && m.contains("[5, 5]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> F.maxPool2d(x, PoolOptions.kernel(2, 2, 2))).getMessage();
        assertTrue(m.contains("kernel needs 1 or 2 values"), m);
        m = assertThrows(IllegalArgumentException.class, () -> F.adaptiveAvgPool2d(x, 0, 2)).getMessage();
        assertTrue(m.contains("output size") && m.contains("[1, 2, 5, 5]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> F.maxUnpool2d(Tensor.zeros(1, 2, 2, 2),
                Tensor.full(16f, 1, 2, 2, 2), PoolOptions.kernel(2))).getMessage();
        assertTrue(m.contains("max_unpool2d") && m.contains("indices") && m.contains("[0, 16)"), m);
        m = assertThrows(IllegalArgumentException.class, () -> F.maxUnpool2d(Tensor.zeros(1, 2, 2, 2),
                Tensor.zeros(1, 2, 2, 3), PoolOptions.kernel(2))).getMessage();
        assertTrue(m.contains("indices must have the input's shape"), m);
        m = assertThrows(IllegalArgumentException.class, () -> F.lpPool2d(x, 2f, PoolOptions.kernel(2).padding(1)))
                .getMessage();
        assertTrue(m.contains("lp_pool2d") && m.contains("no padding"), m);
        assertThrows(IllegalArgumentException.class, () -> PoolOptions.kernel(0));
        assertThrows(IllegalArgumentException.class, () -> F.maxPoolWithIndices(4, x, PoolOptions.kernel(2)));
    }
}
