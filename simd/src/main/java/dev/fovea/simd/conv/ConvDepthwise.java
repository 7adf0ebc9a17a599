package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.parallel.PartTask;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

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
 * <p><b>Kernel</b> ({@link ConvDepthwiseVector}, vectorised along the output width): 3x3 stride-1
 * planes compute four output rows per pass, so each loaded input row feeds up to three of them
 * (18 loads, 36 FMAs in four chains per column block), with the nine weights held in broadcast
 * vectors; border and tail column blocks, and widths below one vector, run the same code with
 * masked loads and stores. Other kernels and the top and bottom rows run one row per pass, any
 * size and dilation, masked in the same way. Stride 2 loads two vectors per tap and keeps the even
 * lanes (a two-vector rearrange, no gather), with scalar border columns; {@code strideW > 2} and
 * the scalar path run a scalar loop. Every output is the same FMA chain in both paths: bias first,
 * then taps in (kh, kw) order, taps outside the input skipped (a masked lane adds exactly -0), so
 * vector and scalar give the same bits. About 35 GFLOP/s on the MobileNet 32x112x112 3x3 layer
 * (1 thread, AVX-512 Zen 4), 6x the previous one-row kernel.
 *
 * <p><b>Plane kernels</b> ({@link DepthwisePlanes}, tables made at plan time): stride-1 planes of
 * up to 64x64 outputs with an output as wide as the input run flattened
 * ({@link ConvDepthwiseFlat}: L consecutive outputs per vector across rows, one shifted load per
 * tap), and 3x3 stride 2 in column blocks of two loads and three permutes per kernel row
 * ({@link ConvDepthwiseStride2}). They apply ReLU and hardtanh (ReLU6) before their stores, with
 * the same bits as the pass after; the row kernels above take the planes whose vector windows
 * would leave the segments (the first or last plane of a tight tensor), and every other spec.
 * MobileNetV2's 17 depthwise layers, 1 thread: 5.4 ms -> 1.9 ms.
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
        return new Plan(spec, w, Simd.VECTOR ? DepthwisePlanes.of(spec) : null, ctx);
    }

    /**
     * {@code fast}: the plane kernel for this spec ({@link DepthwisePlanes}), or null where the row
     * kernels run. The planes of a call are split over the threads by a task bound once, which reads
     * the call's operands from fields (a capturing lambda cost a heap object per call).
     */
    private static final class Plan implements ConvPlan {
        private final ConvSpec spec;
        private final float[] w;
        private final DepthwisePlanes fast;
        private final ComputeContext ctx;
        private final PartTask planesTask = this::planes;
        // operands of the current execute call, read by planes
        private MemorySegment curIn;
        private long curInOff;
        private MemorySegment curBias;
        private long curBiasOff;
        private MemorySegment curOut;
        private long curOutOff;
        private ActivationFunction curActivation;
        private int curAct;

        Plan(ConvSpec spec, float[] w, DepthwisePlanes fast, ComputeContext ctx) {
            this.spec = spec;
            this.w = w;
            this.fast = fast;
            this.ctx = ctx;
        }

        @Override
        public ConvSpec spec() {
            return spec;
        }

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
                            long outOff, ActivationFunction activation) {
            ConvChecks.execute(spec, in, inOff, bias, biasOff, out, outOff);
            int planes = spec.n() * spec.outC();
            boolean fork = ctx.threads() > 1 && spec.outputElements() >= PARALLEL_MIN_OUTPUTS
                    && ComputeContext.shareable(in, out, bias);
            int parts = fork ? Math.min(ctx.threads(), planes) : 1;
            // the plane kernels apply ReLU and hardtanh before their stores; other functions run after
            int act = fast == null ? -1 : DepthwisePlanes.activationCode(activation);
            curIn = in;
            curInOff = inOff;
            curBias = bias;
            curBiasOff = biasOff;
            curOut = out;
            curOutOff = outOff;
            curActivation = activation;
            curAct = act;
            if (parts == 1) {
                planes(0, 1);
            } else {
                ctx.run(parts, planesTask);
            }
            curIn = null;
            curBias = null;
            curOut = null;
            curActivation = null;
            if (act < 0) {
                ConvActivation.after(activation, spec, out, outOff, ctx);
            }
        }

        /** Output planes (image, channel) of share {@code part} of {@code parts} of the current call. */
        private void planes(int part, int parts) {
            MemorySegment in = curIn;
            MemorySegment out = curOut;
            MemorySegment bias = curBias;
            ActivationFunction activation = curActivation;
            int act = curAct;
            float actLo = activation == null ? 0f : activation.alpha();
            float actHi = activation == null ? 0f : activation.beta();
            int planes = spec.n() * spec.outC();
            int end = ComputeContext.partBegin(planes, parts, part + 1);
            for (int p = ComputeContext.partBegin(planes, parts, part); p < end; p++) {
                int oc = p % spec.outC();
                int b = p / spec.outC();
                int ic = oc / spec.outCPerGroup();
                float bv = bias == null ? 0f : bias.getAtIndex(F, curBiasOff + oc);
                long inBase = curInOff + ((long) b * spec.inC() + ic) * spec.inSpatial();
                long outBase = curOutOff + (long) p * spec.outSpatial();
                int wBase = oc * spec.kernelVolume();
                if (fast != null && fast.fits(in, inBase, out, outBase)) {
                    fast.plane(in, inBase, w, wBase, bv, out, outBase, Math.max(act, DepthwisePlanes.ACT_NONE),
                            actLo, actHi);
                } else {
                    plane(spec, in, inBase, w, wBase, bv, out, outBase);
                    if (act > DepthwisePlanes.ACT_NONE) {
                        for (long i = 0; i < spec.outSpatial(); i++) {
                            out.setAtIndex(F, outBase + i, activation.apply(out.getAtIndex(F, outBase + i)));
                        }
                    }
                }
            }
        }
    }

    /** One output plane from one input plane at {@code inBase}, weights {@code w[wBase..]}. */
    private static void plane(ConvSpec s, MemorySegment in, long inBase, float[] w, int wBase, float bias,
                              MemorySegment out, long outBase) {
        if (Simd.VECTOR && s.stride(2) <= 2) {
            ConvDepthwiseVector.plane(s, in, inBase, w, wBase, bias, out, outBase);
            return;
        }
        int inW = s.inW();
        int outW = s.outW();
        int kW = s.kW();
        int sw = s.stride(2);
        int dw = s.dilation(2);
        int pw = s.padBegin(2);
        // Interior columns: ow * sw - pw >= 0 and ow * sw + (kW - 1) * dw - pw <= inW - 1.
        int lo = Math.min(outW, -Math.floorDiv(-pw, sw));
        int hi = Math.max(lo, Math.min(outW, Math.floorDiv(inW - 1 - (kW - 1) * dw + pw, sw) + 1));
        for (int oh = 0; oh < s.outH(); oh++) {
            long outRow = outBase + (long) oh * outW;
            border(s, in, inBase, w, wBase, bias, out, outRow, oh, 0, lo);
            interior(s, in, inBase, w, wBase, bias, out, outRow, oh, lo, hi);
            border(s, in, inBase, w, wBase, bias, out, outRow, oh, hi, outW);
        }
    }

    /** Columns {@code [from, to)} of row {@code oh}, every tap checked against the input. */
    static void border(ConvSpec s, MemorySegment in, long inBase, float[] w, int wBase, float bias,
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
    private static void interior(ConvSpec s, MemorySegment in, long inBase, float[] w, int wBase, float bias,
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
}
