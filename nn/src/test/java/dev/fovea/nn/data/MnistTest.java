package dev.fovea.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MNIST the project ships in {@code data/mnist}, and what a changed or missing file gives. */
class MnistTest {
    /** The repository's copy, from the nn module's folder where the tests run. */
    static final Path MNIST = Path.of("..", "data", "mnist");

    @TempDir
    Path dir;

    @Test
    void theShippedFilesAreTheOriginalMnist() throws IOException {
        ImageDataset train = Mnist.load(MNIST, Split.TRAIN);
        ImageDataset test = Mnist.load(MNIST, Split.TEST);
        assertEquals(60000, train.size());
        assertEquals(10000, test.size());
        assertArrayEquals(new long[] {1, 28, 28}, train.sampleShape());
        // Class frequencies of MNIST as published with the dataset's statistics (the SHA-256 already pins the bytes;
        // this checks that labels are read as labels).
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, histogram(train));
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, histogram(test));
        float[] x = new float[784];
        train.sample(0, x, 0);
        float max = 0;
        for (float v : x) {
            assertTrue(v >= 0 && v <= 1);
            max = Math.max(max, v);
        }
        assertEquals(1f, max, "pixels scaled by 1/255; the first digit has full-intensity pixels");
        assertEquals(5, train.label(0), "the first training digit is a 5");
    }

    @Test
    void aChangedFileFailsItsChecksumButLoadsAsPlainIdx() throws IOException {
        for (String f : new String[] {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            Files.copy(MNIST.resolve(f), dir.resolve(f));
        }
        byte[] labels = IdxTest.idx(0x08, new int[] {10000}, new byte[10000]);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxTest.gzip(labels));
        String m = assertThrows(IllegalArgumentException.class, () -> Mnist.load(dir, Split.TEST)).getMessage();
        assertTrue(m.contains("is not the original MNIST file") && m.contains("t10k-labels"), m);
        assertEquals(0, Mnist.idx(dir, Split.TEST, 10).label(1234), "Fashion-style loading skips the checksum");
        m = assertThrows(IllegalArgumentException.class, () -> Mnist.load(dir, Split.TRAIN)).getMessage();
        assertTrue(m.contains("neither train-images-idx3-ubyte.gz nor train-images-idx3-ubyte"), m);
    }

    @Test
    void labelsMustMatchTheImages() throws IOException {
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxTest.idx(0x08, new int[] {3, 2, 2}, new byte[12]));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxTest.idx(0x08, new int[] {4}, new byte[4]));
        String m = assertThrows(IllegalArgumentException.class, () -> Mnist.idx(dir, Split.TEST, 10))
                .getMessage();
        assertTrue(m.contains("labels must be 3 unsigned bytes"), m);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxTest.idx(0x08, new int[] {3}, new byte[] {0, 12, 1}));
        m = assertThrows(IllegalArgumentException.class, () -> Mnist.idx(dir, Split.TEST, 10)).getMessage();
        assertTrue(m.contains("label 12 of sample 1 is not in [0, 10)"), m);
    }

    private static int[] histogram(ImageDataset d) {
        int[] h = new int[d.classes()];
        for (int i = 0; i < d.size(); i++) {
            h[d.label(i)]++;
        }
        return h;
    }
}
