package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.train.History;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea train} on 2,000 MNIST images for one epoch ({@link TrainedRun}), and its argument errors. */
class TrainCommandTest {
    @Test
    void writesTheWeightsCheckpointsMetricsAndPlots() throws IOException {
        Path dir = TrainedRun.dir();
        for (String f : List.of("model.safetensors", "metrics.csv", "loss.png", "accuracy.png", "confusion.png",
                "checkpoints/last.safetensors", "checkpoints/last.optimizer.safetensors", "checkpoints/last.epochs",
                "checkpoints/best.safetensors")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)) && Files.size(dir.resolve(f)) > 0, f + " in " + dir);
        }
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals(History.CSV_HEADER, csv.getFirst());
        assertEquals(2, csv.size(), csv.toString());
        String[] row = csv.get(1).split(",");
        assertEquals(History.CSV_HEADER.split(",").length, row.length, csv.get(1));
        assertEquals("1", row[0]);
        assertTrue(Double.parseDouble(row[4]) > 0.8, "val accuracy " + row[4]);
        assertPng(dir.resolve("loss.png"), Plots.CURVE_WIDTH, Plots.CURVE_HEIGHT);
        assertPng(dir.resolve("accuracy.png"), Plots.CURVE_WIDTH, Plots.CURVE_HEIGHT);
        assertPng(dir.resolve("confusion.png"), Plots.CONFUSION_WIDTH, Plots.CONFUSION_HEIGHT);
    }

    static void assertPng(Path file, int width, int height) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " does not decode");
        assertEquals(width, img.getWidth(), file.toString());
        assertEquals(height, img.getHeight(), file.toString());
    }

    @Test
    void printsAProgressLineEveryTenthOfAnEpochWhenNotOnATerminal() {
        String out = TrainedRun.result().out();
        // 2,000 images in batches of 16: 125 batches, one line per tenth crossed.
        List<String> progress = out.lines().filter(l -> l.matches("epoch 1/1 +\\d+% \\[\\d+/125 batches].*")).toList();
        assertEquals(10, progress.size(), out);
        assertTrue(progress.getFirst().startsWith("epoch 1/1  10% [13/125 batches]  loss "), progress.getFirst());
        assertTrue(progress.getLast().startsWith("epoch 1/1 100% [125/125 batches]  loss "), progress.getLast());
        Pattern line = Pattern.compile("loss \\d+\\.\\d{4}  acc \\d+\\.\\d{2}%  [\\d,]+ img/s  ETA \\d+:\\d{2}$");
        progress.forEach(l -> assertTrue(line.matcher(l).find(), l));
        assertTrue(out.lines().anyMatch(l -> l.startsWith("epoch 1/1 done in ") && l.contains("| val loss ")), out);
        assertTrue(out.chars().noneMatch(c -> c == '\r'), "carriage returns in non-terminal output");
    }

    @Test
    void printsTheTestAccuracyTheConfusionMatrixAndTheFilesWritten() {
        String out = TrainedRun.result().out();
        Matcher m = Pattern.compile("Test accuracy: (\\d+\\.\\d+)% \\(([\\d,]+) of 2,000 right\\)").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Double.parseDouble(m.group(1)) > 80, out);
        assertTrue(out.contains("true\\pred      0      1") && out.contains("precision  recall"), out);
        assertTrue(out.contains("Training lenet5 on mnist: 2,000 training and 2,000 test images"), out);
        assertTrue(out.contains("28x28 padded by 2 to 32x32, normalised with mean 0.1307 std 0.3081"), out);
        for (String f : List.of("model.safetensors", "checkpoints/", "metrics.csv", "loss.png", "accuracy.png",
                "confusion.png")) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith("  " + f + " ")), f + " not listed:\n" + out);
        }
    }

    @Test
    void trainsResNet20OnCifar10FilesAndPredictsAColourImage(@TempDir Path tmp) throws IOException {
        // CIFAR-10's binary layout with random pixels: five training batches and a test batch of 4 records.
        Path data = Files.createDirectories(tmp.resolve("cifar-10-batches-bin"));
        java.util.Random random = new java.util.Random(7);
        for (String name : List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5",
                "test_batch")) {
            byte[] records = new byte[4 * 3073];
            random.nextBytes(records);
            for (int r = 0; r < 4; r++) {
                records[r * 3073] = (byte) random.nextInt(10);
            }
            Files.write(data.resolve(name + ".bin"), records);
        }
        Path out = tmp.resolve("out");
        Cli r = Cli.run("train", "--model", "resnet20", "--dataset", "cifar10", "--data", tmp.toString(), "--epochs",
                "1", "--batch", "10", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("Training resnet20 on cifar10: 20 training and 4 test images"), r.out());
        assertTrue(r.out().contains("random crops (padding 4) and horizontal flips"), r.out());
        assertPng(out.resolve("confusion.png"), Plots.CONFUSION_WIDTH, Plots.CONFUSION_HEIGHT);

        BufferedImage rgb = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(3, 4, 0xff8000);
        Path png = MnistPngs.write(rgb, tmp.resolve("colour.png"));
        Cli p = Cli.run("predict", "--weights", out.resolve("model.safetensors").toString(), "--model", "resnet20",
                "--dataset", "cifar10", png.toString());
        assertEquals(0, p.exitCode(), p.toString());
        assertTrue(p.out().matches("(?s).*colour\\.png\\s+\\S+\\s+\\(\\S+ \\d+\\.\\d\\d%, .*"), p.out());
        assertTrue(DatasetKind.CIFAR10.classNames().stream().anyMatch(c -> p.out().contains(" " + c + " ")), p.out());
    }

    @Test
    void trainsOnFashionMnistFormatFiles(@TempDir Path tmp) throws IOException {
        // MNIST's files in the same format stand in for Fashion-MNIST's (read without a checksum).
        Cli r = Cli.run("train", "--dataset", "fashion-mnist", "--data", Cli.MNIST.toString(), "--limit", "256",
                "--epochs", "1", "--out", tmp.toString(), "--progress", "none");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("normalised with mean 0.2860 std 0.3530"), r.out());
        assertPng(tmp.resolve("confusion.png"), Plots.CONFUSION_WIDTH, Plots.CONFUSION_HEIGHT);
    }

    @Test
    void badArgumentsGiveAClearMessageAndANonZeroExitCode(@TempDir Path tmp) {
        Cli r = Cli.run("train", "--model", "lenet7", "--data", Cli.MNIST.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("unknown model 'lenet7'; known: lenet5, resnet20"), r.toString());

        r = Cli.run("train", "--model", "resnet50", "--data", Cli.MNIST.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("ImageNet"), r.toString());

        r = Cli.run("train", "--dataset", "svhn", "--data", Cli.MNIST.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("unknown dataset 'svhn'; known: mnist, fashion-mnist, cifar10"), r.toString());

        Path missing = tmp.resolve("nothing-here");
        r = Cli.run("train", "--data", missing.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("data folder " + missing.toAbsolutePath() + " not found"), r.toString());
        assertTrue(r.err().contains("Run 'fovea train --help'"), r.toString());

        r = Cli.run("train", "--model", "resnet20", "--dataset", "mnist", "--data", Cli.MNIST.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("needs 3-channel (RGB) images"), r.toString());

        r = Cli.run("train", "--epochs", "0", "--data", Cli.MNIST.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--epochs"), r.toString());

        // A folder that exists but holds no MNIST: the loader's message, exit code 1, no stack trace.
        r = Cli.run("train", "--data", tmp.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("fovea train: Mnist: neither train-images-idx3-ubyte.gz"), r.toString());
        assertTrue(!r.err().contains("\tat "), r.toString());

        r = Cli.run("train", "--model", "resnet20", "--dataset", "cifar10", "--data", tmp.toString(), "--out",
                tmp.resolve("out").toString());
        assertNotEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("fovea train: ") && r.err().contains("cifar-10"), r.toString());
    }
}
