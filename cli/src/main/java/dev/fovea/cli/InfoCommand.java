package dev.fovea.cli;

import dev.fovea.simd.CpuFeatures;
import dev.fovea.simd.Simd;
import dev.fovea.simd.parallel.ComputeContext;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code fovea info}: what Fovea runs on — version, JDK, kernel path, vector width, CPU, threads. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print Fovea's version, the JDK, the kernel path (Vector API or scalar) and why,"
                + " the vector species, the CPU's SIMD features and the default thread count.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> rows = report();
        int width = rows.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        rows.forEach((key, value) -> out.printf("%-" + width + "s%s%n", key + ":", value));
        out.flush();
        return 0;
    }

    /** Returns the report as ordered label/value pairs. */
    static Map<String, String> report() {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("Fovea", FoveaCli.version());
        rows.put("JDK", System.getProperty("java.vm.vendor") + " " + Runtime.version()
                + " (" + System.getProperty("java.home") + ")");
        rows.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " " + System.getProperty("os.arch"));
        rows.put("Vector API", Simd.vectorEnabled() ? "in use (jdk.incubator.vector)" : "not in use");
        rows.put("Kernels", Simd.describe() + " -- " + Simd.reason());
        rows.put("Species", Simd.preferredBits() > 0
                ? "preferred FloatVector.SPECIES_" + Simd.preferredBits() + " ("
                        + Simd.preferredBits() / Float.SIZE + " float lanes); kernels use "
                        + (Simd.vectorEnabled() ? Simd.vectorBits() + "-bit (" + Simd.floatLanes() + " lanes)"
                                : "none (scalar)")
                : "unavailable");
        CpuFeatures cpu = CpuFeatures.detected();
        rows.put("CPU", cpu.model() + ", " + Runtime.getRuntime().availableProcessors() + " processors");
        rows.put("SIMD features", cpu.simdFlags().isEmpty() ? "unknown" : String.join(" ", cpu.simdFlags()));
        rows.put("Threads", ComputeContext.defaultThreads() + " (default compute context; set with -D"
                + ComputeContext.THREADS_PROPERTY + "=N)");
        return rows;
    }
}
