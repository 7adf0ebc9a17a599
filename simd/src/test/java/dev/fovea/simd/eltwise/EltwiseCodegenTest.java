package dev.fovea.simd.eltwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The generated vector loops must be what {@link EltwiseCodegen} and {@link ActivationCodegen}
 * produce now. With
 * {@code -Dfovea.codegen.write=true} the test rewrites them instead.
 */
class EltwiseCodegenTest {
    @Test
    void generatedKernelsAreUpToDate() throws IOException {
        if (Boolean.getBoolean("fovea.codegen.write")) {
            EltwiseCodegen.main(new String[0]);
            ActivationCodegen.main(new String[0]);
        }
        Path dir = EltwiseCodegen.DIR;
        assumeTrue(Files.isDirectory(dir), "run from the simd module directory to check generated sources");
        assertEquals(EltwiseCodegen.unarySource(), Files.readString(dir.resolve("UnaryVectorOps.java")),
                "UnaryVectorOps.java is stale: regenerate with -Dfovea.codegen.write=true");
        assertEquals(EltwiseCodegen.binarySource(), Files.readString(dir.resolve("BinaryVectorOps.java")),
                "BinaryVectorOps.java is stale: regenerate with -Dfovea.codegen.write=true");
        assertEquals(ActivationCodegen.source(), Files.readString(dir.resolve(ActivationCodegen.FILE)),
                ActivationCodegen.FILE + " is stale: regenerate with -Dfovea.codegen.write=true");
    }
}
