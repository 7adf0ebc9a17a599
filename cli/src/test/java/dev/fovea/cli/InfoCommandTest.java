package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.Simd;
import dev.fovea.simd.parallel.ComputeContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class InfoCommandTest {
    private static String run(String... args) {
        CommandLine cli = FoveaCli.newCommandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute(args));
        return out.toString();
    }

    @Test
    void infoReportsTheProbeAndTheDefaultContext() {
        String out = run("info");
        assertTrue(out.contains("Threads:"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("Threads:")
                && l.contains(" " + ComputeContext.defaultThreads() + " (")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("Kernels:") && l.contains(Simd.describe())
                && l.contains(Simd.reason())), out);
        assertTrue(out.contains("Vector API:") && out.contains(Simd.vectorEnabled() ? "in use" : "not in use"), out);
        assertTrue(out.contains("SPECIES_" + Simd.preferredBits()), out);
        assertTrue(out.contains(Runtime.version().toString()), out);
    }

    @Test
    void versionOptionPrintsTheBuildVersion() {
        String out = run("--version");
        assertTrue(out.startsWith("Fovea "), out);
        assertTrue(!out.contains("${"), "version resource was not filtered: " + out);
    }

    /**
     * Starts a JVM without --add-modules jdk.incubator.vector: Fovea must run on its scalar
     * kernels and say why, instead of failing with NoClassDefFoundError.
     */
    @Test
    void withoutTheIncubatorModuleInfoReportsTheScalarFallbackAndWhy() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                FoveaCli.class.getName(), "info"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "subprocess timed out");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("Vector API:") && l.contains("not in use")), out);
        assertTrue(out.contains("--add-modules jdk.incubator.vector"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("Kernels:") && l.contains("scalar")), out);
    }
}
