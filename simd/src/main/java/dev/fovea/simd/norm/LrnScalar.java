package dev.fovea.simd.norm;

import static dev.fovea.simd.eltwise.impl.Mem.get;
import static dev.fovea.simd.eltwise.impl.Mem.put;

import dev.fovea.simd.eltwise.impl.ScalarMath;
import java.lang.foreign.MemorySegment;

/**
 * The scalar reference of local response normalization ({@link Lrn}): the fallback when the
 * vector path is off, the tail of each run on the vector path, and the oracle of
 * {@link LrnVector}, which computes the same float formula lane by lane (same fused
 * multiply-adds, same channel order, {@link ScalarMath}'s exp and log), so the two agree bit for
 * bit. No argument checks.
 */
final class LrnScalar {
    private LrnScalar() {}

    /** First channel of output channel {@code c}'s window: {@code c - size / 2}, clipped at 0. */
    static long windowBegin(long c, int size) {
        return Math.max(0, c - size / 2);
    }

    /** One past the last channel of {@code c}'s window: {@code c + (size - 1) / 2 + 1}, clipped at {@code ch}. */
    static long windowEnd(long c, int size, long ch) {
        return Math.min(ch, c + (size - 1) / 2 + 1);
    }

    /** Forward over runs {@code [r0, r1)}, elements {@code [i0, i1)} of each run. */
    static void forward(NormDims d, int size, float alphaOverSize, float beta, float k, MemorySegment x, long xOff,
                        MemorySegment y, long yOff, MemorySegment div, long divOff, long r0, long r1, long i0,
                        long i1) {
        long ch = d.channels();
        long inner = d.inner();
        for (long r = r0; r < r1; r++) {
            long o = r / ch;
            long c = r % ch;
            long lo = windowBegin(c, size);
            long hi = windowEnd(c, size, ch);
            for (long i = i0; i < i1; i++) {
                float sq = 0;
                for (long j = lo; j < hi; j++) {
                    float v = get(x, xOff + (o * ch + j) * inner + i);
                    sq = Math.fma(v, v, sq);
                }
                float dv = Math.fma(sq, alphaOverSize, k);
                long at = r * inner + i;
                put(y, yOff + at, get(x, xOff + at) / ScalarMath.exp(ScalarMath.log(dv) * beta));
                if (div != null) {
                    put(div, divOff + at, dv);
                }
            }
        }
    }

    /**
     * Input gradient over runs {@code [r0, r1)}, elements {@code [i0, i1)}:
     * {@code dx = fma(g, exp(-beta log div), -(coef * (x * s)))} with
     * {@code s = sum over the channels whose window holds this one of g * y / div}.
     */
    static void backward(NormDims d, int size, float beta, float coef, MemorySegment g, long gOff, MemorySegment x,
                         long xOff, MemorySegment y, long yOff, MemorySegment div, long divOff, MemorySegment dx,
                         long dxOff, long r0, long r1, long i0, long i1) {
        long ch = d.channels();
        long inner = d.inner();
        for (long r = r0; r < r1; r++) {
            long o = r / ch;
            long j = r % ch;
            long lo = Math.max(0, j - (size - 1) / 2);
            long hi = Math.min(ch, j + size / 2 + 1);
            for (long i = i0; i < i1; i++) {
                float s = 0;
                for (long c = lo; c < hi; c++) {
                    long at = (o * ch + c) * inner + i;
                    s = Math.fma(get(g, gOff + at), get(y, yOff + at) / get(div, divOff + at), s);
                }
                long at = r * inner + i;
                float rj = ScalarMath.exp(ScalarMath.log(get(div, divOff + at)) * -beta);
                put(dx, dxOff + at, Math.fma(get(g, gOff + at), rj, -(coef * (get(x, xOff + at) * s))));
            }
        }
    }
}
