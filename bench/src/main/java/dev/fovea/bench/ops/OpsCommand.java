package dev.fovea.bench.ops;

import dev.fovea.bench.JmhRuns;
import dev.fovea.simd.CpuFeatures;
import dev.fovea.simd.Simd;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.runner.RunnerException;

/**
 * {@code bench ops [--threads N] [--quick] [--layers a,b] [--json FILE|DIR]}: the memory-bound ops.
 * Every named pooling of {@link PoolLayer} through {@link PoolBench} (the library's kernels and the
 * scalar reference loops), then ReLU and ADD on 64K floats (L2-resident) through
 * {@link EltwiseBench}; printed as ms per call, GB/s (bytes read and written once), the cache level
 * the working set fits in, % of that level's bandwidth, and the speed-up over the reference.
 *
 * <p>The bandwidths are the single-core stream figures of {@code PERFORMANCE-NOTES.md} for this
 * machine kind (Zen 4): L2 ~100 GB/s, L3 ~50 GB/s (the middle of 40-60), DRAM ~17.5 GB/s (of 15-20).
 */
public final class OpsCommand {
    /** Single-core bandwidths, GB/s, by cache level (PERFORMANCE-NOTES.md). */
    private static final double L2_GBS = 100;
    private static final double L3_GBS = 50;
    private static final double DRAM_GBS = 17.5;
    private static final long L2_BYTES = 1L << 20;
    private static final long L3_BYTES = 32L << 20;
    /** Elements of the elementwise points: 64K floats, 512-768 KiB with the output, inside L2. */
    private static final int ELTWISE_N = 65536;

    private int threads = 1;
    private boolean quick;
    private Path json;
    private List<String> layers = PoolLayer.ALL.stream().map(PoolLayer::name).toList();
    private final PrintStream out;

    /** One measured point: {@code refMs} is the reference's time, NaN when not measured. */
    record Point(String op, String shape, double ms, long bytes, double refMs) {
        double gbs() {
            return bytes / ms / 1e6;
        }

        String level() {
            return bytes <= L2_BYTES ? "L2" : bytes <= L3_BYTES ? "L3" : "DRAM";
        }

        double pctLevel() {
            double bw = bytes <= L2_BYTES ? L2_GBS : bytes <= L3_BYTES ? L3_GBS : DRAM_GBS;
            return 100 * gbs() / bw;
        }
    }

    private OpsCommand(PrintStream out) {
        this.out = out;
    }

    /** Parses the options and runs; returns the process exit code. */
    public static int run(List<String> args, PrintStream out) throws IOException, RunnerException {
        OpsCommand cmd = new OpsCommand(out);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String v = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (a) {
                case "--quick" -> cmd.quick = true;
                case "--threads" -> cmd.threads = JmhRuns.positiveOption("--threads", v, ++i);
                case "--layers" -> cmd.layers = JmhRuns.namesOption("--layers", v, ++i, cmd.layers);
                case "--json" -> cmd.json = JmhRuns.pathOption("--json", v, ++i);
                default -> throw new IllegalArgumentException("unknown option '" + a + "' for ops");
            }
        }
        cmd.execute();
        return 0;
    }

    private void execute() throws IOException, RunnerException {
        out.printf(Locale.ROOT, "Fovea ops: %s, %s, %d thread(s), JDK %s%s%n", CpuFeatures.detected().model(),
                Simd.describe(), threads, Runtime.version(), quick ? ", quick" : "");
        List<Point> points = new ArrayList<>();
        for (String name : layers) {
            PoolLayer layer = PoolLayer.named(name);
            double[] ms = new double[2];
            for (int i = 0; i < 2; i++) {
                String path = i == 0 ? "vector" : "reference";
                JmhRuns.progress(name + " " + path);
                ms[i] = JmhRuns.median(JmhRuns.options(PoolBench.class.getName() + ".run$", quick)
                        .param("layer", name).param("path", path).param("threads", Integer.toString(threads)));
            }
            points.add(new Point(name, layer.describe(), ms[0], layer.bytes(), ms[1]));
        }
        for (String op : List.of("relu", "add")) {
            double[] ms = new double[2];
            for (int i = 0; i < 2; i++) {
                String path = i == 0 ? "vector" : "scalar";
                JmhRuns.progress(op + " " + path);
                double callsPerSecond = JmhRuns.median(JmhRuns.options(EltwiseBench.class.getName() + ".run$", quick)
                        .param("op", op).param("path", path).param("n", Integer.toString(ELTWISE_N)));
                ms[i] = 1e3 / callsPerSecond;
            }
            long bytes = (long) ELTWISE_N * Float.BYTES * (op.equals("add") ? 3 : 2);
            points.add(new Point(op, "64K floats (1 thread)", ms[0], bytes, ms[1]));
        }
        table(points);
        if (json != null) {
            out.println("wrote " + writeJson(points));
        }
    }

    private void table(List<Point> points) {
        String head = String.format(Locale.ROOT, "%-20s %-30s %9s %7s %5s %7s %9s", "op", "shape", "ms", "GB/s",
                "level", "%level", "x ref");
        out.println(head);
        out.println("-".repeat(head.length()));
        for (Point p : points) {
            out.printf(Locale.ROOT, "%-20s %-30s %9.4f %7.1f %5s %6.0f%% %9s%n", p.op(), p.shape(), p.ms(), p.gbs(),
                    p.level(), p.pctLevel(), Double.isNaN(p.refMs()) ? "-"
                            : String.format(Locale.ROOT, "%.1fx", p.refMs() / p.ms()));
        }
        out.printf(Locale.ROOT, "GB/s: input read and output written once per call; %%level: of the single-core "
                + "bandwidth of the level the bytes fit in (L2 %.0f, L3 %.0f, DRAM %.1f GB/s, PERFORMANCE-NOTES.md); "
                + "x ref: over the scalar reference loops%n", L2_GBS, L3_GBS, DRAM_GBS);
    }

    private Path writeJson(List<Point> points) throws IOException {
        Path file = Files.isDirectory(json) ? json.resolve(JmhRuns.fileName("ops", threads)) : json;
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"benchmark\": \"ops\",\n  \"date\": ").append(JmhRuns.str(OffsetDateTime.now().toString()))
                .append(",\n  \"quick\": ").append(quick)
                .append(",\n  \"machine\": {\"cpu\": ").append(JmhRuns.str(CpuFeatures.detected().model()))
                .append(", \"simd\": ").append(JmhRuns.str(Simd.describe())).append(", \"threads\": ").append(threads)
                .append(", \"jdk\": ").append(JmhRuns.str(Runtime.version().toString())).append("},\n")
                .append("  \"results\": [\n");
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            sb.append("    {\"op\": ").append(JmhRuns.str(p.op())).append(", \"shape\": ").append(JmhRuns.str(p.shape()))
                    .append(", \"ms\": ").append(JmhRuns.num(p.ms())).append(", \"gbs\": ").append(JmhRuns.num(p.gbs()))
                    .append(", \"level\": ").append(JmhRuns.str(p.level())).append(", \"referenceMs\": ")
                    .append(JmhRuns.num(p.refMs())).append('}').append(i + 1 < points.size() ? ",\n" : "\n");
        }
        sb.append("  ]\n}\n");
        Files.writeString(file, sb, StandardCharsets.UTF_8);
        return file;
    }
}
