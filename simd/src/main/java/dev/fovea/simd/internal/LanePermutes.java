package dev.fovea.simd.internal;

import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.FloatVector;

/**
 * Index vectors for two-source permutes of {@link FloatSpecies#SPECIES}
 * ({@code index.selectFrom(a, b)}: index {@code i < L} picks lane {@code i} of {@code a},
 * {@code L + i} lane {@code i} of {@code b}), built once into {@code static final} fields by
 * the kernels that use them. Every vector kernel of a JVM uses this one species: a second
 * species in the same JVM (e.g. 256-bit edge kernels next to 512-bit main kernels) splits the
 * type profiles of the Vector API's shared methods, and a kernel compiled after the profile
 * favours the other species can run 10-30x slower, its vector operations left un-intrinsified
 * (Zen 4, JDK 25: a 512 x 4 x 512 GEMM on a 256-bit edge kernel ran at 2.6 GFLOP/s after a
 * 512 x 49 x 64 one in the same JVM, 33 in a fresh one; with one species, 45 either way).
 */
public final class LanePermutes {
    private static final int L = FloatSpecies.LANES;

    private LanePermutes() {}

    /** An index vector with lane {@code i} set to {@code f(i)}. */
    public static FloatVector of(IntUnaryOperator f) {
        float[] x = new float[L];
        for (int i = 0; i < L; i++) {
            x[i] = f.applyAsInt(i);
        }
        return FloatVector.fromArray(FloatSpecies.SPECIES, x, 0);
    }

    /**
     * Interleaves groups of {@code group} lanes of two vectors: {@code a}'s group, then
     * {@code b}'s, from the lower ({@code upper == false}) or upper half of each. With group 1
     * that is {@code a0 b0 a1 b1 ..}; with group 2 {@code a0 a1 b0 b1 a2 a3 b2 b3 ..}.
     */
    public static FloatVector interleave(int group, boolean upper) {
        return of(i -> ((i / group) % 2 == 0 ? 0 : L) + (upper ? L / 2 : 0) + group * (i / (2 * group)) + i % group);
    }
}
