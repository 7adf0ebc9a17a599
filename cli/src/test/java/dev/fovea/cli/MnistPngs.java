package dev.fovea.cli;

import dev.fovea.nn.data.ImageDataset;
import dev.fovea.nn.data.Mnist;
import dev.fovea.nn.data.Split;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** MNIST test images as PNG files, as a user would have them. */
final class MnistPngs {
    private static ImageDataset test;

    private MnistPngs() {}

    /** MNIST's test set. */
    static synchronized ImageDataset test() {
        if (test == null) {
            try {
                test = Mnist.load(Cli.MNIST, Split.TEST);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return test;
    }

    /** Test image {@code i} as an 8-bit grey image, pixels as stored. */
    static BufferedImage image(int i) {
        byte[] px = test().pixels(i);
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, 28, 28, px);
        return img;
    }

    /** Writes {@code img} as a PNG to {@code file} and returns the file. */
    static Path write(BufferedImage img, Path file) {
        try {
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Test image {@code i} enlarged to 84 x 84 (each pixel 3 x 3), dark on white, in RGB: a scan of a drawing. */
    static BufferedImage invertedLarge(int i) {
        byte[] px = test().pixels(i);
        BufferedImage img = new BufferedImage(84, 84, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 84; y++) {
            for (int x = 0; x < 84; x++) {
                int v = 255 - (px[y / 3 * 28 + x / 3] & 0xff);
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        return img;
    }
}
