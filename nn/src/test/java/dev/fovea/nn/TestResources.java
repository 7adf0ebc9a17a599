package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test fixtures on the class path: {@code .npy} arrays and text files under {@code src/test/resources}. */
public final class TestResources {
    private TestResources() {}

    /** The bytes of resource {@code path} (from the class-path root), or an exception naming it. */
    public static byte[] bytes(String path) throws IOException {
        try (InputStream in = TestResources.class.getResourceAsStream("/" + path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return in.readAllBytes();
        }
    }

    /** The text of resource {@code path}. */
    public static String text(String path) throws IOException {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }

    /** The {@code .npy} array at resource {@code path}, as a tensor. */
    public static Tensor npy(String path) throws IOException {
        Path tmp = Files.createTempFile("fovea-test", ".npy");
        try {
            Files.write(tmp, bytes(path));
            return Tensor.load(tmp);
        } finally {
            Files.delete(tmp);
        }
    }
}
