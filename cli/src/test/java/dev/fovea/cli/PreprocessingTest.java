package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.data.DataLoader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreprocessingTest {
    private static final Preprocessing MNIST = Preprocessing.of(DatasetKind.MNIST, "lenet5");

    @Test
    void aPngOfATestImageBecomesExactlyWhatTrainingFeedsTheModel(@TempDir Path tmp) throws IOException {
        try (DataLoader loader = DataLoader.of(MnistPngs.test().slice(0, 8)).batchSize(8).transform(MNIST.eval())
                .prefetch(false).build()) {
            float[] batch = loader.epoch(0).iterator().next().inputs().toArray();
            int size = 32 * 32;
            for (int i = 0; i < 8; i++) {
                Path png = MnistPngs.write(MnistPngs.image(i), tmp.resolve(i + ".png"));
                Preprocessing.Prepared p = MNIST.fromImage(ImageIO.read(png.toFile()), Preprocessing.Invert.AUTO);
                assertFalse(p.inverted() || p.resized());
                float[] expected = java.util.Arrays.copyOfRange(batch, i * size, (i + 1) * size);
                assertArrayEquals(expected, p.input(), 0f, "image " + i);
            }
        }
    }

    @Test
    void mnistIsPaddedBy2AndNormalised() {
        assertEquals(2, MNIST.pad());
        assertArrayEquals(new long[] {1, 32, 32}, MNIST.inputShape());
        BufferedImage white = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        white.getRaster().setDataElements(0, 0, 28, 28, filled(28 * 28, (byte) 255));
        float[] in = MNIST.fromImage(white, Preprocessing.Invert.NEVER).input();
        assertEquals((0 - 0.1307f) / 0.3081f, in[0], 1e-6f, "padding is black");
        assertEquals((1 - 0.1307f) / 0.3081f, in[2 * 32 + 2], 1e-6f, "first pixel of the image");
        assertEquals(Preprocessing.of(DatasetKind.CIFAR10, "resnet20").pad(), 0);
    }

    @Test
    void autoInvertsLightImagesOnly() {
        BufferedImage white = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        white.getRaster().setDataElements(0, 0, 28, 28, filled(28 * 28, (byte) 255));
        assertTrue(MNIST.fromImage(white, Preprocessing.Invert.AUTO).inverted());
        assertFalse(MNIST.fromImage(MnistPngs.image(0), Preprocessing.Invert.AUTO).inverted());
        assertTrue(MNIST.fromImage(MnistPngs.image(0), Preprocessing.Invert.ALWAYS).inverted());
    }

    @Test
    void areaAveragingResizes() {
        // 2x2 -> 1x1: the mean.
        assertArrayEquals(new float[] {2.5f}, Preprocessing.resize(new float[] {1, 2, 3, 4}, 1, 2, 2, 1, 1), 1e-6f);
        // 1x2 -> 2x4: enlarging repeats pixels.
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2},
                Preprocessing.resize(new float[] {1, 2}, 1, 1, 2, 2, 4), 1e-6f);
        // 1x3 -> 1x2: each output covers 1.5 pixels: (1 + 2/2) / 1.5 and (2/2 + 3) / 1.5.
        assertArrayEquals(new float[] {4 / 3f, 8 / 3f}, Preprocessing.resize(new float[] {1, 2, 3}, 1, 1, 3, 1, 2),
                1e-6f);
        // Channels stay apart.
        assertArrayEquals(new float[] {1, 10}, Preprocessing.resize(new float[] {1, 1, 10, 10}, 2, 1, 2, 1, 1), 1e-6f);
    }

    @Test
    void transparentPixelsAreCompositedOverWhite() {
        BufferedImage clear = new BufferedImage(28, 28, BufferedImage.TYPE_INT_ARGB);
        float[] in = MNIST.fromImage(clear, Preprocessing.Invert.NEVER).input();
        assertEquals((1 - 0.1307f) / 0.3081f, in[2 * 32 + 2], 1e-6f);
    }

    private static byte[] filled(int n, byte v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, v);
        return b;
    }
}
