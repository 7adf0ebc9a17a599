package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea visualize} with the weights {@link TrainedRun} trained. */
class VisualizeCommandTest {
    @Test
    void writesTheFilterAndFeatureMapGrids(@TempDir Path tmp) throws IOException {
        Path png = MnistPngs.write(MnistPngs.image(0), tmp.resolve("seven.png"));
        Path out = tmp.resolve("vis");
        Cli r = Cli.run("visualize", "--weights", TrainedRun.weights().toString(), "--model", "lenet5", "--image",
                png.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        // 6 filters of 5x5, 12x larger: 3 columns x 2 rows of 60-pixel tiles with 2-pixel gaps.
        TrainCommandTest.assertPng(out.resolve("filters.png"), 3 * 60 + 4 * 2, 2 * 60 + 3 * 2);
        // The 32x32 input, 7x larger.
        TrainCommandTest.assertPng(out.resolve("input.png"), 224 + 2 * 2, 224 + 2 * 2);
        // features.0: 6 maps of 28x28, 4x larger; features.3: 16 maps of 10x10, 12x larger, 4 x 4.
        TrainCommandTest.assertPng(out.resolve("feature-maps-features.0.png"), 3 * 112 + 4 * 2, 2 * 112 + 3 * 2);
        TrainCommandTest.assertPng(out.resolve("feature-maps-features.3.png"), 4 * 120 + 5 * 2, 4 * 120 + 5 * 2);
        assertTrue(r.out().contains("6 filters of 5x5 (features.0), 12x larger"), r.out());
        assertTrue(r.out().contains("16 feature maps of 10x10 from features.3, 12x larger"), r.out());
    }

    @Test
    void aMissingImageIsAUsageError(@TempDir Path tmp) {
        Cli r = Cli.run("visualize", "--weights", TrainedRun.weights().toString(), "--image",
                tmp.resolve("nope.png").toString(), "--out", tmp.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("image " + tmp.resolve("nope.png") + " not found"), r.toString());
    }
}
