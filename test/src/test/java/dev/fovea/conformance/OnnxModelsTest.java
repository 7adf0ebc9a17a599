package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.onnx.InferenceSession;
import dev.fovea.onnx.OnnxModel;
import dev.fovea.onnx.testing.SyntheticWeights;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole models exported from PyTorch 1.13 (scripts/onnx/export_models.py): LeNet-5, ResNet-18,
 * VGG-11, MobileNetV2, a small U-Net and a model with reflect/replicate/circular padding. Each
 * is run on the stored input and compared with PyTorch's output for it.
 *
 * <p>Tolerance: {@code max |got - torch| <= 1e-5 * max |torch|}. Both sides compute in float32
 * with different summation orders (GEMM blocking, Winograd for 3x3 layers, batch norm folded into
 * the weights here but not in PyTorch). The differences measured through 20 to 50 layers are 1e-7
 * to 1e-6 of the output's range (the test prints them); 1e-5 leaves room for another kernel order
 * while any wrong operator moves the outputs by whole percents.
 */
class OnnxModelsTest {
    private static final double TOLERANCE = 1e-5;

    private static Path fixture(String name) {
        try {
            return Path.of(OnnxModelsTest.class.getResource("/onnx/models/" + name + "/input.npy").toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double compare(String what, Tensor got, Tensor expected) {
        assertArrayEquals(expected.shape(), got.shape(), what + ": shape");
        float[] e = expected.contiguous().toArray();
        float[] a = got.contiguous().toArray();
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            worst = Math.max(worst, Math.abs(a[i] - e[i]));
        }
        double relative = worst / scale;
        System.out.printf("%s: max |diff| %.3g, %.3g of max |torch| %.3g%n", what, worst, relative, scale);
        assertTrue(relative <= TOLERANCE, what + ": max |diff| " + worst + " is " + relative + " of max |torch| "
                + scale + ", more than " + TOLERANCE);
        return relative;
    }

    private static void runAndCompare(String name, Path modelFile, Path dir, boolean batch2) {
        OnnxModel model = OnnxModel.load(modelFile);
        for (boolean optimize : new boolean[] {true, false}) {
            try (InferenceSession session = InferenceSession.create(model,
                    InferenceSession.Options.defaults().withOptimize(optimize))) {
                String what = name + (optimize ? " optimized" : " as written");
                compare(what, session.run(Tensor.load(dir.resolve("input.npy"))), Tensor.load(dir.resolve("output.npy")));
                if (batch2) {
                    compare(what + " batch 2", session.run(Tensor.load(dir.resolve("input_b2.npy"))),
                            Tensor.load(dir.resolve("output_b2.npy")));
                }
            }
        }
    }

    @Test
    void lenet5() {
        Path dir = fixture("lenet5");
        runAndCompare("lenet5", dir.resolve("model.onnx"), dir, true);
        try (InferenceSession s = InferenceSession.create(OnnxModel.load(dir.resolve("model.onnx")))) {
            // Every Relu fuses: into the convolutions and into the first two Gemms' epilogues.
            assertEquals(Map.of("Conv+RELU", 2, "Flatten", 1, "Gemm", 1, "Gemm+RELU", 2, "MaxPool", 2),
                    s.operatorCounts(), s.optimizationSummary());
        }
    }

    @Test
    void paddingModesFoldTheirShapeSubgraphs() {
        Path dir = fixture("conv_padding_modes");
        runAndCompare("conv_padding_modes", dir.resolve("model.onnx"), dir, false);
        try (InferenceSession s = InferenceSession.create(OnnxModel.load(dir.resolve("model.onnx")))) {
            Map<String, Integer> ops = s.operatorCounts();
            // Only the data path is left: 3 convs, 2 pads, and circular padding's slices and concats.
            assertEquals(3, ops.get("Conv"), ops.toString());
            assertEquals(2, ops.get("Pad"), ops.toString());
            for (String shapeOp : new String[] {"Shape", "Gather", "ConstantOfShape", "Cast", "Constant", "Reshape",
                    "Transpose", "Mul", "Sub"}) {
                assertTrue(!ops.containsKey(shapeOp), shapeOp + " left after folding: " + ops);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "mobilenet_v2", "unet_small", "vgg11"})
    void torchvisionModels(String name, @TempDir Path tmp) throws IOException {
        Path dir = fixture(name);
        Path model = materialized(dir, tmp);
        runAndCompare(name, model, dir, name.equals("resnet18"));
        // Every residual Add fuses into the convolution before it: ResNet-18's 8 (with their ReLU),
        // MobileNetV2's 10 (after a 1x1 projection, no activation); VGG-11 and the U-Net have none.
        Map<String, Integer> residualNodes = switch (name) {
            case "resnet18" -> Map.of("Conv+Add+RELU", 8);
            case "mobilenet_v2" -> Map.of("Conv+Add", 10);
            default -> Map.of();
        };
        try (InferenceSession s = InferenceSession.create(OnnxModel.load(model))) {
            Map<String, Integer> fusedAdds = new java.util.TreeMap<>(s.operatorCounts());
            fusedAdds.keySet().removeIf(op -> !op.contains("Add"));
            assertEquals(residualNodes, fusedAdds, s.optimizationSummary());
        }
    }

    /** The fixture's model with its external weights regenerated into {@code tmp} (checked by the manifest's hash). */
    private static Path materialized(Path dir, Path tmp) throws IOException {
        Matcher m = Pattern.compile("\"weights_sha256\"\\s*:\\s*\"([0-9a-f]{64})\"")
                .matcher(Files.readString(dir.resolve("manifest.json")));
        assertTrue(m.find(), "manifest has no weights_sha256");
        return SyntheticWeights.materialize(dir.resolve("model.onnx"), tmp, m.group(1));
    }

    /**
     * A steady-state run of a model the session compiles allocates no heap at all: no tensors,
     * shapes or kernel arguments per node (70 KB per MobileNetV2 run before the session compiled
     * graphs), no GEMM job records (100 KB per ResNet-18 run), and no vector boxed because C2 left
     * a kernel's vector operations as calls to their Java fallbacks (a GEMM store split into a hot
     * and a rarely taken path did that: 1.6 MB per MobileNetV2 run). The loop gives the JIT up to
     * a minute to compile the kernels first. The JVM took the Vector API's rare paths before any test
     * ran ({@link VectorApiProfilePollution}), so the kernels are compiled as a long-lived JVM may
     * compile them, not only as a fresh one does. On 2 threads every kernel that forks hands its
     * parts a reusable task object: capturing lambdas there left 11 KB per ResNet-18 run.
     */
    @ParameterizedTest(name = "{0} on {1} thread(s)")
    @CsvSource({"lenet5,1", "resnet18,1", "mobilenet_v2,1", "resnet18,2", "mobilenet_v2,2"})
    void steadyStateRunsAllocateNoHeap(String name, int threadCount, @TempDir Path tmp) throws IOException {
        Path dir = fixture(name);
        Path model = Files.exists(dir.resolve("manifest.json")) ? materialized(dir, tmp) : dir.resolve("model.onnx");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (InferenceSession s = InferenceSession.create(OnnxModel.load(model),
                InferenceSession.Options.defaults().withThreads(threadCount))) {
            Tensor input = Tensor.load(dir.resolve("input.npy"));
            Tensor output = Tensor.zeros(Tensor.load(dir.resolve("output.npy")).shape());
            long deadline = System.nanoTime() + 60_000_000_000L;
            long perRun;
            do {
                int runs = 20;
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < runs; i++) {
                    s.runInto(input, output);
                }
                perRun = (threads.getCurrentThreadAllocatedBytes() - before) / runs;
            } while (perRun > 0 && System.nanoTime() < deadline);
            System.out.printf("%s, %d thread(s): %d heap bytes per steady-state run%n", name, threadCount, perRun);
            assertEquals(0, perRun, "heap bytes per steady-state " + name + " run on " + threadCount
                    + " thread(s) after a minute of runs");
            compare(name + " runInto", output, Tensor.load(dir.resolve("output.npy")));
        }
    }
}
