package dev.fovea.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.Module;
import dev.fovea.nn.TestResources;
import dev.fovea.nn.io.Safetensors;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A torchvision ResNet-18 state dict, converted to safetensors by
 * {@code scripts/fixtures/torchvision_resnet18.py} (torchvision 0.14's own names, shapes and
 * dtypes: float32 weights, I64 {@code num_batches_tracked}), loads strictly into the zoo's
 * ResNet-18 and gives torch's logits on the same input; saving it again and reloading changes nothing.
 */
class TorchvisionWeightsTest {
    @TempDir
    Path dir;

    private Path unpack() throws IOException {
        Path file = dir.resolve("resnet18.safetensors");
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(
                TestResources.bytes("torchvision/resnet18.safetensors.gz")))) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void torchvisionResNet18WeightsGiveTorchsLogits() throws IOException {
        Module net = ResNet.resnet18();
        Module.LoadResult result = net.load(unpack(), true);
        assertTrue(result.missing().isEmpty() && result.unexpected().isEmpty(), result.toString());
        assertEquals(7f, net.stateDict().get("layer3.1.bn2.num_batches_tracked").item(), "an I64 scalar read as float");
        checkLogits(net.eval());
    }

    @Test
    void savedWeightsReloadBitForBit() throws IOException {
        Module net = ResNet.resnet18();
        net.load(unpack(), true);
        Path saved = dir.resolve("saved.safetensors");
        net.save(saved);
        Map<String, Tensor> before = net.stateDict();
        Map<String, Tensor> after = Safetensors.read(saved);
        assertEquals(before.keySet(), after.keySet());
        for (Map.Entry<String, Tensor> e : before.entrySet()) {
            float[] a = e.getValue().toArray();
            float[] b = after.get(e.getKey()).toArray();
            assertEquals(a.length, b.length, e.getKey());
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), e.getKey() + "[" + i + "]");
            }
        }
        Module fresh = ResNet.resnet18();
        fresh.load(saved, true);
        checkLogits(fresh.eval());
    }

    private static void checkLogits(Module net) throws IOException {
        Tensor x = TestResources.npy("torchvision/x.npy");
        float[] ref = TestResources.npy("torchvision/y.npy").toArray();
        float[] y;
        try (Grad off = Grad.off()) {
            y = net.call(x).toArray();
        }
        assertEquals(2000, y.length);
        double scale = 0;
        for (float r : ref) {
            scale = Math.max(scale, Math.abs(r));
        }
        // torch ran in float64 from the same float32 weights; we accumulate convolutions of up to
        // 4608 terms and the batch norms in float32 (errors ~1e-6 of the largest logit in ZooTest's
        // ResNet-18 check). 1e-4 of the largest logit (4.4) leaves room, and a mis-named, transposed
        // or shifted tensor moves logits by a sizeable fraction of it.
        for (int i = 0; i < y.length; i++) {
            assertEquals(ref[i], y[i], 1e-4 * scale, "logit " + i);
        }
    }
}
