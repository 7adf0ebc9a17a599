package dev.fovea.simd.norm;

import static dev.fovea.simd.eltwise.impl.Mem.bytes;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loops of {@link MaskedAffine}; loaded only on the vector path. No argument
 * checks. Each returns how far it got; the caller finishes the tail with the scalar formula.
 */
final class MaskedAffineVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final long LANE_BITS = L >= 64 ? -1L : (1L << L) - 1;

    private MaskedAffineVector() {}

    /**
     * Elements {@code [i0, i1)} ({@code i0} a multiple of 64) in whole vectors; returns the first
     * element not done. The {@code L} bits of a vector never straddle two mask words because
     * {@code L} divides 64.
     */
    static long apply(long i0, long i1, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment mask,
                      long maskOff, float keepScale, float keepShift, float dropScale, float dropShift) {
        if (64 % L != 0) {
            return i0;
        }
        FloatVector ks = FloatVector.broadcast(S, keepScale);
        FloatVector kt = FloatVector.broadcast(S, keepShift);
        FloatVector ds = FloatVector.broadcast(S, dropScale);
        FloatVector dt = FloatVector.broadcast(S, dropShift);
        long i = i0;
        for (; i + L <= i1; i += L) {
            long word = BernoulliMask.word(mask, maskOff, i >>> 6);
            VectorMask<Float> keep = VectorMask.fromLong(S, (word >>> (i & 63)) & LANE_BITS);
            FloatVector v = FloatVector.fromMemorySegment(S, x, bytes(xOff + i), O);
            v.fma(ds.blend(ks, keep), dt.blend(kt, keep)).intoMemorySegment(y, bytes(yOff + i), O);
        }
        return i;
    }

    /** {@code y = fma(x, s, t)} over {@code n} elements in whole vectors; returns how many were done. */
    static long affine(MemorySegment x, long xOff, MemorySegment y, long yOff, long n, float s, float t) {
        FloatVector sv = FloatVector.broadcast(S, s);
        FloatVector tv = FloatVector.broadcast(S, t);
        long i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromMemorySegment(S, x, bytes(xOff + i), O).fma(sv, tv)
                    .intoMemorySegment(y, bytes(yOff + i), O);
        }
        return i;
    }
}
