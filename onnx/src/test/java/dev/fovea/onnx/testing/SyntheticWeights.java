package dev.fovea.onnx.testing;

import dev.fovea.onnx.proto.OnnxProtos.ModelProto;
import dev.fovea.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.fovea.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Regenerates the external weights of the ONNX model fixtures (test/resources/onnx/models), which
 * are too large to commit: every value is a function of the tensor's name, its dims and the
 * element index, written by {@code scripts/onnx/synthetic_weights.py} (see the fixtures' README).
 * Shared through the onnx module's test jar by the conformance tests and the inference benchmarks.
 */
public final class SyntheticWeights {
    private SyntheticWeights() {
    }

    /** FNV-1a, 64 bit, over UTF-8 bytes. */
    public static long fnv1a(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }

    public static long splitmix64(long x) {
        long z = x;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Element {@code j} of tensor {@code name} with {@code dims}, by the tensor's role. */
    public static float value(String name, long[] dims, long seed, long j) {
        long z = splitmix64(seed + j * 0x9E3779B97F4A7C15L);
        float u = (float) (z >>> 40) / (1 << 24) * 2f - 1f;
        if (name.endsWith("running_mean")) {
            return 0.1f * u;
        }
        if (name.endsWith("running_var")) {
            return 1f + 0.25f * (u + 1f);
        }
        if (name.endsWith("bias")) {
            return 0.1f * u;
        }
        if (dims.length >= 2) {
            long numel = 1;
            for (long d : dims) {
                numel *= d;
            }
            float s = (float) (1.0 / Math.sqrt((double) (numel / dims[0])));
            return u * s;
        }
        return 1f + 0.1f * u;
    }

    /**
     * Copies {@code model} into {@code dir} and writes its external data file there, returning the
     * copied model's path and checking the file's SHA-256 against {@code expectedSha256}.
     */
    public static Path materialize(Path model, Path dir, String expectedSha256) throws IOException {
        Path copy = dir.resolve("model.onnx");
        Files.copy(model, copy);
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(model));
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String location = null;
        long expectedOffset = 0;
        try (FileChannel out = FileChannel.open(dir.resolve("weights.bin"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            for (TensorProto t : proto.getGraph().getInitializerList()) {
                if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
                    continue;
                }
                long offset = 0;
                for (StringStringEntryProto e : t.getExternalDataList()) {
                    if (e.getKey().equals("offset")) {
                        offset = Long.parseLong(e.getValue());
                    } else if (e.getKey().equals("location")) {
                        location = e.getValue();
                    }
                }
                if (offset != expectedOffset) {
                    throw new IllegalStateException(t.getName() + " starts at " + offset + ", expected "
                            + expectedOffset + " (tensors are packed in graph order)");
                }
                long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
                long numel = 1;
                for (long d : dims) {
                    numel *= d;
                }
                long seed = fnv1a(t.getName());
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (long j = 0; j < numel; j++) {
                    buf.putFloat(value(t.getName(), dims, seed, j));
                    if (!buf.hasRemaining() || j == numel - 1) {
                        buf.flip();
                        sha.update(buf.duplicate());
                        while (buf.hasRemaining()) {
                            out.write(buf);
                        }
                        buf.clear();
                    }
                }
                expectedOffset += numel * Float.BYTES;
            }
        }
        if (!"weights.bin".equals(location)) {
            throw new IllegalStateException("external data location " + location + ", expected weights.bin");
        }
        String got = HexFormat.of().formatHex(sha.digest());
        if (!got.equals(expectedSha256)) {
            throw new IllegalStateException("regenerated weights.bin has SHA-256 " + got + ", the manifest says "
                    + expectedSha256);
        }
        return copy;
    }
}
