package dev.fovea.bench.conv;

import dev.fovea.bench.JmhRuns;
import dev.fovea.simd.CpuFeatures;
import dev.fovea.simd.Simd;
import dev.fovea.simd.conv.Conv;
import dev.fovea.simd.conv.ConvAlgorithm;
import dev.fovea.simd.conv.ConvPolicy;
import dev.fovea.simd.conv.ConvSpec;
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
 * {@code bench conv [--threads N] [--quick] [--batch N] [--layers a,b] [--algos x,y] [--json FILE|DIR]}:
 * the FMA peak, then {@link Conv2dBench} for every named layer and every algorithm that can run it,
 * printed per layer and algorithm as ms, effective GFLOP/s (direct-convolution FLOPs), % of the
 * peak measured in the same run, and the speed-ups over naive and over im2col.
 *
 * <p>The naive loops run every layer (they are the baseline of the "x naive" column) but with
 * one warm-up and two measured iterations: a single call of VGG-16 conv1_2 takes seconds.
 * {@code --algos auto} adds {@link ConvPolicy#AUTO}'s choice per layer, reported as
 * {@code auto:NAME}.
 */
public final class ConvCommand {
    /** The {@code --algos} name of {@link ConvPolicy#AUTO}'s choice. */
    private static final String AUTO = "auto";
    private int threads = 1;
    private int batch = 1;
    private boolean quick;
    private Path json;
    private List<String> layers = ConvLayer.ALL.stream().map(ConvLayer::name).toList();
    private List<String> algos = Conv.algorithms().stream().map(ConvAlgorithm::name).toList();
    private final PrintStream out;

    /** One measured (layer, algorithm) point; {@code allocBytes} per call, NaN when JMH did not report it. */
    record Point(ConvLayer layer, String algo, double ms, double gflops, double pctPeak, double allocBytes) {}

    private ConvCommand(PrintStream out) {
        this.out = out;
    }

    /** Parses the options and runs; returns the process exit code. */
    public static int run(List<String> args, PrintStream out) throws IOException, RunnerException {
        ConvCommand cmd = new ConvCommand(out);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String v = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (a) {
                case "--quick" -> cmd.quick = true;
                case "--threads" -> cmd.threads = JmhRuns.positiveOption("--threads", v, ++i);
                case "--batch" -> cmd.batch = JmhRuns.positiveOption("--batch", v, ++i);
                case "--layers" -> cmd.layers = JmhRuns.namesOption("--layers", v, ++i, cmd.layers);
                case "--algos" -> cmd.algos = JmhRuns.namesOption("--algos", v, ++i, withAuto(cmd.algos));
                case "--json" -> cmd.json = JmhRuns.pathOption("--json", v, ++i);
                default -> throw new IllegalArgumentException("unknown option '" + a + "' for conv");
            }
        }
        cmd.execute();
        return 0;
    }

    /** The algorithm names {@code --algos} accepts: every algorithm, and {@code auto}. */
    private static List<String> withAuto(List<String> algos) {
        List<String> known = new ArrayList<>(algos);
        known.add(AUTO);
        return known;
    }

    private void execute() throws IOException, RunnerException {
        out.printf(Locale.ROOT, "Fovea conv2d: %s, %s, batch %d, %d thread(s), JDK %s%s%n",
                CpuFeatures.detected().model(), Simd.describe(), batch, threads, Runtime.version(),
                quick ? ", quick" : "");
        double peak = JmhRuns.peakGflops(threads, quick);
        out.printf(Locale.ROOT, "measured FMA peak: %.1f GFLOP/s%n%n", peak);
        List<Point> points = new ArrayList<>();
        for (String name : layers) {
            ConvLayer layer = ConvLayer.named(name);
            ConvSpec spec = layer.spec(batch);
            for (String algo : algos) {
                boolean auto = algo.equals(AUTO);
                if (!auto && Conv.algorithm(algo).unsupportedReason(spec) != null) {
                    continue;
                }
                String label = auto ? AUTO + ":" + Conv.choose(spec, ConvPolicy.AUTO).name() : algo;
                JmhRuns.progress(name + " " + label);
                var options = JmhRuns.options(Conv2dBench.class.getName() + ".conv$", quick)
                        .param("algo", algo).param("layer", name).param("batch", Integer.toString(batch))
                        .param("threads", Integer.toString(threads));
                if (algo.equals("naive")) {
                    options = options.warmupIterations(1).measurementIterations(2);
                }
                double ms;
                double alloc;
                try {
                    double[] m = JmhRuns.medianAndAllocation(options);
                    ms = m[0];
                    alloc = m[1];
                } catch (RunnerException e) {
                    // e.g. the setup's check against naive failed: report it and go on with the others
                    out.printf(Locale.ROOT, "FAILED %s %s: %s%n", name, label, rootMessage(e));
                    continue;
                }
                double gflops = spec.flops() / ms / 1e6;
                points.add(new Point(layer, label, ms, gflops, 100 * gflops / peak, alloc));
                out.printf(Locale.ROOT, "  %s %s: %.4f ms, %.1f GFLOP/s%n", name, label, ms, gflops);
            }
        }
        table(points, peak);
        if (json != null) {
            out.println("wrote " + writeJson(points, peak));
        }
    }

    private static String rootMessage(Throwable e) {
        String msg = e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (Throwable s : t.getSuppressed()) {
                msg = s.getMessage();
            }
            if (t.getCause() == null && t.getMessage() != null) {
                msg = t.getMessage();
            }
        }
        return msg;
    }

    private double msOf(List<Point> points, ConvLayer layer, String algo) {
        return points.stream().filter(p -> p.layer().equals(layer) && p.algo().equals(algo)).mapToDouble(Point::ms)
                .findFirst().orElse(Double.NaN);
    }

    private void table(List<Point> points, double peak) {
        // columns as wide as the longest layer name and algorithm label (resnet18.layer2.s2, auto:implicit-gemm)
        int layerWidth = Math.max(16, points.stream().mapToInt(p -> p.layer().name().length()).max().orElse(0));
        int algoWidth = Math.max(14, points.stream().mapToInt(p -> p.algo().length()).max().orElse(0));
        String names = "%-" + layerWidth + "s %-" + algoWidth + "s ";
        String head = String.format(Locale.ROOT, names + "%10s %8s %7s %9s %9s %9s", "layer", "algorithm", "ms",
                "GFLOP/s", "%peak", "x naive", "x im2col", "B/call");
        out.println(head);
        out.println("-".repeat(head.length()));
        for (Point p : points) {
            double naive = msOf(points, p.layer(), "naive");
            double im2col = msOf(points, p.layer(), "im2col");
            out.printf(Locale.ROOT, names + "%10.4f %8.1f %6.1f%% %9s %9s %9s%n", p.layer().name(), p.algo(),
                    p.ms(), p.gflops(), p.pctPeak(), ratio(naive, p.ms()), ratio(im2col, p.ms()),
                    Double.isNaN(p.allocBytes()) ? "-" : String.format(Locale.ROOT, "%.0f", p.allocBytes()));
        }
        out.printf(Locale.ROOT, "GFLOP/s count direct-convolution FLOPs; %% of the FMA peak measured in this run: "
                + "%.1f GFLOP/s; B/call: bytes allocated per execute (JMH gc.alloc.rate.norm, all threads)%n", peak);
    }

    private static String ratio(double base, double ms) {
        return Double.isNaN(base) ? "-" : String.format(Locale.ROOT, "%.2fx", base / ms);
    }

    private Path writeJson(List<Point> points, double peak) throws IOException {
        Path file = Files.isDirectory(json) ? json.resolve(JmhRuns.fileName("conv-b" + batch, threads)) : json;
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"benchmark\": \"conv2d\",\n  \"date\": ").append(JmhRuns.str(OffsetDateTime.now().toString()))
                .append(",\n  \"quick\": ").append(quick).append(",\n  \"batch\": ").append(batch)
                .append(",\n  \"machine\": {\"cpu\": ").append(JmhRuns.str(CpuFeatures.detected().model()))
                .append(", \"simd\": ").append(JmhRuns.str(Simd.describe())).append(", \"threads\": ").append(threads)
                .append(", \"jdk\": ").append(JmhRuns.str(Runtime.version().toString())).append("},\n")
                .append("  \"peakGflops\": ").append(JmhRuns.num(peak)).append(",\n  \"results\": [\n");
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            sb.append("    {\"layer\": ").append(JmhRuns.str(p.layer().name())).append(", \"algorithm\": ")
                    .append(JmhRuns.str(p.algo())).append(", \"ms\": ").append(JmhRuns.num(p.ms()))
                    .append(", \"gflops\": ").append(JmhRuns.num(p.gflops())).append(", \"pctPeak\": ")
                    .append(JmhRuns.num(p.pctPeak())).append(", \"allocBytesPerCall\": ")
                    .append(JmhRuns.num(p.allocBytes())).append('}').append(i + 1 < points.size() ? ",\n" : "\n");
        }
        sb.append("  ]\n}\n");
        Files.writeString(file, sb, StandardCharsets.UTF_8);
        return file;
    }
}
