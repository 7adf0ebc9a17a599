package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea infer} on small ONNX models built in the test, checked against values computed here. */
class InferCommandTest {
    private static final Pattern TOP_ROW = Pattern.compile("^  +(\\d+\\.\\d\\d)% +(\\d+)(?: +(.*))?$");
    private static final Pattern LATENCY = Pattern.compile("^latency +min ([\\d.]+) +p50 ([\\d.]+) +p90 ([\\d.]+)"
            + " +p99 ([\\d.]+) +max ([\\d.]+) +mean ([\\d.]+) ms$");

    /** A deterministic {@code (1, 1, 6, 6)} input in [-1, 1). */
    private static float[] convInput() {
        float[] x = new float[36];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 1.7) * 0.9f;
        }
        return x;
    }

    /** The conv model's output for {@code x}, with naive loops in double. */
    private static double[] convExpected(float[] x) {
        double[] y = new double[2];
        for (int outC = 0; outC < 2; outC++) {
            double sum = 0;
            for (int oy = 0; oy < 4; oy++) {
                for (int ox = 0; ox < 4; ox++) {
                    double acc = TestOnnxModels.CONV_B[outC];
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            acc += (double) TestOnnxModels.CONV_W[outC * 9 + ky * 3 + kx] * x[(oy + ky) * 6 + ox + kx];
                        }
                    }
                    sum += Math.max(acc, 0);
                }
            }
            y[outC] = sum / 16;
        }
        return y;
    }

    private static Path npy(Path file, float[] data, long... shape) {
        Tensor.of(data, shape).save(file);
        return file;
    }

    @Test
    void convModelWritesTheOutputOfNaiveLoopsAndPrintsTheHeader(@TempDir Path tmp) {
        Path model = TestOnnxModels.write(TestOnnxModels.conv(), tmp.resolve("conv.onnx"));
        float[] x = convInput();
        Path y = tmp.resolve("y.npy");
        Cli r = Cli.run("infer", model.toString(), "--input", npy(tmp.resolve("x.npy"), x, 1, 1, 6, 6).toString(),
                "--output", y.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Tensor out = Tensor.load(y);
        assertArrayEquals(new long[] {1, 2}, out.shape());
        double[] expected = convExpected(x);
        for (int i = 0; i < 2; i++) {
            assertEquals(expected[i], out.toArray()[i], 1e-5 * Math.max(1, Math.abs(expected[i])), r.out());
        }
        assertTrue(expected[0] > 0 && expected[1] > 0, "both channels survive the ReLU somewhere");
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("model +\\S*conv\\.onnx: fovea-test 1, opset 13, IR 7, 4 nodes"), r.out());
        assertTrue(lines.get(1).matches("graph +.* nodes to run"), r.out());
        assertTrue(lines.contains("input    x: float32 [batch, 1, 6, 6]"), r.out());
        assertTrue(lines.contains("output   y: float32 [batch, 2]"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("threads +\\d+")), r.out());
        assertTrue(lines.contains("wrote    " + y + " (y: float32 [1, 2])"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void withoutAnOutputFileItPrintsShapeValuesAndArgmax(@TempDir Path tmp) {
        Path model = TestOnnxModels.write(TestOnnxModels.conv(), tmp.resolve("conv.onnx"));
        float[] x = convInput();
        Cli r = Cli.run("infer", model.toString(), "--input", npy(tmp.resolve("x.npy"), x, 1, 1, 6, 6).toString());
        assertEquals(0, r.exitCode(), r.toString());
        double[] expected = convExpected(x);
        int argmax = expected[1] > expected[0] ? 1 : 0;
        assertTrue(r.out().contains("output   y: float32 [1, 2]\n"), r.out());
        // six significant digits of float results: a float sum of 16 terms in another order than the
        // reference's may round the last printed digit the other way, so compare the numbers
        java.util.regex.Matcher values = java.util.regex.Pattern.compile("values (\\S+), (\\S+) \\(all 2\\)")
                .matcher(r.out());
        assertTrue(values.find(), r.out());
        for (int c = 0; c < 2; c++) {
            double printed = Double.parseDouble(values.group(c + 1));
            assertEquals(expected[c], printed, 1e-5 * Math.abs(expected[c]), r.out());
        }
        assertTrue(r.out().contains("argmax " + argmax + " ("), r.out());
    }

    @Test
    void namedInputsAndOutputDirWriteOneFilePerOutputNamedByIt(@TempDir Path tmp) throws IOException {
        Path model = TestOnnxModels.write(TestOnnxModels.addAndMul(), tmp.resolve("add.onnx"));
        float[] x = {1.5f, -2f, 3.25f, 0f, 7f, -0.5f};
        float[] y = {0.25f, 4f, -1f, 2f, -7f, 8f};
        Path dir = tmp.resolve("out");
        Cli r = Cli.run("infer", model.toString(), "--input", "y=" + npy(tmp.resolve("b.npy"), y, 2, 3),
                "--input", "x=" + npy(tmp.resolve("a.npy"), x, 2, 3), "--output-dir", dir.toString());
        assertEquals(0, r.exitCode(), r.toString());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("product.npy", "sum_x_y_0.npy"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        float[] sum = new float[6];
        float[] product = new float[6];
        for (int i = 0; i < 6; i++) {
            sum[i] = x[i] + y[i];
            product[i] = x[i] * y[i];
        }
        Tensor s = Tensor.load(dir.resolve("sum_x_y_0.npy"));
        assertArrayEquals(new long[] {2, 3}, s.shape());
        assertArrayEquals(sum, s.toArray());
        assertArrayEquals(product, Tensor.load(dir.resolve("product.npy")).toArray());
        assertTrue(r.out().contains("wrote    " + dir.resolve("sum_x_y_0.npy") + " (sum/x+y:0: float32 [2, 3])"),
                r.out());
    }

    @Test
    void benchPrintsOrderedLatencyPercentilesAndRunsPerSecond(@TempDir Path tmp) {
        Path model = TestOnnxModels.write(TestOnnxModels.conv(), tmp.resolve("conv.onnx"));
        Cli r = Cli.run("infer", model.toString(), "--input",
                npy(tmp.resolve("x.npy"), convInput(), 1, 1, 6, 6).toString(), "--bench", "25", "--warmup", "3");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("bench    25 timed runs of the same inputs after 3 warm-up runs on zeros and 3"
                + " on the inputs"), r.out());
        Matcher m = r.out().lines().map(LATENCY::matcher).filter(Matcher::matches).findFirst().orElseThrow(
                () -> new AssertionError(r.out()));
        double[] v = new double[6];
        for (int i = 0; i < 6; i++) {
            v[i] = Double.parseDouble(m.group(i + 1));
        }
        assertTrue(v[0] <= v[1] && v[1] <= v[2] && v[2] <= v[3] && v[3] <= v[4], r.out());
        assertTrue(v[0] <= v[5] && v[5] <= v[4], "the mean lies between min and max: " + r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("speed +\\d+\\.\\d runs/s")), r.out());
    }

    /** A solid (200, 30, 90) picture: any resize or crop leaves its channel means as they are. */
    private static Path solidPng(Path file) {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, 200 << 16 | 30 << 8 | 90);
            }
        }
        return MnistPngs.write(img, file);
    }

    /** The image model's class probabilities for {@link #solidPng}, in double, from the ImageNet normalisation. */
    private static double[] solidProbabilities() {
        double[] rgb = {200, 30, 90};
        double[] v = new double[3];
        for (int c = 0; c < 3; c++) {
            v[c] = (rgb[c] / 255 - ImageInput.IMAGENET_MEAN[c]) / ImageInput.IMAGENET_STD[c];
        }
        double[] p = new double[6];
        double sum = 0;
        for (int k = 0; k < 6; k++) {
            double logit = TestOnnxModels.IMAGE_B[k];
            for (int c = 0; c < 3; c++) {
                logit += TestOnnxModels.IMAGE_W[k * 3 + c] * v[c];
            }
            p[k] = Math.exp(logit);
            sum += p[k];
        }
        for (int k = 0; k < 6; k++) {
            p[k] /= sum;
        }
        return p;
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            best = p[i] > p[best] ? i : best;
        }
        return best;
    }

    @Test
    void imagePrintsTheTopFiveClassesWithSoftmaxProbabilitiesAndLabels(@TempDir Path tmp) throws IOException {
        Path model = TestOnnxModels.write(TestOnnxModels.image(false), tmp.resolve("image.onnx"));
        Path labels = Files.writeString(tmp.resolve("labels.txt"), "zero\none\ntwo\nthree\nfour\nfive\n");
        Path png = solidPng(tmp.resolve("solid.png"));
        Cli r = Cli.run("infer", model.toString(), "--image", png.toString(), "--labels", labels.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("image    " + png + ": 40x30 RGB, resized to 341x256, centre 224x224, mean"
                + " 0.485/0.456/0.406 std 0.229/0.224/0.225"), r.out());
        assertTrue(r.out().contains("top-5    of output 'logits', 6 classes (softmax probabilities)"), r.out());
        List<Matcher> rows = r.out().lines().map(TOP_ROW::matcher).filter(Matcher::matches).toList();
        assertEquals(5, rows.size(), r.out());
        double[] p = solidProbabilities();
        int best = argmax(p);
        assertEquals(best, Integer.parseInt(rows.get(0).group(2)), r.out());
        assertEquals(List.of("zero", "one", "two", "three", "four", "five").get(best), rows.get(0).group(3));
        for (Matcher row : rows) {
            int c = Integer.parseInt(row.group(2));
            assertEquals(100 * p[c], Double.parseDouble(row.group(1)), 0.006, r.out());
        }
        assertEquals("", r.err());
    }

    @Test
    void anOutputThatIsAlreadyProbabilitiesIsNotSoftmaxedAgain(@TempDir Path tmp) {
        Path model = TestOnnxModels.write(TestOnnxModels.image(true), tmp.resolve("probs.onnx"));
        Cli r = Cli.run("infer", model.toString(), "--image", solidPng(tmp.resolve("solid.png")).toString(),
                "--top", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("top-2    of output 'probs', 6 classes (its values: already probabilities)"),
                r.out());
        List<Matcher> rows = r.out().lines().map(TOP_ROW::matcher).filter(Matcher::matches).toList();
        assertEquals(2, rows.size(), r.out());
        double[] p = solidProbabilities();
        int best = argmax(p);
        assertEquals(best, Integer.parseInt(rows.get(0).group(2)), r.out());
        assertEquals(100 * p[best], Double.parseDouble(rows.get(0).group(1)), 0.006, r.out());
        assertEquals(null, rows.get(0).group(3), "no labels: the index only");
    }

    /** Exit code {@code code} and one line on stderr, {@code fovea infer: ...}, naming {@code problem}. */
    private static void assertError(int code, String problem, Cli r) {
        assertEquals(code, r.exitCode(), r.toString());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), "one line: " + r);
        assertTrue(lines.getFirst().startsWith("fovea infer: ") && lines.getFirst().contains(problem), r.toString());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.toString());
    }

    @Test
    void missingFilesAndUnreadableModelsAreOneLineErrors(@TempDir Path tmp) throws IOException {
        Path conv = TestOnnxModels.write(TestOnnxModels.conv(), tmp.resolve("conv.onnx"));
        Path x = npy(tmp.resolve("x.npy"), convInput(), 1, 1, 6, 6);
        assertError(2, "model file " + tmp.resolve("none.onnx") + " not found",
                Cli.run("infer", tmp.resolve("none.onnx").toString(), "--input", x.toString()));
        assertError(2, "input file " + tmp.resolve("none.npy") + " not found",
                Cli.run("infer", conv.toString(), "--input", tmp.resolve("none.npy").toString()));
        Path text = Files.writeString(tmp.resolve("text.onnx"), "this is not an onnx model\n");
        assertError(1, "text.onnx is not a valid ONNX model", Cli.run("infer", text.toString(), "--input", x.toString()));
        Path notNpy = Files.writeString(tmp.resolve("bad.npy"), "not numpy");
        assertError(1, "cannot read " + notNpy, Cli.run("infer", conv.toString(), "--input", notNpy.toString()));
        assertError(1, "--threads must be >= 1",
                Cli.run("infer", conv.toString(), "--input", x.toString(), "--threads", "0"));
    }

    @Test
    void unsupportedOperatorsAreListedAfterOneErrorLine(@TempDir Path tmp) {
        Path model = TestOnnxModels.write(TestOnnxModels.unsupported(), tmp.resolve("odd.onnx"));
        Path x = npy(tmp.resolve("x.npy"), new float[4], 1, 4);
        Cli r = Cli.run("infer", model.toString(), "--input", x.toString());
        assertEquals(1, r.exitCode(), r.toString());
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.getFirst().startsWith("fovea infer: ") && lines.getFirst().contains(
                "uses 2 operator(s) Fovea does not run:"), r.toString());
        assertTrue(lines.stream().anyMatch(l -> l.strip().startsWith("FooBar (1 node"))
                && lines.stream().anyMatch(l -> l.strip().startsWith("Frobnicate (1 node")), r.toString());
        assertFalse(r.err().contains("\tat "), r.toString());
    }

    @Test
    void inputsThatDoNotFitTheModelAreOneLineErrors(@TempDir Path tmp) {
        Path add = TestOnnxModels.write(TestOnnxModels.addAndMul(), tmp.resolve("add.onnx"));
        String x = npy(tmp.resolve("x.npy"), new float[6], 2, 3).toString();
        String wrong = npy(tmp.resolve("wrong.npy"), new float[6], 3, 2).toString();
        assertError(2, "the model has no input 'z'; its inputs are x: float32 [2, 3], y: float32 [2, 3]",
                Cli.run("infer", add.toString(), "--input", "x=" + x, "--input", "z=" + x));
        assertError(1, "input 'y' is float32 [3, 2], the model expects y: float32 [2, 3]",
                Cli.run("infer", add.toString(), "--input", "x=" + x, "--input", "y=" + wrong));
        assertError(2, "--input '=" + x + "': no input name before '='",
                Cli.run("infer", add.toString(), "--input", "=" + x));
        assertError(2, "--input 'y=': no file after '='", Cli.run("infer", add.toString(), "--input", "y="));
        assertError(2, "--input missing for 'x', 'y': the model has 2 inputs", Cli.run("infer", add.toString()));
        assertError(2, "--input missing for 'y'", Cli.run("infer", add.toString(), "--input", "x=" + x));
        assertError(2, "--input " + x + " has no NAME=: the model has 2 inputs",
                Cli.run("infer", add.toString(), "--input", x));
        assertError(2, "--input for 'x' given twice",
                Cli.run("infer", add.toString(), "--input", "x=" + x, "--input", "x=" + x, "--input", "y=" + x));
        assertError(2, "--output FILE needs a model with one output; this one has 2", Cli.run("infer",
                add.toString(), "--input", "x=" + x, "--input", "y=" + x, "--output", tmp.resolve("o.npy").toString()));
        assertError(2, "--image needs a model with one input; this one has 2", Cli.run("infer", add.toString(),
                "--image", solidPng(tmp.resolve("p.png")).toString()));
        Path conv = TestOnnxModels.write(TestOnnxModels.conv(), tmp.resolve("conv.onnx"));
        assertError(2, "no input: pass --input FILE.npy or --image PICTURE", Cli.run("infer", conv.toString()));
        assertError(2, "--size, --mean, --std, --labels and --top go with --image",
                Cli.run("infer", conv.toString(), "--input", x, "--top", "3"));
    }
}
