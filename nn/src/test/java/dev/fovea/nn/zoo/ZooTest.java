package dev.fovea.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.nn.Module;
import dev.fovea.nn.TestResources;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The zoo's models against torchvision's: every state-dict entry in the same order with the same
 * name and shape, and the same parameter count (from {@code scripts/fixtures/zoo_fixtures.py},
 * run with Debian's torchvision 0.14), then forward passes that give torchvision's output shape.
 */
class ZooTest {
    /** torchvision name, our constructor. */
    private static final Map<String, Supplier<Module>> MODELS = Map.ofEntries(
            Map.entry("alexnet", AlexNet::new),
            Map.entry("vgg11", () -> Vgg.of(11, false, 3, 1000)),
            Map.entry("vgg16", Vgg::vgg16),
            Map.entry("vgg19", () -> Vgg.of(19, false, 3, 1000)),
            Map.entry("vgg16_bn", () -> Vgg.of(16, true, 3, 1000)),
            Map.entry("resnet18", ResNet::resnet18),
            Map.entry("resnet34", () -> ResNet.of(34, 3, 1000)),
            Map.entry("resnet50", () -> ResNet.of(50, 3, 1000)),
            Map.entry("resnet101", () -> ResNet.of(101, 3, 1000)),
            Map.entry("resnet152", () -> ResNet.of(152, 3, 1000)),
            Map.entry("mobilenet_v2", MobileNetV2::new),
            Map.entry("googlenet", GoogLeNet::new),
            Map.entry("cifar_resnet20", () -> new CifarResNet(20, 10)),
            Map.entry("cifar_resnet56", () -> new CifarResNet(56, 10)),
            Map.entry("cifar_resnet110", () -> new CifarResNet(110, 10)),
            Map.entry("unet", () -> UNet.paper(1, 2)),
            Map.entry("unet_padded", () -> UNet.padded(3, 2, false)),
            Map.entry("unet_padded_bn", () -> UNet.padded(3, 2, true)),
            Map.entry("unet_w16_d3", () -> new UNet(UNet.Options.paper(3, 5).width(16).depth(3))));

    @TestFactory
    Stream<DynamicTest> stateDictsAndParameterCountsAreTorchvisions() {
        return MODELS.keySet().stream().sorted().map(name -> DynamicTest.dynamicTest(name, () -> {
            List<String> expected = fixture(name);
            long params = Long.parseLong(expected.removeLast().substring("params ".length()));
            Module model = MODELS.get(name).get();
            List<String> actual = new ArrayList<>();
            model.stateDict().forEach((k, t) -> actual.add((k + " " + shape(t.shape())).strip()));
            assertEquals(expected, actual, name + " state dict");
            assertEquals(params, model.parameterCount(), name + " parameters");
        }));
    }

    private static String shape(long[] s) {
        return String.join(",", Arrays.stream(s).mapToObj(Long::toString).toList());
    }

    private static List<String> fixture(String name) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : TestResources.text("zoo/" + name + ".txt").split("\n")) {
            if (!line.isEmpty()) {
                lines.add(line.strip());
            }
        }
        return lines;
    }

    @Test
    void resNet18ForwardMatchesTorchvision() throws IOException {
        checkForward(ResNet.resnet18(), "resnet18");
    }

    @Test
    void cifarResNet20ForwardMatchesTheReference() throws IOException {
        // Checks the option A shortcut: subsampling and where the zero channels go.
        checkForward(new CifarResNet(20, 10), "cifar_resnet20");
    }

    @Test
    void googLeNetForwardMatchesTorchvision() throws IOException {
        // Inception branches, ceil-mode pools and the 3x3 "5x5" branch of torchvision's model.
        GoogLeNet net = new GoogLeNet();
        checkForward(net, "googlenet");
        // The auxiliary heads on inception4a and 4d (6 x 6 maps at this input: overlapping 4 x 4
        // adaptive pooling windows), eval mode, against the heads torch ran on the same features.
        GoogLeNet.Outputs out;
        try (Grad off = Grad.off()) {
            out = net.forwardWithAux(load("googlenet", "x"));
        }
        assertClose(load("googlenet", "aux1").toArray(), out.auxLogits1().toArray(), "aux1");
        assertClose(load("googlenet", "aux2").toArray(), out.auxLogits2().toArray(), "aux2");
        assertClose(load("googlenet", "y").toArray(), out.logits().toArray(), "logits");
        assertNull(new GoogLeNet(10, false).forwardWithAux(Tensor.zeros(1, 3, 64, 64)).auxLogits1());
    }

    /**
     * Loads the weights of scripts/fixtures/zoo_forward_fixtures.py (entry k, element j of the state
     * dict: 0.05 sin(0.37 (k + 1) + 0.011 j) in float32; running variances 1 + 20 v^2) and compares
     * the eval-mode forward pass with the float64 reference.
     */
    static void checkForward(Module net, String name) throws IOException {
        Map<String, Tensor> state = new java.util.LinkedHashMap<>();
        int k = 0;
        for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
            long[] shape = e.getValue().shape();
            float[] v = new float[(int) e.getValue().numel()];
            if (!e.getKey().endsWith("num_batches_tracked")) {
                for (int j = 0; j < v.length; j++) {
                    double w = 0.05 * Math.sin(0.37 * (k + 1) + 0.011 * j);
                    v[j] = (float) (e.getKey().endsWith("running_var") ? 1 + 20 * w * w : w);
                }
            }
            state.put(e.getKey(), shape.length == 0 ? Tensor.scalar(v[0]) : Tensor.of(v, shape));
            k++;
        }
        net.loadStateDict(state, true);
        net.eval();
        Tensor x = load(name, "x");
        float[] ref = load(name, "y").toArray();
        float[] y;
        try (Grad off = Grad.off()) {
            y = net.call(x).toArray();
        }
        assertClose(ref, y, name);
    }

    private static void assertClose(float[] ref, float[] y, String name) {
        assertEquals(ref.length, y.length);
        double scale = 0;
        for (float r : ref) {
            scale = Math.max(scale, Math.abs(r));
        }
        // The reference runs in float64; ours accumulates the convolutions (up to 4608 terms) and
        // batch norms in float32. Measured on ResNet-18: errors below 1e-6 of the largest logit
        // (3.6e-7 on a logit of 0.575); the bound leaves 100x. A wrong layer, name, stride or
        // shortcut moves the logits by a sizeable fraction of the largest.
        for (int i = 0; i < y.length; i++) {
            assertEquals(ref[i], y[i], 1e-4 * scale, name + " logit " + i);
        }
    }

    private static Tensor load(String model, String key) throws IOException {
        return TestResources.npy("zoo/" + model + "_forward/" + key + ".npy");
    }

    @Test
    void forwardPassesGiveTorchvisionsOutputShapes() {
        try (Grad off = Grad.off()) {
            assertArrayEquals(new long[] {2, 1000},
                    ResNet.resnet18().eval().forward(Tensor.randn(1, 2, 3, 64, 64)).shape());
            assertArrayEquals(new long[] {1, 10},
                    ResNet.of(50, 1, 10).eval().forward(Tensor.randn(2, 1, 1, 64, 64)).shape());
            assertArrayEquals(new long[] {1, 1000},
                    new AlexNet().eval().forward(Tensor.randn(3, 1, 3, 96, 96)).shape());
            assertArrayEquals(new long[] {1, 7}, Vgg.of(11, true, 3, 7).eval().forward(Tensor.randn(4, 1, 3, 32, 32))
                    .shape());
            assertArrayEquals(new long[] {3, 10}, new LeNet5().forward(Tensor.randn(5, 3, 1, 32, 32)).shape());
            assertArrayEquals(new long[] {2, 5}, new MobileNetV2(3, 5).eval().forward(Tensor.randn(6, 2, 3, 64, 64))
                    .shape());
            // Other input channels and class counts, as every zoo model takes them.
            assertArrayEquals(new long[] {2, 4}, new CifarResNet(20, 1, 4).eval().forward(Tensor.randn(7, 2, 1, 32, 32))
                    .shape());
            assertArrayEquals(new long[] {1, 6}, new GoogLeNet(4, 6, false).eval().forward(Tensor.randn(8, 1, 4, 64, 64))
                    .shape());
            assertArrayEquals(new long[] {1, 10}, LeNet5.rgb().forward(Tensor.randn(9, 1, 3, 32, 32)).shape());
        }
    }

    @Test
    void badDepthsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ResNet.of(20, 3, 10));
        assertThrows(IllegalArgumentException.class, () -> Vgg.of(15, false, 3, 10));
        assertThrows(IllegalArgumentException.class, () -> new CifarResNet(21, 10));
    }
}
