package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.onnx.ElementType;
import dev.fovea.onnx.ValueInfo;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ImageInput}: torchvision's resize-and-centre-crop geometry, NCHW layout and normalisation. */
class ImageInputTest {
    private static ValueInfo input(long... dims) {
        List<String> names = java.util.Arrays.stream(dims).mapToObj(d -> d < 0 ? "dim" : "").toList();
        return new ValueInfo("image", ElementType.FLOAT, dims, names);
    }

    @Test
    void rgbIsResizedLikeTorchvisionResize256ThenCentreCropped() {
        ImageInput prep = ImageInput.forModel(input(1, 3, -1, -1), 224, null, null);
        assertArrayEquals(new int[] {256, 384}, prep.resizedSize(200, 300), "shorter side 256, longer in proportion");
        assertArrayEquals(new int[] {341, 256}, prep.resizedSize(40, 30), "256 * 40 / 30 = 341.3, truncated");
        assertArrayEquals(new int[] {9, 15}, ImageInput.forModel(input(1, 3, -1, -1), 8, null, null)
                .resizedSize(12, 20), "8 * 256 / 224 = 9.1, floored");
        assertEquals("300x200 RGB, resized to 384x256, centre 224x224, mean 0.485/0.456/0.406 std 0.229/0.224/0.225",
                prep.describe(200, 300));
    }

    @Test
    void the256PictureIsCroppedAt16WithoutResizingAndNormalisedPerChannel() {
        // R holds x, G holds y, B 255 - x: every output value says which source pixel it came from.
        BufferedImage img = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                img.setRGB(x, y, x << 16 | y << 8 | (255 - x));
            }
        }
        ImageInput prep = ImageInput.forModel(input(-1, 3, -1, -1), 224, null, null);
        Tensor t = prep.prepare(img);
        assertArrayEquals(new long[] {1, 3, 224, 224}, t.shape());
        float[] m = ImageInput.IMAGENET_MEAN;
        float[] s = ImageInput.IMAGENET_STD;
        assertEquals((16 / 255f - m[0]) / s[0], t.get(0, 0, 0, 0), 1e-6);
        assertEquals(((16 + 7) / 255f - m[0]) / s[0], t.get(0, 0, 5, 7), 1e-6);
        assertEquals(((16 + 5) / 255f - m[1]) / s[1], t.get(0, 1, 5, 7), 1e-6);
        assertEquals(((255 - 16 - 223) / 255f - m[2]) / s[2], t.get(0, 2, 100, 223), 1e-6);
        assertEquals("256x256 RGB, centre 224x224, mean 0.485/0.456/0.406 std 0.229/0.224/0.225",
                prep.describe(256, 256));
    }

    @Test
    void greyModelsTakeTheirFixedSizeWholeAndUnnormalisedByDefault() {
        ImageInput prep = ImageInput.forModel(input(1, 1, 4, 6), 224, null, null);
        assertEquals(new ImageInput(1, 4, 6, new float[] {0}, new float[] {1}), prep);
        // 12 x 8 (w x h) grey, resized by 2 x 2 area averaging to 6 x 4: no cropping.
        BufferedImage img = new BufferedImage(12, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 12; x++) {
                img.getRaster().setSample(x, y, 0, 10 * x + y);
            }
        }
        Tensor t = prep.prepare(img);
        assertArrayEquals(new long[] {1, 1, 4, 6}, t.shape());
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                double mean = (10 * (2 * x) + 2 * y + 10 * (2 * x + 1) + 2 * y + 1) / 2.0 / 255;
                assertEquals(mean, t.get(0, 0, y, x), 1e-6, "(" + y + ", " + x + ")");
            }
        }
        ImageInput given = ImageInput.forModel(input(1, 1, -1, -1), 28, new float[] {0.1307f}, new float[] {0.3081f});
        assertEquals(new ImageInput(1, 28, 28, new float[] {0.1307f}, new float[] {0.3081f}), given);
    }

    @Test
    void inputsThatAreNotPicturesAndBadNumbersAreUsageErrors() {
        String four = assertThrows(Commands.UsageException.class,
                () -> ImageInput.forModel(input(1, 4, 8, 8), 224, null, null)).getMessage();
        assertTrue(four.contains("1 or 3 channels") && four.contains("image: float32 [1, 4, 8, 8]"), four);
        assertThrows(Commands.UsageException.class, () -> ImageInput.forModel(input(2, 3, 8, 8), 224, null, null));
        assertThrows(Commands.UsageException.class, () -> ImageInput.forModel(input(1, 3, 8), 224, null, null));
        String mean = assertThrows(Commands.UsageException.class,
                () -> ImageInput.forModel(input(1, 3, 8, 8), 224, new float[] {0.5f, 0.5f}, null)).getMessage();
        assertEquals("--mean needs 1 or 3 values (the model's channels), got 2", mean);
        assertThrows(Commands.UsageException.class,
                () -> ImageInput.forModel(input(1, 3, 8, 8), 224, null, new float[] {0}));
        assertThrows(Commands.UsageException.class, () -> ImageInput.forModel(input(1, 3, -1, -1), 0, null, null));
    }
}
