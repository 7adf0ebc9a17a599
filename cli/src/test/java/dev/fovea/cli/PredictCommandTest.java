package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea predict} with the weights {@link TrainedRun} trained, on PNGs of MNIST test images. */
class PredictCommandTest {
    private static final int IMAGES = 20;
    private static final Pattern LINE = Pattern.compile(
            "^(\\S+)\\s+(\\d) +\\((\\d) (\\d+\\.\\d\\d)%, (\\d) (\\d+\\.\\d\\d)%, (\\d) (\\d+\\.\\d\\d)%\\)(.*)$");

    @Test
    void predictsTheLabelsOfMostTestImagesWithTheTopThreeProbabilities(@TempDir Path tmp) {
        List<String> args = new ArrayList<>(List.of("predict", "--weights", TrainedRun.weights().toString(),
                "--model", "lenet5"));
        for (int i = 0; i < IMAGES; i++) {
            args.add(MnistPngs.write(MnistPngs.image(i), tmp.resolve("test-" + i + ".png")).toString());
        }
        Cli r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(IMAGES, lines.size(), r.out());
        int right = 0;
        for (int i = 0; i < IMAGES; i++) {
            Matcher m = LINE.matcher(lines.get(i));
            assertTrue(m.matches(), lines.get(i));
            assertTrue(m.group(1).endsWith("test-" + i + ".png"), lines.get(i));
            assertEquals(m.group(2), m.group(3), "the class is the most probable: " + lines.get(i));
            double p1 = Double.parseDouble(m.group(4));
            double p2 = Double.parseDouble(m.group(6));
            double p3 = Double.parseDouble(m.group(8));
            assertTrue(p1 >= p2 && p2 >= p3 && p1 + p2 + p3 <= 100.01, lines.get(i));
            assertEquals("", m.group(9), "not resized or inverted: " + lines.get(i));
            right += Integer.parseInt(m.group(2)) == MnistPngs.test().label(i) ? 1 : 0;
        }
        assertTrue(right >= 16, right + " of " + IMAGES + " right:\n" + r.out());
    }

    @Test
    void aLargerDarkOnLightImageIsResizedAndInvertedToTheSameAnswer(@TempDir Path tmp) {
        List<String> plain = new ArrayList<>(List.of("predict", "--weights", TrainedRun.weights().toString()));
        List<String> scanned = new ArrayList<>(plain);
        for (int i = 0; i < 10; i++) {
            plain.add(MnistPngs.write(MnistPngs.image(i), tmp.resolve("a" + i + ".png")).toString());
            scanned.add(MnistPngs.write(MnistPngs.invertedLarge(i), tmp.resolve("b" + i + ".png")).toString());
        }
        Cli a = Cli.run(plain.toArray(String[]::new));
        Cli b = Cli.run(scanned.toArray(String[]::new));
        assertEquals(0, a.exitCode(), a.toString());
        assertEquals(0, b.exitCode(), b.toString());
        List<String> la = a.out().lines().toList();
        List<String> lb = b.out().lines().toList();
        for (int i = 0; i < 10; i++) {
            assertTrue(lb.get(i).endsWith("[resized, inverted]"), lb.get(i));
            // Area averaging undoes the 3 x 3 enlargement exactly, so the answers and probabilities agree.
            assertEquals(la.get(i).substring(la.get(i).indexOf(".png") + 4).strip(),
                    lb.get(i).substring(lb.get(i).indexOf(".png") + 4, lb.get(i).indexOf("  [")).strip());
        }
    }

    @Test
    void missingOrUnreadableInputsAreClearErrors(@TempDir Path tmp) throws IOException {
        Path png = MnistPngs.write(MnistPngs.image(0), tmp.resolve("zero.png"));
        Cli r = Cli.run("predict", "--weights", TrainedRun.weights().toString(), png.toString(),
                tmp.resolve("missing.png").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("image " + tmp.resolve("missing.png") + " not found"), r.toString());

        r = Cli.run("predict", "--weights", tmp.resolve("none.safetensors").toString(), png.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("weights file " + tmp.resolve("none.safetensors") + " not found"), r.toString());

        Path text = Files.writeString(tmp.resolve("notes.png"), "not a picture");
        r = Cli.run("predict", "--weights", TrainedRun.weights().toString(), text.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains(text + " is not an image"), r.toString());

        r = Cli.run("predict", "--weights", TrainedRun.weights().toString(), "--model", "resnet20", "--dataset",
                "cifar10", png.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("does not hold resnet20 weights for cifar10"), r.toString());

        r = Cli.run("predict", "--weights", TrainedRun.weights().toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("IMAGE"), r.toString());
    }
}
