package dev.fovea.simd.norm;

import static dev.fovea.simd.eltwise.impl.Mem.bytes;
import static dev.fovea.simd.eltwise.impl.Mem.get;
import static dev.fovea.simd.eltwise.impl.Mem.put;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API elementwise passes of the normalization kernels: {@link Norm#normalize},
 * {@link Norm#backward} and {@link Norm#normalizeRows}; loaded only on the vector path. No
 * argument checks. Each lane computes {@link NormScalar}'s float formula with the same fused
 * multiply-adds in the same order, so the two paths agree bit for bit; run tails (fewer than
 * {@code L} elements) take the scalar formula.
 *
 * <p>Runs of {@code inner >= 2} elements broadcast their channel's coefficients over the run; for
 * {@code inner == 1} (a {@code (n, c)} batch norm) a row's channels are contiguous, so the
 * coefficients are loaded as vectors instead ({@code *Columns}).
 */
final class NormVectorAffine {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();

    private NormVectorAffine() {}

    private static FloatVector load(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(S, s, bytes(i), O);
    }

    private static void store(FloatVector v, MemorySegment s, long i) {
        v.intoMemorySegment(s, bytes(i), O);
    }

    /** {@code y = fma(x - mean[c], scale[c], shift[c])} over runs {@code [r0, r1)}, {@code inner >= 2}. */
    static void normalize(NormDims d, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment k,
                          long kOff, long r0, long r1) {
        long ch = d.channels();
        long inner = d.inner();
        long full = inner - inner % L;
        for (long r = r0; r < r1; r++) {
            long c = r % ch;
            float mean = get(k, kOff + c);
            float scale = get(k, kOff + ch + c);
            float shift = get(k, kOff + 2 * ch + c);
            FloatVector sv = FloatVector.broadcast(S, scale);
            FloatVector hv = FloatVector.broadcast(S, shift);
            long base = r * inner;
            for (long i = base; i < base + full; i += L) {
                store(load(x, xOff + i).sub(mean).fma(sv, hv), y, yOff + i);
            }
            for (long i = base + full; i < base + inner; i++) {
                put(y, yOff + i, Math.fma(get(x, xOff + i) - mean, scale, shift));
            }
        }
    }

    /** {@link #normalize} for {@code inner == 1}, over rows {@code [o0, o1)}. */
    static void normalizeColumns(NormDims d, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment k,
                                 long kOff, long o0, long o1) {
        long ch = d.channels();
        long full = ch - ch % L;
        for (long o = o0; o < o1; o++) {
            long row = o * ch;
            for (long c = 0; c < full; c += L) {
                FloatVector v = load(x, xOff + row + c).sub(load(k, kOff + c));
                store(v.fma(load(k, kOff + ch + c), load(k, kOff + 2 * ch + c)), y, yOff + row + c);
            }
            for (long c = full; c < ch; c++) {
                float v = get(x, xOff + row + c) - get(k, kOff + c);
                put(y, yOff + row + c, Math.fma(v, get(k, kOff + ch + c), get(k, kOff + 2 * ch + c)));
            }
        }
    }

    /** {@code dx = fma(a[c], g, fma(b[c], x - center[c], bias[c]))} over runs {@code [r0, r1)}, {@code inner >= 2}. */
    static void backward(NormDims d, MemorySegment g, long gOff, MemorySegment x, long xOff, MemorySegment dx,
                         long dxOff, MemorySegment k, long kOff, long r0, long r1) {
        long ch = d.channels();
        long inner = d.inner();
        long full = inner - inner % L;
        for (long r = r0; r < r1; r++) {
            long c = r % ch;
            float center = get(k, kOff + c);
            float a = get(k, kOff + ch + c);
            float b = get(k, kOff + 2 * ch + c);
            float bias = get(k, kOff + 3 * ch + c);
            FloatVector av = FloatVector.broadcast(S, a);
            FloatVector bv = FloatVector.broadcast(S, b);
            FloatVector biasV = FloatVector.broadcast(S, bias);
            long base = r * inner;
            for (long i = base; i < base + full; i += L) {
                FloatVector rest = load(x, xOff + i).sub(center).fma(bv, biasV);
                store(load(g, gOff + i).fma(av, rest), dx, dxOff + i);
            }
            for (long i = base + full; i < base + inner; i++) {
                float dev = get(x, xOff + i) - center;
                put(dx, dxOff + i, Math.fma(a, get(g, gOff + i), Math.fma(b, dev, bias)));
            }
        }
    }

    /** {@link #backward} for {@code inner == 1}, over rows {@code [o0, o1)}. */
    static void backwardColumns(NormDims d, MemorySegment g, long gOff, MemorySegment x, long xOff, MemorySegment dx,
                                long dxOff, MemorySegment k, long kOff, long o0, long o1) {
        long ch = d.channels();
        long full = ch - ch % L;
        for (long o = o0; o < o1; o++) {
            long row = o * ch;
            for (long c = 0; c < full; c += L) {
                FloatVector dev = load(x, xOff + row + c).sub(load(k, kOff + c));
                FloatVector rest = dev.fma(load(k, kOff + 2 * ch + c), load(k, kOff + 3 * ch + c));
                store(load(g, gOff + row + c).fma(load(k, kOff + ch + c), rest), dx, dxOff + row + c);
            }
            for (long c = full; c < ch; c++) {
                float dev = get(x, xOff + row + c) - get(k, kOff + c);
                float rest = Math.fma(get(k, kOff + 2 * ch + c), dev, get(k, kOff + 3 * ch + c));
                put(dx, dxOff + row + c, Math.fma(get(k, kOff + ch + c), get(g, gOff + row + c), rest));
            }
        }
    }

    /**
     * Layer norm's pass over rows {@code [r0, r1)} of {@code (rows, cols)}:
     * {@code y = fma((x - mean[r]) * invstd[r], w[i], b[i])}, {@code w = 1} and {@code b = 0} where null.
     */
    static void normalizeRows(long rows, long cols, MemorySegment x, long xOff, MemorySegment y, long yOff,
                              MemorySegment st, long stOff, MemorySegment w, long wOff, MemorySegment b, long bOff,
                              long r0, long r1) {
        long full = cols - cols % L;
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        for (long r = r0; r < r1; r++) {
            float mean = get(st, stOff + r);
            FloatVector invstd = FloatVector.broadcast(S, get(st, stOff + rows + r));
            long base = r * cols;
            for (long i = 0; i < full; i += L) {
                FloatVector t = load(x, xOff + base + i).sub(mean).mul(invstd);
                FloatVector wv = w == null ? one : load(w, wOff + i);
                FloatVector bv = b == null ? zero : load(b, bOff + i);
                store(t.fma(wv, bv), y, yOff + base + i);
            }
            float inv = get(st, stOff + rows + r);
            for (long i = full; i < cols; i++) {
                float t = (get(x, xOff + base + i) - mean) * inv;
                float wi = w == null ? 1f : get(w, wOff + i);
                float bi = b == null ? 0f : get(b, bOff + i);
                put(y, yOff + base + i, Math.fma(t, wi, bi));
            }
        }
    }
}
