package dev.fovea.simd.internal;

import dev.fovea.simd.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float species the vector kernels use, fixed at class initialisation from {@link Simd#BITS}
 * so that the JIT sees a constant. Only vector kernel classes load this class, and only on the
 * vector path.
 */
public final class FloatSpecies {
    /** The species of {@link Simd#BITS} bits (the preferred species if {@code BITS} is 0). */
    public static final VectorSpecies<Float> SPECIES = Simd.BITS > 0
            ? VectorSpecies.of(float.class, VectorShape.forBitSize(Simd.BITS))
            : FloatVector.SPECIES_PREFERRED;
    /** Lanes of {@link #SPECIES}. */
    public static final int LANES = SPECIES.length();

    private FloatSpecies() {}
}
