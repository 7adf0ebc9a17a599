package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One short training run shared by the test classes (they run in one JVM): LeNet-5 on the first
 * 2,000 MNIST training images for one epoch of batch 16, validated on the first 2,000 test images, written
 * under {@code target/}.
 */
final class TrainedRun {
    /** Training images used (and test images validated on). */
    static final int LIMIT = 2000;
    /**
     * Batch size: 125 steps in the epoch. With the default 64 the one-cycle schedule has only 32
     * steps and LeNet-5 reaches about 58% on this small run; with 16, 87% (seed 1).
     */
    static final int BATCH = 16;
    private static Cli result;
    private static Path dir;

    private TrainedRun() {}

    /** The run's output folder, training first if no test did yet. */
    static synchronized Path dir() {
        if (dir == null) {
            try {
                Path parent = Files.createDirectories(Path.of("target", "test-runs"));
                dir = Files.createTempDirectory(parent, "lenet5-mnist-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            result = Cli.run("train", "--model", "lenet5", "--dataset", "mnist", "--data", Cli.MNIST.toString(),
                    "--limit", Integer.toString(LIMIT), "--epochs", "1", "--batch", Integer.toString(BATCH), "--out", dir.toString());
            assertEquals(0, result.exitCode(), result.toString());
        }
        return dir;
    }

    /** What the run printed. */
    static synchronized Cli result() {
        dir();
        return result;
    }

    /** The run's final weights. */
    static Path weights() {
        return dir().resolve("model.safetensors");
    }
}
