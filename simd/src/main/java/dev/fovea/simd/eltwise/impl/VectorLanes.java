package dev.fovea.simd.eltwise.impl;

import static dev.fovea.simd.eltwise.impl.Mem.bytes;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Building blocks of the vector elementwise kernels: the species, segment loads and stores at
 * float-element offsets, and the lane functions that are more than one Vector API call. Small on
 * purpose so that C2 inlines them into every kernel loop. Loaded only on the vector path.
 */
public final class VectorLanes {
    /** The kernels' species, {@link FloatSpecies#SPECIES}. */
    public static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    /** Lanes of {@link #S}. */
    public static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();

    private VectorLanes() {}

    /** The vector of floats at element offset {@code i} of {@code s}. */
    public static FloatVector load(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(S, s, bytes(i), O);
    }

    /** As {@link #load(MemorySegment, long)}, lanes outside {@code m} read as 0 and not accessed. */
    public static FloatVector load(MemorySegment s, long i, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, bytes(i), O, m);
    }

    /** Stores {@code v} at element offset {@code i} of {@code s}. */
    public static void store(FloatVector v, MemorySegment s, long i) {
        v.intoMemorySegment(s, bytes(i), O);
    }

    /** Stores the lanes of {@code v} selected by {@code m}. */
    public static void store(FloatVector v, MemorySegment s, long i, VectorMask<Float> m) {
        v.intoMemorySegment(s, bytes(i), O, m);
    }

    /** {@code 1 / x}. */
    public static FloatVector reciprocal(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(x);
    }

    /** {@code max(x, 0)} with NaN kept and {@code -0} mapped to {@code +0}, like the scalar {@code x <= 0 ? 0 : x}. */
    public static FloatVector relu(FloatVector x) {
        return x.blend(0f, x.compare(VectorOperators.LE, 0f));
    }

    /** 1, -1 or 0 (for zeros and NaN, as PyTorch). */
    public static FloatVector sign(FloatVector x) {
        return FloatVector.zero(S).blend(1f, x.compare(VectorOperators.GT, 0f))
                .blend(-1f, x.compare(VectorOperators.LT, 0f));
    }

    /** 1f where {@code m} is set, else 0f. */
    public static FloatVector bool(VectorMask<Float> m) {
        return FloatVector.zero(S).blend(1f, m);
    }
}
