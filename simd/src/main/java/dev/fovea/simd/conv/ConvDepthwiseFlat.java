package dev.fovea.simd.conv;

import dev.fovea.simd.internal.FloatSpecies;
import dev.fovea.simd.internal.PartialVectors;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The depthwise kernel for small planes whose output is as wide as the input (stride 1, e.g. 3x3
 * with padding 1 on MobileNetV2's 28x28, 14x14 and 7x7 maps): the plane is computed flattened,
 * L consecutive outputs per vector whatever rows they span. With the output as wide as the input,
 * output {@code q = oh * W + ow} reads input {@code q + (kh * dilH - padH) * W + kw * dilW - padW}
 * for tap (kh, kw): one shifted load per tap and vector. Which lanes read inside the input depends
 * on the block and the tap only, so the masks are computed once per plan ({@link #masks}). The
 * loads are full vectors with the lanes outside zeroed by a blend, not masked loads: a masked load
 * from a segment cost three times the blend here (Zen 4, 1 thread: 192 x 28 x 28 0.28 -> 0.17 ms
 * with the tap loop, 0.086 ms with the nine taps written out, against 0.37 for the row kernels).
 *
 * <p>The row kernels of {@link ConvDepthwiseVector} fill a vector per output row, so a 7-wide row
 * used 7 of 16 lanes, and built the masks of each row's taps anew; flattened, a 7x7 plane is 4
 * vectors (49 of 64 lanes). Every output is the FMA chain of the scalar loop, as in the row kernels
 * (bias, then the taps in (kh, kw) order, a tap outside the input adding exactly -0), and ReLU and
 * hardtanh (ReLU6) are applied before the store, with the comparisons of
 * {@code ActivationFunction.apply}: the same bits as the scalar loop followed by the activation.
 */
final class ConvDepthwiseFlat implements DepthwisePlanes {
    /**
     * Most outputs per plane computed flattened (64 x 64). A plane's mask table is
     * {@code ceil(outputs / L) * kH * kW} longs (14 KiB for 56 x 56, 3x3), read once per plane.
     * Zen 4, 1 thread, 3x3: 144 x 56 x 56 0.33 -> 0.22 ms, and as fast as the row
     * kernels on 32 x 112 x 112, whose four-row blocks share each loaded row between three outputs.
     */
    static final int MAX_OUTPUTS = 64 * 64;
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final long B = Float.BYTES;
    /** The weight of a skipped lane: {@code (+0) * (-0) = -0}, and {@code acc + (-0) == acc} for every acc. */
    private static final FloatVector NEG_ZERO = FloatVector.broadcast(S, -0f);
    private static final FloatVector ZERO = FloatVector.zero(S);
    /** Output elements of a plane, {@code outH * outW}. */
    private final int outputs;
    /** Taps of the kernel, {@code kH * kW}. */
    private final int taps;
    /** Lane bits of tap t in vector block v (outputs {@code [v L, v L + L)}): {@code masks[v * taps + t]}. */
    private final long[] masks;
    /** Input offset of tap t from the output index, {@code (kh dilH - padH) W + kw dilW - padW}. */
    private final long[] offsets;
    /** The lowest and highest offset: bounds of the input a plane's vector windows cover. */
    private final long lowest;
    private final long highest;

    private ConvDepthwiseFlat(ConvSpec s) {
        int w = s.inW();
        outputs = s.outH() * s.outW();
        taps = s.kH() * s.kW();
        offsets = new long[taps];
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (int kh = 0; kh < s.kH(); kh++) {
            for (int kw = 0; kw < s.kW(); kw++) {
                long off = ((long) kh * s.dilation(1) - s.padBegin(1)) * w + (long) kw * s.dilation(2) - s.padBegin(2);
                offsets[kh * s.kW() + kw] = off;
                lo = Math.min(lo, off);
                hi = Math.max(hi, off);
            }
        }
        lowest = lo;
        highest = hi;
        int blocks = (outputs + L - 1) / L;
        masks = new long[blocks * taps];
        for (int q = 0; q < outputs; q++) {
            int oh = q / w;
            int ow = q % w;
            for (int kh = 0; kh < s.kH(); kh++) {
                int ih = oh + kh * s.dilation(1) - s.padBegin(1);
                for (int kw = 0; kw < s.kW(); kw++) {
                    int iw = ow + kw * s.dilation(2) - s.padBegin(2);
                    if (ih >= 0 && ih < s.inH() && iw >= 0 && iw < w) {
                        masks[(q / L) * taps + kh * s.kW() + kw] |= 1L << (q % L);
                    }
                }
            }
        }
    }

    /**
     * Returns the flat kernel's tables for {@code s}, or null if it does not apply: 2-d (or 1-d)
     * depthwise with stride 1, an output as wide as the input, at most {@link #MAX_OUTPUTS}
     * outputs per plane.
     */
    static ConvDepthwiseFlat of(ConvSpec s) {
        boolean applies = s.stride(1) == 1 && s.stride(2) == 1 && s.outW() == s.inW()
                && (long) s.outH() * s.outW() <= MAX_OUTPUTS;
        return applies ? new ConvDepthwiseFlat(s) : null;
    }

    @Override
    public boolean fits(MemorySegment in, long inBase, MemorySegment out, long outBase) {
        long lastBlock = (long) (masks.length / taps - 1) * L;
        return PartialVectors.fits(in, (inBase + lowest) * B) && PartialVectors.fits(in, (inBase + lastBlock + highest) * B)
                && PartialVectors.fits(out, (outBase + lastBlock) * B);
    }

    @Override
    public void plane(MemorySegment in, long inBase, float[] w, int wb, float bias, MemorySegment out, long outBase,
               int act, float actLo, float actHi) {
        if (taps == 9) {
            plane9(in, inBase, w, wb, bias, out, outBase, act, actLo, actHi);
            return;
        }
        FloatVector b = FloatVector.broadcast(S, bias);
        FloatVector lo = FloatVector.broadcast(S, act == ACT_RELU ? 0f : actLo);
        FloatVector hi = FloatVector.broadcast(S, actHi);
        long[] m = masks;
        long[] off = offsets;
        int t = taps;
        int mi = 0;
        for (int q = 0; q < outputs; q += L, mi += t) {
            long at = inBase + q;
            FloatVector acc = b;
            for (int k = 0; k < t; k++) {
                VectorMask<Float> mk = VectorMask.fromLong(S, m[mi + k]);
                FloatVector x = ZERO.blend(FloatVector.fromMemorySegment(S, in, (at + off[k]) * B, O), mk);
                acc = x.fma(NEG_ZERO.blend(FloatVector.broadcast(S, w[wb + k]), mk), acc);
            }
            if (act == ACT_RELU) {
                acc = acc.blend(lo, acc.compare(VectorOperators.LE, lo));
            } else if (act == ACT_HARDTANH) {
                VectorMask<Float> below = acc.compare(VectorOperators.LT, lo);
                acc = acc.blend(hi, acc.compare(VectorOperators.GT, hi)).blend(lo, below);
            }
            acc.intoMemorySegment(out, (outBase + q) * B, O, VectorMask.fromLong(S, PartialVectors.laneBits(q, outputs)));
        }
    }

    /** {@link #plane} for nine taps (3x3), written out: the weights broadcast once per plane. */
    private void plane9(MemorySegment in, long inBase, float[] w, int wb, float bias, MemorySegment out, long outBase,
                        int act, float actLo, float actHi) {
        FloatVector b = FloatVector.broadcast(S, bias);
        FloatVector lo = FloatVector.broadcast(S, act == ACT_RELU ? 0f : actLo);
        FloatVector hi = FloatVector.broadcast(S, actHi);
        FloatVector w0 = FloatVector.broadcast(S, w[wb + 0]);
        FloatVector w1 = FloatVector.broadcast(S, w[wb + 1]);
        FloatVector w2 = FloatVector.broadcast(S, w[wb + 2]);
        FloatVector w3 = FloatVector.broadcast(S, w[wb + 3]);
        FloatVector w4 = FloatVector.broadcast(S, w[wb + 4]);
        FloatVector w5 = FloatVector.broadcast(S, w[wb + 5]);
        FloatVector w6 = FloatVector.broadcast(S, w[wb + 6]);
        FloatVector w7 = FloatVector.broadcast(S, w[wb + 7]);
        FloatVector w8 = FloatVector.broadcast(S, w[wb + 8]);
        long o0 = offsets[0];
        long o1 = offsets[1];
        long o2 = offsets[2];
        long o3 = offsets[3];
        long o4 = offsets[4];
        long o5 = offsets[5];
        long o6 = offsets[6];
        long o7 = offsets[7];
        long o8 = offsets[8];
        long[] m = masks;
        int full = outputs - outputs % L;
        for (int q = 0, mi = 0; q < outputs; q += L, mi += 9) {
            long at = inBase + q;
            FloatVector acc = b;
            FloatVector x;
            VectorMask<Float> mk;
                x = ZERO.blend(FloatVector.fromMemorySegment(S, in, (at + o0) * B, O), mk = VectorMask.fromLong(S, m[mi + 0]));
                acc = x.fma(NEG_ZERO.blend(w0, mk), acc);
                x = ZERO.blend(FloatVector.fromMemorySegment(S, in, (at + o1) * B, O), mk = VectorMask.fromLong(S, m[mi + 1]));
                acc = x.fma(NEG_ZERO.blend(w1, mk), acc);
                x = ZERO.blend(FloatVector.fromMemorySegment(S, in, (at + o2) * B, O), mk = VectorMask.fromLong(S, m[mi + 2]));
                acc = x.fma(NEG_ZERO.blend(w2, mk), acc);
                x = ZERO.blend(FloatVector.fromMemorySegment(S, in, (at + o3) * B, O), mk = VectorMask.fromLong(S, m[mi + 3]));
                acc = x.fma(NEG_ZERO.blend(w3, mk), acc);
                x = ZERO.blend(FloatVector.fromMemorySegment(S, in, (at + o4) * B, O), mk = VectorMask.fromLong(S, m[mi + 4]));
                acc = x.fma(NEG_ZERO.blend(w4, mk), acc);
                x = ZERO.blend(FloatVector.fromMemorySegment(S, in, (at + o5) * B, O), mk = VectorMask.fromLong(S, m[mi + 5]));
                acc = x.fma(NEG_ZERO.blend(w5, mk), acc);
                x = ZERO.blend(FloatVector.fromMemorySegment(S, in, (at + o6) * B, O), mk = VectorMask.fromLong(S, m[mi + 6]));
                acc = x.fma(NEG_ZERO.blend(w6, mk), acc);
                x = ZERO.blend(FloatVector.fromMemorySegment(S, in, (at + o7) * B, O), mk = VectorMask.fromLong(S, m[mi + 7]));
                acc = x.fma(NEG_ZERO.blend(w7, mk), acc);
                x = ZERO.blend(FloatVector.fromMemorySegment(S, in, (at + o8) * B, O), mk = VectorMask.fromLong(S, m[mi + 8]));
                acc = x.fma(NEG_ZERO.blend(w8, mk), acc);
            if (act == ACT_RELU) {
                acc = acc.blend(lo, acc.compare(VectorOperators.LE, lo));
            } else if (act == ACT_HARDTANH) {
                VectorMask<Float> below = acc.compare(VectorOperators.LT, lo);
                acc = acc.blend(hi, acc.compare(VectorOperators.GT, hi)).blend(lo, below);
            }
            if (q < full) {
                acc.intoMemorySegment(out, (outBase + q) * B, O);
            } else {
                acc.intoMemorySegment(out, (outBase + q) * B, O, VectorMask.fromLong(S, PartialVectors.laneBits(q, outputs)));
            }
        }
    }
}
