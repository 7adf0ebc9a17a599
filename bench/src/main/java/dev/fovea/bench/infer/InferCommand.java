package dev.fovea.bench.infer;

import dev.fovea.bench.JmhRuns;
import dev.fovea.simd.CpuFeatures;
import dev.fovea.simd.Simd;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.runner.RunnerException;

/**
 * {@code bench infer [--threads 1,2] [--models a,b] [--engines x,y] [--quick] [--json FILE|DIR]}:
 * batch-1 latency of the exported test models on Fovea's {@code InferenceSession} and on ONNX
 * Runtime (EXTENDED and ALL optimization levels), one JMH fork per model, engine and thread
 * count ({@link InferBench}, sample-time mode). Printed per run: the median and p99 latency, the
 * heap bytes allocated per run (JMH's GC profiler), and on Fovea's rows its median over the
 * faster ONNX Runtime level's median measured in the same command.
 */
public final class InferCommand {
    static final List<String> MODELS = List.of("lenet5", "resnet18", "mobilenet_v2", "vgg11");
    static final List<String> ENGINES = List.of("fovea", "ort-extended", "ort-all");

    private List<Integer> threads = List.of(1);
    private List<String> models = MODELS;
    private List<String> engines = ENGINES;
    private boolean quick;
    private Path json;
    private final PrintStream out;

    /** One measured run: latencies in ms, heap bytes per run (NaN if not reported). */
    record Point(String model, int threads, String engine, double p50, double p99, double heapBytes) {}

    private InferCommand(PrintStream out) {
        this.out = out;
    }

    /** Parses the options and runs; returns the process exit code. */
    public static int run(List<String> args, PrintStream out) throws IOException, RunnerException {
        InferCommand cmd = new InferCommand(out);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String v = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (a) {
                case "--quick" -> cmd.quick = true;
                case "--threads" -> cmd.threads = JmhRuns.positiveListOption("--threads", v, ++i);
                case "--models" -> cmd.models = JmhRuns.namesOption("--models", v, ++i, MODELS);
                case "--engines" -> cmd.engines = JmhRuns.namesOption("--engines", v, ++i, ENGINES);
                case "--json" -> cmd.json = JmhRuns.pathOption("--json", v, ++i);
                default -> throw new IllegalArgumentException("unknown option '" + a + "' for infer");
            }
        }
        cmd.execute();
        return 0;
    }

    private void execute() throws IOException, RunnerException {
        String root = repositoryRoot().toString();
        out.printf(Locale.ROOT, "Fovea inference against ONNX Runtime: %s, %s, JDK %s, batch 1%s%n",
                CpuFeatures.detected().model(), Simd.describe(), Runtime.version(), quick ? ", quick" : "");
        List<Point> points = new ArrayList<>();
        for (String model : models) {
            for (int t : threads) {
                for (String engine : engines) {
                    JmhRuns.progress(model + " " + engine + " " + t + " thread(s)");
                    double[] r = JmhRuns.percentilesAndAllocation(JmhRuns.options(InferBench.class.getName()
                            + ".infer$", quick).param("model", model).param("engine", engine)
                            .param("threads", Integer.toString(t)).param("root", root), 50, 99);
                    points.add(new Point(model, t, engine, r[0], r[1], r[2]));
                }
            }
        }
        table(points);
        if (json != null) {
            out.println("wrote " + writeJson(points));
        }
    }

    /** Fovea's median over the faster ONNX Runtime level's, for the same model and threads (NaN if none ran). */
    static double ratio(List<Point> points, Point fovea) {
        double best = Double.NaN;
        for (Point p : points) {
            if (p.model().equals(fovea.model()) && p.threads() == fovea.threads() && p.engine().startsWith("ort")) {
                best = Double.isNaN(best) ? p.p50() : Math.min(best, p.p50());
            }
        }
        return fovea.p50() / best;
    }

    private void table(List<Point> points) {
        String head = String.format(Locale.ROOT, "%-13s %7s %-13s %10s %10s %12s %10s", "model", "threads", "engine",
                "p50 ms", "p99 ms", "heap B/run", "fovea/ORT");
        out.println(head);
        out.println("-".repeat(head.length()));
        for (Point p : points) {
            double ratio = p.engine().equals("fovea") ? ratio(points, p) : Double.NaN;
            out.printf(Locale.ROOT, "%-13s %7d %-13s %10.4f %10.4f %12s %10s%n", p.model(), p.threads(), p.engine(),
                    p.p50(), p.p99(), Double.isNaN(p.heapBytes()) ? "-" : String.format(Locale.ROOT, "%.0f",
                            p.heapBytes()), Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio));
        }
        out.println("fovea/ORT: Fovea's median over the faster of ONNX Runtime's EXTENDED and ALL levels, same "
                + "model and threads (below 1 is faster); heap B/run: JMH's gc.alloc.rate.norm");
    }

    private Path writeJson(List<Point> points) throws IOException {
        Path file = Files.isDirectory(json) ? json.resolve(JmhRuns.fileName("infer", threads.get(0))) : json;
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"benchmark\": \"infer\",\n  \"date\": ").append(JmhRuns.str(OffsetDateTime.now().toString()))
                .append(",\n  \"quick\": ").append(quick)
                .append(",\n  \"machine\": {\"cpu\": ").append(JmhRuns.str(CpuFeatures.detected().model()))
                .append(", \"simd\": ").append(JmhRuns.str(Simd.describe()))
                .append(", \"jdk\": ").append(JmhRuns.str(Runtime.version().toString())).append("},\n")
                .append("  \"results\": [\n");
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            double ratio = p.engine().equals("fovea") ? ratio(points, p) : Double.NaN;
            sb.append("    {\"model\": ").append(JmhRuns.str(p.model())).append(", \"threads\": ").append(p.threads())
                    .append(", \"engine\": ").append(JmhRuns.str(p.engine())).append(", \"p50Ms\": ")
                    .append(JmhRuns.num(p.p50())).append(", \"p99Ms\": ").append(JmhRuns.num(p.p99()))
                    .append(", \"heapBytesPerRun\": ").append(JmhRuns.num(p.heapBytes()))
                    .append(", \"overBestOrt\": ").append(JmhRuns.num(ratio)).append('}')
                    .append(i + 1 < points.size() ? ",\n" : "\n");
        }
        sb.append("  ]\n}\n");
        Files.writeString(file, sb, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * The repository root, where the model fixtures are: the working directory if it has them,
     * else the folder three levels above this class's jar ({@code ROOT/bench/target/benchmarks.jar}).
     *
     * @throws IllegalStateException if neither has {@code test/src/test/resources/onnx/models}
     */
    static Path repositoryRoot() {
        Path fixtures = Path.of("test/src/test/resources/onnx/models");
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.isDirectory(cwd.resolve(fixtures))) {
            return cwd;
        }
        try {
            Path jar = Path.of(InferCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent() == null || jar.getParent().getParent() == null ? null
                    : jar.getParent().getParent().getParent();
            if (root != null && Files.isDirectory(root.resolve(fixtures))) {
                return root;
            }
        } catch (URISyntaxException | SecurityException e) {
            // reported below
        }
        throw new IllegalStateException("bench infer: no model fixtures (" + fixtures + ") under " + cwd
                + " or the repository of the benchmark jar; run it from the repository root");
    }
}
