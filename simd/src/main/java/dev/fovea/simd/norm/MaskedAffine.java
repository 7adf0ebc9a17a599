package dev.fovea.simd.norm;

import static dev.fovea.simd.eltwise.impl.Mem.get;
import static dev.fovea.simd.eltwise.impl.Mem.put;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.impl.Checks;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * The dropout kernel: a masked affine map {@code y = fma(x, s, t)} with
 * {@code (s, t) = (keepScale, keepShift)} where the element's {@link BernoulliMask} bit is set and
 * {@code (dropScale, dropShift)} where it is clear. Dropout is {@code (1 / (1 - p), 0, 0, 0)},
 * alpha dropout {@code (a, alpha a p, 0, alpha a (p - 1))}, and each one's input gradient the same
 * map with zero shifts. A dropped element is multiplied by 0 rather than replaced, so NaN and
 * infinity stay NaN, as PyTorch's {@code input * mask} does.
 *
 * <p>{@link #apply} takes one bit per element, {@link #applyPlanes} one bit per plane of
 * {@code inner} elements (channel-wise dropout). The vector path turns {@code L} mask bits into a
 * lane mask and blends the coefficients; each lane computes the scalar formula, so both paths give
 * the same bits, and the work is split over elements or planes (results independent of the thread
 * count). Arguments are checked before any work; {@code y} may be {@code x} itself, otherwise they
 * must not overlap.
 */
public final class MaskedAffine {
    private MaskedAffine() {}

    /**
     * {@code y[i] = fma(x[i], s, t)} for {@code i < n}, with {@code (s, t)} chosen by bit {@code i} of the mask.
     *
     * @throws IllegalArgumentException if {@code n < 0} or a segment is too small
     */
    public static void apply(long n, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment mask,
                             long maskOff, float keepScale, float keepShift, float dropScale, float dropShift,
                             ComputeContext ctx) {
        String k = "MaskedAffine.apply";
        Checks.count(k, n);
        Checks.input(k, "x", x, xOff, 1, n);
        Checks.output(k, "y", y, yOff, 1, n);
        BernoulliMask.checkWords(k, mask, maskOff, n);
        Norm.split(ctx, BernoulliMask.words(n), 64, (w0, w1) -> {
            long i0 = w0 * 64;
            long i1 = Math.min(n, w1 * 64);
            long done = i0;
            if (Simd.VECTOR) {
                done = MaskedAffineVector.apply(i0, i1, x, xOff, y, yOff, mask, maskOff, keepScale, keepShift,
                        dropScale, dropShift);
            }
            for (long i = done; i < i1; i++) {
                boolean keep = BernoulliMask.get(mask, maskOff, i);
                put(y, yOff + i, Math.fma(get(x, xOff + i), keep ? keepScale : dropScale, keep ? keepShift : dropShift));
            }
        }, x, y, mask);
    }

    /**
     * For each of {@code planes} planes of {@code inner} contiguous elements:
     * {@code y = fma(x, s, t)} with {@code (s, t)} chosen by the plane's bit of the mask.
     *
     * @throws IllegalArgumentException if a count is negative or a segment is too small
     */
    public static void applyPlanes(long planes, long inner, MemorySegment x, long xOff, MemorySegment y, long yOff,
                                   MemorySegment mask, long maskOff, float keepScale, float keepShift,
                                   float dropScale, float dropShift, ComputeContext ctx) {
        String k = "MaskedAffine.applyPlanes";
        NormDims d = new NormDims(1, planes, inner);
        Checks.input(k, "x", x, xOff, 1, d.elements());
        Checks.output(k, "y", y, yOff, 1, d.elements());
        BernoulliMask.checkWords(k, mask, maskOff, planes);
        Norm.split(ctx, planes, inner, (p0, p1) -> {
            for (long p = p0; p < p1; p++) {
                boolean keep = BernoulliMask.get(mask, maskOff, p);
                float s = keep ? keepScale : dropScale;
                float t = keep ? keepShift : dropShift;
                long base = p * inner;
                long i = 0;
                if (Simd.VECTOR) {
                    i = MaskedAffineVector.affine(x, xOff + base, y, yOff + base, inner, s, t);
                }
                for (; i < inner; i++) {
                    put(y, yOff + base + i, Math.fma(get(x, xOff + base + i), s, t));
                }
            }
        }, x, y, mask);
    }
}
