package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import dev.fovea.simd.conv.generated.ConvChannelLanesRows;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Direct convolution with the output channels across the vector lanes and a run of output
 * positions along a row in registers: per (input channel, kernel row) pair, the input values
 * under the run are broadcast once and meet every kernel column's weight vector
 * ({@link ConvChannelLanesRows}). No lane is spent past the end of an output row, which is where
 * {@link ConvShifted} loses on short rows (LeNet-5's {@code 6 -> 16} 5x5 layer: 100 of its 144
 * wide columns are real), and no column matrix is built.
 *
 * <p>Supports kernels 2 to 7 wide with stride 1 and dilation 1 along the width; any stride and
 * dilation along depth and height, padding in every {@link PaddingMode}, groups, 1 to 3 dims; the
 * vector path only. With {@code P} the input padded as {@link ConvPadInput} pads it:
 * <pre>
 *   out[o, od, oh, ow] = bias[o] + sum over ic < cg, kd, kh (in order), then kw, of
 *                        W[o, ic, kd, kh, kw] * P[ic, od * sd + kd * dd, oh * sh + kh * dh, ow + kw]
 * </pre>
 * Output channels run in vectors of the lanes (the last one padded with zero weights and
 * discarded); each output row in runs of at most 12 positions, the last run rounded up to a
 * generated length (the extra positions are discarded).
 *
 * <p><b>Workspace</b>, the calling thread's {@link ConvWorkspace#floats} (one per thread when the
 * images are split): an image's padded input with slack for the discarded positions, and one
 * vector of output channels of the image twice: by position, as the kernel stores it, and then
 * transposed to the output's layout for one bulk copy. With padding
 * the image is padded in the thread's native buffer and copied in. Heap arrays: the broadcasts'
 * index checks then leave the kernel's loop.
 *
 * <p><b>Threads and numerics:</b> images are split over the threads; each output is one float
 * FMA chain from the bias over the terms in the order above, bit-identical for any thread count.
 * The activation runs in one pass over the output after ({@link ConvActivation#after}).
 */
public final class ConvChannelLanes implements ConvAlgorithm {
    /** The single instance. */
    public static final ConvChannelLanes INSTANCE = new ConvChannelLanes();
    /** The longest run of output positions per kernel call. */
    static final int LONGEST_RUN = 12;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Below this many output floats a call stays on the caller: a fork costs more than the work. */
    private static final long PARALLEL_MIN_OUTPUTS = 1 << 13;

    /**
     * AUTO takes this algorithm over {@link ConvShifted} (in shifted's domain, {@link ConvShifted#autoPrefers})
     * when every output sums at least this many terms ({@code cg * kVol}): the transpose of each
     * output from lanes to rows costs about what a few dozen terms do. Zen 4, one thread, against
     * shifted: 1.57x on LeNet-5's {@code 6 -> 16} 5x5 layer (150 terms), 1.11x on {@code 32 -> 32}
     * 5x5 on 28 x 28 (800), but 0.69x on {@code 3 -> 16} 3x3 (27) and 0.65x on {@code 8 -> 24} 3x3 (72).
     */
    static final int AUTO_MIN_TERMS = 96;
    /** ... when the output channels fill at least this share of the lanes of their vectors ... */
    static final double AUTO_MIN_LANE_USE = 0.75;
    /**
     * ... and when shifted would spend less than this share of its lane-FMAs on real outputs (past
     * each row's end and on its blocks of 6 output channels): 64 -> 64 3x3 on 56 x 56 (0.94) ran
     * 0.89x of shifted here.
     */
    static final double AUTO_MAX_SHIFTED_USE = 0.9;

    private ConvChannelLanes() {}

    /** True if AUTO should run {@code spec} here rather than on {@link ConvShifted} (see {@link #AUTO_MIN_TERMS}). */
    static boolean autoPrefers(ConvSpec spec) {
        if (INSTANCE.unsupportedReason(spec) != null) {
            return false;
        }
        double og = spec.outCPerGroup();
        double lanes = Simd.floatLanes();
        double laneUse = og / (lanes * Math.ceil(og / lanes));
        double shiftedUse = (double) spec.outSpatial() / ConvImplicitGemm.wideColumns(spec)
                * og / (ConvShifted.ROWS * Math.ceil(og / ConvShifted.ROWS));
        return (long) spec.inCPerGroup() * spec.kernelVolume() >= AUTO_MIN_TERMS && laneUse >= AUTO_MIN_LANE_USE
                && shiftedUse < AUTO_MAX_SHIFTED_USE;
    }

    @Override
    public String name() {
        return "channel-lanes";
    }

    @Override
    public String unsupportedReason(ConvSpec spec) {
        if (spec.stride(2) != 1 || spec.dilation(2) != 1) {
            return "needs stride 1 and dilation 1 along the width";
        }
        if (!Simd.VECTOR) {
            return "needs the vector path";
        }
        if (!ConvChannelLanesRows.has(spec.kW(), 2)) {
            return "has kernels 2 to 7 wide only, got " + spec.kW();
        }
        long lanes = Simd.floatLanes();
        long vectors = (spec.outCPerGroup() + lanes - 1) / lanes;
        long weights = (long) spec.inCPerGroup() * spec.kernelVolume() * lanes;
        if (threadFloats(spec) > Integer.MAX_VALUE - 8 || weights > Integer.MAX_VALUE - 8
                || spec.groups() * vectors > Integer.MAX_VALUE - 8) {
            return "its per-image workspace or packed weights exceed " + (Integer.MAX_VALUE - 8) + " floats";
        }
        return null;
    }

    /** Float FMA chains of {@code cg * kVol} terms after the bias, as the GEMM-based plans sum them. */
    @Override
    public double maxNmse() {
        return ConvIm2col.INSTANCE.maxNmse();
    }

    @Override
    public ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ComputeContext ctx) {
        ConvChecks.supported(this, spec);
        ConvChecks.operand("weights", weights, weightOff, spec.weightElements(), spec);
        return new Plan(spec, packWeights(spec, weights, weightOff), pairOffsets(spec), runs(spec),
                new float[spec.groups() * vectors(spec) * Simd.floatLanes()], ctx);
    }

    private static int vectors(ConvSpec spec) {
        int lanes = Simd.floatLanes();
        return (spec.outCPerGroup() + lanes - 1) / lanes;
    }

    /** Floats of a padded image in the workspace, with slack for the discarded positions of a run. */
    private static long imageFloats(ConvSpec spec) {
        return spec.inC() * ConvPadInput.paddedSpatial(spec) + LONGEST_RUN;
    }

    /**
     * Floats of one thread's workspace: the image; a vector of output channels as the output lays
     * them out; the same by position ({@code positions * lanes}) with a run's slack.
     */
    private static long threadFloats(ConvSpec spec) {
        long lanes = Simd.floatLanes();
        return imageFloats(spec) + 2 * lanes * spec.outSpatial() + LONGEST_RUN * lanes;
    }

    /**
     * The weights per (group, vector of output channels): {@code w[(p * kW + kw) * lanes + lane] =
     * W[g * og + v * lanes + lane, pair p, kw]} for the (input channel, kd, kh) pairs in order,
     * zero past {@code og}.
     */
    private static float[][] packWeights(ConvSpec spec, MemorySegment w, long wOff) {
        int lanes = Simd.floatLanes();
        int og = spec.outCPerGroup();
        int vectors = vectors(spec);
        int kk = spec.inCPerGroup() * spec.kernelVolume();
        float[][] packed = new float[spec.groups() * vectors][kk * lanes];
        for (int o = 0; o < spec.outC(); o++) {
            int local = o % og;
            float[] block = packed[o / og * vectors + local / lanes];
            for (int k = 0; k < kk; k++) {
                // k = pair * kW + kw, the weights' own order
                block[k * lanes + local % lanes] = w.getAtIndex(F, wOff + (long) o * kk + k);
            }
        }
        return packed;
    }

    /** Per group, the offset in the padded image of each (input channel, kd, kh) pair's first input. */
    private static int[][] pairOffsets(ConvSpec spec) {
        int padH = ConvPadInput.paddedExtent(spec, 1);
        int padW = ConvPadInput.paddedExtent(spec, 2);
        int padSpatial = (int) ConvPadInput.paddedSpatial(spec);
        int cg = spec.inCPerGroup();
        int[][] offsets = new int[spec.groups()][cg * spec.kD() * spec.kH()];
        for (int grp = 0; grp < spec.groups(); grp++) {
            int p = 0;
            for (int ic = 0; ic < cg; ic++) {
                for (int kd = 0; kd < spec.kD(); kd++) {
                    for (int kh = 0; kh < spec.kH(); kh++) {
                        offsets[grp][p++] = (grp * cg + ic) * padSpatial
                                + (kd * spec.dilation(0) * padH + kh * spec.dilation(1)) * padW;
                    }
                }
            }
        }
        return offsets;
    }

    /**
     * The runs of a row as {first position, kernel length, positions kept}: runs of
     * {@link #LONGEST_RUN} (or the longest the kernel width has), then the shortest generated
     * length that covers the rest.
     */
    private static int[][] runs(ConvSpec spec) {
        int kW = spec.kW();
        int longest = LONGEST_RUN;
        while (!ConvChannelLanesRows.has(kW, longest)) {
            longest -= 2;
        }
        java.util.List<int[]> runs = new java.util.ArrayList<>();
        int ow = 0;
        for (; ow + longest <= spec.outW(); ow += longest) {
            runs.add(new int[] {ow, longest, longest});
        }
        if (ow < spec.outW()) {
            int rest = spec.outW() - ow;
            int len = 2;
            while (len < rest || !ConvChannelLanesRows.has(kW, len)) {
                len += 2;
            }
            runs.add(new int[] {ow, len, rest});
        }
        return runs.toArray(new int[0][]);
    }

    private record Plan(ConvSpec spec, float[][] weights, int[][] pairs, int[][] runs, float[] biasLanes,
                        ComputeContext ctx) implements ConvPlan {
        @Override
        public String algorithm() {
            return "channel-lanes";
        }

        /** Bytes of one thread's workspace (heap, and the native buffer it pads in when there is padding). */
        @Override
        public long workspaceBytes() {
            long padded = ConvPadInput.paddedSpatial(spec) == spec.inSpatial() ? 0
                    : spec.inC() * ConvPadInput.paddedSpatial(spec) * Float.BYTES;
            return threadFloats(spec) * Float.BYTES + padded;
        }

        @Override
        public void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment out,
                            long outOff, ActivationFunction activation) {
            ConvChecks.operand("input", in, inOff, spec.inputElements(), spec);
            ConvChecks.operand("output", out, outOff, spec.outputElements(), spec);
            if (bias != null) {
                ConvChecks.operand("bias", bias, biasOff, spec.outC(), spec);
            }
            int n = spec.n();
            if (n > 0 && spec.outputElements() > 0) {
                setBias(bias, biasOff);
                boolean fork = ctx.threads() > 1 && n > 1 && spec.outputElements() >= PARALLEL_MIN_OUTPUTS
                        && ComputeContext.shareable(in, out, bias);
                if (!fork) {
                    // no task object: inference runs this in a loop that must not allocate
                    images(in, inOff, out, outOff, 0, n);
                } else {
                    ctx.run(Math.min(ctx.threads(), n), (part, count) -> images(in, inOff, out, outOff,
                            ComputeContext.partBegin(n, count, part), ComputeContext.partBegin(n, count, part + 1)));
                }
            }
            ConvActivation.after(activation, spec, out, outOff, ctx);
        }

        /** Writes the bias (zeros without one) into the accumulators' start, lane by output channel. */
        private void setBias(MemorySegment bias, long biasOff) {
            int lanes = Simd.floatLanes();
            int og = spec.outCPerGroup();
            int vectors = vectors(spec);
            for (int o = 0; o < spec.outC(); o++) {
                int local = o % og;
                biasLanes[(o / og * vectors + local / lanes) * lanes + local % lanes] =
                        bias == null ? 0f : bias.getAtIndex(F, biasOff + o);
            }
        }

        /** Images {@code [b0, b1)} with the current thread's workspace. */
        private void images(MemorySegment in, long inOff, MemorySegment out, long outOff, int b0, int b1) {
            float[] ws = ConvWorkspace.floats((int) threadFloats(spec));
            for (int b = b0; b < b1; b++) {
                image(in, inOff, out, outOff, b, ws);
            }
        }

        private void image(MemorySegment in, long inOff, MemorySegment out, long outOff, int b, float[] ws) {
            int lanes = Simd.floatLanes();
            ConvPadInput.padInto(spec, in, inOff + (long) b * spec.inC() * spec.inSpatial(), ws, 0);
            int positions = (int) spec.outSpatial();
            int outT = (int) imageFloats(spec);
            int acc = outT + lanes * positions;
            int og = spec.outCPerGroup();
            int vectors = vectors(spec);
            int kW = spec.kW();
            int padH = ConvPadInput.paddedExtent(spec, 1);
            int padW = ConvPadInput.paddedExtent(spec, 2);
            for (int grp = 0; grp < spec.groups(); grp++) {
                int[] pairOff = pairs[grp];
                for (int v = 0; v < vectors; v++) {
                    int block = grp * vectors + v;
                    int kept = Math.min(lanes, og - v * lanes);
                    for (int od = 0; od < spec.outD(); od++) {
                        for (int oh = 0; oh < spec.outH(); oh++) {
                            int rowBase = (od * spec.stride(0) * padH + oh * spec.stride(1)) * padW;
                            int rowOut = (od * spec.outH() + oh) * spec.outW();
                            for (int[] run : runs) {
                                // a run's discarded positions land on the next row's, which come later, or in the slack
                                ConvChannelLanesRows.run(kW, run[1], ws, rowBase + run[0], pairOff, pairOff.length,
                                        weights[block], 0, biasLanes, block * lanes, ws,
                                        acc + (rowOut + run[0]) * lanes);
                            }
                        }
                    }
                    // positions by lanes to channel rows: ws[outT + o * positions + position]
                    for (int o = 0; o < kept; o++) {
                        int row = outT + o * positions;
                        for (int q = 0; q < positions; q++) {
                            ws[row + q] = ws[acc + q * lanes + o];
                        }
                    }
                    long channel = (long) b * spec.outC() + grp * og + v * lanes;
                    MemorySegment.copy(ws, outT, out, F, (outOff + channel * positions) * Float.BYTES,
                            kept * positions);
                }
            }
        }
    }
}
