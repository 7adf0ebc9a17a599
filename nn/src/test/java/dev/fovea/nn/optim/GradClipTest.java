package dev.fovea.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link GradClip} against the definitions evaluated in double precision. */
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
