package dev.fovea.nn.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Loads CIFAR-10 and CIFAR-100 (Krizhevsky, 2009) in their binary versions, as extracted from
 * {@code cifar-10-binary.tar.gz} (folder {@code cifar-10-batches-bin}) and
 * {@code cifar-100-binary.tar.gz} (folder {@code cifar-100-binary}). The loaders take either that
 * folder or the folder holding it.
 *
 * <p><b>Format.</b> A file is records back to back with no header. A CIFAR-10 record is one label
 * byte then 3072 pixel bytes; a CIFAR-100 record is a coarse label byte (20 superclasses), a fine
 * label byte (100 classes), then the 3072 pixel bytes. The pixels are the red, green and blue 32 x
 * 32 planes, each row-major: exactly the {@code (channels, height, width)} layout of
 * {@link ImageDataset}, so they are kept as stored. CIFAR-10's training set is
 * {@code data_batch_1.bin} to {@code data_batch_5.bin} in that order, its test set
 * {@code test_batch.bin}; CIFAR-100's are {@code train.bin} and {@code test.bin}.
 *
 * <p>The files are untrusted. Each must be a regular file whose size is a whole, non-zero number
 * of records; the arrays are sized from those sizes after checking their total fits one array, and
 * every label is checked against its range (both labels of a CIFAR-100 record, whichever is
 * kept). Any failure is an {@link IllegalArgumentException} naming the file, and the record for a
 * bad label. The training sets take 150 MB of memory (one byte per pixel).
 */
public final class Cifar {
    /** Bytes of one image: 3 channels of 32 x 32. */
    public static final int IMAGE_BYTES = 3 * 32 * 32;
    /** CIFAR-10's class names in label order, as in its {@code batches.meta.txt}. */
    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");
    /** Largest class-name file read, in bytes (the real ones are under 1 KiB). */
    static final int MAX_NAMES_BYTES = 1 << 16;

    private static final String CIFAR10_FOLDER = "cifar-10-batches-bin";
    private static final String CIFAR100_FOLDER = "cifar-100-binary";

    private Cifar() {}

    /**
     * CIFAR-10's {@code split} from {@code dir}: 50,000 (train) or 10,000 (test) images of
     * {@code (3, 32, 32)}, 10 classes.
     *
     * @param dir the folder {@code cifar-10-batches-bin}, or the folder holding it
     * @throws IllegalArgumentException if a file is missing (all missing ones are listed), has a
     *     size that is not a whole number of records, or has a label outside {@code [0, 10)}
     * @throws IOException if a file cannot be read
     */
    public static ImageDataset load10(Path dir, Split split) throws IOException {
        Objects.requireNonNull(split, "Cifar.load10: split is null");
        List<String> names = split == Split.TRAIN
                ? IntStream.rangeClosed(1, 5).mapToObj(i -> "data_batch_" + i + ".bin").toList()
                : List.of("test_batch.bin");
        return read(files(folder(dir, CIFAR10_FOLDER), names, "cifar-10-binary.tar.gz"), 1, false);
    }

    /**
     * CIFAR-100's {@code split} from {@code dir}: 50,000 (train) or 10,000 (test) images of
     * {@code (3, 32, 32)} with their fine labels (100 classes), or their coarse labels (20
     * superclasses) if {@code coarse}.
     *
     * @param dir the folder {@code cifar-100-binary}, or the folder holding it
     * @throws IllegalArgumentException if the file is missing, has a size that is not a whole number
     *     of records, or has a coarse label outside {@code [0, 20)} or a fine one outside {@code [0, 100)}
     * @throws IOException if the file cannot be read
     */
    public static ImageDataset load100(Path dir, Split split, boolean coarse) throws IOException {
        Objects.requireNonNull(split, "Cifar.load100: split is null");
        String name = split == Split.TRAIN ? "train.bin" : "test.bin";
        return read(files(folder(dir, CIFAR100_FOLDER), List.of(name), "cifar-100-binary.tar.gz"), 2, coarse);
    }

    /**
     * One CIFAR-10 batch file, e.g. {@code data_batch_5.bin} alone as a validation set.
     *
     * @throws IllegalArgumentException as {@link #load10}
     * @throws IOException if the file cannot be read
     */
    public static ImageDataset batch10(Path file) throws IOException {
        return read(List.of(Objects.requireNonNull(file, "Cifar.batch10: file is null")), 1, false);
    }

    /**
     * One CIFAR-100 file, with fine labels or, if {@code coarse}, coarse ones.
     *
     * @throws IllegalArgumentException as {@link #load100}
     * @throws IOException if the file cannot be read
     */
    public static ImageDataset batch100(Path file, boolean coarse) throws IOException {
        return read(List.of(Objects.requireNonNull(file, "Cifar.batch100: file is null")), 2, coarse);
    }

    /**
     * CIFAR-10's class names in label order: from {@code batches.meta.txt} in {@code dir} (as
     * {@link #load10} finds it) if it is there, else {@link #CIFAR10_CLASSES}.
     *
     * @throws IllegalArgumentException if {@code batches.meta.txt} does not hold 10 names, one per line
     * @throws IOException if it cannot be read
     */
    public static List<String> classNames10(Path dir) throws IOException {
        Path file = folder(dir, CIFAR10_FOLDER).resolve("batches.meta.txt");
        return Files.exists(file) ? names(file, 10) : CIFAR10_CLASSES;
    }

    /**
     * CIFAR-100's fine class names (100) or, if {@code coarse}, superclass names (20), in label
     * order: from {@code fine_label_names.txt} or {@code coarse_label_names.txt} in {@code dir} (as
     * {@link #load100} finds it) if it is there, else the label numbers {@code "0"}, {@code "1"}, ...
     *
     * @throws IllegalArgumentException if the file does not hold 100 (20) names, one per line
     * @throws IOException if it cannot be read
     */
    public static List<String> classNames100(Path dir, boolean coarse) throws IOException {
        int n = coarse ? 20 : 100;
        Path file = folder(dir, CIFAR100_FOLDER).resolve(coarse ? "coarse_label_names.txt" : "fine_label_names.txt");
        return Files.exists(file) ? names(file, n) : IntStream.range(0, n).mapToObj(Integer::toString).toList();
    }

    /** {@code dir/folder} if that is a folder (dir is the archive's parent), else {@code dir}. */
    private static Path folder(Path dir, String folder) {
        Objects.requireNonNull(dir, "Cifar: dir is null");
        Path inner = dir.resolve(folder);
        return Files.isDirectory(inner) ? inner : dir;
    }

    private static List<Path> files(Path dir, List<String> names, String archive) {
        List<Path> files = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            Path file = dir.resolve(name);
            files.add(file);
            if (!Files.exists(file)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Cifar: " + String.join(", ", missing) + (missing.size() == 1 ? " is"
                    : " are") + " missing from " + dir.toAbsolutePath() + " (expected the folder extracted from "
                    + archive + ", or its parent)");
        }
        return files;
    }

    /** The records of {@code files} in order; {@code labelBytes} is 1 (CIFAR-10) or 2 (CIFAR-100). */
    private static ImageDataset read(List<Path> files, int labelBytes, boolean coarse) throws IOException {
        int record = labelBytes + IMAGE_BYTES;
        long[] counts = new long[files.size()];
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            Path file = files.get(i);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("Cifar: " + file + " is not a regular file");
            }
            long size = Files.size(file);
            if (size == 0 || size % record != 0) {
                throw new IllegalArgumentException("Cifar: " + file + " has " + size + " bytes, not a whole non-zero"
                        + " number of " + record + "-byte records (" + labelBytes + " label byte" + (labelBytes == 1
                        ? "" : "s") + " + " + IMAGE_BYTES + " pixel bytes): truncated, or not a CIFAR-"
                        + (labelBytes == 1 ? "10" : "100") + " binary file");
            }
            counts[i] = size / record;
            total += counts[i];
            if (total > Idx.MAX_DATA_BYTES / IMAGE_BYTES) {
                throw new IllegalArgumentException("Cifar: " + file + " brings the images to " + total + ", more than"
                        + " the " + Idx.MAX_DATA_BYTES / IMAGE_BYTES + " one array holds");
            }
        }
        byte[] pixels = new byte[Math.toIntExact(total * IMAGE_BYTES)];
        byte[] labels = new byte[(int) total];
        int at = 0;
        for (int i = 0; i < counts.length; i++) {
            at = records(files.get(i), counts[i], labelBytes, coarse, pixels, labels, at);
        }
        return new ImageDataset(pixels, labels, new long[] {3, 32, 32}, labelBytes == 1 ? 10 : coarse ? 20 : 100);
    }

    /** Reads {@code count} records of {@code file} into image {@code at} on; returns the next image index. */
    private static int records(Path file, long count, int labelBytes, boolean coarse, byte[] pixels, byte[] labels,
            int at) throws IOException {
        byte[] label = new byte[labelBytes];
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            for (long r = 0; r < count; r++, at++) {
                if (in.readNBytes(label, 0, labelBytes) < labelBytes
                        || in.readNBytes(pixels, at * IMAGE_BYTES, IMAGE_BYTES) < IMAGE_BYTES) {
                    throw new IllegalArgumentException("Cifar: " + file + " ends inside record " + r + " of " + count
                            + " (it shrank while being read)");
                }
                int first = label[0] & 0xff;
                if (labelBytes == 1) {
                    labels[at] = (byte) check(file, r, "label", first, 10);
                } else {
                    check(file, r, "coarse label", first, 20);
                    int fine = check(file, r, "fine label", label[1] & 0xff, 100);
                    labels[at] = (byte) (coarse ? first : fine);
                }
            }
            if (in.read() >= 0) {
                throw new IllegalArgumentException("Cifar: " + file + " grew past its " + count + " records while being"
                        + " read");
            }
        }
        return at;
    }

    private static int check(Path file, long record, String what, int label, int classes) {
        if (label >= classes) {
            throw new IllegalArgumentException("Cifar: " + file + " record " + record + " has " + what + " " + label
                    + ", not in [0, " + classes + ")");
        }
        return label;
    }

    /** The non-blank lines of {@code file}, stripped, which must be {@code n}. */
    private static List<String> names(Path file, int n) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_NAMES_BYTES + 1);
        }
        if (bytes.length > MAX_NAMES_BYTES) {
            throw new IllegalArgumentException("Cifar: " + file + " has more than " + MAX_NAMES_BYTES + " bytes, too"
                    + " many for " + n + " class names");
        }
        List<String> names = new String(bytes, StandardCharsets.UTF_8).lines().map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
        if (names.size() != n) {
            throw new IllegalArgumentException("Cifar: " + file + " has " + names.size() + " class names, expected " + n
                    + " (one per line)");
        }
        return names;
    }
}
