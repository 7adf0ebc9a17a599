package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import dev.fovea.tensor.functional.ConvOptions;
import dev.fovea.tensor.functional.ConvTransposeOptions;
import dev.fovea.tensor.functional.F;
import dev.fovea.tensor.functional.InterpolateOptions;
import dev.fovea.tensor.functional.Normalization;
import dev.fovea.tensor.functional.PoolOptions;
import dev.fovea.tensor.functional.Resampling;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each layer against the functional op it wraps, with its own parameters: the same values, the
 * parameter names and shapes PyTorch uses, PyTorch's initial values and bounds, and the errors.
 */
class LayersTest {
    @Test
    void convolutionsOfEveryDimensionality() {
        Conv1d c1 = new Conv1d(3, 4, 5, ConvOptions.DEFAULT.padding(2));
        Tensor x1 = Tensor.randn(1, 2, 3, 9);
        assertArrayEquals(F.conv1d(x1, c1.weight(), c1.bias(), ConvOptions.DEFAULT.padding(2)).toArray(),
                c1.call(x1).toArray());
        Conv3d c3 = new Conv3d(2, 3, new int[] {1, 3, 3}, ConvOptions.DEFAULT.groups(1), false);
        assertArrayEquals(new long[] {3, 2, 1, 3, 3}, c3.weight().shape());
        assertEquals(List.of("weight"), List.copyOf(c3.namedParameters().keySet()));
        Tensor x3 = Tensor.randn(2, 1, 2, 4, 5, 5);
        assertArrayEquals(F.conv3d(x3, c3.weight(), null, ConvOptions.DEFAULT).toArray(), c3.call(x3).toArray());

        // ConvTranspose: weight (inC, outC / groups, k...), fan-in outC / groups * k volume (PyTorch's rule).
        ConvTranspose2d up = new ConvTranspose2d(8, 4, 2, ConvTransposeOptions.DEFAULT.stride(2));
        assertArrayEquals(new long[] {8, 4, 2, 2}, up.weight().shape());
        double bound = 1 / Math.sqrt(4 * 4);
        for (float v : up.weight().toArray()) {
            assertTrue(Math.abs(v) <= bound, "weight " + v);
        }
        Tensor x = Tensor.randn(3, 1, 8, 5, 6);
        Tensor y = up.call(x);
        assertArrayEquals(new long[] {1, 4, 10, 12}, y.shape());
        assertArrayEquals(F.convTranspose2d(x, up.weight(), up.bias(), ConvTransposeOptions.DEFAULT.stride(2))
                .toArray(), y.toArray());
        String m = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d(6, 4, new int[] {3}, ConvOptions.DEFAULT, true)).getMessage();
        assertTrue(m.contains("Conv2d") && m.contains("kernel=[3]"), m);
    }

    @Test
    void poolingLayersAreTheFunctionalOps() {
        Tensor x = Tensor.randn(4, 2, 3, 8, 8);
        PoolOptions o = PoolOptions.kernel(3).stride(2).padding(1);
        assertArrayEquals(F.avgPool2d(x, o).toArray(), new AvgPool2d(o).call(x).toArray());
        assertArrayEquals(F.maxPool2d(x, o).toArray(), new MaxPool2d(o).call(x).toArray());
        Tensor x1 = Tensor.randn(5, 2, 3, 10);
        assertArrayEquals(F.maxPool1d(x1, PoolOptions.kernel(2)).toArray(), new MaxPool1d(2).call(x1).toArray());
        Tensor x3 = Tensor.randn(6, 1, 2, 4, 4, 4);
        assertArrayEquals(F.avgPool3d(x3, PoolOptions.kernel(2)).toArray(), new AvgPool3d(2).call(x3).toArray());
    }

    @Test
    void normalizationLayers() {
        BatchNorm1d bn = new BatchNorm1d(3);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(bn.stateDict().keySet()));
        Tensor x = Tensor.randn(7, 4, 3);
        Tensor y = bn.call(x);
        // Training: normalized by the batch statistics, running statistics moved by momentum 0.1.
        assertArrayEquals(Normalization.batchNorm(x, null, null, null, null, true).toArray(), y.toArray(), 1e-6f);
        assertEquals(1f, bn.stateDict().get("num_batches_tracked").item());
        float[] mean = bn.stateDict().get("running_mean").toArray();
        float[] batchMean = x.mean(0).toArray();
        for (int c = 0; c < 3; c++) {
            assertEquals(0.1f * batchMean[c], mean[c], 1e-6f);
        }
        String m = assertThrows(IllegalArgumentException.class, () -> bn.call(Tensor.zeros(2, 3, 4, 4)))
                .getMessage();
        assertTrue(m.contains("BatchNorm1d(3)") && m.contains("[2, 3, 4, 4]"), m);

        LayerNorm ln = new LayerNorm(5);
        Tensor z = Tensor.randn(8, 2, 5);
        assertArrayEquals(Normalization.layerNorm(z, new long[] {5}, ln.stateDict().get("weight"),
                ln.stateDict().get("bias"), Normalization.DEFAULT_EPS).toArray(), ln.call(z).toArray());
        GroupNorm gn = new GroupNorm(2, 4);
        Tensor g = Tensor.randn(9, 2, 4, 3, 3);
        assertArrayEquals(Normalization.groupNorm(g, 2).toArray(), gn.call(g).toArray(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
    }

    @Test
    void containersAndActivations() {
        Linear a = new Linear(4, 3);
        Linear b = new Linear(4, 2);
        Tensor x = Tensor.randn(10, 5, 4);
        Tensor cat = new Concat(1, a, b).call(x);
        assertArrayEquals(Tensor.cat(1, a.call(x), b.call(x)).toArray(), cat.toArray());
        Linear c = new Linear(4, 4);
        assertArrayEquals(c.call(x).add(x).toArray(), new Residual(c).call(x).toArray());
        Residual proj = new Residual(new Linear(4, 3), a);
        assertEquals(List.of("body.weight", "body.bias", "shortcut.weight", "shortcut.bias"),
                List.copyOf(proj.namedParameters().keySet()));

        ModuleList list = new ModuleList(a, b);
        assertEquals(2, list.size());
        assertTrue(list.get(1) == b);
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), List.copyOf(list.namedParameters().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> list.call(x));

        assertArrayEquals(Activations.logSoftmax(x, 1).toArray(), Softmax.logOver(1).call(x).toArray());
        assertEquals("LogSoftmax(dim=1)", Softmax.logOver(1).toString());
        PReLU p = new PReLU(4, 0.25f);
        assertArrayEquals(new long[] {4}, p.namedParameters().get("weight").shape());
        Tensor img = Tensor.randn(11, 2, 4, 3, 3);
        assertArrayEquals(Activations.prelu(img, Tensor.full(0.25f, 4)).toArray(), p.call(img).toArray());
        assertEquals("ReLU6()", Activation.relu6().toString());
        assertEquals("GELU(approximate='none')", Activation.gelu().toString());
    }

    @Test
    void dropoutAndUpsample() {
        Tensor x = Tensor.ones(3, 8, 4, 4);
        Dropout2d d = new Dropout2d(0.5);
        float[] y = d.call(x).toArray();
        // Whole channels are either 0 or 1 / (1 - p) = 2.
        for (int ch = 0; ch < 3 * 8; ch++) {
            float first = y[ch * 16];
            assertTrue(first == 0f || first == 2f, "channel value " + first);
            for (int i = 1; i < 16; i++) {
                assertEquals(first, y[ch * 16 + i]);
            }
        }
        d.eval();
        assertArrayEquals(x.toArray(), d.call(x).toArray());

        InterpolateOptions o = InterpolateOptions.mode("nearest").scaleFactor(2);
        Tensor u = new Upsample(o).call(Tensor.randn(12, 1, 2, 3, 3));
        assertArrayEquals(new long[] {1, 2, 6, 6}, u.shape());
        assertArrayEquals(Resampling.interpolate(Tensor.randn(12, 1, 2, 3, 3), o).toArray(), u.toArray());
    }
}
