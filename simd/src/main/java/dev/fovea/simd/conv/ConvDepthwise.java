package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import dev.fovea.simd.internal.FloatSpecies;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct depthwise convolution ({@code groups == inC}, {@code outC = inC * multiplier}) for 1-d
 * and 2-d specs with any kernel, stride, dilation and per-side zeros padding. Output channel
 * {@code oc} reads input channel {@code oc / multiplier}:
 * <pre>
 *   out[b][oc][oh][ow] = bias[oc] + sum_{kh, kw} w[oc][0][kh][kw] * in[b][oc / mult][oh*strideH + kh*dilH - padH][ow*strideW + kw*dilW - padW]
 * </pre>
 * Layout NCHW (a 1-d spec is a 2-d one with H = 1), weights {@code (outC, 1, kH, kW)}, element
 * offsets; the output is overwritten and must not overlap the input. No workspace: the plan holds
 * a heap copy of the weights (scalars broadcast into vectors).
 *
 * <p><b>Kernel:</b> per output row, the interior columns (every tap inside the input along W) are
 * vectorised along the output width: stride 1 loads contiguous inputs at each tap's offset (two
 * vectors per step for FMA latency), stride 2 loads two vectors and keeps the even lanes with a
 * two-vector rearrange (no gather); border columns, tails and {@code strideW > 2} run a scalar
 * loop. Every output is the same FMA chain in both paths: bias first, then taps in
 * (kh, kw) order, taps outside the input skipped, so vector and scalar give the same bits.
 *
 * <p><b>Threads:</b> the {@code n * outC} output planes are cut into contiguous ranges, one per
 * thread of the plan's context; each output is computed by one thread, so results are
 * bit-identical for any thread count. Operands in a thread-confined arena run on the caller.
 * Other padding modes and 3-d specs are unsupported (their reason says so).
 */
public final class ConvDepthwise implements ConvAlgorithm {
    /** The single instance. */
    public static final ConvDepthwise INSTANCE = new ConvDepthwise();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Below this many output floats a call stays on the caller: a fork costs more than the work. */
    private static final long PARALLEL_MIN_OUTPUTS = 1 << 13;

    private ConvDepthwise() {}

    @Override
    public String name() {
        return "depthwise";
    }

    @Override
    public String unsupportedReason(ConvSpec spec) {
        if (spec.groups() != spec.inC()) {
            return "needs groups == inC (depthwise), got groups=" + spec.groups() + ", inC=" + spec.inC();
        }
        if (spec.in(0) != 1 || spec.kernel(0) != 1 || spec.out(0) != 1) {
            return "only 1-d and 2-d convolutions (got a 3-d spec with depth " + spec.in(0) + ")";
        }
        if (spec.paddingMode() != PaddingMode.ZEROS) {
            return "only zeros padding, got paddingMode " + spec.paddingMode().wireName();
        }
        return null;
    }

    /** Float FMA chains of kH * kW terms, one rounding each: far inside 1e-10 for unit-scale data. */
    @Override
    public double maxNmse() {
        return 1e-10;
    }

    @Override
    public ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ComputeContext ctx) {
        ConvChecks.supported(this, spec);
        ConvChecks.operand("weights", weights, weightOff, spec.weightElements(), spec);
        float[] w = weights.asSlice(weightOff * Float.BYTES, spec.weightElements() * Float.BYTES).toArray(F);
        return new Plan(spec, w, ctx);
    }

    private record Plan(ConvSpec spec, float[] w, ComputeContext ctx) implements ConvPlan {
        @Override
        public String algorithm() {
            return "depthwise";
        }

        @Override
        public long workspaceBytes() {
            return 0;
        }

        @Override
        public void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment out,
                            long outOff) {
            ConvChecks.execute(spec, in, inOff, bias, biasOff, out, outOff);
            int planes = spec.n() * spec.outC();
            boolean fork = ctx.threads() > 1 && spec.outputElements() >= PARALLEL_MIN_OUTPUTS
                    && ComputeContext.shareable(in, out, bias);
            int parts = fork ? Math.min(ctx.threads(), planes) : 1;
            ctx.run(parts, (part, ps) -> {
                int end = ComputeContext.partBegin(planes, ps, part + 1);
                for (int p = ComputeContext.partBegin(planes, ps, part); p < end; p++) {
                    int oc = p % spec.outC();
                    int b = p / spec.outC();
                    int ic = oc / spec.outCPerGroup();
                    float bv = bias == null ? 0f : bias.getAtIndex(F, biasOff + oc);
                    plane(spec, in, inOff + ((long) b * spec.inC() + ic) * spec.inSpatial(), w,
                            oc * spec.kernelVolume(), bv, out, outOff + (long) p * spec.outSpatial());
                }
            });
        }
    }


    /** One output plane from one input plane at {@code inBase}, weights {@code w[wBase..]}. */
    private static void plane(ConvSpec s, MemorySegment in, long inBase, float[] w, int wBase, float bias,
                              MemorySegment out, long outBase) {
        int inW = s.inW();
        int outW = s.outW();
        int kW = s.kW();
        int sw = s.stride(2);
        int dw = s.dilation(2);
        int pw = s.padBegin(2);
        // Interior columns: ow * sw - pw >= 0 and ow * sw + (kW - 1) * dw - pw <= inW - 1.
        int lo = Math.min(outW, -Math.floorDiv(-pw, sw));
        int hi = Math.max(lo, Math.min(outW, Math.floorDiv(inW - 1 - (kW - 1) * dw + pw, sw) + 1));
        boolean vector = Simd.VECTOR && sw <= 2;
        for (int oh = 0; oh < s.outH(); oh++) {
            long outRow = outBase + (long) oh * outW;
            border(s, in, inBase, w, wBase, bias, out, outRow, oh, 0, lo);
            if (vector && sw == 2) {
                Vec.interiorStride2(s, in, inBase, w, wBase, bias, out, outRow, oh, lo, hi);
            } else if (vector) {
                Vec.interior(s, in, inBase, w, wBase, bias, out, outRow, oh, lo, hi);
            } else {
                interior(s, in, inBase, w, wBase, bias, out, outRow, oh, lo, hi);
            }
            border(s, in, inBase, w, wBase, bias, out, outRow, oh, hi, outW);
        }
    }

    /** Columns {@code [from, to)} of row {@code oh}, every tap checked against the input. */
    private static void border(ConvSpec s, MemorySegment in, long inBase, float[] w, int wBase, float bias,
                               MemorySegment out, long outRow, int oh, int from, int to) {
        for (int ow = from; ow < to; ow++) {
            float acc = bias;
            for (int kh = 0; kh < s.kH(); kh++) {
                int ih = oh * s.stride(1) + kh * s.dilation(1) - s.padBegin(1);
                if (ih < 0 || ih >= s.inH()) {
                    continue;
                }
                long row = inBase + (long) ih * s.inW();
                for (int kw = 0; kw < s.kW(); kw++) {
                    int iw = ow * s.stride(2) + kw * s.dilation(2) - s.padBegin(2);
                    if (iw >= 0 && iw < s.inW()) {
                        acc = Math.fma(in.getAtIndex(F, row + iw), w[wBase + kh * s.kW() + kw], acc);
                    }
                }
            }
            out.setAtIndex(F, outRow + ow, acc);
        }
    }

    /** Interior columns {@code [from, to)} of row {@code oh}, scalar (any stride). */
    static void interior(ConvSpec s, MemorySegment in, long inBase, float[] w, int wBase, float bias,
                         MemorySegment out, long outRow, int oh, int from, int to) {
        int kW = s.kW();
        int sw = s.stride(2);
        int dw = s.dilation(2);
        int pw = s.padBegin(2);
        for (int ow = from; ow < to; ow++) {
            float acc = bias;
            for (int kh = 0; kh < s.kH(); kh++) {
                int ih = oh * s.stride(1) + kh * s.dilation(1) - s.padBegin(1);
                if (ih < 0 || ih >= s.inH()) {
                    continue;
                }
                long at = inBase + (long) ih * s.inW() + (long) ow * sw - pw;
                for (int kw = 0; kw < kW; kw++) {
                    acc = Math.fma(in.getAtIndex(F, at + (long) kw * dw), w[wBase + kh * kW + kw], acc);
                }
            }
            out.setAtIndex(F, outRow + ow, acc);
        }
    }

    /** The Vector API interior loop (stride 1 along W); loaded only on the vector path. */
    private static final class Vec {
        private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
        private static final int L = FloatSpecies.LANES;
        private static final ByteOrder O = ByteOrder.nativeOrder();
        /** Lane j takes lane 2j of the pair (v0, v1): indexes >= L are exceptional and select from v1. */
        private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, j -> 2 * j);

        /**
         * Interior columns {@code [from, to)} of row {@code oh} for stride 2: each tap loads the 2L
         * contiguous inputs of L outputs and keeps the even lanes (a two-vector rearrange, no gather).
         * A step runs only while its second load stays inside the input row; the rest is scalar.
         */
        static void interiorStride2(ConvSpec s, MemorySegment in, long inBase, float[] w, int wBase, float bias,
                                    MemorySegment out, long outRow, int oh, int from, int to) {
            int kH = s.kH();
            int kW = s.kW();
            int dw = s.dilation(2);
            int pw = s.padBegin(2);
            int reach = (kW - 1) * dw - pw;
            int ow = from;
            FloatVector b = FloatVector.broadcast(S, bias);
            for (; ow + L <= to && 2L * (ow + L) - 1 + reach <= s.inW() - 1; ow += L) {
                FloatVector acc = b;
                for (int kh = 0; kh < kH; kh++) {
                    int ih = oh * s.stride(1) + kh * s.dilation(1) - s.padBegin(1);
                    if (ih < 0 || ih >= s.inH()) {
                        continue;
                    }
                    long at = (inBase + (long) ih * s.inW() + 2L * ow - pw) * Float.BYTES;
                    for (int kw = 0; kw < kW; kw++) {
                        long a = at + (long) kw * dw * Float.BYTES;
                        FloatVector x = FloatVector.fromMemorySegment(S, in, a, O)
                                .rearrange(EVEN, FloatVector.fromMemorySegment(S, in, a + (long) L * Float.BYTES, O));
                        acc = x.fma(FloatVector.broadcast(S, w[wBase + kh * kW + kw]), acc);
                    }
                }
                acc.intoMemorySegment(out, (outRow + ow) * Float.BYTES, O);
            }
            ConvDepthwise.interior(s, in, inBase, w, wBase, bias, out, outRow, oh, ow, to);
        }

        /** Interior columns {@code [from, to)} of row {@code oh}: two vectors per step, scalar tail. */
        static void interior(ConvSpec s, MemorySegment in, long inBase, float[] w, int wBase, float bias,
                             MemorySegment out, long outRow, int oh, int from, int to) {
            int kH = s.kH();
            int kW = s.kW();
            int dw = s.dilation(2);
            int pw = s.padBegin(2);
            int ow = from;
            FloatVector b = FloatVector.broadcast(S, bias);
            for (; ow <= to - 2 * L; ow += 2 * L) {
                FloatVector acc0 = b;
                FloatVector acc1 = b;
                for (int kh = 0; kh < kH; kh++) {
                    int ih = oh * s.stride(1) + kh * s.dilation(1) - s.padBegin(1);
                    if (ih < 0 || ih >= s.inH()) {
                        continue;
                    }
                    long at = (inBase + (long) ih * s.inW() + ow - pw) * Float.BYTES;
                    for (int kw = 0; kw < kW; kw++) {
                        FloatVector wv = FloatVector.broadcast(S, w[wBase + kh * kW + kw]);
                        long a = at + (long) kw * dw * Float.BYTES;
                        acc0 = FloatVector.fromMemorySegment(S, in, a, O).fma(wv, acc0);
                        acc1 = FloatVector.fromMemorySegment(S, in, a + (long) L * Float.BYTES, O).fma(wv, acc1);
                    }
                }
                acc0.intoMemorySegment(out, (outRow + ow) * Float.BYTES, O);
                acc1.intoMemorySegment(out, (outRow + ow + L) * Float.BYTES, O);
            }
            for (; ow <= to - L; ow += L) {
                FloatVector acc = b;
                for (int kh = 0; kh < kH; kh++) {
                    int ih = oh * s.stride(1) + kh * s.dilation(1) - s.padBegin(1);
                    if (ih < 0 || ih >= s.inH()) {
                        continue;
                    }
                    long at = (inBase + (long) ih * s.inW() + ow - pw) * Float.BYTES;
                    for (int kw = 0; kw < kW; kw++) {
                        acc = FloatVector.fromMemorySegment(S, in, at + (long) kw * dw * Float.BYTES, O)
                                .fma(FloatVector.broadcast(S, w[wBase + kh * kW + kw]), acc);
                    }
                }
                acc.intoMemorySegment(out, (outRow + ow) * Float.BYTES, O);
            }
            ConvDepthwise.interior(s, in, inBase, w, wBase, bias, out, outRow, oh, ow, to);
        }
    }
}
