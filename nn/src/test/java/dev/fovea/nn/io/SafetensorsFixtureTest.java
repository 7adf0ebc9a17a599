package dev.fovea.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads a file laid out as the reference writer lays it out, made by
 * {@code scripts/fixtures/safetensors_fixture.py} (torch.manual_seed(20240611), torch.randn), and
 * compares it with the {@code .npy} copies of the same tensors read by the tensor module's reader.
 */
class SafetensorsFixtureTest {
    private static final List<String> NAMES =
            List.of("bn.num_batches", "conv1.bias", "conv1.weight", "fc.weight", "head.empty", "stem.embed");

    @TempDir
    Path dir;

    static Path resource(String name) throws URISyntaxException {
        return Path.of(Objects.requireNonNull(SafetensorsFixtureTest.class.getResource("/safetensors/" + name),
                "missing test resource safetensors/" + name).toURI());
    }

    @Test
    void readsTheTorchValuesInHeaderOrder() throws Exception {
        Safetensors.Contents c = Safetensors.readContents(resource("randn.safetensors"));
        assertEquals(NAMES, List.copyOf(c.tensors().keySet()));
        for (String name : NAMES) {
            SafetensorsTest.assertBitEqual(Tensor.load(resource(name + ".npy")), c.tensors().get(name), name);
        }
        assertArrayEquals(new long[] {4, 3, 3, 3}, c.tensors().get("conv1.weight").shape());
        assertArrayEquals(new long[0], c.tensors().get("bn.num_batches").shape());
        assertArrayEquals(new long[] {0, 3}, c.tensors().get("head.empty").shape());
        assertEquals("20240611", c.metadata().get("seed"));
        assertEquals("pt", c.metadata().get("format"));
        assertEquals(List.of("format", "seed", "torch", "writer"), List.copyOf(c.metadata().keySet()));
    }

    /**
     * Every readable dtype, written from torch tensors with edge values (F16 subnormal and max,
     * BF16 -1e30, I64 2^40 and -2^62, 2^24 + 1 which rounds): each converts to exactly the float32
     * that torch's {@code .float()} gives.
     */
    @Test
    void convertsEveryReadableDtypeAsTorchDoes() throws Exception {
        Safetensors.Contents c = Safetensors.readContents(resource("dtypes.safetensors"));
        List<String> types = List.of("bf16", "bool", "f16", "f32", "f64", "i16", "i32", "i64", "i8", "u8");
        assertEquals(types, List.copyOf(c.tensors().keySet()));
        for (String type : types) {
            SafetensorsTest.assertBitEqual(Tensor.load(resource("dtypes." + type + ".npy")), c.tensors().get(type), type);
        }
    }

    @Test
    void rewritingTheFixtureGivesTheSameBytes() throws IOException, URISyntaxException {
        Path original = resource("randn.safetensors");
        Safetensors.Contents c = Safetensors.readContents(original);
        Path copy = dir.resolve("copy.safetensors");
        Safetensors.write(copy, c.tensors(), c.metadata());
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy));
    }

    @Test
    void npyCopiesAreNotTrivial() throws Exception {
        // Guards the comparison above: the values are random normals, not zeros or copies of one another.
        float[] w = Tensor.load(resource("conv1.weight.npy")).toArray();
        float[] b = Tensor.load(resource("conv1.bias.npy")).toArray();
        assertEquals(108, w.length);
        double sumSq = 0;
        for (float v : w) {
            sumSq += v * v;
        }
        assertEquals(1.0, sumSq / w.length, 0.5, "variance of torch.randn values");
        assertEquals(4, b.length);
    }
}
