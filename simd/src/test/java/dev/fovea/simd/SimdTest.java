package dev.fovea.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Checks that the probe honours the properties it was started with. The simd module's tests run
 * once per surefire execution (default width, -Dfovea.simd.bits=256, -Dfovea.simd.bits=0), so the
 * expectations are derived from the same properties, not hard-coded.
 */
class SimdTest {
    @Test
    void widthFollowsProperties() {
        String bits = System.getProperty(Simd.BITS_PROPERTY);
        boolean scalarForced = "scalar".equals(System.getProperty(Simd.SIMD_PROPERTY));
        // Surefire starts tests with --add-modules jdk.incubator.vector (parent pom).
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        assertTrue(Simd.preferredBits() >= 128, "preferred bits " + Simd.preferredBits());
        if (scalarForced || "0".equals(bits)) {
            assertFalse(Simd.vectorEnabled());
            assertEquals(0, Simd.vectorBits());
            assertEquals(1, Simd.floatLanes());
            assertEquals("scalar", Simd.describe());
            assertTrue(Simd.reason().contains("forced"), Simd.reason());
        } else if (bits != null) {
            int expected = Math.min(Integer.parseInt(bits), Simd.preferredBits());
            assertEquals(expected, Simd.vectorBits());
            assertEquals(expected / 32, Simd.floatLanes());
        } else {
            assertTrue(Simd.vectorEnabled());
            assertEquals(Simd.preferredBits(), Simd.vectorBits());
            assertEquals(Simd.vectorBits() / 32, Simd.floatLanes());
            assertTrue(Simd.describe().contains(Simd.vectorBits() + "-bit"), Simd.describe());
        }
    }
}
