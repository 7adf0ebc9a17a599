package dev.fovea.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.nn.Module;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
            Map.entry("resnet152", () -> ResNet.of(152, 3, 1000)));

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
        try (InputStream in = ZooTest.class.getResourceAsStream("/zoo/" + name + ".txt")) {
            if (in == null) {
                throw new IllegalStateException("missing fixture zoo/" + name + ".txt");
            }
            List<String> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty()) {
                    lines.add(line.strip());
                }
            }
            return lines;
        }
    }

    @Test
    void forwardPassesGiveTorchvisionsOutputShapes() {
        try (Grad off = Grad.off()) {
            assertArrayEquals(new long[] {2, 1000},
                    ResNet.resnet18().eval().forward(Tensor.randn(1, 2, 3, 64, 64)).shape());
            assertArrayEquals(new long[] {1, 10},
                    ResNet.of(50, 1, 10).eval().forward(Tensor.randn(2, 1, 1, 64, 64)).shape());
            assertArrayEquals(new long[] {1, 1000}, new AlexNet().eval().forward(Tensor.randn(3, 1, 3, 96, 96)).shape());
            assertArrayEquals(new long[] {1, 7}, Vgg.of(11, true, 3, 7).eval().forward(Tensor.randn(4, 1, 3, 32, 32))
                    .shape());
            assertArrayEquals(new long[] {3, 10}, new LeNet5().forward(Tensor.randn(5, 3, 1, 32, 32)).shape());
        }
    }

    @Test
    void badDepthsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ResNet.of(20, 3, 10));
        assertThrows(IllegalArgumentException.class, () -> Vgg.of(15, false, 3, 10));
    }
}
