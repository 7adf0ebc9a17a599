package dev.fovea.bench.gemm;

import dev.fovea.bench.JmhRuns;
import dev.fovea.simd.CpuFeatures;
import dev.fovea.simd.Simd;
import dev.fovea.simd.gemm.Sgemm;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code gemm [--threads N] [--quick] [--json FILE]}: measures the FMA peak and then the main
 * SGEMM points (the squares with A packed per call, the convolution shapes with A pre-packed and
 * per call, the naive loop where it finishes in reasonable time), each in its own JMH fork, and
 * prints one aligned row per point: ms, GFLOP/s, % of the peak measured in this run, speed-up
 * over the naive loop and the micro-kernel's JIT tier. Each figure is the median of the JMH
 * measurement iterations. {@code --json} writes the same with the
 * machine (CPU model, kernel and species, threads, JDK); a directory gets a file named after them.
 */
public final class GemmCommand {
    private int threads = 1;
    private boolean quick;
    private Path json;
    private final PrintStream out;

    private GemmCommand(PrintStream out) {
        this.out = out;
    }

    /** Parses the options and runs; returns the process exit code. */
    public static int run(List<String> args, PrintStream out) throws IOException, RunnerException {
        GemmCommand cmd = new GemmCommand(out);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--quick" -> cmd.quick = true;
                case "--threads" -> cmd.threads = parseThreads(i + 1 < args.size() ? args.get(++i) : null);
                case "--json" -> cmd.json = JmhRuns.pathOption("--json", i + 1 < args.size() ? args.get(i + 1) : null, ++i);
                default -> throw new IllegalArgumentException("unknown option '" + a + "' for gemm");
            }
        }
        cmd.execute();
        return 0;
    }

    private static int parseThreads(String v) {
        try {
            int t = Integer.parseInt(v);
            if (t >= 1) {
                return t;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--threads needs a whole number >= 1, got " + v);
    }

    /** One measured point of the table. */
    record Point(GemmShape shape, String packing, int threads, double ms, double gflops, double pctPeak,
                 double naiveMs, int tier) {
        double speedup() {
            return Double.isNaN(naiveMs) ? Double.NaN : naiveMs / ms;
        }

        Point rescaled(double peakScale) {
            return new Point(shape, packing, threads, ms, gflops, pctPeak * peakScale, naiveMs, tier);
        }

        Point withNaive(double naive) {
            return new Point(shape, packing, threads, ms, gflops, pctPeak, naive, tier);
        }
    }

    private void execute() throws IOException, RunnerException {
        Path tiers = Files.createTempFile("fovea-jit", ".txt");
        out.printf(Locale.ROOT, "Fovea SGEMM: %s, kernel %s, %s, %d thread(s), JDK %s%s%n",
                CpuFeatures.detected().model(), Sgemm.kernelDescription(), Simd.describe(), threads,
                Runtime.version(), quick ? ", quick" : "");
        double peak = JmhRuns.peakGflops(threads, quick);
        out.printf(Locale.ROOT, "measured FMA peak: %.1f GFLOP/s%n%n", peak);
        List<Point> points = new ArrayList<>();
        for (GemmShape s : GemmShape.SQUARES) {
            points.add(measure(s, "percall", peak, tiers));
        }
        for (GemmShape s : GemmShape.LAYERS) {
            Point percall = measure(s, "percall", peak, tiers);
            points.add(measure(s, "prepacked", peak, tiers).withNaive(percall.naiveMs()));
            points.add(percall);
        }
        // The peak is measured again at the end and the higher figure kept: on a shared machine a
        // disturbed peak run would otherwise inflate every percentage.
        double again = JmhRuns.peakGflops(threads, quick);
        if (again > peak) {
            double scale = peak / again;
            points.replaceAll(p -> p.rescaled(scale));
            peak = again;
        }
        GemmReport.table(out, points, peak);
        if (json != null) {
            Path file = GemmReport.writeJson(json, points, peak, threads, quick);
            out.println("wrote " + file);
        }
        Files.deleteIfExists(tiers);
    }

    private Point measure(GemmShape s, String packing, double peak, Path tiers) throws IOException, RunnerException {
        progress(s + " " + packing);
        double ms = score(options(SgemmBench.class.getName() + ".sgemm$").param("shape", s.name())
                .param("packing", packing).param("threads", Integer.toString(threads))
                .jvmArgsAppend(JmhRuns.forkFlags("-D" + JitCheck.FILE_PROPERTY + "=" + tiers)));
        int tier = lastTier(tiers);
        double naiveMs = Double.NaN;
        if (packing.equals("percall") && s.flops() <= NaiveGemmBench.MAX_FLOPS) {
            progress(s + " naive loop");
            naiveMs = score(options(NaiveGemmBench.class.getName() + ".naive$").param("shape", s.name()));
        }
        double gflops = s.flops() / ms / 1e6;
        return new Point(s, packing, threads, ms, gflops, 100 * gflops / peak, naiveMs, tier);
    }

    private ChainedOptionsBuilder options(String include) {
        return JmhRuns.options(include, quick);
    }

    private static double score(ChainedOptionsBuilder options) throws RunnerException {
        return JmhRuns.median(options);
    }

    private static int lastTier(Path tiers) throws IOException {
        List<String> lines = Files.readAllLines(tiers, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return -1;
        }
        String last = lines.get(lines.size() - 1);
        return Integer.parseInt(last.substring(last.lastIndexOf('=') + 1).trim());
    }

    private void progress(String what) {
        JmhRuns.progress(what);
    }
}
