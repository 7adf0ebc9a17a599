package dev.fovea.simd.internal;

import java.lang.foreign.MemorySegment;

/** Overlap of float ranges in native memory, for argument checks that refuse an output aliasing an input. */
public final class NativeRanges {
    private NativeRanges() {}

    /**
     * Returns true if {@code floats} floats from element {@code aOff} of {@code a} and as many
     * from element {@code bOff} of {@code b} share a byte; false when either segment is not native
     * memory (heap segments are not compared) or the ranges are empty.
     */
    public static boolean overlap(MemorySegment a, long aOff, MemorySegment b, long bOff, long floats) {
        if (!a.isNative() || !b.isNative() || floats <= 0) {
            return false;
        }
        long a0 = a.address() + aOff * Float.BYTES;
        long b0 = b.address() + bOff * Float.BYTES;
        long bytes = floats * Float.BYTES;
        return a0 < b0 + bytes && b0 < a0 + bytes;
    }
}
