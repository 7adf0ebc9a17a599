package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Linear;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link Linear#linear} and {@link Linear#bilinear}: gradients of every argument against central
 * finite differences (both maps are linear in each single element, so the differences are exact up
 * to rounding), the GEMM path against a double-precision loop for weight layouts the kernel reads
 * in place, and shape errors.
 */
class LinearGradTest {
    @Test
    void linearGradients() {
        Tensor x = Tensor.randn(1, 4, 5);
        Tensor w = Tensor.randn(2, 3, 5);
        Tensor b = Tensor.randn(3, 3);
        GradientChecker.of("linear", in -> Linear.linear(in[0], in[1], in[2])).check(x, w, b);
        GradientChecker.of("linear no bias, 3-d input", in -> Linear.linear(in[0], in[1], null))
                .check(Tensor.randn(4, 2, 3, 5), w);
        GradientChecker.of("linear 1-d input", in -> Linear.linear(in[0], in[1], in[2])).check(Tensor.randn(5, 5), w, b);
        GradientChecker.of("linear, transposed weight view", in -> Linear.linear(in[0], in[1].t(), in[2]))
                .check(x, Tensor.randn(6, 5, 3), b);
        GradientChecker.of("linear, strided input", in -> Linear.linear(in[0].transpose(0, 1), in[1], in[2]))
                .check(Tensor.randn(7, 5, 4), w, b);
    }

    /** Float32 sums of 5 products of values below ~4 in magnitude: within 1e-5 of the double result. */
    @Test
    void weightLayoutsGiveTheSameProduct() {
        Tensor x = Tensor.randn(10, 6, 5);
        Tensor w = Tensor.randn(11, 3, 5);
        Tensor b = Tensor.randn(12, 3);
        Tensor wide = Tensor.randn(13, 3, 9).narrow(1, 2, 5);
        for (Tensor weight : new Tensor[] {w, w.t().contiguous().t(), wide}) {
            Tensor y = Linear.linear(x, weight, b);
            for (int i = 0; i < 6; i++) {
                for (int o = 0; o < 3; o++) {
                    double ref = b.get(o);
                    for (int k = 0; k < 5; k++) {
                        ref += (double) x.get(i, k) * weight.get(o, k);
                    }
                    assertEquals(ref, y.get(i, o), 1e-5, "row " + i + " output " + o);
                }
            }
        }
    }

    @Test
    void bilinearGradients() {
        Tensor x1 = Tensor.randn(20, 4, 3);
        Tensor x2 = Tensor.randn(21, 4, 2);
        Tensor w = Tensor.randn(22, 5, 3, 2);
        Tensor b = Tensor.randn(23, 5);
        GradientChecker.of("bilinear", in -> Linear.bilinear(in[0], in[1], in[2], in[3])).check(x1, x2, w, b);
        GradientChecker.of("bilinear 3-d no bias", in -> Linear.bilinear(in[0], in[1], in[2], null))
                .check(Tensor.randn(24, 2, 2, 3), Tensor.randn(25, 2, 2, 2), w);
        Tensor y = Linear.bilinear(x1, x2, w, b);
        double ref = b.get(4);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                ref += (double) x1.get(1, i) * w.get(4, i, j) * x2.get(1, j);
            }
        }
        assertEquals(ref, y.get(1, 4), 1e-5);
    }

    @Test
    void onlyTheArgumentsThatRequireGradGetOne() {
        Tensor x = Tensor.randn(30, 2, 3).requiresGrad(true);
        Tensor w = Tensor.randn(31, 4, 3);
        Linear.linear(x, w, Tensor.zeros(4)).sum().backward();
        assertNull(w.grad());
        assertArrayEquals(new long[] {2, 3}, x.grad().shape());
    }

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' should mention " + part);
        }
    }

    @Test
    void mismatchedShapesAreNamed() {
        Tensor x = Tensor.randn(40, 2, 5);
        assertMessage(() -> Linear.linear(x, Tensor.randn(41, 3, 4), null), "linear", "[2, 5]", "5 features",
                "[3, 4]", "expects 4");
        assertMessage(() -> Linear.linear(x, Tensor.randn(42, 3, 5), Tensor.randn(43, 4)), "linear", "bias", "[3]",
                "[4]");
        assertMessage(() -> Linear.linear(x, Tensor.randn(44, 5), null), "linear", "2-d", "[5]");
        assertMessage(() -> Linear.linear(x, null, null), "linear", "weight");
        assertMessage(() -> Linear.bilinear(x, Tensor.randn(45, 3, 2), Tensor.randn(46, 4, 5, 2), null), "bilinear",
                "batch dims", "[2, 5]", "[3, 2]");
        assertMessage(() -> Linear.bilinear(x, Tensor.randn(47, 2, 3), Tensor.randn(48, 4, 5, 2), null), "bilinear",
                "5 and 2 features", "[4, 5, 2]");
        assertMessage(() -> Linear.bilinear(x, x, Tensor.randn(49, 4, 5), null), "bilinear", "3-d", "[4, 5]");
    }
}
