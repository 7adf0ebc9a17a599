package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.zoo.CifarResNet;
import dev.fovea.nn.zoo.LeNet5;
import dev.fovea.nn.zoo.ResNet;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Losses;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Module#replaceModule} and the transfer-learning recipe of the README: load, freeze, new head, fine-tune. */
class TransferLearningTest {
    @TempDir
    Path dir;

    @Test
    void aNewHeadTakesTheOldOnesPlaceAndRuns() {
        ResNet net = ResNet.of(18, 3, 1000);
        net.eval();
        Module old = net.replaceModule("fc", new Linear(512, 5));
        assertArrayEquals(new long[] {1000, 512}, old.namedParameters().get("weight").shape());
        assertArrayEquals(new long[] {5, 512}, net.namedParameters().get("fc.weight").shape());
        List<String> names = List.copyOf(net.stateDict().keySet());
        assertEquals(List.of("fc.weight", "fc.bias"), names.subList(names.size() - 2, names.size()), "same place");
        assertFalse(net.namedModules().get("fc").isTraining(), "the new head takes the parent's mode");
        assertArrayEquals(new long[] {2, 5}, net.call(Tensor.randn(1, 2, 3, 32, 32)).shape());

        LeNet5 lenet = new LeNet5();
        lenet.replaceModule("classifier.4", new Linear(84, 3));
        assertArrayEquals(new long[] {4, 3}, lenet.call(Tensor.randn(2, 4, 1, 32, 32)).shape());
        assertEquals(61706 - 850 + 255, lenet.parameterCount());
    }

    @Test
    void replacingWhatCannotBeReplacedIsAClearError() {
        ResNet net = ResNet.resnet18();
        String m = assertThrows(IllegalArgumentException.class, () -> net.replaceModule("head", new Identity()))
                .getMessage();
        assertTrue(m.contains("no module at 'head'") && m.contains("fc") && m.contains("layer4"), m);
        m = assertThrows(IllegalArgumentException.class, () -> net.replaceModule("layer9.0", new Identity()))
                .getMessage();
        assertTrue(m.contains("no module at 'layer9'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> net.replaceModule("layer1.7", new Identity()))
                .getMessage();
        assertTrue(m.contains("'layer1' has [0, 1]"), m);
        // A basic block runs the children it keeps in fields: a replacement would be ignored silently.
        m = assertThrows(IllegalArgumentException.class, () -> net.replaceModule("layer1.0.conv1", new Identity()))
                .getMessage();
        assertTrue(m.contains("'layer1.0' (BasicBlock) does not run 'conv1' by its name"), m);
        dev.fovea.nn.zoo.UNet unet = dev.fovea.nn.zoo.UNet.padded(1, 2, false);
        unet.replaceModule("outc", new Conv2d(64, 5, 1));
        assertArrayEquals(new long[] {1, 5, 16, 16}, unet.call(Tensor.randn(3, 1, 1, 16, 16)).shape());
        m = assertThrows(IllegalArgumentException.class, () -> unet.replaceModule("up1", new Identity())).getMessage();
        assertTrue(m.contains("does not run 'up1' by its name"), m);
        assertThrows(IllegalArgumentException.class, () -> net.replaceModule("", new Identity()));
    }

    /**
     * The README's recipe on a CIFAR ResNet-20: weights saved by one model load into another, the
     * backbone is frozen, a 3-class head replaces the 10-class one, and SGD steps move only the head
     * while the loss on the batch falls.
     */
    @Test
    void fineTuningTheHeadLeavesTheBackboneUntouched() throws Exception {
        dev.fovea.nn.init.Init.manualSeed(11);
        Path weights = dir.resolve("pretrained.safetensors");
        CifarResNet pretrained = new CifarResNet(20, 10);
        // Stand-in for pretraining: batch-norm statistics gathered on random images, so that the
        // frozen backbone, run in eval mode, gives features of a sensible scale.
        try (dev.fovea.tensor.Grad off = dev.fovea.tensor.Grad.off()) {
            for (int i = 0; i < 10; i++) {
                pretrained.call(Tensor.randn(100 + i, 16, 3, 32, 32));
            }
        }
        pretrained.save(weights);

        CifarResNet net = new CifarResNet(20, 10);
        net.load(weights, true);
        net.requiresGrad(false);
        net.replaceModule("fc", new Linear(64, 3));
        net.eval(); // batch norm on its running statistics: the frozen backbone is a fixed feature extractor
        assertEquals(64 * 3 + 3, net.trainableParameterCount());

        Map<String, float[]> before = snapshot(net);
        List<Tensor> trainable = new ArrayList<>();
        net.parameters().stream().filter(Tensor::requiresGrad).forEach(trainable::add);
        dev.fovea.nn.optim.Adam sgd = new dev.fovea.nn.optim.Adam(trainable, 0.05);
        Tensor x = Tensor.randn(7, 6, 3, 32, 32);
        Tensor labels = Tensor.of(new float[] {0, 1, 2, 0, 1, 2}, 6);
        double first = 0;
        double last = 0;
        for (int step = 0; step < 40; step++) {
            sgd.zeroGrad();
            Tensor loss = Losses.crossEntropy(net.call(x), labels);
            loss.backward();
            sgd.step();
            last = loss.item();
            first = step == 0 ? last : first;
        }
        // Six random images, three classes, a linear head on fixed (badly scaled, hence Adam) features:
        // 40 steps cut the loss by far more than a fifth; a head that did not train, or trained the
        // wrong tensors, stays put.
        assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
        Map<String, float[]> after = snapshot(net);
        for (String name : before.keySet()) {
            if (name.startsWith("fc.")) {
                assertFalse(java.util.Arrays.equals(before.get(name), after.get(name)), name + " trained");
            } else {
                assertArrayEquals(before.get(name), after.get(name), name + " frozen");
            }
        }
        assertSame(net.namedModules().get("fc"), net.namedChildren().get("fc"));
        assertNotEquals(0, before.size());
    }

    private static Map<String, float[]> snapshot(Module net) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        net.stateDict().forEach((k, v) -> out.put(k, v.toArray()));
        return out;
    }
}
