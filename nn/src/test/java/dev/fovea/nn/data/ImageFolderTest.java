package dev.fovea.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageFolder}: PNG, BMP, GIF and JPEG files the test writes with ImageIO from known pixels; broken ones. */
class ImageFolderTest {
    @TempDir
    Path dir;

    /** Channel c of pixel (y, x) of colour image {@code i}: distinct per image, channel, row and column. */
    static int rgb(int i, int c, int y, int x) {
        return (i * 50 + c * 90 + y * 9 + x * 5 + 7) & 0xff;
    }

    /** Pixel (y, x) of grey image {@code i}. */
    static int greyAt(int i, int y, int x) {
        return (i * 30 + y * 17 + x * 11 + 3) & 0xff;
    }

    /** Colour image {@code i} of {@code h x w}. */
    static BufferedImage colour(int i, int h, int w) {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                im.setRGB(x, y, (rgb(i, 0, y, x) << 16) | (rgb(i, 1, y, x) << 8) | rgb(i, 2, y, x));
            }
        }
        return im;
    }

    /** Grey image {@code i} of {@code h x w}, its raster set directly (no colour conversion). */
    static BufferedImage grey(int i, int h, int w) {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                im.getRaster().setSample(x, y, 0, greyAt(i, y, x));
            }
        }
        return im;
    }

    private Path write(BufferedImage image, String format, String path) throws IOException {
        Path p = dir.resolve(path);
        Files.createDirectories(p.getParent());
        assertTrue(ImageIO.write(image, format, p.toFile()), "ImageIO writes " + format);
        return p;
    }

    /** PIL's integer ITU-R 601 luma. */
    private static int luma(int r, int g, int b) {
        return (19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16;
    }

    /** The expected bytes of colour image {@code i} with {@code channels} channels. */
    private static byte[] expectColour(int i, int channels, int h, int w) {
        byte[] e = new byte[channels * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (channels == 1) {
                    e[y * w + x] = (byte) luma(rgb(i, 0, y, x), rgb(i, 1, y, x), rgb(i, 2, y, x));
                } else {
                    for (int c = 0; c < 3; c++) {
                        e[(c * h + y) * w + x] = (byte) rgb(i, c, y, x);
                    }
                }
            }
        }
        return e;
    }

    private static byte[] expectGrey(int i, int channels, int h, int w) {
        byte[] e = new byte[channels * h * w];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    e[(c * h + y) * w + x] = (byte) greyAt(i, y, x);
                }
            }
        }
        return e;
    }

    /** Three classes made out of order (dog, ant, cat); odd files to ignore; 5 x 7 images. */
    private Path classes() throws IOException {
        write(colour(0, 5, 7), "png", "root/dog/only.png");
        write(colour(1, 5, 7), "png", "root/ant/b.png");
        write(colour(2, 5, 7), "bmp", "root/ant/a.BMP");
        write(grey(3, 5, 7), "png", "root/cat/x/c.png");
        write(grey(4, 5, 7), "png", "root/cat/d.png");
        Files.writeString(dir.resolve("root/cat/readme.txt"), "not an image");
        write(colour(5, 2, 2), "png", "root/stray.png");
        return dir.resolve("root");
    }

    @Test
    void everyPixelAndLabelReadsBackInClassAndPathOrder() throws IOException {
        Path root = classes();
        for (int channels : new int[] {3, 1}) {
            ImageFolder f = ImageFolder.load(root, channels);
            assertEquals(List.of("ant", "cat", "dog"), f.classNames());
            assertEquals(3, f.classes());
            assertEquals(5, f.size());
            assertArrayEquals(new long[] {channels, 5, 7}, f.sampleShape());
            List<String> files = List.of("ant/a.BMP", "ant/b.png", "cat/d.png", "cat/x/c.png", "dog/only.png");
            int[] labels = {0, 0, 1, 1, 2};
            byte[][] expected = {expectColour(2, channels, 5, 7), expectColour(1, channels, 5, 7),
                expectGrey(4, channels, 5, 7), expectGrey(3, channels, 5, 7), expectColour(0, channels, 5, 7)};
            float[] x = new float[channels * 35];
            for (int i = 0; i < 5; i++) {
                assertEquals(root.resolve(files.get(i)), f.file(i));
                assertEquals(labels[i], f.label(i));
                assertArrayEquals(expected[i], f.pixels(i), files.get(i) + " with " + channels + " channels");
                f.sample(i, x, 0);
                for (int k = 0; k < x.length; k++) {
                    assertEquals((expected[i][k] & 0xff) / 255f, x[k]);
                }
            }
        }
    }

    @Test
    void jpegAndGifAreReadWithTheirShape() throws IOException {
        write(colour(0, 6, 9), "jpg", "root/a/lossy.jpg");
        write(colour(1, 6, 9), "jpeg", "root/b/lossy.JPEG");
        write(colour(2, 6, 9), "gif", "root/c/palette.gif");
        ImageFolder f = ImageFolder.load(dir.resolve("root"), 3);
        assertEquals(3, f.size());
        assertArrayEquals(new long[] {3, 6, 9}, f.sampleShape());
        assertEquals(List.of("a", "b", "c"), f.classNames());
        assertArrayEquals(expectColour(2, 3, 6, 9), f.pixels(2), "GIF keeps up to 256 colours exactly");
        assertArrayEquals(new long[] {1, 6, 9}, ImageFolder.load(dir.resolve("root"), 1).sampleShape());
    }

    @Test
    void mixedSizesAreRejectedUnlessATargetSizeIsGiven() throws IOException {
        Path first = write(grey(0, 4, 4), "png", "root/a/1.png");
        Path other = write(grey(1, 3, 5), "png", "root/b/2.png");
        String m = assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(dir.resolve("root"), 1))
                .getMessage();
        assertTrue(m.startsWith("ImageFolder: " + other + " is 3 x 5 but " + first + " is 4 x 4"), m);
        ImageFolder f = ImageFolder.load(dir.resolve("root"), 1, 4, 4);
        assertArrayEquals(expectGrey(0, 1, 4, 4), f.pixels(0), "an image of the target size is kept as it is");
        byte[] resized = new byte[16];
        ImageFolder.resize(expectGrey(1, 1, 3, 5), 1, 3, 5, resized, 0, 4, 4);
        assertArrayEquals(resized, f.pixels(1));
    }

    @Test
    void resizeIsBilinearWithHalfPixelCentres() throws IOException {
        byte[] out = new byte[4];
        ImageFolder.resize(new byte[] {0, (byte) 200}, 1, 1, 2, out, 0, 1, 4);
        assertArrayEquals(new byte[] {0, 50, (byte) 150, (byte) 200}, out, "source x = (x + 0.5) / 2 - 0.5, clamped");
        // 2 x 2 to 4 x 4: pixel (1, 1) samples (0.25, 0.25): 0.75^2 0 + 0.75 0.25 (160 + 80) + 0.25^2 240 = 60.
        byte[] up = new byte[16];
        ImageFolder.resize(new byte[] {0, (byte) 160, 80, (byte) 240}, 1, 2, 2, up, 0, 4, 4);
        assertEquals(60, up[5] & 0xff);
        assertEquals(240, up[15] & 0xff);
        // 4 x 4 to 2 x 2 samples the centres of the 2 x 2 blocks: their means (rounded half up).
        byte[] src = new byte[32];
        for (int i = 0; i < 32; i++) {
            src[i] = (byte) (i * 7);
        }
        byte[] down = new byte[8];
        ImageFolder.resize(src, 2, 4, 4, down, 0, 2, 2);
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    int at = c * 16 + 2 * y * 4 + 2 * x;
                    double mean = ((src[at] & 0xff) + (src[at + 1] & 0xff) + (src[at + 4] & 0xff)
                            + (src[at + 5] & 0xff)) / 4.0;
                    assertEquals(Math.round(mean), down[c * 4 + y * 2 + x] & 0xff);
                }
            }
        }
        write(grey(2, 2, 2), "png", "root/a/constant.png");
        write(new BufferedImage(3, 1, BufferedImage.TYPE_INT_RGB), "png", "root/b/black.png");
        ImageFolder f = ImageFolder.load(dir.resolve("root"), 3, 5, 6);
        assertArrayEquals(new byte[3 * 30], f.pixels(1), "black stays black at any size");
    }

    @Test
    void undecodableFilesAreNamed() throws IOException {
        write(grey(0, 8, 8), "png", "root/a/good.png");
        Path bad = Files.writeString(dir.resolve("root/a/not-really.png"), "plain text");
        String m = assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(dir.resolve("root"), 1))
                .getMessage();
        assertEquals("ImageFolder: " + bad + " is not an image javax.imageio can decode (its bytes are not PNG, JPEG,"
                + " BMP or GIF)", m);
        Files.delete(bad);

        BufferedImage noise = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        SplittableRandom r = new SplittableRandom(7);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                noise.setRGB(x, y, r.nextInt(1 << 24)); // incompressible, so half the file ends inside the image data
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(noise, "png", png);
        byte[] whole = png.toByteArray();
        Path cut = Files.write(dir.resolve("root/a/cut.png"), Arrays.copyOf(whole, whole.length / 2));
        m = assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(dir.resolve("root"), 3, 8, 8))
                .getMessage();
        assertTrue(m.startsWith("ImageFolder: " + cut + " cannot be decoded: "), m);
        Files.delete(cut);

        // A header declaring 100000 x 100000 pixels: rejected before anything is decoded or allocated.
        Path bomb = Files.write(dir.resolve("root/a/bomb.png"), pngHeader(100000, 100000));
        m = assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(dir.resolve("root"), 3, 8, 8))
                .getMessage();
        assertEquals("ImageFolder: " + bomb + " declares 100000 x 100000 pixels, expected 1 to 67108864", m);
        // 2000 x 2000 pixels in 45 bytes: more than any encoding packs into so few, so not decoded either.
        Files.write(bomb, pngHeader(2000, 2000));
        m = assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(dir.resolve("root"), 3)).getMessage();
        assertEquals("ImageFolder: " + bomb + " declares 2000 x 2000 pixels in 45 bytes, more than the 16384 per byte"
                + " an image file holds (a truncated file, or a lying header)", m);
    }

    @Test
    void badFoldersAndArgumentsAreRejected() throws IOException {
        Path root = dir.resolve("root");
        String m = assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(root, 3)).getMessage();
        assertEquals("ImageFolder: " + root + " is not a folder", m);
        Files.createDirectories(root);
        Files.writeString(root.resolve("a.png"), "x");
        m = assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(root, 3)).getMessage();
        assertTrue(m.contains("has 0 class folders, expected 1 to 256"), m);
        write(grey(0, 2, 2), "png", "root/full/1.png");
        Files.createDirectories(root.resolve("empty"));
        Files.createDirectories(root.resolve("text"));
        Files.writeString(root.resolve("text/a.txt"), "x");
        m = assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(root, 3)).getMessage();
        assertTrue(m.startsWith("ImageFolder: class folders empty, text of " + root + " hold no images (files ending"
                + " in .bmp, .gif, .jpeg, .jpg, .png)"), m);
        m = assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(root, 2)).getMessage();
        assertTrue(m.contains("channels must be 1 (grey) or 3 (RGB), got 2"), m);
        m = assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(root, 3, 0, 4)).getMessage();
        assertTrue(m.contains("got 0 x 4"), m);
    }

    /** Seeded mutations of a PNG and a BMP: every outcome is an image of its shape or a clear error naming the file. */
    @Test
    void mutatedImagesGiveImagesOrClearErrors() throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(colour(0, 6, 5), "png", png);
        ByteArrayOutputStream bmp = new ByteArrayOutputStream();
        ImageIO.write(grey(1, 6, 5), "bmp", bmp);
        SplittableRandom r = new SplittableRandom(20261208);
        Files.createDirectories(dir.resolve("root/a"));
        int loaded = 0;
        for (int i = 0; i < 400; i++) {
            byte[] m = (r.nextBoolean() ? png : bmp).toByteArray();
            int flips = 1 + r.nextInt(3);
            for (int f = 0; f < flips; f++) {
                m[r.nextInt(Math.min(m.length, 64))] = (byte) r.nextInt(256);
            }
            if (r.nextInt(4) == 0) {
                m = Arrays.copyOf(m, r.nextInt(m.length + 8));
            }
            Path p = Files.write(dir.resolve("root/a/m.png"), m);
            try {
                ImageFolder f = r.nextBoolean() ? ImageFolder.load(dir.resolve("root"), 3)
                        : ImageFolder.load(dir.resolve("root"), 1, 6, 5);
                assertEquals(1, f.size());
                assertEquals(f.sampleShape()[0] * f.sampleShape()[1] * f.sampleShape()[2], f.pixels(0).length);
                loaded++;
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith("ImageFolder: " + p + " "), e.getMessage());
            }
        }
        assertTrue(loaded > 0 && loaded < 400, "both outcomes occur: " + loaded);
    }

    /** A PNG's signature, an IHDR chunk declaring {@code w x h} 8-bit RGB (with a correct CRC) and IEND. */
    private static byte[] pngHeader(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.putInt(13);
        int crcFrom = b.position();
        b.put(new byte[] {'I', 'H', 'D', 'R'}).putInt(w).putInt(h).put(new byte[] {8, 2, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(b.array(), crcFrom, 17);
        b.putInt((int) crc.getValue());
        b.putInt(0).put(new byte[] {'I', 'E', 'N', 'D'}).putInt(0xae426082);
        return b.array();
    }
}
