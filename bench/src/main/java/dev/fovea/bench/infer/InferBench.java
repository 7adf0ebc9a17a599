package dev.fovea.bench.infer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fovea.onnx.InferenceSession;
import dev.fovea.onnx.OnnxModel;
import dev.fovea.onnx.testing.SyntheticWeights;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Batch-1 inference latency of the PyTorch-exported test models
 * ({@code test/src/test/resources/onnx/models}), Fovea's {@link InferenceSession} against ONNX
 * Runtime's Java API on the same files, in sample-time mode (JMH prints p50 and p99).
 *
 * <p>{@code engine}: {@code fovea} is an {@link InferenceSession} with a compute context of
 * {@code threads} threads of its own; {@code ort-extended} and {@code ort-all} are ONNX Runtime
 * at its EXTENDED and ALL graph optimization levels, with {@code threads} intra-op threads and no
 * inter-op parallelism. The external weights are regenerated once into
 * {@code bench/target/onnx-models} under {@code root}. Setup checks each engine's output against
 * PyTorch's stored output before timing. {@code ./fovea bench infer} ({@link InferCommand}) runs
 * the grid and prints the comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class InferBench {
    /** Model fixture name. */
    @Param({"lenet5", "resnet18", "mobilenet_v2", "vgg11"})
    public String model;

    /** {@code fovea}, {@code ort-extended} or {@code ort-all}. */
    @Param({"fovea", "ort-extended", "ort-all"})
    public String engine;

    /** Threads of either engine: ONNX Runtime's intra-op threads, the Fovea session's own compute context. */
    @Param({"1"})
    public int threads;

    /** Repository root (the fixtures are read from it). */
    @Param({"."})
    public String root;

    private InferenceSession fovea;
    private Tensor input;
    /** Fovea writes each result into this tensor ({@code runInto}: a compiled run allocates nothing). */
    private Tensor output;
    private OrtEnvironment env;
    private OrtSession ort;
    private OnnxTensor ortInput;
    private String ortInputName;

    /** Prepares the model file (with regenerated weights), the engine and the input, and checks the output. */
    @Setup(Level.Trial)
    public void setUp() throws IOException, OrtException {
        Path fixtures = Path.of(root).toAbsolutePath().resolve("test/src/test/resources/onnx/models").resolve(model);
        if (!Files.isDirectory(fixtures)) {
            throw new IllegalStateException("no model fixtures at " + fixtures + "; run from the repository root");
        }
        Path modelFile = prepared(fixtures, Path.of(root).toAbsolutePath().resolve("bench/target/onnx-models"));
        input = Tensor.load(fixtures.resolve("input.npy"));
        float[] expected = Tensor.load(fixtures.resolve("output.npy")).toArray();
        float[] got;
        if (engine.equals("fovea")) {
            fovea = InferenceSession.create(OnnxModel.load(modelFile),
                    InferenceSession.Options.defaults().withThreads(threads));
            output = Tensor.zeros(fovea.run(input).shape());
            fovea.runInto(input, output);
            got = output.toArray();
        } else {
            env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(switch (engine) {
                case "ort-extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                case "ort-all" -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
                default -> throw new IllegalArgumentException("engine must be fovea, ort-extended or ort-all: "
                        + engine);
            });
            ort = env.createSession(modelFile.toString(), o);
            ortInputName = ort.getInputNames().iterator().next();
            ortInput = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.toArray()), input.shape());
            got = ortRun();
        }
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(got[i] - expected[i]));
        }
        if (!(worst <= 1e-4 * scale)) {
            throw new IllegalStateException(engine + " on " + model + ": output differs from PyTorch's by " + worst
                    + " (max |output| " + scale + ")");
        }
    }

    private float[] ortRun() throws OrtException {
        try (OrtSession.Result r = ort.run(Map.of(ortInputName, ortInput))) {
            return ((OnnxTensor) r.get(0)).getFloatBuffer().array();
        }
    }

    /** The fixture's model.onnx, or a copy with its external weights regenerated (once) next to it. */
    private static Path prepared(Path fixtures, Path generated) throws IOException {
        Path manifest = fixtures.resolve("manifest.json");
        if (!Files.exists(manifest)) {
            return fixtures.resolve("model.onnx");
        }
        Path dir = generated.resolve(fixtures.getFileName());
        Path model = dir.resolve("model.onnx");
        if (Files.exists(model) && Files.exists(dir.resolve("weights.bin"))) {
            return model;
        }
        Matcher m = Pattern.compile("\"weights_sha256\"\\s*:\\s*\"([0-9a-f]{64})\"").matcher(Files.readString(manifest));
        if (!m.find()) {
            throw new IllegalStateException(manifest + " has no weights_sha256");
        }
        Path tmp = Files.createTempDirectory(Files.createDirectories(dir.getParent()), "gen");
        SyntheticWeights.materialize(fixtures.resolve("model.onnx"), tmp, m.group(1));
        Files.createDirectories(dir);
        Files.move(tmp.resolve("weights.bin"), dir.resolve("weights.bin"));
        Files.move(tmp.resolve("model.onnx"), model);
        Files.delete(tmp);
        return model;
    }

    /** Releases the engines. */
    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        if (fovea != null) {
            fovea.close();
        }
        if (ort != null) {
            ortInput.close();
            ort.close();
        }
    }

    /**
     * One batch-1 inference. Fovea writes into a tensor made once ({@code runInto}), the call an
     * embedder that cares about allocation makes; ONNX Runtime returns a new result, its only way.
     */
    @Benchmark
    public Object infer() throws OrtException {
        if (fovea != null) {
            fovea.runInto(input, output);
            return output;
        }
        try (OrtSession.Result r = ort.run(Map.of(ortInputName, ortInput))) {
            return r.get(0).getValue();
        }
    }
}
