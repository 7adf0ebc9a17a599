package dev.fovea.simd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CPU's model name and SIMD feature flags, read once from {@code /proc/cpuinfo} on Linux.
 * Elsewhere (or if the file cannot be read) the model is the {@code os.arch} property and the flag
 * list is empty; nothing here decides which kernels run (that is {@link Simd}), it only reports.
 */
public final class CpuFeatures {
    private static final Set<String> SIMD_PREFIXES = Set.of(
            "sse", "ssse", "avx", "fma", "f16c", "amx", "asimd", "neon", "sve", "fp16", "bf16");

    private static final CpuFeatures DETECTED = detect(Path.of("/proc/cpuinfo"));

    private final String model;
    private final List<String> simdFlags;

    private CpuFeatures(String model, List<String> simdFlags) {
        this.model = model;
        this.simdFlags = List.copyOf(simdFlags);
    }

    /** Returns the features of the CPU this JVM runs on. */
    public static CpuFeatures detected() {
        return DETECTED;
    }

    /** Returns the CPU model name, or the architecture name if the model is unknown. */
    public String model() {
        return model;
    }

    /** Returns the SIMD-related feature flags (SSE, AVX, AVX-512, FMA, NEON, SVE ...), sorted. */
    public List<String> simdFlags() {
        return simdFlags;
    }

    /** Parses a cpuinfo file; package-private for tests. */
    static CpuFeatures detect(Path cpuinfo) {
        String arch = System.getProperty("os.arch", "unknown");
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo);
        } catch (IOException | SecurityException e) {
            return new CpuFeatures(arch, List.of());
        }
        String model = arch;
        Set<String> flags = new TreeSet<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (model.equals(arch) && (key.equals("model name") || key.equals("cpu model"))) {
                model = value;
            } else if (flags.isEmpty() && (key.equals("flags") || key.equals("features"))) {
                for (String flag : value.split("\\s+")) {
                    if (isSimd(flag)) {
                        flags.add(flag);
                    }
                }
            }
        }
        return new CpuFeatures(model, List.copyOf(flags));
    }

    private static boolean isSimd(String flag) {
        for (String prefix : SIMD_PREFIXES) {
            if (flag.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return model + " " + simdFlags;
    }
}
