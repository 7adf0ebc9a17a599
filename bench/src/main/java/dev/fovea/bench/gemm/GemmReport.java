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
import java.util.List;
import java.util.Locale;

/** Formats the points of {@link GemmCommand} as an aligned table and as JSON. */
final class GemmReport {
    private GemmReport() {}

    /** Prints one aligned row per point; "-" where the naive loop was not run. */
    static void table(PrintStream out, List<GemmCommand.Point> points, double peak) {
        String head = String.format(Locale.ROOT, "%-16s %5s %6s %5s  %-9s %10s %8s %7s %10s %8s  %s",
                "shape", "M", "N", "K", "A", "ms", "GFLOP/s", "%peak", "naive ms", "x naive", "JIT");
        out.println(head);
        out.println("-".repeat(head.length()));
        for (GemmCommand.Point p : points) {
            out.printf(Locale.ROOT, "%-16s %5d %6d %5d  %-9s %10.4f %8.1f %6.1f%% %10s %8s  %s%n",
                    p.shape().name(), p.shape().m(), p.shape().n(), p.shape().k(), p.packing(), p.ms(), p.gflops(),
                    p.pctPeak(), Double.isNaN(p.naiveMs()) ? "-" : String.format(Locale.ROOT, "%.3f", p.naiveMs()),
                    Double.isNaN(p.speedup()) ? "-" : String.format(Locale.ROOT, "%.1fx", p.speedup()),
                    p.tier() == 4 ? "C2" : "tier " + p.tier() + " (NOT C2)");
        }
        out.printf(Locale.ROOT, "%% of the FMA peak measured in this run: %.1f GFLOP/s%n", peak);
    }

    /**
     * Writes the JSON report to {@code target}, or, if it is an existing directory, to a file in it
     * named after the CPU, species, thread count and JDK; returns the file written.
     */
    static Path writeJson(Path target, List<GemmCommand.Point> points, double peak, int threads, boolean quick)
            throws IOException {
        Path file = target;
        if (Files.isDirectory(target)) {
            file = target.resolve(JmhRuns.fileName("gemm", threads));
        }
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"benchmark\": \"gemm\",\n");
        sb.append("  \"date\": ").append(str(OffsetDateTime.now().toString())).append(",\n");
        sb.append("  \"quick\": ").append(quick).append(",\n");
        sb.append("  \"machine\": {\"cpu\": ").append(str(CpuFeatures.detected().model()))
                .append(", \"simd\": ").append(str(Simd.describe()))
                .append(", \"kernel\": ").append(str(Sgemm.kernelDescription()))
                .append(", \"threads\": ").append(threads)
                .append(", \"jdk\": ").append(str(Runtime.version().toString()))
                .append(", \"vm\": ").append(str(System.getProperty("java.vm.name"))).append("},\n");
        sb.append("  \"peakGflops\": ").append(num(peak)).append(",\n  \"results\": [\n");
        for (int i = 0; i < points.size(); i++) {
            GemmCommand.Point p = points.get(i);
            sb.append("    {\"shape\": ").append(str(p.shape().name()))
                    .append(", \"m\": ").append(p.shape().m()).append(", \"n\": ").append(p.shape().n())
                    .append(", \"k\": ").append(p.shape().k()).append(", \"packing\": ").append(str(p.packing()))
                    .append(", \"threads\": ").append(p.threads()).append(", \"ms\": ").append(num(p.ms()))
                    .append(", \"gflops\": ").append(num(p.gflops())).append(", \"pctPeak\": ").append(num(p.pctPeak()))
                    .append(", \"naiveMs\": ").append(num(p.naiveMs())).append(", \"speedupNaive\": ")
                    .append(num(p.speedup())).append(", \"kernelTier\": ").append(p.tier()).append('}')
                    .append(i + 1 < points.size() ? ",\n" : "\n");
        }
        sb.append("  ]\n}\n");
        Files.writeString(file, sb, StandardCharsets.UTF_8);
        return file;
    }

    private static String num(double v) {
        return JmhRuns.num(v);
    }

    private static String str(String s) {
        return JmhRuns.str(s);
    }
}
