package dev.fovea.bench.gemm;

import dev.fovea.simd.gemm.Sgemm;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import javax.management.ObjectName;

/**
 * Checks the C1/C2 trap of PERFORMANCE-NOTES: asks this JVM (the {@code Compiler.codelist}
 * diagnostic command, as {@code jcmd} does) at which tier the SGEMM micro-kernel runs. A kernel
 * that never reached tier 4 (C2) is a bug to fix, not a figure to report, so benchmarks record
 * the tier next to every result.
 */
public final class JitCheck {
    /** System property naming a file the benchmark JVM appends its tier lines to. */
    public static final String FILE_PROPERTY = "fovea.bench.jitcheck";

    private JitCheck() {}

    /** Returns the class and method name of the micro-kernel this JVM uses, e.g. {@code SgemmKernel512.micro8x32}. */
    public static String kernelMethod() {
        String d = Sgemm.kernelDescription();
        String tile = d.substring(0, d.indexOf(' '));
        String cls = d.endsWith("scalar") ? "Scalar" : d.substring(d.indexOf(' ') + 1, d.indexOf('-'));
        return "SgemmKernel" + cls + ".micro" + tile;
    }

    /**
     * Returns the compilation tier (0 interpreted .. 4 C2) of the micro-kernel in this JVM: the
     * lowest, over the variants of the main tile that were compiled ({@code micro8x32},
     * {@code micro8x32PackB} that packs or reads B directly, {@code micro8x32PackRows}), of each
     * variant's highest tier; 0 if none was compiled. Small products run only the direct-B
     * variant, so asking for {@code micro8x32} alone reported them as never compiled.
     */
    public static int kernelTier() {
        return lowestTier(codelist(), "dev.fovea.simd.gemm." + kernelMethod());
    }

    /**
     * Returns, over the methods of a {@code Compiler.codelist} output whose name starts with
     * {@code prefix}, the lowest of their highest tiers; 0 if there is none.
     */
    static int lowestTier(String codelist, String prefix) {
        Map<String, Integer> tiers = new HashMap<>();
        for (String line : codelist.split("\n")) {
            String[] f = line.trim().split("\\s+");
            int at = line.indexOf(prefix);
            int paren = at < 0 ? -1 : line.indexOf('(', at);
            if (f.length > 3 && paren > 0) {
                try {
                    tiers.merge(line.substring(at, paren), Integer.parseInt(f[1]), Math::max);
                } catch (NumberFormatException ignored) {
                    // a line of another format: not a method entry
                }
            }
        }
        return tiers.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    }

    private static String codelist() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerCodelist",
                    new Object[] {null}, new String[] {String[].class.getName()});
            return String.valueOf(out);
        } catch (Exception e) {
            return "";
        }
    }

    /** Appends {@code "<label> tier=<n>"} to the file named by {@link #FILE_PROPERTY}, if set. */
    public static void record(String label) {
        String file = System.getProperty(FILE_PROPERTY);
        int tier = kernelTier();
        if (tier < 4) {
            System.err.println("WARNING: " + kernelMethod() + "* runs at tier " + tier + " (not C2) in " + label);
        }
        if (file == null || file.isBlank()) {
            return;
        }
        try {
            Files.writeString(Path.of(file), label + " tier=" + tier + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("JitCheck: cannot write " + file + ": " + e.getMessage());
        }
    }
}
