package dev.fovea.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.fovea.onnx.proto.OnnxProtos.ModelProto;
import dev.fovea.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A session compiles graphs made of supported operators: the compiled run gives the bits of the
 * node-by-node run and the values of a double-precision reference, survives shape changes, and a
 * steady-state {@code runInto} allocates no heap at all.
 */
class CompiledGraphTest {
    /**
     * Largest error allowed against the double reference: every sum has at most 36 products of
     * values below 1 in magnitude, so float32 rounding stays below 36 * 2^-24 * |terms| ~ 5e-6 per
     * layer; the sigmoid only shrinks it.
     */
    private static final double TOLERANCE = 2e-5;

    /** 3x3 convolution with padding 1 of {@code in} (cin x 6 x 6), in double precision. */
    private static double[][][] conv(double[][][] in, float[] w, float[] b, int cout) {
        int cin = in.length;
        int h = in[0].length;
        int wd = in[0][0].length;
        double[][][] out = new double[cout][h][wd];
        for (int o = 0; o < cout; o++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < wd; j++) {
                    double s = b[o];
                    for (int c = 0; c < cin; c++) {
                        for (int u = 0; u < 3; u++) {
                            for (int v = 0; v < 3; v++) {
                                int y = i + u - 1;
                                int z = j + v - 1;
                                if (y >= 0 && y < h && z >= 0 && z < wd) {
                                    s += (double) w[((o * cin + c) * 3 + u) * 3 + v] * in[c][y][z];
                                }
                            }
                        }
                    }
                    out[o][i][j] = s;
                }
            }
        }
        return out;
    }

    /** TestModels.residualCnn for one 6x6 image, in double precision. */
    private static double[] reference(ModelProto m, float[] x) {
        double[][][] in = new double[1][6][6];
        for (int i = 0; i < 36; i++) {
            in[0][i / 6][i % 6] = x[i];
        }
        double[][][] r1 = conv(in, TestModels.initializer(m, "w1"), TestModels.initializer(m, "b1"), 4);
        for (double[][] plane : r1) {
            for (double[] row : plane) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = Math.max(row[j], 0);
                }
            }
        }
        double[][][] c2 = conv(r1, TestModels.initializer(m, "w2"), TestModels.initializer(m, "b2"), 4);
        double[][][] p = new double[4][3][3];
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double best = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u < 2; u++) {
                        for (int v = 0; v < 2; v++) {
                            best = Math.max(best, Math.max(c2[c][2 * i + u][2 * j + v] + r1[c][2 * i + u][2 * j + v], 0));
                        }
                    }
                    p[c][i][j] = best;
                }
            }
        }
        double[] flat = new double[36];
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    // AveragePool 3x3, pad 1, count_include_pad 0: the mean of the window's real elements
                    double s = 0;
                    int taps = 0;
                    for (int u = -1; u <= 1; u++) {
                        for (int v = -1; v <= 1; v++) {
                            if (i + u >= 0 && i + u < 3 && j + v >= 0 && j + v < 3) {
                                s += p[c][i + u][j + v];
                                taps++;
                            }
                        }
                    }
                    flat[c * 9 + i * 3 + j] = s / taps;
                }
            }
        }
        float[] fc = TestModels.initializer(m, "fc");
        float[] fcb = TestModels.initializer(m, "fcb");
        double[] y = new double[5];
        for (int k = 0; k < 5; k++) {
            double s = fcb[k];
            for (int i = 0; i < 36; i++) {
                s += fc[k * 36 + i] * flat[i];
            }
            y[k] = 1 / (1 + Math.exp(-Math.max(s, 0)));
        }
        return y;
    }

    private static void assertMatchesReference(ModelProto proto, float[] x, int batch, Tensor got, String what) {
        float[] values = got.toArray();
        assertArrayEquals(new long[] {batch, 5}, got.shape(), what);
        for (int n = 0; n < batch; n++) {
            double[] want = reference(proto, java.util.Arrays.copyOfRange(x, n * 36, n * 36 + 36));
            for (int k = 0; k < 5; k++) {
                assertEquals(want[k], values[n * 5 + k], TOLERANCE, what + ", sample " + n + ", output " + k);
            }
        }
    }

    @Test
    void compiledRunsMatchTheReferenceAndTheNodeByNodeRunBitForBit() {
        ModelProto proto = TestModels.residualCnn();
        OnnxModel model = OnnxModel.parse(proto.toByteArray());
        float[] x = TestModels.values(3 * 36, 21);
        Tensor input = Tensor.of(x, 3, 1, 6, 6);
        try (InferenceSession compiled = InferenceSession.create(model);
             InferenceSession plain = InferenceSession.createUncompiled(model, InferenceSession.Options.defaults());
             InferenceSession unoptimized = InferenceSession.create(model,
                     InferenceSession.Options.defaults().withOptimize(false))) {
            // The second Conv, the residual Add and its ReLU are one node.
            assertEquals(Map.of("AveragePool", 1, "Conv+Add+RELU", 1, "Conv+RELU", 1, "Flatten", 1, "Gemm+RELU", 1,
                    "MaxPool", 1, "Sigmoid", 1), compiled.operatorCounts());
            Tensor first = compiled.run(input);
            assertTrue(compiled.hasCompiledGraph(), "a graph of supported operators is compiled by its first run");
            Tensor second = compiled.run(input);
            Tensor nodeByNode = plain.run(input);
            assertFalse(plain.hasCompiledGraph());
            assertMatchesReference(proto, x, 3, first, "compiled, first run");
            assertArrayEquals(nodeByNode.toArray(), first.toArray(), "compiled and node-by-node runs, bit for bit");
            assertArrayEquals(first.toArray(), second.toArray(), "first and second compiled runs");
            // Without optimization: no fusion, separate Add and ReLU steps, still compiled, and the
            // same bits (fusion changes no rounding; this model has no batch norm to fold).
            Tensor separate = unoptimized.run(input);
            assertMatchesReference(proto, x, 3, separate, "unoptimized, compiled");
            assertTrue(unoptimized.hasCompiledGraph());
            assertArrayEquals(separate.toArray(), first.toArray(), "fused and unfused runs, bit for bit");
        }
    }

    @Test
    void residualAddsFuseIntoConvolutionsWithTheBitsOfTheUnfusedGraph() {
        OnnxModel model = OnnxModel.parse(TestModels.residualBlocks().toByteArray());
        try (InferenceSession fused = InferenceSession.create(model);
             InferenceSession nodeByNode = InferenceSession.createUncompiled(model, InferenceSession.Options.defaults());
             InferenceSession unfused = InferenceSession.create(model,
                     InferenceSession.Options.defaults().withOptimize(false))) {
            assertEquals(Map.of("Conv", 1, "Conv+Add", 1, "Conv+Add+RELU", 1, "Conv+RELU", 1), fused.operatorCounts(),
                    fused.optimizationSummary());
            assertTrue(fused.optimizationSummary().contains("2 residual adds fused into convolutions"),
                    fused.optimizationSummary());
            // batch 1 runs Winograd F(2x2) on the 3x3 convolutions, batch 2 F(4x4) (AUTO's tile count rule)
            for (int batch : new int[] {1, 2}) {
                Tensor input = Tensor.of(TestModels.values(batch * 16 * 13 * 21, 40 + batch), batch, 16, 13, 21);
                Tensor want = unfused.run(input);
                Tensor first = fused.run(input);
                Tensor second = fused.run(input);
                assertTrue(fused.hasCompiledGraph(), "the fused graph compiles");
                assertArrayEquals(want.toArray(), first.toArray(), "fused and unfused, batch " + batch);
                assertArrayEquals(want.toArray(), second.toArray(), "second compiled run, batch " + batch);
                assertArrayEquals(want.toArray(), nodeByNode.run(input).toArray(), "node by node, batch " + batch);
            }
        }
    }

    @Test
    void anotherInputShapeCompilesAgainAndEveryShapeStaysRight() {
        ModelProto proto = TestModels.residualCnn();
        float[] x = TestModels.values(2 * 36, 22);
        Tensor two = Tensor.of(x, 2, 1, 6, 6);
        Tensor one = Tensor.of(java.util.Arrays.copyOf(x, 36), 1, 1, 6, 6);
        try (InferenceSession s = InferenceSession.create(OnnxModel.parse(proto.toByteArray()))) {
            for (int round = 0; round < 2; round++) {
                Tensor outTwo = Tensor.zeros(2, 5);
                s.runInto(two, outTwo);
                assertMatchesReference(proto, x, 2, outTwo, "batch 2, round " + round);
                Tensor outOne = Tensor.zeros(1, 5);
                s.runInto(one, outOne);
                assertMatchesReference(proto, x, 1, outOne, "batch 1, round " + round);
            }
            // An output of the wrong shape is refused as on the node-by-node path.
            Tensor wrong = Tensor.zeros(2, 4);
            String msg = assertThrows(OnnxException.class, () -> s.runInto(two, wrong)).getMessage();
            assertTrue(msg.contains("output 'y' is float32 [2, 5], the tensor given for it is float32 [2, 4]"), msg);
        }
    }

    @Test
    void steadyStateRunsIntoACallersTensorAllocateNoHeap() {
        ModelProto proto = TestModels.residualCnn();
        float[] x = TestModels.values(2 * 36, 23);
        Tensor input = Tensor.of(x, 2, 1, 6, 6);
        Tensor output = Tensor.zeros(2, 5);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (InferenceSession s = InferenceSession.create(OnnxModel.parse(proto.toByteArray()),
                InferenceSession.Options.defaults().withThreads(1))) {
            // The JIT gets up to 30 s to compile the kernels (interpreted Vector API code boxes vectors).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int runs = 200;
            long perRun;
            do {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < runs; i++) {
                    s.runInto(input, output);
                }
                perRun = (threads.getCurrentThreadAllocatedBytes() - before) / runs;
            } while (perRun > 0 && System.nanoTime() < deadline);
            assertEquals(0, perRun, "heap bytes per steady-state runInto of a compiled graph");
            assertMatchesReference(proto, x, 2, output, "after the allocation loop");
        }
    }

    @Test
    void aGraphWithAnOperatorWithoutAStepCompilerRunsNodeByNode() {
        // smallCnn ends in Softmax, which has no step compiler.
        try (InferenceSession s = InferenceSession.create(OnnxModel.parse(TestModels.smallCnn().toByteArray()))) {
            Tensor input = Tensor.of(TestModels.values(36, 24), 1, 1, 6, 6);
            float[] first = s.run(input).toArray();
            assertArrayEquals(first, s.run(input).toArray());
            assertFalse(s.hasCompiledGraph());
        }
    }
}
