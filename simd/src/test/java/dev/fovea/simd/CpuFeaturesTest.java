package dev.fovea.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuFeaturesTest {
    @Test
    void parsesModelAndKeepsOnlySimdFlagsSorted(@TempDir Path dir) throws IOException {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, """
                processor\t: 0
                model name\t: Test CPU 9000
                flags\t\t: fpu vme avx512f sse2 fma avx2 ht avx512bw
                processor\t: 1
                model name\t: Other CPU
                flags\t\t: fpu neon
                """);
        CpuFeatures f = CpuFeatures.detect(cpuinfo);
        assertEquals("Test CPU 9000", f.model());
        assertEquals(List.of("avx2", "avx512bw", "avx512f", "fma", "sse2"), f.simdFlags());
    }

    @Test
    void armFeaturesLineIsRead(@TempDir Path dir) throws IOException {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "Features\t: fp asimd evtstrm aes sve\n");
        assertEquals(List.of("asimd", "sve"), CpuFeatures.detect(cpuinfo).simdFlags());
    }

    @Test
    void missingFileGivesArchitectureAndNoFlags(@TempDir Path dir) {
        CpuFeatures f = CpuFeatures.detect(dir.resolve("absent"));
        assertEquals(System.getProperty("os.arch"), f.model());
        assertEquals(List.of(), f.simdFlags());
    }
}
