package dev.fovea.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.onnx.proto.OnnxProtos.ModelProto;
import dev.fovea.tensor.MemoryStats;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A session computes what the graph says (against a double-precision reference), checks its inputs, and is thread-safe. */
class InferenceSessionTest {
    /** TestModels.smallCnn computed with plain loops in double precision. */
    private static double[] reference(ModelProto m, float[] x) {
        float[] w = TestModels.initializer(m, "w");
        float[] b = TestModels.initializer(m, "b");
        float[] gamma = TestModels.initializer(m, "gamma");
        float[] beta = TestModels.initializer(m, "beta");
        float[] mean = TestModels.initializer(m, "mean");
        float[] var = TestModels.initializer(m, "var");
        float[] fc = TestModels.initializer(m, "fc");
        float[] fcb = TestModels.initializer(m, "fcb");
        double[][][] act = new double[4][6][6];
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 6; j++) {
                    double s = b[c];
                    for (int u = 0; u < 3; u++) {
                        for (int v = 0; v < 3; v++) {
                            int y = i + u - 1;
                            int z = j + v - 1;
                            if (y >= 0 && y < 6 && z >= 0 && z < 6) {
                                s += (double) w[c * 9 + u * 3 + v] * x[y * 6 + z];
                            }
                        }
                    }
                    s = (s - mean[c]) / Math.sqrt(var[c] + 1e-5) * gamma[c] + beta[c];
                    act[c][i][j] = Math.max(s, 0);
                }
            }
        }
        double[] flat = new double[36];
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    flat[c * 9 + i * 3 + j] = Math.max(Math.max(act[c][2 * i][2 * j], act[c][2 * i][2 * j + 1]),
                            Math.max(act[c][2 * i + 1][2 * j], act[c][2 * i + 1][2 * j + 1]));
                }
            }
        }
        double[] logits = new double[3];
        double sum = 0;
        for (int k = 0; k < 3; k++) {
            double s = fcb[k];
            for (int i = 0; i < 36; i++) {
                s += fc[k * 36 + i] * flat[i];
            }
            logits[k] = Math.exp(s);
            sum += logits[k];
        }
        for (int k = 0; k < 3; k++) {
            logits[k] /= sum;
        }
        return logits;
    }

    @Test
    void optimizedAndPlainGraphsMatchADoublePrecisionReference() {
        ModelProto proto = TestModels.smallCnn();
        OnnxModel model = OnnxModel.parse(proto.toByteArray());
        float[] x = TestModels.values(2 * 36, 9);
        Tensor input = Tensor.of(x, 2, 1, 6, 6);
        for (boolean optimize : new boolean[] {true, false}) {
            try (InferenceSession s = InferenceSession.create(model, InferenceSession.Options.defaults()
                    .withOptimize(optimize))) {
                float[] got = s.run(input).toArray();
                for (int n = 0; n < 2; n++) {
                    double[] want = reference(proto, java.util.Arrays.copyOfRange(x, n * 36, n * 36 + 36));
                    for (int k = 0; k < 3; k++) {
                        // probabilities from ~40-term float32 sums: a few float32 ulps of the logits
                        assertEquals(want[k], got[n * 3 + k], 1e-6, "optimize=" + optimize + " sample " + n);
                    }
                }
                if (optimize) {
                    assertEquals(Map.of("Conv+RELU", 1, "MaxPool", 1, "Flatten", 1, "Gemm", 1, "Softmax", 1),
                            s.operatorCounts(), s.optimizationSummary());
                }
            }
        }
    }

    @Test
    void convPlansAreReusedForTheSameShapeAndRemadeForAnother() {
        ModelProto proto = TestModels.smallCnn();
        try (InferenceSession s = InferenceSession.create(OnnxModel.parse(proto.toByteArray()))) {
            int seed = 40;
            for (int batch : new int[] {1, 2, 1, 3, 2, 2}) {
                float[] x = TestModels.values(batch * 36, seed++);
                float[] got = s.run(Tensor.of(x, batch, 1, 6, 6)).toArray();
                for (int n = 0; n < batch; n++) {
                    double[] want = reference(proto, java.util.Arrays.copyOfRange(x, n * 36, n * 36 + 36));
                    for (int k = 0; k < 3; k++) {
                        assertEquals(want[k], got[n * 3 + k], 1e-6, "batch " + batch + " sample " + n);
                    }
                }
            }
        }
    }

    @Test
    void convWeightsThatAreInputsAreReadOnEveryRun() {
        ModelProto conv = TestModels.model(dev.fovea.onnx.proto.OnnxProtos.GraphProto.newBuilder()
                .addInput(TestModels.tensorInfo("x", 1, 1, 2, 5, 5)).addInput(TestModels.tensorInfo("w", 1, 3, 2, 3, 3))
                .addOutput(TestModels.tensorInfo("y", 1, 1, 3, 5, 5))
                .addNode(TestModels.node("Conv", List.of("x", "w"), List.of("y"), TestModels.ints("pads", 1, 1, 1, 1)))
                .build(), 13);
        Tensor x = Tensor.of(TestModels.values(50, 1), 1, 2, 5, 5);
        Tensor w = Tensor.of(TestModels.values(54, 2), 3, 2, 3, 3);
        try (InferenceSession s = InferenceSession.create(OnnxModel.parse(conv.toByteArray()))) {
            for (int run = 0; run < 3; run++) {
                w.fill(run + 0.5f);   // the same tensor object, new values: no plan may keep the old ones
                Map<String, Tensor> out = s.runTensors(Map.of("x", x, "w", w));
                assertArrayEquals(dev.fovea.tensor.functional.F.conv2d(x, w, null,
                        dev.fovea.tensor.functional.ConvOptions.DEFAULT.padding(1)).toArray(), out.get("y").toArray(),
                        "run " + run);
            }
        }
    }

    @Test
    void steadyStateRunsAllocateNoOffHeapMemory() {
        ModelProto proto = TestModels.smallCnn();
        float[] x = TestModels.values(2 * 36, 77);
        Tensor input = Tensor.of(x, 2, 1, 6, 6);
        Tensor output = Tensor.zeros(2, 3);
        try (InferenceSession s = InferenceSession.create(OnnxModel.parse(proto.toByteArray()))) {
            s.runInto(input, output);
            long total = MemoryStats.totalAllocatedBytes();
            long live = MemoryStats.liveBytes();
            for (int run = 0; run < 1000; run++) {
                s.runInto(input, output);
            }
            assertEquals(total, MemoryStats.totalAllocatedBytes(), "off-heap bytes allocated by 1,000 runs");
            // Live bytes may fall (the GC frees tensors of earlier tests) but must not grow.
            assertTrue(MemoryStats.liveBytes() <= live, "live off-heap bytes grew from " + live + " to "
                    + MemoryStats.liveBytes() + " over 1,000 runs");
            float[] got = output.toArray();
            for (int n = 0; n < 2; n++) {
                double[] want = reference(proto, java.util.Arrays.copyOfRange(x, n * 36, n * 36 + 36));
                for (int k = 0; k < 3; k++) {
                    assertEquals(want[k], got[n * 3 + k], 1e-6, "sample " + n);
                }
            }
            String msg = assertThrows(OnnxException.class, () -> s.runInto(input, Tensor.zeros(3, 3))).getMessage();
            assertTrue(msg.contains("output 'y' is float32 [2, 3], the tensor given for it is float32 [3, 3]"), msg);
            msg = assertThrows(OnnxException.class, () -> s.runInto(Map.of("x", input), Map.of("z", output)))
                    .getMessage();
            assertTrue(msg.contains("unknown output 'z'"), msg);
        }
    }

    @Test
    void inputsAreCheckedAgainstTheDeclaration() {
        try (InferenceSession s = InferenceSession.create(OnnxModel.parse(TestModels.smallCnn().toByteArray()))) {
            String msg = assertThrows(OnnxException.class, () -> s.run(Tensor.zeros(1, 1, 5, 6))).getMessage();
            assertTrue(msg.contains("input 'x' is float32 [1, 1, 5, 6], the model expects x: float32 [batch, 1, 6, 6]"),
                    msg);
            msg = assertThrows(OnnxException.class, () -> s.run(Tensor.zeros(1, 6, 6))).getMessage();
            assertTrue(msg.contains("[1, 6, 6]"), msg);
            msg = assertThrows(OnnxException.class, () -> s.run(Map.of("z", OnnxValue.of(Tensor.zeros(1)))))
                    .getMessage();
            assertTrue(msg.contains("unknown input 'z'"), msg);
            msg = assertThrows(OnnxException.class, () -> s.run(Map.of())).getMessage();
            assertTrue(msg.contains("input 'x' is missing"), msg);
            msg = assertThrows(OnnxException.class, () -> s.run(Map.of("x", OnnxValue.ofLongs(new long[36],
                    1, 1, 6, 6)))).getMessage();
            assertTrue(msg.contains("int64"), msg);
        }
    }

    @Test
    void concurrentRunsGiveTheSameResultsAsOneThreadAndCloseWaits() throws Exception {
        InferenceSession s = InferenceSession.create(OnnxModel.parse(TestModels.smallCnn().toByteArray()));
        List<Tensor> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Tensor in = Tensor.of(TestModels.values(3 * 36, 100 + i), 3, 1, 6, 6);
            inputs.add(in);
            expected.add(s.run(in).toArray());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int r = 0; r < 200; r++) {
                Tensor in = inputs.get(r % 8);
                futures.add(pool.submit(() -> s.run(in).toArray()));
            }
            for (int r = 0; r < futures.size(); r++) {
                assertArrayEquals(expected.get(r % 8), futures.get(r).get(), "run " + r);
            }
        } finally {
            pool.shutdown();
        }
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> s.run(inputs.get(0)));
    }

    /** Names of the live threads of compute-context pools. */
    private static java.util.Set<String> computeThreads() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("fovea-compute-")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @Test
    void aSessionWithItsOwnThreadsRunsOnThemAndStopsThemOnClose() throws Exception {
        OnnxModel model = OnnxModel.parse(TestModels.smallCnn().toByteArray());
        // a batch big enough (42 MFLOP of convolution) for the kernels to split over threads
        Tensor big = Tensor.of(TestModels.values(16384 * 36, 7), 16384, 1, 6, 6);
        float[] expected;
        try (InferenceSession one = InferenceSession.create(model, InferenceSession.Options.defaults()
                .withThreads(1))) {
            assertEquals(1, one.threads());
            expected = one.run(big).toArray();
        }
        // the default context's pool, if it has one, exists before the snapshot
        dev.fovea.simd.parallel.ComputeContext.defaultContext().run(2, (part, parts) -> { });
        java.util.Set<String> before = computeThreads();
        InferenceSession s = InferenceSession.create(model, InferenceSession.Options.defaults().withThreads(2));
        assertEquals(2, s.threads());
        // results do not depend on the thread count
        assertArrayEquals(expected, s.run(big).toArray());
        java.util.Set<String> created = computeThreads();
        created.removeAll(before);
        assertFalse(created.isEmpty(), "no new compute thread ran the session's kernels; before: " + before);
        s.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (computeThreads().stream().anyMatch(created::contains) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(computeThreads().stream().noneMatch(created::contains), "the session's threads outlive close()");
        assertThrows(IllegalArgumentException.class, () -> InferenceSession.Options.defaults().withThreads(-1));
    }

    @Test
    void outputsAreCopiesTheCallerOwns() {
        ModelProto identity = TestModels.model(dev.fovea.onnx.proto.OnnxProtos.GraphProto.newBuilder()
                .addInput(TestModels.tensorInfo("x", 1, 2)).addOutput(TestModels.tensorInfo("y", 1, 2))
                .addNode(TestModels.node("Identity", List.of("x"), List.of("y"))).build(), 13);
        try (InferenceSession s = InferenceSession.create(OnnxModel.parse(identity.toByteArray()))) {
            Tensor x = Tensor.of(new float[] {1, 2}, 2);
            Tensor y = s.run(x);
            x.fill(7);
            assertArrayEquals(new float[] {1, 2}, y.toArray());
        }
    }
}
