package dev.fovea.simd.conv;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.gemm.Epilogue;
import dev.fovea.simd.gemm.PackedMatrix;
import dev.fovea.simd.gemm.Sgemm;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.parallel.PartTask;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Convolution as GEMMs fed straight from the (padded) input, without the im2col matrix.
 * Layout NCDHW, contiguous: input {@code (n, inC, inD, inH, inW)}, weights
 * {@code (outC, inC/groups, kD, kH, kW)}, output {@code (n, outC, outD, outH, outW)}, overwritten;
 * offsets in float elements. Per image {@code b} and group {@code g}, {@code cg = inC/groups},
 * {@code og = outC/groups}:
 *
 * <p><b>Supported specs</b> (anything else is reported unsupported, see {@link #unsupportedReason}):
 * <ul>
 * <li><b>1x1x1 kernel, stride 1, no padding</b>: {@code out[b, g] (og x N) = W[g] (og x cg) x
 *     in[b, g] (cg x N)}, {@code N = inD*inH*inW}: one GEMM on the input in place, batched over
 *     images, no copy and no workspace.
 * <li><b>1x1x1 kernel, any stride or padding</b>: the strided (and padded) pixels are gathered
 *     into a {@code cg x outD*outH*outW} workspace, then one GEMM. This is im2col with
 *     {@code K = cg}, the cheapest case of it.
 * <li><b>Any kernel with stride 1 on every axis</b> (any dilation, padding, padding mode, groups,
 *     1-3 d): one GEMM whose B rows are shifted rows of the input. The input is padded once per
 *     image and group by {@link ConvPadInput} (skipped when there is no padding), giving {@code P}
 *     {@code (cg, padD, padH, padW)}. Tap {@code t = (kd, kh, kw)} reads {@code P} shifted by
 *     {@code s_t = (kd*dilD*padH + kh*dilH)*padW + kw*dilW}. Computing over the padded width
 *     makes every shifted channel a contiguous row, so B is an indirect operand
 *     ({@link Sgemm#sgemmIndirectB}) that the GEMM packs as it goes, with no im2col matrix:
 *     <pre>
 *   wide (og x Nw) = W (og x cg*kVol) x B,   B row ic*kVol + t = P[ic, s_t .. s_t + Nw)
 *   Nw = (outD-1)*padH*padW + (outH-1)*padW + outW
 *   out[o, od, oh, ow] = wide[o, (od*padH + oh)*padW + ow]  (the other columns are discarded)
 *     </pre>
 *     W is the weights as stored (the im2col algorithm's A, packed at plan time) and B's rows are
 *     in im2col's order, so each output is the same float FMA chain as im2col's. When the wide
 *     layout is the output's ({@code padW = outW}, i.e. {@code kW = 1}, or a single output row;
 *     and {@code padH*padW = outH*outW} or a single output plane: e.g. a 1-d convolution) the GEMM
 *     writes the output directly; otherwise the valid columns are copied out of the wide
 *     workspace. (This replaced a sum of one GEMM per tap with {@code K = cg}, which re-read and
 *     re-wrote C once per tap: ResNet-18 layer1 ran at 55-71% of the FMA peak that way.)
 * <li><b>Any kernel with a stride above 1</b>: the padded input is split into its stride phases
 *     first, so that the strided taps become shifts again. Along an axis with stride {@code s},
 *     {@code P} of extent {@code pad} becomes {@code s} phases of extent {@code E = ceil(pad / s)},
 *     phase {@code r} holding {@code P[r], P[r + s], ..}; tap offset {@code k*dil} reads phase
 *     {@code (k*dil) mod s} shifted by {@code (k*dil) div s}, since output {@code o} reads
 *     {@code P[o*s + k*dil]}. The phases of a channel are laid out
 *     {@code (rD, rH, rW, E_D, E_H, E_W)}, and the GEMM above runs over them with {@code E_H, E_W}
 *     in place of {@code padH, padW}: the same indirect B, the same k order, about
 *     {@code E_W / outW} of wide-column overhead (ResNet-18's 3x3 stride-2 layers: 29/28 and 8/7,
 *     its 7x7 stem 115/112). Every valid output reads inside its phase (the last tap reads
 *     {@code P[(out-1)*s + (k-1)*dil] < pad}); the positions a phase gets beyond {@code pad}
 *     are zeros read only by discarded columns. The split is the im2col copy of a kernel of size
 *     {@code s} and stride {@code s} ({@link ConvIm2colCopy}, which gathers stride 2 with vectors),
 *     over the input with zero padding or, for the other padding modes, over the padded input.
 *     This replaced im2col for strided kernels, whose column matrix is {@code kVol / s^2} times
 *     the input (2.25x for 3x3 stride 2) and was copied with a gather per tap.
 * </ul>
 *
 * <p><b>Workspace</b> (floats, 64-byte aligned, allocated at plan time): gather path
 * {@code cg * outD*outH*outW}; tap path
 * {@code cg * padD*padH*padW} if padded (with a stride: only for padding modes other than zeros)
 * plus {@code cg * sD*sH*sW * E_D*E_H*E_W} for the phases if strided, plus {@code og * Nw} unless
 * the GEMMs write the output directly; 0 for the direct path. Once per thread when the batch is
 * split by images.
 *
 * <p><b>Threads and numerics.</b> The GEMMs run on the plan's {@link ComputeContext}; padding and
 * copying out are split over channels when large and the segments are shareable. A batch that
 * {@link #imageThreads} splits is split by images over the threads instead, each thread with its
 * own workspace slice and single-threaded GEMMs (both paths; the tap path's slices are all three
 * of its workspaces). Each
 * output is float sums in a fixed order (the GEMM's k-ordered FMA chain over {@code cg*kVol}, then the
 * bias), independent of the thread count: results are bit-identical for any number of threads.
 */
public final class ConvImplicitGemm implements ConvAlgorithm {
    /** The single instance. */
    public static final ConvImplicitGemm INSTANCE = new ConvImplicitGemm();
    /** Copies smaller than this (floats) run on the calling thread: a fork costs more. */
    private static final long PARALLEL_COPY_MIN = 1L << 15;
    /** A batch below this many flops (16.8 M, the GEMM's own threading threshold) runs on one thread. */
    static final double IMAGE_PARALLEL_MIN_FLOPS = 1 << 24;
    /**
     * Images above this many flops (64 M, ~0.6 ms on one core) are threaded inside their GEMMs
     * unless the batch divides evenly over the threads: inner threading balances an odd batch
     * better (as for the items of {@link Sgemm#sgemmBatched}).
     */
    static final double IMAGE_PARALLEL_MAX_FLOPS = 1 << 26;
    /** The context of the single-threaded GEMMs of an image-parallel batch. */
    private static final ComputeContext SERIAL = ComputeContext.create(1);

    private ConvImplicitGemm() {}

    @Override
    public String name() {
        return "implicit-gemm";
    }

    @Override
    public String unsupportedReason(ConvSpec spec) {
        if (ConvPadInput.paddedSpatial(spec) > Integer.MAX_VALUE || spec.outSpatial() > Integer.MAX_VALUE
                || (long) phases(spec) * phaseSpatial(spec) > Integer.MAX_VALUE) {
            return "a padded input or output channel exceeds " + Integer.MAX_VALUE + " floats";
        }
        return null;
    }

    /**
     * The same K-long float FMA chains as im2col's (1x1 kernels: the same GEMM), so the same bound:
     * {@link ConvIm2col#maxNmse}.
     */
    @Override
    public double maxNmse() {
        return ConvIm2col.INSTANCE.maxNmse();
    }

    /**
     * Returns the columns of the per-image GEMM of a kernel larger than 1x1,
     * {@code Nw = (outD-1)*E_H*E_W + (outH-1)*E_W + outW} with the phase extents {@code E}
     * ({@link #phaseExtent}; the padded extents at stride 1), see the class comment; for 1x1
     * kernels it is meaningless. {@code Nw / outSpatial - 1} is the work spent on discarded columns.
     */
    static long wideColumns(ConvSpec s) {
        long eH = phaseExtent(s, 1);
        long eW = phaseExtent(s, 2);
        return ((long) (s.outD() - 1) * eH + s.outH() - 1) * eW + s.outW();
    }

    /** The extent of one stride phase along {@code axis}: {@code ceil(paddedExtent / stride)}. */
    static int phaseExtent(ConvSpec s, int axis) {
        int stride = s.stride(axis);
        return (ConvPadInput.paddedExtent(s, axis) + stride - 1) / stride;
    }

    /** Floats of one stride phase of a channel, {@code E_D * E_H * E_W}. */
    static long phaseSpatial(ConvSpec s) {
        return (long) phaseExtent(s, 0) * phaseExtent(s, 1) * phaseExtent(s, 2);
    }

    /** The stride phases of a channel, {@code sD * sH * sW} (1 at stride 1). */
    static int phases(ConvSpec s) {
        return s.stride(0) * s.stride(1) * s.stride(2);
    }

    /**
     * The spec whose im2col rows are the stride phases of {@code s} ({@link ConvIm2colCopy}): a
     * kernel of the stride's size at that stride, zero padding to {@code E * stride} per axis, so
     * that row {@code ic * phases + (rD*sH + rH)*sW + rW} is phase {@code (rD, rH, rW)} of channel
     * {@code ic}. Over the input itself when {@code s} pads with zeros ({@code padded} false), else
     * over its padded copy ({@link ConvPadInput}, {@code padded} true: no padding at the start).
     */
    static ConvSpec phaseSpec(ConvSpec s, boolean padded) {
        int dims = s.dims();
        int[] in = new int[dims];
        int[] stride = new int[dims];
        int[] begin = new int[dims];
        int[] end = new int[dims];
        for (int d = 0; d < dims; d++) {
            int axis = 3 - dims + d;
            in[d] = padded ? ConvPadInput.paddedExtent(s, axis) : s.in(axis);
            stride[d] = s.stride(axis);
            begin[d] = padded ? 0 : s.padBegin(axis);
            end[d] = phaseExtent(s, axis) * stride[d] - in[d] - begin[d];
        }
        return ConvSpec.builder(dims).inC(s.inCPerGroup()).outC(1).input(in).kernel(stride).stride(stride)
                .padding(Padding.of(begin, end)).build();
    }

    @Override
    public ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ComputeContext ctx) {
        ConvChecks.supported(this, spec);
        ConvChecks.operand("weights", weights, weightOff, spec.weightElements(), spec);
        if (spec.kernelVolume() == 1) {
            return new GatherPlan(spec, ConvIm2col.packWeights(spec, weights, weightOff), ctx);
        }
        return new TapPlan(spec, ConvIm2col.packWeights(spec, weights, weightOff), ctx);
    }

    /** Common plan state: spec, context, and a parallel range copy bound once so execute allocates no task. */
    private abstract static class BasePlan implements ConvPlan {
        final ConvSpec spec;
        final ComputeContext ctx;
        /** The GEMM epilogues of the last call's bias and activation, per group. */
        final ConvEpilogues epilogues;
        private final PartTask part = this::part;
        private int parallelCount;
        // operands of the current execute call, set before any fork, read-only while the parts run
        MemorySegment curIn;
        long curInOff;
        MemorySegment curOut;
        long curOutOff;
        Epilogue[] curEpilogues;

        BasePlan(ConvSpec spec, ComputeContext ctx) {
            this.spec = spec;
            this.ctx = ctx;
            this.epilogues = new ConvEpilogues(spec);
        }

        @Override
        public ConvSpec spec() {
            return spec;
        }

        @Override
        public String algorithm() {
            return INSTANCE.name();
        }

        /** Sets the operands of the current call. */
        final void bind(MemorySegment in, long inOff, MemorySegment out, long outOff, Epilogue[] eps) {
            curIn = in;
            curInOff = inOff;
            curOut = out;
            curOutOff = outOff;
            curEpilogues = eps;
        }

        /** Drops the segments of the last call. */
        final void unbind() {
            curIn = null;
            curOut = null;
        }

        /** Runs {@link #range} over {@code [0, count)}, split over the threads when {@code floats} is large. */
        final void forRange(int count, long floats, boolean shareable) {
            if (!shareable || ctx.threads() < 2 || count < 2 || floats < PARALLEL_COPY_MIN) {
                range(0, count);
                return;
            }
            parallelCount = count;
            ctx.run(Math.min(ctx.threads(), count), part);
        }

        private void part(int p, int parts) {
            range(ComputeContext.partBegin(parallelCount, parts, p),
                    ComputeContext.partBegin(parallelCount, parts, p + 1));
        }

        /** The copy of items {@code [begin, end)} of the current {@link #forRange} call. */
        abstract void range(int begin, int end);
    }

    /**
     * 1x1x1 kernels: on the input in place, or over gathered strided/padded pixels. A batch whose
     * per-image GEMMs are small ({@link #imageThreads}) is split by images over the threads, each
     * with its own slice of the workspace and single-threaded GEMMs: a ResNet-18 1x1 stride-2
     * downsample (128 x 784 x 64 per image, below the GEMM's own threading threshold) ran no
     * faster on 2 threads than on 1 with one image after the other.
     */
    private static final class GatherPlan extends BasePlan {
        private final PackedMatrix[] packed;
        private final int n;
        /** Floats of one thread's workspace slice: {@code cg * n}. */
        private final long slice;
        /** Threads that split the batch by images, or 1: images one after another, GEMMs threaded inside. */
        private final int imageThreads;
        private final MemorySegment ws;
        private final PartTask imagesTask = this::imagesPart;

        GatherPlan(ConvSpec spec, PackedMatrix[] packed, ComputeContext ctx) {
            super(spec, ctx);
            this.packed = packed;
            this.n = (int) spec.outSpatial();
            this.slice = (long) spec.inCPerGroup() * n;
            boolean gathers = !ConvIm2col.inputIsColumns(spec);
            this.imageThreads = gathers ? imageThreads(spec, ctx.threads()) : 1;
            this.ws = gathers ? Arena.ofAuto().allocate(imageThreads * slice * Float.BYTES, 64) : null;
        }

        @Override
        public long workspaceBytes() {
            return ws == null ? 0 : ws.byteSize();
        }

        @Override
        public void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment out,
                            long outOff, ActivationFunction activation) {
            execute(in, inOff, bias, biasOff, null, 0, out, outOff, activation);
        }

        /** The residual is added in the GEMM's epilogue, on each tile before its activation and store. */
        @Override
        public void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment residual,
                            long residualOff, MemorySegment out, long outOff, ActivationFunction activation) {
            ConvChecks.execute(spec, in, inOff, bias, biasOff, out, outOff);
            if (residual != null) {
                ConvChecks.residual(spec, residual, residualOff, out, outOff);
            }
            long shift = residual == null ? 0 : residualOff - outOff;
            Epilogue[] eps = epilogues.of(bias, biasOff, activation, residual, shift);
            if (ws == null) {
                ConvIm2col.directGemm(spec, packed, ctx, in, inOff, out, outOff, eps);
                ConvActivation.afterGemm(activation, spec, out, outOff, ctx);
                return;
            }
            bind(in, inOff, out, outOff, eps);
            if (imageThreads > 1 && ComputeContext.shareable(in, out, bias)
                    && (residual == null || ComputeContext.shareable(residual))) {
                ctx.run(imageThreads, imagesTask);
            } else {
                boolean shareable = ComputeContext.shareable(in);
                for (int b = 0; b < spec.n(); b++) {
                    for (int g = 0; g < spec.groups(); g++) {
                        curInOff = inputOffset(inOff, b, g);
                        forRange(spec.inCPerGroup(), slice, shareable);
                        gemm(ctx, b, g, 0);
                    }
                }
            }
            unbind();
            ConvActivation.afterGemm(activation, spec, out, outOff, ctx);
        }

        private long inputOffset(long inOff, int b, int g) {
            return inOff + ((long) b * spec.inC() + (long) g * spec.inCPerGroup()) * spec.inSpatial();
        }

        /** Image b, group g: the output channels from the gathered pixels at {@code ws[wsOff..]}. */
        private void gemm(ComputeContext context, int b, int g, long wsOff) {
            int og = spec.outCPerGroup();
            Sgemm.sgemm(context, packed[g], false, n, 1f, ws, wsOff, n, 0f,
                    curOut, curOutOff + ((long) b * spec.outC() + (long) g * og) * n, n,
                    curEpilogues[g]);
        }

        /** Thread {@code part}'s images, gathered into its own workspace slice, single-threaded GEMMs. */
        private void imagesPart(int part, int parts) {
            long wsOff = part * slice;
            int end = ComputeContext.partBegin(spec.n(), parts, part + 1);
            for (int b = ComputeContext.partBegin(spec.n(), parts, part); b < end; b++) {
                for (int g = 0; g < spec.groups(); g++) {
                    ConvIm2colCopy.rows(spec, curIn, inputOffset(curInOff, b, g), 0, spec.inCPerGroup(), 0, n, ws,
                            wsOff, n);
                    gemm(SERIAL, b, g, wsOff);
                }
            }
        }

        @Override
        void range(int begin, int end) {
            ConvIm2colCopy.rows(spec, curIn, curInOff, begin, end, 0, n, ws, 0, n);
        }
    }

    /**
     * Returns how many threads split a batch of this spec by images: all of them (at most one per
     * image) when the batch has at least as many images as threads, the whole batch is worth a
     * fork ({@link #IMAGE_PARALLEL_MIN_FLOPS}) and either one image's GEMMs are too small to
     * thread well inside ({@link #IMAGE_PARALLEL_MAX_FLOPS}) or the images divide evenly; else 1.
     */
    static int imageThreads(ConvSpec spec, int threads) {
        double perImage = 2.0 * spec.outC() * spec.outSpatial() * spec.inCPerGroup() * spec.kernelVolume();
        boolean split = threads > 1 && spec.n() >= threads && perImage * spec.n() >= IMAGE_PARALLEL_MIN_FLOPS
                && (perImage <= IMAGE_PARALLEL_MAX_FLOPS || spec.n() % threads == 0);
        return split ? threads : 1;
    }

    /**
     * Any kernel larger than 1x1: one GEMM over shifted rows of the padded input (indirect B), at
     * a stride above 1 over the padded input's stride phases. A batch that {@link #imageThreads}
     * splits by images gives each thread its own workspace slice and single-threaded GEMMs
     * (batch 8 on 2 threads: ResNet-18's 3x3 stride-2 layer4 conv 6.84-6.89 -> 6.44-6.50 ms, its
     * stem unchanged at 12.1 ms).
     */
    private static final class TapPlan extends BasePlan {
        private final PackedMatrix[] packed;
        /** B row {@code ic * kVol + t}: element offset of channel ic shifted by tap t, from the plane base. */
        private final long[] rows;
        /** The im2col spec that splits a channel into its stride phases, or null at stride 1. */
        private final ConvSpec phaseSpec;
        /** Stride phases per channel ({@link #phases}). */
        private final int phases;
        private final long phaseSpatial;
        private final int eH;
        private final int eW;
        private final int wideCols;
        private final boolean direct;
        /** Threads that split the batch by images, or 1 (see {@link #imageThreads}). */
        private final int imageThreads;
        /** Floats of one thread's slice of each workspace (0 where the plan has none). */
        private final long padSlice;
        private final long phaseSlice;
        private final long wideSlice;
        /** The padded input: at stride 1 when padded, with a stride only for modes other than zeros. */
        private final MemorySegment padWs;
        /** The stride phases, or null at stride 1. */
        private final MemorySegment phaseWs;
        private final MemorySegment wideWs;
        private final PartTask imagesTask = this::imagesPart;
        /** What {@link #range} does in the current call: prepare the input, or copy the output out. */
        private boolean preparing;
        // the image group of the current forRange call (images one after another only)
        private long curInImage;
        private long curOutImage;

        TapPlan(ConvSpec s, PackedMatrix[] packed, ComputeContext ctx) {
            super(s, ctx);
            this.packed = packed;
            this.phases = phases(s);
            this.phaseSpatial = phaseSpatial(s);
            this.eH = phaseExtent(s, 1);
            this.eW = phaseExtent(s, 2);
            int[] strides = {s.stride(0), s.stride(1), s.stride(2)};
            int[] dilations = {s.dilation(0), s.dilation(1), s.dilation(2)};
            int kVol = s.kernelVolume();
            long[] shift = new long[kVol];
            int t = 0;
            for (int kd = 0; kd < s.kD(); kd++) {
                for (int kh = 0; kh < s.kH(); kh++) {
                    for (int kw = 0; kw < s.kW(); kw++) {
                        int[] at = {kd * dilations[0], kh * dilations[1], kw * dilations[2]};
                        int phase = ((at[0] % strides[0]) * strides[1] + at[1] % strides[1]) * strides[2]
                                + at[2] % strides[2];
                        shift[t++] = phase * phaseSpatial
                                + ((long) (at[0] / strides[0]) * eH + at[1] / strides[1]) * eW + at[2] / strides[2];
                    }
                }
            }
            long channelStride = phases * phaseSpatial;
            this.rows = new long[s.inCPerGroup() * kVol];
            for (int ic = 0; ic < s.inCPerGroup(); ic++) {
                for (t = 0; t < kVol; t++) {
                    rows[ic * kVol + t] = ic * channelStride + shift[t];
                }
            }
            this.wideCols = Math.toIntExact(wideColumns(s));
            this.direct = (s.outH() == 1 || eW == s.outW())
                    && (s.outD() == 1 || (long) eH * eW == (long) s.outH() * s.outW());
            boolean strided = phases > 1;
            boolean padCopy = !s.unpadded() && (!strided || s.paddingMode() != PaddingMode.ZEROS);
            this.phaseSpec = strided ? phaseSpec(s, padCopy) : null;
            this.imageThreads = imageThreads(s, ctx.threads());
            this.padSlice = padCopy ? s.inCPerGroup() * ConvPadInput.paddedSpatial(s) : 0;
            this.phaseSlice = strided ? s.inCPerGroup() * channelStride : 0;
            this.wideSlice = direct ? 0 : (long) s.outCPerGroup() * wideCols;
            this.padWs = allocate(padSlice);
            this.phaseWs = allocate(phaseSlice);
            this.wideWs = allocate(wideSlice);
        }

        /** A 64-byte aligned workspace of one slice of {@code floats} per image thread, or null for none. */
        private MemorySegment allocate(long floats) {
            return floats == 0 ? null : Arena.ofAuto().allocate(imageThreads * floats * Float.BYTES, 64);
        }

        @Override
        public long workspaceBytes() {
            return (padWs == null ? 0 : padWs.byteSize()) + (phaseWs == null ? 0 : phaseWs.byteSize())
                    + (wideWs == null ? 0 : wideWs.byteSize());
        }

        @Override
        public void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment out,
                            long outOff, ActivationFunction activation) {
            ConvChecks.execute(spec, in, inOff, bias, biasOff, out, outOff);
            bind(in, inOff, out, outOff, epilogues.of(bias, biasOff, activation));
            if (imageThreads > 1 && ComputeContext.shareable(in, out, bias)) {
                ctx.run(imageThreads, imagesTask);
            } else {
                boolean splitIn = ComputeContext.shareable(in);
                boolean splitOut = ComputeContext.shareable(out);
                for (int b = 0; b < spec.n(); b++) {
                    for (int g = 0; g < spec.groups(); g++) {
                        image(b, g, ctx, 0, splitIn, splitOut);
                    }
                }
            }
            unbind();
            ConvActivation.afterGemm(activation, spec, out, outOff, ctx);
        }

        /** Thread {@code part}'s images, in its own workspace slice, single-threaded. */
        private void imagesPart(int part, int parts) {
            int end = ComputeContext.partBegin(spec.n(), parts, part + 1);
            for (int b = ComputeContext.partBegin(spec.n(), parts, part); b < end; b++) {
                for (int g = 0; g < spec.groups(); g++) {
                    image(b, g, SERIAL, part, false, false);
                }
            }
        }

        /**
         * Image b, group g of the current call, in workspace slice {@code slot}: the input prepared,
         * the GEMM on {@code gemmCtx}, the valid columns copied out. {@code splitIn} /
         * {@code splitOut}: the preparation / the copy may be split over {@link #ctx}'s threads
         * (images one after another, shareable segments; slot 0 only).
         */
        private void image(int b, int g, ComputeContext gemmCtx, int slot, boolean splitIn, boolean splitOut) {
            int cg = spec.inCPerGroup();
            int og = spec.outCPerGroup();
            long outSpatial = spec.outSpatial();
            long inG = curInOff + ((long) b * spec.inC() + (long) g * cg) * spec.inSpatial();
            long outG = curOutOff + ((long) b * spec.outC() + (long) g * og) * outSpatial;
            MemorySegment p = curIn;
            long pOff = inG;
            if (padWs != null || phaseWs != null) {
                if (splitIn) {
                    preparing = true;
                    curInImage = inG;
                    forRange(cg, (long) cg * phases * phaseSpatial, true);
                } else {
                    prepare(inG, slot, 0, cg);
                }
                p = phaseWs != null ? phaseWs : padWs;
                pOff = slot * (phaseWs != null ? phaseSlice : padSlice);
            }
            MemorySegment c = direct ? curOut : wideWs;
            long cOff = direct ? outG : slot * wideSlice;
            int ldc = direct ? (int) outSpatial : wideCols;
            Sgemm.sgemmIndirectB(gemmCtx, packed[g], wideCols, 1f, p, pOff, rows, 0f, c, cOff, ldc, curEpilogues[g]);
            if (!direct) {
                if (splitOut) {
                    preparing = false;
                    curOutImage = outG;
                    forRange(og, (long) og * outSpatial, true);
                } else {
                    copyOut(outG, slot, 0, og);
                }
            }
        }

        @Override
        void range(int begin, int end) {
            if (preparing) {
                prepare(curInImage, 0, begin, end);
            } else {
                copyOut(curOutImage, 0, begin, end);
            }
        }

        /**
         * Input channels {@code [c0, c1)} of the image group at {@code curIn[inG..]}: padded, then
         * split into their stride phases, as the plan needs, into workspace slice {@code slot}.
         */
        private void prepare(long inG, int slot, int c0, int c1) {
            MemorySegment src = curIn;
            long srcOff = inG;
            if (padWs != null) {
                ConvPadInput.pad(spec, curIn, inG, padWs, slot * padSlice, c0, c1);
                src = padWs;
                srcOff = slot * padSlice;
            }
            if (phaseWs != null && ConvIm2colCopy.hasStride2Phases(phaseSpec)) {
                ConvIm2colCopy.stride2Phases(phaseSpec, src, srcOff, c0, c1, phaseWs, slot * phaseSlice);
            } else if (phaseWs != null) {
                int n = (int) phaseSpatial;
                ConvIm2colCopy.rows(phaseSpec, src, srcOff, c0 * phases, c1 * phases, 0, n, phaseWs,
                        slot * phaseSlice, n);
            }
        }

        /**
         * Copies output channels {@code [o0, o1)} of workspace slice {@code slot} to the image group
         * at {@code curOut[outG..]}: the valid {@code outW}-wide runs of the wide rows.
         */
        private void copyOut(long outG, int slot, int o0, int o1) {
            long dst = outG + (long) o0 * spec.outSpatial();
            long wide = slot * wideSlice;
            for (int o = o0; o < o1; o++) {
                for (int od = 0; od < spec.outD(); od++, dst += (long) spec.outH() * spec.outW()) {
                    ConvPadInput.copyRows(wideWs, wide + (long) o * wideCols + (long) od * eH * eW, eW, curOut, dst,
                            spec.outW(), spec.outH(), spec.outW());
                }
            }
        }
    }
}
