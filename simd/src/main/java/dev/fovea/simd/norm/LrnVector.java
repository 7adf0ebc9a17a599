package dev.fovea.simd.norm;

import static dev.fovea.simd.eltwise.impl.Mem.bytes;

import dev.fovea.simd.eltwise.impl.FloatVectorMath;
import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels of local response normalization, vectorized along the run (the spatial
 * positions of one channel): each lane computes {@link LrnScalar}'s formula for one position,
 * with the channel window walked in the same order, so the results equal the scalar reference
 * bit for bit; the last {@code inner % L} positions of a run take the scalar formula. Loaded only
 * on the vector path; no argument checks.
 */
final class LrnVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();

    private LrnVector() {}

    private static FloatVector load(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(S, s, bytes(i), O);
    }

    private static void store(FloatVector v, MemorySegment s, long i) {
        v.intoMemorySegment(s, bytes(i), O);
    }

    /** Forward over runs {@code [r0, r1)}, as {@link LrnScalar#forward}. */
    static void forward(NormDims d, int size, float alphaOverSize, float beta, float k, MemorySegment x, long xOff,
                        MemorySegment y, long yOff, MemorySegment div, long divOff, long r0, long r1) {
        long ch = d.channels();
        long inner = d.inner();
        long full = inner - inner % L;
        for (long r = r0; r < r1; r++) {
            long o = r / ch;
            long c = r % ch;
            long lo = LrnScalar.windowBegin(c, size);
            long hi = LrnScalar.windowEnd(c, size, ch);
            for (long i = 0; i < full; i += L) {
                FloatVector sq = FloatVector.zero(S);
                for (long j = lo; j < hi; j++) {
                    FloatVector v = load(x, xOff + (o * ch + j) * inner + i);
                    sq = v.fma(v, sq);
                }
                FloatVector dv = sq.fma(alphaOverSize, k);
                long at = r * inner + i;
                FloatVector pw = FloatVectorMath.exp(FloatVectorMath.log(dv).mul(beta));
                store(load(x, xOff + at).div(pw), y, yOff + at);
                if (div != null) {
                    store(dv, div, divOff + at);
                }
            }
            if (full < inner) {
                LrnScalar.forward(d, size, alphaOverSize, beta, k, x, xOff, y, yOff, div, divOff, r, r + 1, full,
                        inner);
            }
        }
    }

    /** Input gradient over runs {@code [r0, r1)}, as {@link LrnScalar#backward}. */
    static void backward(NormDims d, int size, float beta, float coef, MemorySegment g, long gOff, MemorySegment x,
                         long xOff, MemorySegment y, long yOff, MemorySegment div, long divOff, MemorySegment dx,
                         long dxOff, long r0, long r1) {
        long ch = d.channels();
        long inner = d.inner();
        long full = inner - inner % L;
        for (long r = r0; r < r1; r++) {
            long o = r / ch;
            long j = r % ch;
            long lo = Math.max(0, j - (size - 1) / 2);
            long hi = Math.min(ch, j + size / 2 + 1);
            for (long i = 0; i < full; i += L) {
                FloatVector s = FloatVector.zero(S);
                for (long c = lo; c < hi; c++) {
                    long at = (o * ch + c) * inner + i;
                    s = load(g, gOff + at).fma(load(y, yOff + at).div(load(div, divOff + at)), s);
                }
                long at = r * inner + i;
                FloatVector rj = FloatVectorMath.exp(FloatVectorMath.log(load(div, divOff + at)).mul(-beta));
                FloatVector t = load(x, xOff + at).mul(s).mul(coef).neg();
                store(load(g, gOff + at).fma(rj, t), dx, dxOff + at);
            }
            if (full < inner) {
                LrnScalar.backward(d, size, beta, coef, g, gOff, x, xOff, y, yOff, div, divOff, dx, dxOff, r, r + 1,
                        full, inner);
            }
        }
    }
}
