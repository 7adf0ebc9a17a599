package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The generated kernels of {@link ConvChannelLanes} must be what {@link ConvChannelLanesCodegen}
 * produces now. With {@code -Dfovea.codegen.write=true} the test rewrites them instead.
 */
class ConvChannelLanesCodegenTest {
    @Test
    void generatedKernelsAreUpToDate() throws IOException {
        if (Boolean.getBoolean("fovea.codegen.write")) {
            ConvChannelLanesCodegen.main(new String[0]);
        }
        assumeTrue(Files.isRegularFile(ConvChannelLanesCodegen.FILE),
                "run from the simd module directory to check generated sources");
        assertEquals(ConvChannelLanesCodegen.source(), Files.readString(ConvChannelLanesCodegen.FILE),
                ConvChannelLanesCodegen.FILE + " is stale: regenerate with -Dfovea.codegen.write=true");
    }
}
