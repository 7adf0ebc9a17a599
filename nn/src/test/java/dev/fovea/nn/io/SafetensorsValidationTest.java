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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a file can be malformed, each rejected with a message naming the file, tensor and numbers. */
class SafetensorsValidationTest {
    @TempDir
    Path dir;

    private int files;

    /** Writes the length field, {@code header} unpadded, then {@code dataBytes} bytes 0, 1, 2, .... */
    Path file(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return file(json.length, json, dataBytes);
    }

    Path file(long headerLength, byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header);
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        return bytes(b.array());
    }

    Path bytes(byte[] content) throws IOException {
        Path p = dir.resolve("case" + files++ + ".safetensors");
        Files.write(p, content);
        return p;
    }

    static String entry(String name, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    /** Asserts that reading {@code p} throws an IllegalArgumentException naming the file and each of {@code parts}. */
    static void rejects(Path p, String... parts) {
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(p));
        assertTrue(e.getMessage().startsWith("Safetensors: " + p + ": "), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
    }

    @Test
    void fileTooShortForTheLengthField() throws IOException {
        rejects(bytes(new byte[] {1, 0, 0}), "the file has 3 bytes, too few for the 8-byte header length");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws IOException {
        rejects(file(1000, "{}".getBytes(StandardCharsets.US_ASCII), 10),
                "header length 1000 runs past the end of the file: only 12 bytes follow");
    }

    @Test
    void headerLengthOverTheCapIsRejectedBeforeAllocating() throws IOException {
        rejects(file(100_000_001, new byte[0], 0), "header length 100000001 exceeds the limit of 100000000 bytes");
        rejects(file(-1L, new byte[0], 0), "header length 18446744073709551615 exceeds the limit");
        rejects(file(1L << 62, new byte[0], 0), "header length " + (1L << 62) + " exceeds");
    }

    @Test
    void headerMustBeUtf8() throws IOException {
        byte[] header = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        rejects(file(header.length, header, 0), "the 8-byte header is not valid UTF-8");
    }

    @Test
    void headerMustBeJson() throws IOException {
        rejects(file("{\"a\":", 0), "the header is not valid JSON");
        rejects(file("{\"a\":{\"dtype\":'F32'}}", 0), "the header is not valid JSON");
        rejects(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", 4), "not valid JSON");
    }

    @Test
    void headerMustBeOneObject() throws IOException {
        rejects(file("[1,2]", 0), "the header does not start with '{'");
        rejects(file("", 0), "does not start with '{'");
        rejects(file("{} {}", 0), "unexpected content after the header's JSON object");
        rejects(file("{\"a\":3}", 0), "tensor 'a': expected an object with dtype, shape and data_offsets, got the number 3");
    }

    @Test
    void duplicateNamesAreRejected() throws IOException {
        rejects(file("{" + entry("w", "[1]", 0, 4) + "," + entry("w", "[1]", 4, 8) + "}", 8),
                "tensor 'w' appears more than once");
        rejects(file("{\"__metadata__\":{},\"__metadata__\":{}}", 0), "more than one __metadata__ entry");
        rejects(file("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", 0), "__metadata__ has key 'k' more than once");
    }

    @Test
    void emptyNameIsRejected() throws IOException {
        rejects(file("{" + entry("", "[1]", 0, 4) + "}", 4), "a tensor has an empty name");
    }

    @Test
    void missingFieldsAreRejected() throws IOException {
        rejects(file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'w': missing field dtype");
        rejects(file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "tensor 'w': missing field shape");
        rejects(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'w': missing field data_offsets");
    }

    @Test
    void extraAndRepeatedFieldsAreRejected() throws IOException {
        rejects(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"strides\":[1]}}", 4),
                "tensor 'w': unknown field 'strides'");
        rejects(file("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w': field 'dtype' appears more than once");
    }

    @Test
    void fieldsMustHaveTheirTypes() throws IOException {
        rejects(file("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w': dtype must be a string, got the number 32");
        rejects(file("{\"w\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,4]}}", 4),
                "tensor 'w': shape must be an array of integers, got the number 4");
        rejects(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w': shape must hold integers only, got the number 1.0");
        rejects(file("{\"__metadata__\":{\"epoch\":3}}", 0), "__metadata__ entry 'epoch' must be a string, got the number 3");
        rejects(file("{\"__metadata__\":[]}", 0), "__metadata__ must be an object of strings, got an array");
    }

    @ParameterizedTest
    @ValueSource(strings = {"F8_E4M3", "F8_E5M2", "U16", "U32", "U64", "f32", ""})
    void otherDtypesAreRejectedByName(String dtype) throws IOException {
        rejects(file("{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w' has dtype " + dtype + "; readable dtypes are F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL");
    }

    @Test
    void negativeSizesAreRejected() throws IOException {
        rejects(file("{" + entry("w", "[2,-3]", 0, 24) + "}", 24), "tensor 'w': shape [2, -3] has a negative size -3");
    }

    @Test
    void overflowingShapesAreRejected() throws IOException {
        rejects(file("{" + entry("w", "[4294967296,4294967296]", 0, 0) + "}", 0),
                "tensor 'w': shape [4294967296, 4294967296] has more elements than a long can count");
        // numel is 0, but the strides of the other sizes would overflow.
        rejects(file("{" + entry("w", "[0,4611686018427387904,4]", 0, 0) + "}", 0),
                "shape [0, 4611686018427387904, 4] has more elements");
        rejects(file("{" + entry("w", "[18446744073709551616]", 0, 0) + "}", 0),
                "tensor 'w': shape holds 18446744073709551616, which does not fit a 64-bit integer");
    }

    @Test
    void offsetsMustBeAnOrderedPair() throws IOException {
        rejects(file("{" + entry("w", "[1]", 8, 4) + "}", 8), "tensor 'w': data_offsets [8, 4] must satisfy 0 <= begin <= end");
        rejects(file("{" + entry("w", "[1]", -4, 0) + "}", 8), "data_offsets [-4, 0] must satisfy");
        rejects(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8),
                "tensor 'w': data_offsets must be [begin, end], got [0, 4, 8]");
    }

    @Test
    void offsetsMustLieInTheDataSection() throws IOException {
        rejects(file("{" + entry("w", "[4]", 0, 16) + "}", 8),
                "tensor 'w': data_offsets [0, 16] end beyond the data section of 8 bytes");
        rejects(file("{" + entry("w", "[1]", 0, Long.MAX_VALUE) + "}", 8), "[0, " + Long.MAX_VALUE + "] end beyond");
    }

    @Test
    void byteLengthMustMatchTheShape() throws IOException {
        rejects(file("{" + entry("w", "[3]", 0, 8) + "}", 8),
                "tensor 'w': shape [3] of F32 needs 3 x 4 bytes but data_offsets [0, 8] hold 8");
        rejects(file("{" + entry("w", "[2305843009213693952]", 0, 8) + "}", 8), "needs 2305843009213693952 x 4 bytes");
        // Sizes follow the dtype: 3 F16 are 6 bytes, 3 I64 are 24.
        rejects(file("{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "tensor 'w': shape [3] of F16 needs 3 x 2 bytes but data_offsets [0, 8] hold 8");
        rejects(file("{\"w\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,12]}}", 12),
                "tensor 'w': shape [3] of I64 needs 3 x 8 bytes but data_offsets [0, 12] hold 12");
    }

    @Test
    void overlapsAreRejected() throws IOException {
        rejects(file("{" + entry("a", "[2]", 0, 8) + "," + entry("b", "[2]", 4, 12) + "}", 12),
                "tensor 'b' data_offsets [4, 12] overlap tensor 'a', which ends at 8");
        rejects(file("{" + entry("a", "[2]", 0, 8) + "," + entry("b", "[2]", 0, 8) + "}", 8), "overlap tensor");
    }

    @Test
    void gapsAndUnusedBytesAreRejected() throws IOException {
        rejects(file("{" + entry("a", "[1]", 0, 4) + "," + entry("b", "[1]", 8, 12) + "}", 12),
                "tensor 'b' data_offsets [8, 12] leave a gap of 4 bytes after tensor 'a', which ends at 4");
        rejects(file("{" + entry("a", "[1]", 4, 8) + "}", 8),
                "tensor 'a' data_offsets [4, 8] leave a gap of 4 bytes after the start of the data section");
        rejects(file("{" + entry("a", "[1]", 0, 4) + "}", 8),
                "the tensors cover 4 bytes but the data section has 8 (4 bytes unaccounted for)");
        rejects(file("{}", 4), "the tensors cover 0 bytes but the data section has 4");
    }

    @Test
    void longNamesAreCutInMessages() throws IOException {
        String name = "n".repeat(5000);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.read(file("{" + entry(name, "[3]", 0, 8) + "}", 8)));
        assertTrue(e.getMessage().contains("'" + "n".repeat(200) + "...'"), e.getMessage());
        assertTrue(e.getMessage().length() < 600, "message length " + e.getMessage().length());
    }

    @Test
    void acceptsWhatTheSpecAllowsButFoveaDoesNotWrite() throws IOException {
        // Header order differs from data order, the header is not padded, metadata comes last and
        // zero-size tensors share offsets: all valid.
        String header = "{" + entry("b", "[2]", 4, 12) + "," + entry("z", "[0]", 4, 4) + "," + entry("a", "[]", 0, 4)
                + "," + entry("y", "[3,0]", 12, 12) + ",\"__metadata__\":{\"k\":\"v\"}}";
        assertTrue((8 + header.length()) % 8 != 0, "the test header must be unaligned");
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(3.25f);
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer all = ByteBuffer.allocate(8 + json.length + 12).order(ByteOrder.LITTLE_ENDIAN);
        all.putLong(json.length).put(json).put(data.array());
        Safetensors.Contents c = Safetensors.readContents(bytes(all.array()));
        assertEquals(List.of("b", "z", "a", "y"), List.copyOf(c.tensors().keySet()));
        Tensor a = c.tensors().get("a");
        assertArrayEquals(new long[0], a.shape());
        assertEquals(1.5f, a.item());
        assertArrayEquals(new float[] {-2f, 3.25f}, c.tensors().get("b").toArray());
        assertArrayEquals(new long[] {3, 0}, c.tensors().get("y").shape());
        assertEquals(Map.of("k", "v"), c.metadata());
    }

    @Test
    void nullMetadataMeansNone() throws IOException {
        assertTrue(Safetensors.readContents(file("{\"__metadata__\":null}", 0)).metadata().isEmpty());
    }
}
