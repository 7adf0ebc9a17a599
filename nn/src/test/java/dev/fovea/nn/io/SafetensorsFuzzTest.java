package dev.fovea.nn.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates a valid file thousands of times (seeded): every read must either succeed or throw an
 * {@link IllegalArgumentException} or {@link IOException}; anything else (an
 * {@link OutOfMemoryError}, an index or arithmetic exception, a {@link StackOverflowError}) fails the test.
 */
class SafetensorsFuzzTest {
    private static final long SEED = 0x5AFE_7E45L;
    private static final int ROUNDS = 4000;
    private static final byte[] DIGITS = "0123456789-".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void mutatedFilesAreReadOrRejectedCleanly() throws IOException {
        byte[] valid = validFile();
        int headerEnd = 8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        SplittableRandom rng = new SplittableRandom(SEED);
        Path file = dir.resolve("fuzz.safetensors");
        int accepted = 0;
        int rejected = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int kind = rng.nextInt(5);
            byte[] mutated = mutate(valid, headerEnd, kind, rng);
            Files.write(file, mutated);
            try {
                Map<String, Tensor> read = Safetensors.read(file);
                long bytes = read.values().stream().mapToLong(t -> t.numel() * Float.BYTES).sum();
                assertTrue(bytes <= mutated.length, "round " + round + ": read " + bytes + " bytes from a "
                        + mutated.length + "-byte file");
                accepted++;
            } catch (IllegalArgumentException | IOException expected) {
                rejected++;
            } catch (Throwable t) {
                throw new AssertionError("round " + round + " (mutation " + kind + ", seed " + SEED + "): "
                        + t + " for file " + Arrays.toString(Arrays.copyOf(mutated, Math.min(mutated.length, 64)))
                        + "...", t);
            }
        }
        // Both outcomes must occur, or the mutations are not exercising the reader.
        assertTrue(accepted > ROUNDS / 50, "accepted " + accepted);
        assertTrue(rejected > ROUNDS / 2, "rejected " + rejected);
    }

    private static byte[] validFile() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("conv.weight", Tensor.randn(7, 4, 3, 3, 3));
        tensors.put("conv.bias", Tensor.randn(8, 4));
        tensors.put("scalar", Tensor.scalar(2f));
        tensors.put("empty", Tensor.zeros(0, 5));
        tensors.put("fc", Tensor.randn(9, 3, 10));
        Path tmp = Files.createTempFile("valid", ".safetensors");
        try {
            Safetensors.write(tmp, tensors, Map.of("format", "pt"));
            return Files.readAllBytes(tmp);
        } finally {
            Files.delete(tmp);
        }
    }

    private static byte[] mutate(byte[] valid, int headerEnd, int kind, SplittableRandom rng) {
        byte[] b = valid.clone();
        switch (kind) {
            case 0 -> { // flip a few bits, mostly in the header
                for (int i = rng.nextInt(1, 5); i > 0; i--) {
                    int at = rng.nextInt(4) > 0 ? rng.nextInt(headerEnd) : rng.nextInt(b.length);
                    b[at] ^= (byte) (1 << rng.nextInt(8));
                }
            }
            case 1 -> { // replace a header byte by a digit or '-', to bend the numbers
                int at = rng.nextInt(8, headerEnd);
                b[at] = DIGITS[rng.nextInt(DIGITS.length)];
            }
            case 2 -> b = Arrays.copyOf(b, rng.nextInt(b.length)); // truncate
            case 3 -> { // rewrite the header length
                long length = switch (rng.nextInt(4)) {
                    case 0 -> rng.nextLong();
                    case 1 -> headerEnd - 8 + rng.nextInt(-16, 17);
                    case 2 -> rng.nextLong(0, b.length * 2L);
                    default -> Safetensors.MAX_HEADER_BYTES + rng.nextInt(-2, 3);
                };
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
            }
            default -> { // splice: append or drop bytes at the end of the data
                int delta = rng.nextInt(-8, 9);
                b = Arrays.copyOf(b, Math.max(0, b.length + delta));
            }
        }
        return b;
    }
}
