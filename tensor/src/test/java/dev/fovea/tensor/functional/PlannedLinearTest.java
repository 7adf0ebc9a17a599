package dev.fovea.tensor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@link PlannedLinear} against a double-precision loop, for one and several rows. */
class PlannedLinearTest {
    @Test
    void matchesADoublePrecisionReference() {
        for (int[] dims : new int[][] {{1, 1280, 1000}, {3, 37, 19}, {5, 1, 33}, {0, 8, 4}, {2, 0, 3}}) {
            int rows = dims[0];
            int in = dims[1];
            int out = dims[2];
            Tensor x = Tensor.randn(1L, rows, in);
            Tensor w = Tensor.randn(2L, out, in);
            Tensor b = Tensor.randn(3L, out);
            for (Tensor bias : new Tensor[] {b, null}) {
                PlannedLinear fc = PlannedLinear.plan(w, bias, ComputeContext.defaultContext());
                float[] got = fc.apply(x).toArray();
                assertArrayEquals(new long[] {rows, out}, fc.apply(x).shape());
                float[] xs = x.toArray();
                float[] ws = w.toArray();
                float[] bs = b.toArray();
                for (int r = 0; r < rows; r++) {
                    for (int o = 0; o < out; o++) {
                        double s = bias == null ? 0 : bs[o];
                        double mag = Math.abs(s);
                        for (int i = 0; i < in; i++) {
                            s += (double) xs[r * in + i] * ws[o * in + i];
                            mag += Math.abs((double) xs[r * in + i] * ws[o * in + i]);
                        }
                        // float32 sums of in terms: error below in * 2^-24 * sum|terms| (with margin)
                        assertEquals(s, got[r * out + o], 2 * (in + 1) * 0x1p-24 * mag + 1e-30, "row " + r + " out " + o);
                    }
                }
            }
        }
    }

    @Test
    void keepsItsLeadingDimsAndRefusesTheWrongWidth() {
        Tensor w = Tensor.randn(4L, 6, 5);
        PlannedLinear fc = PlannedLinear.plan(w, null, ComputeContext.defaultContext());
        Tensor x = Tensor.randn(5L, 2, 3, 5);
        assertArrayEquals(Linear.linear(x, w, null).shape(), fc.apply(x).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fc.apply(Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("[2, 4]") && e.getMessage().contains("5 input features"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PlannedLinear.plan(w, Tensor.zeros(5),
                ComputeContext.defaultContext()));
        assertTrue(e.getMessage().contains("bias must have shape [6]"), e.getMessage());
    }
}
