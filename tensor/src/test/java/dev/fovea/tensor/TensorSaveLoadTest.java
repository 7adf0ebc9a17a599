package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorSaveLoadTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsStridedTensors() {
        Tensor x = Tensor.randn(1, 3, 4, 5).permute(2, 0, 1);
        Path file = dir.resolve("x.npy");
        x.save(file);
        Tensor y = Tensor.load(file);
        assertArrayEquals(x.shape(), y.shape());
        assertArrayEquals(x.toArray(), y.toArray());
        Tensor s = Tensor.scalar(2.5f);
        s.save(dir.resolve("s.npy"));
        assertArrayEquals(new long[] {}, Tensor.load(dir.resolve("s.npy")).shape());
    }

    @Test
    void loadingInsideAScopeAllocatesInIt() {
        Tensor x = Tensor.arange(10);
        Path file = dir.resolve("a.npy");
        x.save(file);
        try (Scope scope = Scope.open()) {
            Tensor y = Tensor.load(file);
            assertTrue(scope.allocatedBytes() >= 40);
            assertArrayEquals(x.toArray(), y.toArray());
        }
    }

    @Test
    void badFilesGiveUncheckedIoExceptions() throws Exception {
        Path bad = dir.resolve("bad.npy");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Tensor.load(bad));
        assertTrue(e.getMessage().startsWith("load: cannot read "), e.getMessage());
        assertThrows(UncheckedIOException.class, () -> Tensor.load(dir.resolve("missing.npy")));
    }
}
