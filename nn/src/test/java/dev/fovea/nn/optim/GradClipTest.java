package dev.fovea.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.TestResources;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link GradClip} against the definitions evaluated in double precision, and against
 * {@code torch.nn.utils.clip_grad_norm_} / {@code clip_grad_value_} ({@code scripts/fixtures/optim_fixtures.py},
 * the {@code clip=} cases of {@code optim/cases.txt}): 17 gradient elements, the joint norm for
 * norm types 2, 1, 3 and infinity, and the clipped gradients. PyTorch sums in float32 per tensor
 * and then over the tensors' norms, we sum in float32 per tensor and in double over tensors: both
 * are within (n + 2) 2^-24 ~ 1.2e-6 relative of the exact norm for n = 17 terms (the max of the
 * infinity norm is exact), so 2e-6 relative. The clip factor {@code maxNorm / (norm + 1e-6)}
 * inherits that error plus a rounding or two of PyTorch's float32 division, so the clipped
 * gradients get 4e-6 relative. Clipping by value is exact.
 */
class GradClipTest {
    private static List<Tensor> withGradients(float scale) {
        Tensor a = Tensor.randn(1, 3, 4).requiresGrad(true);
        Tensor b = Tensor.randn(2, 5).requiresGrad(true);
        Tensor unused = Tensor.ones(2).requiresGrad(true);
        a.mul(Tensor.randn(3, 3, 4).mul(scale)).sum().add(b.mul(Tensor.randn(4, 5).mul(scale)).sum()).backward();
        return List.of(a, b, unused);
    }

    @Test
    void clipNormScalesAllGradientsTogether() {
        List<Tensor> p = withGradients(10f);
        float[] ga = p.get(0).grad().toArray();
        float[] gb = p.get(1).grad().toArray();
        double sq = 0;
        for (float v : ga) {
            sq += (double) v * v;
        }
        for (float v : gb) {
            sq += (double) v * v;
        }
        double norm = Math.sqrt(sq);
        // A float32 sum of squares: relative error below (n + 1) 2^-24 for n = 17 terms.
        assertEquals(norm, GradClip.clipNorm(p, 1.0), 2e-6 * norm);
        double coef = 1.0 / (norm + 1e-6);
        float[] ca = p.get(0).grad().toArray();
        for (int i = 0; i < ca.length; i++) {
            assertEquals(ga[i] * coef, ca[i], 1e-5 * Math.abs(ga[i] * coef) + 1e-9);
        }
        double after = 0;
        for (Tensor t : p.subList(0, 2)) {
            for (float v : t.grad().toArray()) {
                after += (double) v * v;
            }
        }
        assertEquals(1.0, Math.sqrt(after), 1e-5);
        // Below the limit: untouched.
        float[] before = p.get(1).grad().toArray();
        GradClip.clipNorm(p, 100.0);
        assertArrayEquals(before, p.get(1).grad().toArray());
    }

    @TestFactory
    Stream<DynamicTest> clippingMatchesTorch() throws IOException {
        return TestResources.text("optim/cases.txt").lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(OptimizerTest::parse).filter(c -> c.containsKey("clip"))
                .map(c -> DynamicTest.dynamicTest(c.get("name"), () -> checkAgainstTorch(c)));
    }

    private static void checkAgainstTorch(Map<String, String> c) throws IOException {
        String dir = "optim/" + c.get("name") + "/";
        Tensor w = Tensor.zeros(3, 4).requiresGrad(true);
        Tensor b = Tensor.zeros(5).requiresGrad(true);
        // d/dw sum(w * gw0) = gw0 exactly: the gradients torch clipped.
        w.mul(TestResources.npy(dir + "gw0.npy")).sum().add(b.mul(TestResources.npy(dir + "gb0.npy")).sum()).backward();
        double tolerance = 0;
        if (c.get("clip").equals("norm")) {
            double normType = c.get("norm_type").equals("inf") ? Double.POSITIVE_INFINITY
                    : Double.parseDouble(c.get("norm_type"));
            double expected = Double.parseDouble(c.get("norm"));
            double norm = GradClip.clipNorm(List.of(w, b), Double.parseDouble(c.get("max_norm")), normType);
            assertEquals(expected, norm, 2e-6 * expected, c.get("name") + " norm");
            tolerance = 4e-6;
        } else {
            GradClip.clipValue(List.of(w, b), Double.parseDouble(c.get("clip_value")));
        }
        expect(c.get("name") + " w", TestResources.npy(dir + "gw.npy").toArray(), w.grad().toArray(), tolerance);
        expect(c.get("name") + " b", TestResources.npy(dir + "gb.npy").toArray(), b.grad().toArray(), tolerance);
    }

    private static void expect(String what, float[] expected, float[] actual, double relative) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], relative * Math.abs(expected[i]), what + " [" + i + "]");
        }
    }

    @Test
    void badArgumentsAreRejected() {
        List<Tensor> p = withGradients(1f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipNorm(p, 1, 0));
        assertTrue(e.getMessage().contains("normType") && e.getMessage().contains("0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipNorm(p, Double.NaN));
        assertTrue(e.getMessage().contains("maxNorm") && e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipValue(p, -1));
        assertTrue(e.getMessage().contains("clipValue") && e.getMessage().contains("-1.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipNorm(null, 1));
        assertEquals(0.0, GradClip.clipNorm(List.of(Tensor.ones(2).requiresGrad(true)), 1.0, Double.POSITIVE_INFINITY));
    }

    @Test
    void clipValueClampsEachElement() {
        List<Tensor> p = withGradients(10f);
        float[] g = p.get(0).grad().toArray();
        GradClip.clipValue(p, 0.5);
        float[] c = p.get(0).grad().toArray();
        for (int i = 0; i < g.length; i++) {
            assertEquals(Math.max(-0.5f, Math.min(0.5f, g[i])), c[i]);
        }
    }
}
