package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.init.Init;
import dev.fovea.nn.zoo.LeNet5;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import dev.fovea.tensor.functional.F;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Module}'s bookkeeping (names, order, modes, freezing, gradients, state-dict loading) on
 * LeNet-5, whose parameter names and count are PyTorch's for the same layers.
 */
class ModuleTest {
    @Test
    void leNet5HasPyTorchsNamesAndParameterCount() {
        LeNet5 net = new LeNet5();
        // (weight, bias) per layer: conv 6*1*25 + 6, conv 16*6*25 + 16, fc 120*400 + 120, 84*120 + 84, 10*84 + 10.
        assertEquals(156 + 2416 + 48120 + 10164 + 850, net.parameterCount());
        assertEquals(61706, net.parameterCount());
        assertEquals(62006, new LeNet5(3, 10).parameterCount());
        assertEquals(List.of("features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
                "classifier.0.weight", "classifier.0.bias", "classifier.2.weight", "classifier.2.bias",
                "classifier.4.weight", "classifier.4.bias"), List.copyOf(net.namedParameters().keySet()));
        assertArrayEquals(new long[] {16, 6, 5, 5}, net.namedParameters().get("features.3.weight").shape());
        assertArrayEquals(new long[] {120, 400}, net.namedParameters().get("classifier.0.weight").shape());
        assertEquals(net.namedParameters().keySet(), net.stateDict().keySet());
        assertTrue(net.namedModules().containsKey("features.3"));
        assertTrue(net.toString().contains("(features): Sequential("), net.toString());
    }

    @Test
    void forwardIsTheLayersInOrder() {
        Init.manualSeed(1);
        LeNet5 net = new LeNet5();
        Tensor x = Tensor.randn(2, 2, 1, 32, 32);
        Map<String, Tensor> p = net.namedParameters();
        Tensor h = F.maxPool2d(Activations.relu(F.conv2d(x, p.get("features.0.weight"), p.get("features.0.bias"))), 2);
        h = F.maxPool2d(Activations.relu(F.conv2d(h, p.get("features.3.weight"), p.get("features.3.bias"))), 2);
        h = h.flatten(1, -1);
        h = Activations.relu(dev.fovea.tensor.functional.Linear.linear(h, p.get("classifier.0.weight"),
                p.get("classifier.0.bias")));
        h = Activations.relu(dev.fovea.tensor.functional.Linear.linear(h, p.get("classifier.2.weight"),
                p.get("classifier.2.bias")));
        h = dev.fovea.tensor.functional.Linear.linear(h, p.get("classifier.4.weight"), p.get("classifier.4.bias"));
        Tensor y = net.forward(x);
        assertArrayEquals(new long[] {2, 10}, y.shape());
        assertArrayEquals(h.toArray(), y.toArray());
        String m = assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(1, 1, 28, 28)))
                .getMessage();
        assertTrue(m.contains("LeNet5") && m.contains("[1, 1, 28, 28]"), m);
    }

    @Test
    void defaultInitIsPyTorchsBoundAndSeeded() {
        // kaiming_uniform(a = sqrt 5) and the bias rule: U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
        Init.manualSeed(42);
        Linear a = new Linear(400, 120);
        Init.manualSeed(42);
        Linear b = new Linear(400, 120);
        assertArrayEquals(a.weight().toArray(), b.weight().toArray());
        assertFalse(java.util.Arrays.equals(a.weight().toArray(), new Linear(400, 120).weight().toArray()));
        double bound = 1 / Math.sqrt(400);
        float[] w = a.weight().toArray();
        double sum = 0;
        double sq = 0;
        for (float v : w) {
            assertTrue(Math.abs(v) <= bound, "value " + v + " outside +-" + bound);
            sum += v;
            sq += (double) v * v;
        }
        int n = w.length;
        // U(-b, b): mean 0, variance b^2 / 3; over 48000 draws the sample mean's standard error is
        // b / sqrt(3n) and the variance's about b^2 * 0.3 / sqrt(n): 6 standard errors of each.
        assertEquals(0, sum / n, 6 * bound / Math.sqrt(3.0 * n));
        assertEquals(bound * bound / 3, sq / n, 6 * bound * bound * 0.3 / Math.sqrt(n));
        for (float v : a.bias().toArray()) {
            assertTrue(Math.abs(v) <= bound, "bias " + v);
        }
        Conv2d c = new Conv2d(6, 16, 5);
        double convBound = 1 / Math.sqrt(6 * 25);
        for (float v : c.weight().toArray()) {
            assertTrue(Math.abs(v) <= convBound, "conv weight " + v);
        }
    }

    @Test
    void modesGradientsAndFreezing() {
        LeNet5 net = new LeNet5();
        assertTrue(net.isTraining());
        net.eval();
        net.namedModules().values().forEach(m -> assertFalse(m.isTraining(), m.getClass().getSimpleName()));
        net.train();
        net.namedModules().values().forEach(m -> assertTrue(m.isTraining()));

        Tensor x = Tensor.randn(3, 2, 1, 32, 32);
        net.forward(x).sum().backward();
        net.parameters().forEach(p -> assertNotNull(p.grad()));
        net.zeroGrad();
        net.parameters().forEach(p -> assertTrue(p.grad() == null || isZero(p.grad()), "grad cleared"));

        // Transfer learning: freeze the features, train the classifier only.
        net.namedModules().get("features").requiresGrad(false);
        assertEquals(net.parameterCount() - 156 - 2416, net.trainableParameterCount());
        net.forward(x).sum().backward();
        assertNull(net.namedParameters().get("features.0.weight").grad());
        assertNotNull(net.namedParameters().get("classifier.4.weight").grad());
    }

    private static boolean isZero(Tensor t) {
        for (float v : t.toArray()) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    @Test
    void loadStateDictCopiesInPlaceAndReportsEveryProblem() {
        Init.manualSeed(3);
        LeNet5 src = new LeNet5();
        Init.manualSeed(4);
        LeNet5 dst = new LeNet5();
        Tensor held = dst.namedParameters().get("features.0.weight");
        Module.LoadResult r = dst.loadStateDict(src.stateDict(), true);
        assertTrue(r.missing().isEmpty() && r.unexpected().isEmpty());
        assertSame(held, dst.namedParameters().get("features.0.weight"));
        assertArrayEquals(src.namedParameters().get("features.0.weight").toArray(), held.toArray());
        Tensor x = Tensor.randn(5, 1, 1, 32, 32);
        assertArrayEquals(src.forward(x).toArray(), dst.forward(x).toArray());

        Map<String, Tensor> bad = new LinkedHashMap<>(src.stateDict());
        bad.remove("classifier.4.bias");
        bad.put("classifier.5.weight", Tensor.zeros(1));
        bad.put("features.3.weight", Tensor.zeros(16, 6, 3, 3));
        String m = assertThrows(IllegalArgumentException.class, () -> dst.loadStateDict(bad, false)).getMessage();
        assertTrue(m.contains("features.3.weight: expected [16, 6, 5, 5], got [16, 6, 3, 3]")
                && m.contains("classifier.4.bias") && m.contains("classifier.5.weight"), m);
        bad.put("features.3.weight", src.stateDict().get("features.3.weight"));
        m = assertThrows(IllegalArgumentException.class, () -> dst.loadStateDict(bad, true)).getMessage();
        assertTrue(m.contains("1 missing [classifier.4.bias]") && m.contains("1 unexpected [classifier.5.weight]"), m);
        Module.LoadResult partial = dst.loadStateDict(bad, false);
        assertEquals(List.of("classifier.4.bias"), partial.missing());
        assertEquals(List.of("classifier.5.weight"), partial.unexpected());
    }

    @Test
    void saveAndLoadRoundTripThroughSafetensors(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        Init.manualSeed(11);
        dev.fovea.nn.zoo.ResNet src = dev.fovea.nn.zoo.ResNet.of(18, 3, 10);
        Tensor x = Tensor.randn(12, 2, 3, 64, 64);
        src.train().forward(x); // moves the batch-norm statistics away from their initial values
        java.nio.file.Path file = dir.resolve("resnet18.safetensors");
        src.save(file);
        Init.manualSeed(12);
        dev.fovea.nn.zoo.ResNet dst = dev.fovea.nn.zoo.ResNet.of(18, 3, 10);
        Module.LoadResult r = dst.load(file, true);
        assertTrue(r.missing().isEmpty() && r.unexpected().isEmpty());
        src.stateDict().forEach((k, t) -> assertArrayEquals(t.toArray(), dst.stateDict().get(k).toArray(), k));
        assertArrayEquals(src.eval().forward(x).toArray(), dst.eval().forward(x).toArray());
    }

    @Test
    void aShapeErrorNamesTheLayerByItsPath() {
        dev.fovea.nn.zoo.ResNet net = dev.fovea.nn.zoo.ResNet.of(18, 3, 10);
        String m = assertThrows(IllegalArgumentException.class, () -> net.call(Tensor.zeros(1, 4, 32, 32)))
                .getMessage();
        assertTrue(m.startsWith("conv1 (Conv2d): conv2d:") && m.contains("[1, 4, 32, 32]")
                && m.contains("3 input channels"), m);
        Sequential head = new Sequential(new Linear(8, 4), Activation.relu(), new Linear(5, 2));
        m = assertThrows(IllegalArgumentException.class, () -> head.call(Tensor.zeros(3, 8))).getMessage();
        assertTrue(m.startsWith("2 (Linear): "), m);
        m = assertThrows(IllegalArgumentException.class, () -> new LeNet5().call(Tensor.zeros(1, 1, 28, 28)))
                .getMessage();
        assertTrue(m.startsWith("(model) (LeNet5): LeNet5: input must be (n, channels, 32, 32)"), m);
    }

    @Test
    void namesAreChecked() {
        Module m = new Module() {
            {
                registerParameter("w", Tensor.zeros(2));
            }

            @Override
            public Tensor forward(Tensor input) {
                return input;
            }

            void add(String name) {
                registerBuffer(name, Tensor.zeros(1));
            }
        };
        assertThrows(IllegalArgumentException.class, () -> new Sequential(Map.of("a.b", Activation.relu())));
        assertThrows(IllegalArgumentException.class, () -> new Sequential(Map.of("", Activation.relu())));
        String msg = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(new LinkedHashMap<>(Map.of("x", Activation.relu()))) {
                    {
                        registerModule("x", Activation.relu());
                    }
                }).getMessage();
        assertTrue(msg.contains("'x' is already registered"), msg);
        assertEquals(2, m.parameterCount());
    }
}
