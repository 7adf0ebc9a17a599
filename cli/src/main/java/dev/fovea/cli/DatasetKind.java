package dev.fovea.cli;

import dev.fovea.nn.data.Cifar;
import dev.fovea.nn.data.Dataset;
import dev.fovea.nn.data.Mnist;
import dev.fovea.nn.data.Split;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The datasets the command line trains on, by wire name: their image size, channels,
 * normalisation statistics and class names, and how to read them from a folder.
 */
enum DatasetKind {
    /** MNIST digits, checked against the original files' SHA-256 ({@link Mnist#load}). */
    MNIST("mnist", 1, 28, new float[] {0.1307f}, new float[] {0.3081f},
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")),
    /** Zalando's Fashion-MNIST: MNIST's file names and format, clothing classes ({@link Mnist#idx}). */
    FASHION_MNIST("fashion-mnist", 1, 28, new float[] {0.2860f}, new float[] {0.3530f},
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                    "Ankle boot")),
    /** CIFAR-10's binary version, 32 x 32 colour images ({@link Cifar#load10}). */
    CIFAR10("cifar10", 3, 32, new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2470f, 0.2435f, 0.2616f},
            Cifar.CIFAR10_CLASSES);

    private final String wireName;
    private final int channels;
    private final int size;
    private final float[] mean;
    private final float[] std;
    private final List<String> classNames;

    DatasetKind(String wireName, int channels, int size, float[] mean, float[] std, List<String> classNames) {
        this.wireName = wireName;
        this.channels = channels;
        this.size = size;
        this.mean = mean;
        this.std = std;
        this.classNames = classNames;
    }

    /**
     * The dataset called {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    static DatasetKind of(String name) {
        for (DatasetKind d : values()) {
            if (d.wireName.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + names());
    }

    /** The known names, comma separated. */
    static String names() {
        return Arrays.stream(values()).map(DatasetKind::wireName).collect(Collectors.joining(", "));
    }

    /** The name on the command line: {@code mnist}, {@code fashion-mnist}, {@code cifar10}. */
    String wireName() {
        return wireName;
    }

    /** Channels per image (1 grey, 3 RGB). */
    int channels() {
        return channels;
    }

    /** The images' height and width (they are square). */
    int size() {
        return size;
    }

    /** Per-channel mean of the training images' pixels scaled to [0, 1] (a copy). */
    float[] mean() {
        return mean.clone();
    }

    /** Per-channel standard deviation of the training images' pixels scaled to [0, 1] (a copy). */
    float[] std() {
        return std.clone();
    }

    /** The class names, by label. */
    List<String> classNames() {
        return classNames;
    }

    /** The folder read when {@code --data} is not given, relative to the working directory. */
    Path defaultDir() {
        return Path.of("data", wireName);
    }

    /**
     * Reads {@code split} from {@code dir}.
     *
     * @throws IllegalArgumentException if a file is missing or malformed
     * @throws IOException if a file cannot be read
     */
    Dataset load(Path dir, Split split) throws IOException {
        return switch (this) {
            case MNIST -> Mnist.load(dir, split);
            case FASHION_MNIST -> Mnist.idx(dir, split, classNames.size());
            case CIFAR10 -> Cifar.load10(dir, split);
        };
    }
}
