package dev.fovea.simd.internal;

import java.lang.foreign.MemorySegment;

/**
 * Helpers for masked accesses of {@link FloatSpecies#SPECIES} vectors that stay on the Vector API's
 * intrinsic paths. Two traps behind them (JDK 25, measured on Zen 4):
 * <ul>
 * <li>{@code species.indexInRange(offset, limit)} with a negative offset (a tap left of a row)
 *     leaves the intrinsics and allocates a mask per call; {@link #laneBits} gives its bits.
 * <li>a masked load or store whose full vector window is not inside the segment (the last rows of
 *     the last plane, the first element of the first) takes a per-lane fallback that allocates
 *     and, by boxing the vector, makes C2 allocate at the vector's producer: a depthwise call
 *     allocated up to 0.67 MB that way. {@link #fits} tells the callers when to take a scalar
 *     path instead.
 * </ul>
 */
public final class PartialVectors {
    private static final int L = FloatSpecies.LANES;

    private PartialVectors() {}

    /**
     * Returns the bits of the mask of lanes {@code q} with {@code 0 <= from + q < limit}, any sign of
     * {@code from}, for {@code VectorMask.fromLong(FloatSpecies.SPECIES, bits)} in the caller (a mask
     * returned from a method that is not inlined would be boxed: a long is not).
     */
    public static long laneBits(long from, long limit) {
        long lo = Math.max(0, -from);
        long hi = Math.min(L, limit - from);
        return hi <= lo ? 0 : ((1L << hi) - 1) & (-1L << lo);
    }

    /** Returns true if the vector window at byte {@code byteOff} lies inside {@code s}. */
    public static boolean fits(MemorySegment s, long byteOff) {
        return byteOff >= 0 && byteOff <= s.byteSize() - (long) L * Float.BYTES;
    }
}
