package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.init.Init;
import dev.fovea.nn.optim.Sgd;
import dev.fovea.nn.zoo.ResNet;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The globs of {@link Module#requiresGrad(boolean, String)} ({@link NameGlob}), and freezing ResNet-18 by name. */
class NameGlobTest {
    private static final List<String> NAMES = List.of("conv1.weight", "bn1.weight", "bn1.bias",
            "layer1.0.conv1.weight", "layer1.0.bn1.bias", "layer3.1.conv2.weight", "layer4.0.downsample.0.weight",
            "features.0.weight", "features.10.bias", "fc.weight", "fc.bias", "fc.0.weight", "a.b", "a*b");

    private static List<String> matching(String glob) {
        Pattern p = NameGlob.compile(glob);
        return NAMES.stream().filter(n -> p.matcher(n).matches()).toList();
    }

    @Test
    void starStaysInASegmentAndDoubleStarCrossesDots() {
        assertEquals(List.of("fc.weight", "fc.bias"), matching("fc.*"));
        assertEquals(List.of("fc.weight", "fc.bias", "fc.0.weight"), matching("fc.**"));
        assertEquals(List.of(), matching("features.*"));
        assertEquals(List.of("features.0.weight", "features.10.bias"), matching("features.**"));
        assertEquals(List.of("bn1.bias", "layer1.0.bn1.bias", "features.10.bias", "fc.bias"), matching("**.bias"));
        assertEquals(List.of("bn1.bias", "fc.bias"), matching("*.bias"));
        assertEquals(List.of("layer1.0.conv1.weight", "layer1.0.bn1.bias"), matching("layer1.**"));
        // The whole name must match.
        assertEquals(List.of(), matching("fc"));
        assertEquals(List.of(), matching("weight"));
    }

    @Test
    void questionMarksSetsAlternativesAndEscapes() {
        assertEquals(List.of("features.0.weight"), matching("features.?.weight"));
        assertEquals(List.of("layer1.0.conv1.weight", "layer1.0.bn1.bias", "layer3.1.conv2.weight"),
                matching("layer[1-3].**"));
        assertEquals(List.of("layer4.0.downsample.0.weight"), matching("layer[!1-3].**"));
        assertEquals(List.of("conv1.weight", "bn1.weight", "bn1.bias"), matching("{conv1,bn1}.*"));
        assertEquals(List.of("layer4.0.downsample.0.weight", "fc.weight"), matching("{fc,layer4.**}.weight"));
        assertEquals(List.of("a*b"), matching("a\\*b"));
        assertEquals(List.of("a*b"), matching("a*b"));
        // '?' and sets never match the separator.
        assertEquals(List.of("a*b"), matching("a?b"));
        assertEquals(List.of("a*b"), matching("a[.*]b"));
        assertEquals(List.of("a*b"), matching("a[!b]b"));
    }

    @Test
    void malformedGlobsAreRejected() {
        for (String bad : new String[] {"", "layer[1-3", "{fc,bn1", "fc}", "layer[].*", "fc\\"}) {
            assertThrows(IllegalArgumentException.class, () -> NameGlob.compile(bad), bad);
        }
    }

    @Test
    void freezingResNet18ButTheHeadTrainsOnlyTheHead() {
        Init.manualSeed(5);
        ResNet net = ResNet.resnet18();
        long all = net.parameterCount();
        assertEquals(11_689_512L, all);
        net.requiresGrad(false);
        assertEquals(2, net.requiresGrad(true, "fc.*"));
        long head = 512L * 1000 + 1000;
        assertEquals(head, net.trainableParameterCount());
        assertEquals(all - head, all - net.trainableParameterCount());
        assertEquals(head, net.summary(1, 3, 32, 32).trainable());

        Map<String, float[]> before = new LinkedHashMap<>();
        net.namedParameters().forEach((n, p) -> before.put(n, p.toArray()));
        Sgd sgd = new Sgd(net.parameters(), 0.1);
        net.call(Tensor.randn(6, 2, 3, 64, 64)).pow(2f).mean().backward();
        sgd.step();
        net.namedParameters().forEach((n, p) -> {
            if (n.startsWith("fc.")) {
                assertNotNull(p.grad(), n);
                assertFalse(Arrays.equals(before.get(n), p.toArray()), n + " should have moved");
            } else {
                assertNull(p.grad(), n + " is frozen: no gradient");
                assertArrayEquals(before.get(n), p.toArray(), n + " is frozen");
            }
        });
    }

    @Test
    void freezingByGlobOrPredicateCountsTheMatches() {
        ResNet net = ResNet.resnet18();
        // Per BasicBlock: conv1, bn1 (2), conv2, bn2 (2) = 6 tensors; layer2-3 first blocks add 3 for downsample.
        assertEquals(6 + 6 + (6 + 3 + 6) + (6 + 3 + 6), net.requiresGrad(false, "layer[1-3].**"));
        assertTrue(net.namedParameters().get("layer4.0.conv1.weight").requiresGrad());
        assertFalse(net.namedParameters().get("layer3.1.bn2.bias").requiresGrad());
        assertEquals(net.namedParameters().size(), net.requiresGrad(true, n -> true));
        assertEquals(net.parameterCount(), net.trainableParameterCount());
        assertEquals(1, net.requiresGrad(false, n -> n.equals("conv1.weight")));
    }

    @Test
    void aGlobThatMatchesNothingThrowsAndNamesSomeParameters() {
        ResNet net = ResNet.resnet18();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.requiresGrad(false, "fc1.*"));
        assertTrue(e.getMessage().contains("'fc1.*'") && e.getMessage().contains("fc.weight")
                && e.getMessage().contains("layer4.0.conv1.weight") && e.getMessage().contains("62 parameters"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.requiresGrad(false, n -> n.startsWith("head")));
        assertEquals(net.parameterCount(), net.trainableParameterCount(), "nothing frozen by a failed call");
    }
}
