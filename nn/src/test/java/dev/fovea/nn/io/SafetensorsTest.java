package dev.fovea.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, the exact bytes written, and the writer's argument checks. */
class SafetensorsTest {
    @TempDir
    Path dir;

    /** Asserts same shape and the same float bits (NaN payloads and -0.0 included). */
    static void assertBitEqual(Tensor expected, Tensor actual, String name) {
        assertArrayEquals(expected.shape(), actual.shape(), name + ": shape");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        assertEquals(e.length, a.length, name + ": numel");
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                throw new AssertionError(name + "[" + i + "]: expected " + e[i] + " got " + a[i]);
            }
        }
    }

    @Test
    void roundTripKeepsShapesBitsAndMetadata() throws IOException {
        float[] special = {Float.intBitsToFloat(0x7fc12345), -0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE, Float.MAX_VALUE, -Float.MIN_NORMAL, 1f / 3};
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("scalar", Tensor.scalar(-2.75f));
        tensors.put("empty.rows", Tensor.zeros(0, 3));
        tensors.put("empty.middle", Tensor.zeros(2, 0, 4));
        tensors.put("special", Tensor.of(special, special.length));
        tensors.put("layer.2d", Tensor.randn(1, 3, 5));
        tensors.put("layer.3d", Tensor.randn(2, 2, 3, 4));
        tensors.put("layer.4d", Tensor.randn(3, 4, 3, 3, 3));
        // 300001 floats: more than one 1 MiB staging chunk, and not a multiple of it.
        tensors.put("large", Tensor.randn(4, 300_001));
        Map<String, String> metadata = Map.of("format", "pt", "note", "line\nbreak \"quoted\" \\ ünï 🙂", "empty", "");
        Path file = dir.resolve("model.safetensors");

        Safetensors.write(file, tensors, metadata);
        Safetensors.Contents read = Safetensors.readContents(file);

        assertEquals(List.of("empty.middle", "empty.rows", "large", "layer.2d", "layer.3d", "layer.4d", "scalar",
                "special"), List.copyOf(read.tensors().keySet()), "header order is sorted by name");
        for (var e : tensors.entrySet()) {
            assertBitEqual(e.getValue(), read.tensors().get(e.getKey()), e.getKey());
        }
        assertEquals(metadata, read.metadata());
        assertEquals(List.of("empty", "format", "note"), List.copyOf(read.metadata().keySet()));
        assertEquals(tensors.keySet(), Safetensors.read(file).keySet());
    }

    @Test
    void writesViewsInRowMajorOrder() throws IOException {
        Tensor base = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor transposed = base.t();
        Tensor column = base.narrow(1, 1, 1);
        Path file = dir.resolve("views.safetensors");
        Safetensors.write(file, Map.of("t", transposed, "col", column));
        Map<String, Tensor> read = Safetensors.read(file);
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, read.get("t").toArray());
        assertArrayEquals(new long[] {3, 2}, read.get("t").shape());
        assertArrayEquals(new float[] {2, 5}, read.get("col").toArray());
        assertArrayEquals(new long[] {2, 1}, read.get("col").shape());
    }

    @Test
    void namesAreSortedByUtf8BytesNotUtf16Units() throws IOException {
        // U+FF21 is EF BC A1 in UTF-8 and sorts before U+1F600 (F0 9F 98 80), though its UTF-16
        // unit FF21 sorts after the surrogate D83D; the reference writer compares bytes.
        String fullwidthA = "\uFF21";
        String grin = "\uD83D\uDE00";
        Path file = dir.resolve("unicode.safetensors");
        Safetensors.write(file, Map.of(grin, Tensor.scalar(1f), fullwidthA, Tensor.scalar(2f), "ünï.wéight",
                Tensor.scalar(3f)));
        Map<String, Tensor> read = Safetensors.read(file);
        assertEquals(List.of("ünï.wéight", fullwidthA, grin), List.copyOf(read.keySet()));
        assertEquals(2f, read.get(fullwidthA).item());
        assertEquals(1f, read.get(grin).item());
    }

    @Test
    void smallFileHasTheExactSpecLayout() throws IOException {
        Path file = dir.resolve("small.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b", Tensor.of(new float[] {1f, -2f}, 2));
        tensors.put("a", Tensor.scalar(0.5f));
        Safetensors.write(file, tensors, Map.of("k", "v"));

        String json = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertEquals(132, json.length(), "the test's own header; 4 spaces pad it to 136");
        String padded = json + "    ";
        ByteBuffer expected = ByteBuffer.allocate(8 + 136 + 12).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(136).put(padded.getBytes(StandardCharsets.US_ASCII));
        expected.putInt(Float.floatToRawIntBits(0.5f)).putInt(Float.floatToRawIntBits(1f))
                .putInt(Float.floatToRawIntBits(-2f));
        assertArrayEquals(expected.array(), Files.readAllBytes(file));
        // The data starts 8-byte aligned, and 0.5f little-endian is 00 00 00 3F.
        assertArrayEquals(new byte[] {0, 0, 0, 0x3f}, Arrays.copyOfRange(expected.array(), 144, 148));
    }

    @Test
    void emptyStateDictIsAnEmptyObjectPaddedToEightBytes() throws IOException {
        Path file = dir.resolve("none.safetensors");
        Safetensors.write(file, Map.of());
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer expected = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(8).put("{}      ".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(expected.array(), bytes);
        Safetensors.Contents read = Safetensors.readContents(file);
        assertTrue(read.tensors().isEmpty());
        assertTrue(read.metadata().isEmpty());
    }

    @Test
    void writerRejectsNamesTheFormatCannotHold() {
        Path file = dir.resolve("bad.safetensors");
        Tensor one = Tensor.scalar(1f);
        var empty = assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file, Map.of("", one)));
        assertTrue(empty.getMessage().contains("tensor name is empty"), empty.getMessage());
        var reserved = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("__metadata__", one)));
        assertTrue(reserved.getMessage().contains("cannot be named __metadata__"), reserved.getMessage());
        var surrogate = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("w\uD800", one)));
        assertTrue(surrogate.getMessage().contains("unpaired surrogate"), surrogate.getMessage());
        var emptyKey = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("w", one), Map.of("", "v")));
        assertTrue(emptyKey.getMessage().contains("metadata key is empty"), emptyKey.getMessage());
        Map<String, Tensor> withNull = new LinkedHashMap<>();
        withNull.put("w", null);
        var nul = assertThrows(NullPointerException.class, () -> Safetensors.write(file, withNull));
        assertTrue(nul.getMessage().contains("tensor 'w' is null"), nul.getMessage());
    }

    @Test
    void missingFileIsAnIoException() {
        assertThrows(NoSuchFileException.class, () -> Safetensors.read(dir.resolve("absent.safetensors")));
    }
}
