package dev.fovea.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Cifar}: small CIFAR-10 and CIFAR-100 files the test writes record by record, and broken or lying ones. */
class CifarTest {
    @TempDir
    Path dir;

    /** Pixel (c, y, x) of image {@code image}: distinct per image, channel, row and column (mod 256). */
    static int pixel(int image, int c, int y, int x) {
        return (image * 37 + c * 101 + y * 7 + x * 3) & 0xff;
    }

    /** The 3072 pixel bytes of image {@code image}, channel-major as the format stores them. */
    static byte[] image(int image) {
        byte[] p = new byte[Cifar.IMAGE_BYTES];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    p[(c * 32 + y) * 32 + x] = (byte) pixel(image, c, y, x);
                }
            }
        }
        return p;
    }

    /** Records of images {@code first, first + 1, ...}, each {@code labels[i]} (one or two bytes) then the pixels. */
    static byte[] records(int first, int[][] labels) {
        int labelBytes = labels[0].length;
        byte[] file = new byte[labels.length * (labelBytes + Cifar.IMAGE_BYTES)];
        for (int i = 0; i < labels.length; i++) {
            int at = i * (labelBytes + Cifar.IMAGE_BYTES);
            for (int b = 0; b < labelBytes; b++) {
                file[at + b] = (byte) labels[i][b];
            }
            System.arraycopy(image(first + i), 0, file, at + labelBytes, Cifar.IMAGE_BYTES);
        }
        return file;
    }

    /** CIFAR-10 labels for images {@code first, ...}: {@code (first + i) % 10}. */
    private static int[][] labels10(int first, int n) {
        int[][] l = new int[n][];
        for (int i = 0; i < n; i++) {
            l[i] = new int[] {(first + i) % 10};
        }
        return l;
    }

    /** CIFAR-100 labels (coarse, fine) of images {@code first, ...}: fine {@code 7 (first + i) % 100}, coarse fine / 5. */
    private static int[][] labels100(int first, int n) {
        int[][] l = new int[n][];
        for (int i = 0; i < n; i++) {
            int fine = 7 * (first + i) % 100;
            l[i] = new int[] {fine / 5, fine};
        }
        return l;
    }

    /** Writes CIFAR-10 to {@code folder}: batch b (1 to 5) holds b images, the test batch 3; images are numbered on. */
    private static void writeCifar10(Path folder) throws IOException {
        Files.createDirectories(folder);
        int first = 0;
        for (int b = 1; b <= 5; b++) {
            Files.write(folder.resolve("data_batch_" + b + ".bin"), records(first, labels10(first, b)));
            first += b;
        }
        Files.write(folder.resolve("test_batch.bin"), records(100, labels10(100, 3)));
    }

    /** Every image's bytes, floats and label against what {@link #writeCifar10}/{@link #records} wrote. */
    private static void checkImages(ImageDataset d, int first, int n, int[] labels) {
        assertEquals(n, d.size());
        assertArrayEquals(new long[] {3, 32, 32}, d.sampleShape());
        float[] x = new float[Cifar.IMAGE_BYTES];
        for (int i = 0; i < n; i++) {
            assertArrayEquals(image(first + i), d.pixels(i), "image " + i);
            d.sample(i, x, 0);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int xx = 0; xx < 32; xx++) {
                        assertEquals(pixel(first + i, c, y, xx) / 255f, x[(c * 32 + y) * 32 + xx]);
                    }
                }
            }
            assertEquals(labels[i], d.label(i), "label of image " + i);
        }
    }

    @Test
    void cifar10ReadsEveryPixelAndLabelInBatchOrder() throws IOException {
        Path folder = dir.resolve("cifar-10-batches-bin");
        writeCifar10(folder);
        for (Path given : new Path[] {folder, dir}) {
            ImageDataset train = Cifar.load10(given, Split.TRAIN);
            assertEquals(10, train.classes());
            int[] labels = new int[15];
            for (int i = 0; i < 15; i++) {
                labels[i] = i % 10;
            }
            checkImages(train, 0, 15, labels);
            checkImages(Cifar.load10(given, Split.TEST), 100, 3, new int[] {0, 1, 2});
        }
        checkImages(Cifar.batch10(folder.resolve("data_batch_3.bin")), 3, 3, new int[] {3, 4, 5});
    }

    @Test
    void cifar100KeepsFineOrCoarseLabels() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("cifar-100-binary"));
        Files.write(folder.resolve("train.bin"), records(0, labels100(0, 20)));
        Files.write(folder.resolve("test.bin"), records(50, labels100(50, 4)));
        int[] fine = new int[20];
        int[] coarse = new int[20];
        for (int i = 0; i < 20; i++) {
            fine[i] = 7 * i % 100;
            coarse[i] = fine[i] / 5;
        }
        for (Path given : new Path[] {folder, dir}) {
            ImageDataset train = Cifar.load100(given, Split.TRAIN, false);
            assertEquals(100, train.classes());
            checkImages(train, 0, 20, fine);
            ImageDataset trainCoarse = Cifar.load100(given, Split.TRAIN, true);
            assertEquals(20, trainCoarse.classes());
            checkImages(trainCoarse, 0, 20, coarse);
            checkImages(Cifar.load100(given, Split.TEST, false), 50, 4, new int[] {50, 57, 64, 71});
            checkImages(Cifar.load100(given, Split.TEST, true), 50, 4, new int[] {10, 11, 12, 14});
        }
        checkImages(Cifar.batch100(folder.resolve("test.bin"), true), 50, 4, new int[] {10, 11, 12, 14});
    }

    @Test
    void classNamesComeFromTheMetaFilesOrTheDefaults() throws IOException {
        Path c10 = dir.resolve("cifar-10-batches-bin");
        writeCifar10(c10);
        assertSame(Cifar.CIFAR10_CLASSES, Cifar.classNames10(dir));
        assertEquals("truck", Cifar.classNames10(c10).get(9));
        Files.writeString(c10.resolve("batches.meta.txt"), "a0\nb1 \n\nc2\nd3\ne4\nf5\ng6\nh7\ni8\nj9\n\n");
        assertEquals(List.of("a0", "b1", "c2", "d3", "e4", "f5", "g6", "h7", "i8", "j9"), Cifar.classNames10(dir));
        Files.writeString(c10.resolve("batches.meta.txt"), "a\nb\n");
        String m = assertThrows(IllegalArgumentException.class, () -> Cifar.classNames10(dir)).getMessage();
        assertTrue(m.contains("batches.meta.txt has 2 class names, expected 10"), m);
        Files.write(c10.resolve("batches.meta.txt"), new byte[Cifar.MAX_NAMES_BYTES + 1]);
        m = assertThrows(IllegalArgumentException.class, () -> Cifar.classNames10(c10)).getMessage();
        assertTrue(m.contains("batches.meta.txt has more than 65536 bytes"), m);

        Path c100 = Files.createDirectories(dir.resolve("cifar-100-binary"));
        assertEquals("99", Cifar.classNames100(dir, false).get(99));
        assertEquals(20, Cifar.classNames100(dir, true).size());
        StringBuilder fine = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            fine.append("fine").append(i).append('\n');
        }
        Files.writeString(c100.resolve("fine_label_names.txt"), fine);
        Files.writeString(c100.resolve("coarse_label_names.txt"), "only\none\n");
        assertEquals("fine42", Cifar.classNames100(c100, false).get(42));
        m = assertThrows(IllegalArgumentException.class, () -> Cifar.classNames100(dir, true)).getMessage();
        assertTrue(m.contains("coarse_label_names.txt has 2 class names, expected 20"), m);
    }

    @Test
    void missingFilesAreAllListed() throws IOException {
        writeCifar10(dir);
        Files.delete(dir.resolve("data_batch_2.bin"));
        Files.delete(dir.resolve("data_batch_4.bin"));
        String m = assertThrows(IllegalArgumentException.class, () -> Cifar.load10(dir, Split.TRAIN)).getMessage();
        assertTrue(m.startsWith("Cifar: data_batch_2.bin, data_batch_4.bin are missing from "
                + dir.toAbsolutePath()), m);
        assertTrue(m.contains("cifar-10-binary.tar.gz"), m);
        assertEquals(3, Cifar.load10(dir, Split.TEST).size(), "the test split has its file");
        m = assertThrows(IllegalArgumentException.class, () -> Cifar.load100(dir, Split.TEST, false)).getMessage();
        assertTrue(m.startsWith("Cifar: test.bin is missing from "), m);
        Files.createDirectory(dir.resolve("test.bin"));
        m = assertThrows(IllegalArgumentException.class, () -> Cifar.load100(dir, Split.TEST, false)).getMessage();
        assertTrue(m.contains("test.bin is not a regular file"), m);
    }

    @Test
    void sizesThatAreNotWholeRecordsAreRejected() throws IOException {
        byte[] three = records(0, labels10(0, 3));
        rejects10(Arrays.copyOf(three, three.length - 1), "has 9218 bytes, not a whole non-zero number of 3073-byte"
                + " records (1 label byte + 3072 pixel bytes): truncated, or not a CIFAR-10 binary file");
        rejects10(Arrays.copyOf(three, three.length + 5), "has 9224 bytes");
        rejects10(new byte[0], "has 0 bytes");
        // A CIFAR-100 file read as CIFAR-10: 2 x 3074 bytes is not a whole number of 3073-byte records.
        rejects10(records(0, labels100(0, 2)), "has 6148 bytes");
        Path p = Files.write(dir.resolve("train.bin"), records(0, labels10(0, 2)));
        String m = assertThrows(IllegalArgumentException.class, () -> Cifar.batch100(p, false)).getMessage();
        assertTrue(m.startsWith("Cifar: " + p + " has 6146 bytes, not a whole non-zero number of 3074-byte records"
                + " (2 label bytes + 3072 pixel bytes)"), m);
    }

    @Test
    void labelsOutOfRangeNameTheRecord() throws IOException {
        int[][] l = labels10(0, 4);
        l[2][0] = 10;
        rejects10(records(0, l), "record 2 has label 10, not in [0, 10)");
        int[][] l100 = labels100(0, 3);
        l100[1] = new int[] {20, 1};
        Path p = Files.write(dir.resolve("train.bin"), records(0, l100));
        String m = assertThrows(IllegalArgumentException.class, () -> Cifar.batch100(p, false)).getMessage();
        assertTrue(m.equals("Cifar: " + p + " record 1 has coarse label 20, not in [0, 20)"), m);
        l100[1] = new int[] {0, 255};
        Files.write(p, records(0, l100));
        m = assertThrows(IllegalArgumentException.class, () -> Cifar.load100(dir, Split.TRAIN, true)).getMessage();
        assertTrue(m.contains("record 1 has fine label 255, not in [0, 100)"), m);
    }

    /** Seeded mutations of labels and sizes: every outcome is a dataset that matches the file or a clear error. */
    @Test
    void mutatedFilesGiveDatasetsOrClearErrors() throws IOException {
        SplittableRandom r = new SplittableRandom(20261207);
        int loaded = 0;
        for (int i = 0; i < 300; i++) {
            boolean hundred = r.nextBoolean();
            int labelBytes = hundred ? 2 : 1;
            int n = 1 + r.nextInt(3);
            byte[] m = records(0, hundred ? labels100(0, n) : labels10(0, n));
            int changes = 1 + r.nextInt(3);
            for (int c = 0; c < changes; c++) {
                int rec = r.nextInt(n) * (labelBytes + Cifar.IMAGE_BYTES);
                m[rec + r.nextInt(labelBytes)] = (byte) (r.nextBoolean() ? r.nextInt(256) : r.nextInt(24));
            }
            if (r.nextInt(3) == 0) {
                m = Arrays.copyOf(m, r.nextBoolean() ? r.nextInt(m.length + 1) : m.length + r.nextInt(2 * 3074));
            }
            Path p = Files.write(dir.resolve("m" + (i % 4) + ".bin"), m);
            try {
                ImageDataset d = hundred ? Cifar.batch100(p, r.nextBoolean()) : Cifar.batch10(p);
                assertEquals(m.length / (labelBytes + Cifar.IMAGE_BYTES), d.size());
                for (int k = 0; k < d.size(); k++) {
                    int at = k * (labelBytes + Cifar.IMAGE_BYTES) + labelBytes;
                    assertArrayEquals(Arrays.copyOfRange(m, at, at + Cifar.IMAGE_BYTES), d.pixels(k));
                    assertTrue(d.label(k) < d.classes());
                }
                loaded++;
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith("Cifar: " + p + " "), e.getMessage());
            }
        }
        assertTrue(loaded > 0 && loaded < 300, "both outcomes occur: " + loaded);
    }

    private void rejects10(byte[] bytes, String message) throws IOException {
        Path p = Files.write(dir.resolve("test_batch.bin"), bytes);
        String m = assertThrows(IllegalArgumentException.class, () -> Cifar.load10(dir, Split.TEST)).getMessage();
        assertTrue(m.startsWith("Cifar: " + p + " ") && m.contains(message), m);
    }
}
