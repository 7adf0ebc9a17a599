package dev.fovea.simd.eltwise.impl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Element access for the elementwise and reduction kernels. Kernel arguments are in float
 * elements; this class is the one place where they become byte offsets.
 */
public final class Mem {
    /** Native-order float, without an alignment requirement so that any segment works. */
    public static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Mem() {}

    /** Byte offset of float element {@code i}. */
    public static long bytes(long i) {
        return i * Float.BYTES;
    }

    /** The float at element index {@code i} of {@code s}. */
    public static float get(MemorySegment s, long i) {
        return s.getAtIndex(F, i);
    }

    /** Stores {@code v} at element index {@code i} of {@code s}. */
    public static void put(MemorySegment s, long i, float v) {
        s.setAtIndex(F, i, v);
    }
}
