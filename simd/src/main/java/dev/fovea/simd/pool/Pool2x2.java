package dev.fovea.simd.pool;

import dev.fovea.simd.internal.FloatSpecies;
import dev.fovea.simd.internal.PartialVectors;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of 2x2 stride-2 pooling without padding, max or average (VGG, U-Net and
 * LeNet pools, DenseNet transitions): each output vector straight from two input rows, with no
 * row buffer in between. Per 16 outputs: four loads (32 columns of both rows), two vertical
 * reductions, the even and odd lanes of the pair gathered by two two-vector permutes, one
 * horizontal reduction, one store. The row's last vector takes {@link #lastVector}.
 *
 * <p>Max pooling is exact. Average pooling adds the two rows, then the two columns, and
 * multiplies by {@code 1/4} (or the divisor override's reciprocal), as {@link PoolVector}.
 * Max pooling with indices ({@link #maxIndices}, training's forward) takes the four taps in
 * PyTorch's order with {@link PoolNaive#max}'s rule, so values and indices are its bits.
 */
final class Pool2x2 {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Lane j takes lane 2j of the pair (v0, v1). */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, j -> 2 * j);
    /** Lane j takes lane 2j + 1 of the pair (v0, v1). */
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, j -> 2 * j + 1);
    private static final VectorSpecies<Integer> SI = S.withLanes(int.class);
    /** Lane j holds 2j: the input column of output lane j's first tap, relative to the vector's first. */
    private static final IntVector EVEN_COLUMNS = IntVector.zero(SI).addIndex(2);
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

    private Pool2x2() {}

    /** Returns true if {@code s} is 2x2 pooling over H and W at stride 2 with no padding and only whole windows. */
    static boolean applies(PoolSpec s) {
        return s.kernel(0) == 1 && s.stride(0) == 1 && s.out(0) == s.in(0)
                && s.kernel(1) == 2 && s.kernel(2) == 2 && s.stride(1) == 2 && s.stride(2) == 2
                && s.dilation(1) == 1 && s.dilation(2) == 1 && s.padBegin(1) == 0 && s.padBegin(2) == 0
                && s.out(1) == s.in(1) / 2 && s.out(2) == s.in(2) / 2 && s.out(2) > 0;
    }

    /** Max (values only) or average pooling of planes {@code [p0, p1)}; requires {@link #applies}. */
    static void forward(PoolSpec s, boolean max, MemorySegment in, long inOff, MemorySegment out, long outOff,
                        int p0, int p1) {
        int inW = s.in(2);
        int outH = s.out(1);
        int outW = s.out(2);
        float inv = s.divisorOverride() > 0 ? 1f / s.divisorOverride() : 0.25f;
        int full = outW - outW % L;
        long slice = (long) s.in(1) * inW;
        long outSlice = (long) outH * outW;
        long end = (long) p1 * s.in(0);
        long outEnd = outOff + end * outSlice;
        for (long at = (long) p0 * s.in(0); at < end; at++) {
            for (int oh = 0; oh < outH; oh++) {
                long r0 = (inOff + at * slice + (long) 2 * oh * inW) * Float.BYTES;
                long r1 = r0 + (long) inW * Float.BYTES;
                long o = outOff + at * outSlice + (long) oh * outW;
                for (int ow = 0; ow < full; ow += L) {
                    long x = (long) 2 * ow * Float.BYTES;
                    FloatVector a = FloatVector.fromMemorySegment(S, in, r0 + x, O);
                    FloatVector b = FloatVector.fromMemorySegment(S, in, r0 + x + (long) L * Float.BYTES, O);
                    FloatVector c = FloatVector.fromMemorySegment(S, in, r1 + x, O);
                    FloatVector d = FloatVector.fromMemorySegment(S, in, r1 + x + (long) L * Float.BYTES, O);
                    combine(max, a, b, c, d, inv).intoMemorySegment(out, (o + ow) * Float.BYTES, O);
                }
                if (full < outW) {
                    // a whole-vector store may pass the row's end where the lanes past it land on
                    // outputs of this call that the loop writes afterwards
                    boolean spill = o + full + L <= outEnd;
                    lastVector(max, in, r0, r1, out, o, full, outW, inv, spill);
                }
            }
        }
    }

    /**
     * Max pooling of planes {@code [p0, p1)} with int32 plane-local argmax indices, as
     * {@link PoolNaive#max}: the taps in the order (0,0), (0,1), (1,0), (1,1), each replacing the
     * kept value where it is greater or NaN, so ties keep the first tap and NaN the last; requires
     * {@link #applies}. LeNet-5's pools ran at 68 ns per output row on {@link PoolMaxIndices}'s
     * copies into heap rows (8% of a training step, 1 thread).
     */
    static void maxIndices(PoolSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff,
                           MemorySegment idx, long idxOff, int p0, int p1) {
        int depth = s.in(0);
        int inH = s.in(1);
        int inW = s.in(2);
        int outH = s.out(1);
        int outW = s.out(2);
        long slice = (long) inH * inW;
        long outSlice = (long) outH * outW;
        long end = (long) p1 * depth * outSlice;
        for (long at = (long) p0 * depth; at < (long) p1 * depth; at++) {
            int d = (int) (at % depth);
            for (int oh = 0; oh < outH; oh++) {
                long r0 = (inOff + at * slice + (long) 2 * oh * inW) * Float.BYTES;
                long rel = at * outSlice + (long) oh * outW;
                int first = (d * inH + 2 * oh) * inW;
                for (int ow = 0; ow < outW; ow += L) {
                    long x = r0 + (long) 2 * ow * Float.BYTES;
                    long o = (outOff + rel + ow) * Float.BYTES;
                    long i = (idxOff + rel + ow) * Integer.BYTES;
                    if (!PartialVectors.fits(in, x + (long) inW * Float.BYTES + (long) L * Float.BYTES)
                            || !PartialVectors.fits(out, o) || !PartialVectors.fits(idx, i)) {
                        maxIndicesScalar(in, x, inW, out, o, idx, i, first + 2 * ow, outW - ow);
                        break;
                    }
                    // a whole-vector store may pass the row's end where the lanes past it land on
                    // outputs of this call that the loop writes afterwards
                    long storeBits = ow + L <= outW || rel + ow + L <= end ? -1L : PartialVectors.laneBits(ow, outW);
                    maxIndicesVector(in, x, (long) inW * Float.BYTES, inW, out, o, idx, i, first + 2 * ow, storeBits);
                }
            }
        }
    }

    /**
     * One output vector of {@link #maxIndices}: row pair at byte {@code x} and {@code x + rowBytes},
     * plane-local index {@code first} at its first column; stores the lanes of {@code storeBits}
     * ({@code -1}: the whole vector, unmasked). Every vector window must lie in its segment.
     */
    private static void maxIndicesVector(MemorySegment in, long x, long rowBytes, int inW, MemorySegment out, long o,
                                         MemorySegment idx, long i, int first, long storeBits) {
        long vb = (long) L * Float.BYTES;
        FloatVector a = FloatVector.fromMemorySegment(S, in, x, O);
        FloatVector b = FloatVector.fromMemorySegment(S, in, x + vb, O);
        FloatVector c = FloatVector.fromMemorySegment(S, in, x + rowBytes, O);
        FloatVector d = FloatVector.fromMemorySegment(S, in, x + rowBytes + vb, O);
        IntVector at = EVEN_COLUMNS.add(first);
        FloatVector best = a.rearrange(EVEN, b);
        IntVector bestAt = at;
        FloatVector t = a.rearrange(ODD, b);
        VectorMask<Float> take = t.compare(VectorOperators.GT, best).or(t.test(VectorOperators.IS_NAN));
        best = best.blend(t, take);
        bestAt = bestAt.blend(at.add(1), take.cast(SI));
        t = c.rearrange(EVEN, d);
        take = t.compare(VectorOperators.GT, best).or(t.test(VectorOperators.IS_NAN));
        best = best.blend(t, take);
        bestAt = bestAt.blend(at.add(inW), take.cast(SI));
        t = c.rearrange(ODD, d);
        take = t.compare(VectorOperators.GT, best).or(t.test(VectorOperators.IS_NAN));
        best = best.blend(t, take);
        bestAt = bestAt.blend(at.add(inW + 1), take.cast(SI));
        if (storeBits == -1L) {
            best.intoMemorySegment(out, o, O);
            bestAt.intoMemorySegment(idx, i, O);
        } else {
            best.intoMemorySegment(out, o, O, VectorMask.fromLong(S, storeBits));
            bestAt.intoMemorySegment(idx, i, O, VectorMask.fromLong(SI, storeBits));
        }
    }

    /** {@link #maxIndicesVector}'s outputs one by one, for {@code count} outputs at the end of a segment. */
    private static void maxIndicesScalar(MemorySegment in, long x, int inW, MemorySegment out, long o,
                                         MemorySegment idx, long i, int first, int count) {
        for (int k = 0; k < count; k++) {
            long e = x + (long) 2 * k * Float.BYTES;
            float best = in.get(F, e);
            int bestAt = first + 2 * k;
            for (int t = 1; t < 4; t++) {
                // tap t = (kh, kw) = (t / 2, t % 2), in PyTorch's order
                int offset = t / 2 * inW + t % 2;
                float v = in.get(F, e + (long) offset * Float.BYTES);
                if (v > best || Float.isNaN(v)) {
                    best = v;
                    bestAt = first + 2 * k + offset;
                }
            }
            out.set(F, o + (long) k * Float.BYTES, best);
            idx.set(I, i + (long) k * Integer.BYTES, bestAt);
        }
    }

    /** The output vector from columns {@code [0, 2L)} of rows {@code (a, b)} and {@code (c, d)}. */
    private static FloatVector combine(boolean max, FloatVector a, FloatVector b, FloatVector c, FloatVector d,
                                       float inv) {
        FloatVector lo = max ? a.max(c) : a.add(c);
        FloatVector hi = max ? b.max(d) : b.add(d);
        FloatVector even = lo.rearrange(EVEN, hi);
        FloatVector odd = lo.rearrange(ODD, hi);
        return max ? even.max(odd) : even.add(odd).mul(inv);
    }

    /**
     * Outputs {@code [ow, outW)} of a row, or scalar code where a vector window would pass the end
     * of a segment. The loads are whole vectors: lanes past the input row read the next row (or
     * plane), and only outputs past {@code outW} see them. The store is a whole vector too where
     * {@code spill} allows (the caller writes the lanes past the row later), else masked. Rows
     * narrower than a vector take only this path: LeNet-5's pools (28 -> 14 and 10 -> 5 wide) spent
     * 11% of a run here with masked loads (Zen 4, 1 thread).
     */
    private static void lastVector(boolean max, MemorySegment in, long r0, long r1, MemorySegment out, long o,
                                   int ow, int outW, float inv, boolean spill) {
        long x = (long) 2 * ow * Float.BYTES;
        long y = x + (long) L * Float.BYTES;
        if (!PartialVectors.fits(in, r1 + y) || !PartialVectors.fits(out, (o + ow) * Float.BYTES)) {
            // The end of a segment: scalar, in the vector's order of operations.
            for (int k = ow; k < outW; k++) {
                long e = r0 + (long) 2 * k * Float.BYTES;
                long f = r1 + (long) 2 * k * Float.BYTES;
                float a = in.get(F, e);
                float b = in.get(F, e + Float.BYTES);
                float c = in.get(F, f);
                float d = in.get(F, f + Float.BYTES);
                float v = max ? Math.max(Math.max(a, c), Math.max(b, d)) : ((a + c) + (b + d)) * inv;
                out.setAtIndex(F, o + k, v);
            }
            return;
        }
        // before the loads: C2 may leave a call out of line here (node-count cutoff), and a vector
        // live across it would be boxed
        long storeBits = PartialVectors.laneBits(ow, outW);
        FloatVector a = FloatVector.fromMemorySegment(S, in, r0 + x, O);
        FloatVector b = FloatVector.fromMemorySegment(S, in, r0 + y, O);
        FloatVector c = FloatVector.fromMemorySegment(S, in, r1 + x, O);
        FloatVector d = FloatVector.fromMemorySegment(S, in, r1 + y, O);
        FloatVector v = combine(max, a, b, c, d, inv);
        if (spill) {
            v.intoMemorySegment(out, (o + ow) * Float.BYTES, O);
        } else {
            v.intoMemorySegment(out, (o + ow) * Float.BYTES, O, VectorMask.fromLong(S, storeBits));
        }
    }
}
