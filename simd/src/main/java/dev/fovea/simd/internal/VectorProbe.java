package dev.fovea.simd.internal;

import jdk.incubator.vector.FloatVector;

/**
 * The only class {@link dev.fovea.simd.Simd} touches that links against the Vector API; it is loaded
 * only after the probe has seen {@code jdk.incubator.vector} in the boot layer.
 */
public final class VectorProbe {
    private VectorProbe() {}

    /** Returns the bit width of {@code FloatVector.SPECIES_PREFERRED} on this CPU. */
    public static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
