package dev.fovea.nn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Loads MNIST and the datasets that share its IDX files and names (Fashion-MNIST, KMNIST; EMNIST
 * under its own names via {@link #idx}): {@code train-images-idx3-ubyte}, {@code
 * train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each
 * plain or with {@code .gz}. The project ships MNIST in {@code data/mnist/}.
 */
public final class Mnist {
    /** SHA-256 of the original MNIST files' IDX bytes (after decompression): train images, labels, test images, labels. */
    private static final String[] MNIST_SHA256 = {
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"};

    private Mnist() {}

    /**
     * MNIST's {@code split} from {@code dir}, checking each file's SHA-256 against the original's.
     *
     * @throws IllegalArgumentException if a file is missing, not valid IDX, or not the original MNIST
     * @throws IOException if a file cannot be read
     */
    public static ImageDataset load(Path dir, Split split) throws IOException {
        int at = split == Split.TRAIN ? 0 : 2;
        return read(dir, split, 10, MNIST_SHA256[at], MNIST_SHA256[at + 1]);
    }

    /**
     * An MNIST-format dataset's {@code split} from {@code dir} with {@code classes} classes and no
     * checksum: Fashion-MNIST (10; Debian's {@code dataset-fashion-mnist}), KMNIST (10).
     *
     * @throws IllegalArgumentException if a file is missing or not valid IDX, or the files disagree
     * @throws IOException if a file cannot be read
     */
    public static ImageDataset idx(Path dir, Split split, int classes) throws IOException {
        return read(dir, split, classes, null, null);
    }

    private static ImageDataset read(Path dir, Split split, int classes, String imagesSha, String labelsSha)
            throws IOException {
        Objects.requireNonNull(dir, "Mnist: dir is null");
        Objects.requireNonNull(split, "Mnist: split is null");
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        Idx.Array images = file(dir, prefix + "-images-idx3-ubyte", imagesSha);
        Idx.Array labels = file(dir, prefix + "-labels-idx1-ubyte", labelsSha);
        int[] d = images.dims();
        if (images.type() != Idx.Type.UBYTE || d.length != 3) {
            throw new IllegalArgumentException("Mnist: images must be unsigned bytes of (count, height, width), got "
                    + images.type() + " " + Arrays.toString(d));
        }
        if (labels.type() != Idx.Type.UBYTE || labels.dims().length != 1 || labels.dims()[0] != d[0]) {
            throw new IllegalArgumentException("Mnist: labels must be " + d[0] + " unsigned bytes (one per image), got "
                    + labels.type() + " " + Arrays.toString(labels.dims()));
        }
        return new ImageDataset(images.data(), labels.data(), new long[] {1, d[1], d[2]}, classes);
    }

    private static Idx.Array file(Path dir, String name, String sha256) throws IOException {
        Path file = dir.resolve(name + ".gz");
        if (!Files.exists(file)) {
            file = dir.resolve(name);
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("Mnist: neither " + name + ".gz nor " + name + " is in " + dir
                    .toAbsolutePath());
        }
        MessageDigest digest = sha256 == null ? null : sha256();
        Idx.Array array = Idx.read(file, digest);
        if (digest != null) {
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(sha256)) {
                throw new IllegalArgumentException("Mnist: " + file + " is not the original MNIST file: SHA-256 of its"
                        + " IDX bytes is " + actual + ", expected " + sha256);
            }
        }
        return array;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
