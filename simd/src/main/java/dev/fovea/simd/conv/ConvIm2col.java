package dev.fovea.simd.conv;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.gemm.Activation;
import dev.fovea.simd.gemm.Epilogue;
import dev.fovea.simd.gemm.PackedMatrix;
import dev.fovea.simd.gemm.Sgemm;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.parallel.PartTask;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Convolution as im2col (vol2col) + GEMM: every spec (1-3 spatial dimensions, stride, dilation,
 * per-side padding in every {@link PaddingMode}, groups).
 *
 * <p><b>Math.</b> For image {@code b} and group {@code g}, with
 * {@code K = inC/groups * kD * kH * kW} and {@code N = outD * outH * outW}:
 * <pre>
 *   out[b, g] (outC/groups x N) = W[g] (outC/groups x K) x B (K x N) + bias[g] (per row)
 * </pre>
 * {@code W[g]} is the group's slice of the weights {@code (outC, inC/groups, kD, kH, kW)} read
 * as a row-major matrix, packed once at plan time ({@link PackedMatrix#packA}); {@code B} is the
 * column matrix built by {@link ConvIm2colCopy} (padding modes by
 * {@link PaddingMode#sourceIndex}, zeros for {@code ZEROS}); the bias is fused into the GEMM as
 * {@link Epilogue#rowBias}. Layout NCDHW, contiguous: input {@code (n, inC, inD, inH, inW)},
 * output {@code (n, outC, outD, outH, outW)}, overwritten; offsets in float elements.
 *
 * <p><b>Direct path.</b> A 1x1x1 kernel with stride 1 and no padding has {@code B} = the group's
 * input image itself ({@code K = inC/groups} rows of {@code N = inSpatial}), so the GEMM reads the
 * input in place, batched over images: no copy, no workspace.
 *
 * <p><b>Workspace.</b> One column block of {@code K x cols} floats, 64-byte aligned, allocated
 * at plan time from an automatic arena and reused for every image and group:
 * {@code cols = min(N, max(1, MAX_COL_FLOATS / K))}, i.e. at most 64 MiB (more only when one
 * column alone exceeds it). When {@code cols < N} the output columns are done in blocks, each
 * block's GEMM writing its slice of the output rows ({@code ldc = N}).
 *
 * <p><b>Threads and numerics.</b> The GEMM runs on the plan's {@link ComputeContext}; the
 * column copy is split over rows of {@code B} when it is large and every segment is shareable
 * (a thread-confined input is copied on the calling thread). The copy is exact and the GEMM's
 * float accumulation order does not depend on the thread count, so the result is bit-identical
 * for any number of threads. Each output is one float FMA chain over {@code K} (in k-blocks, see
 * {@link Sgemm}) plus the bias.
 */
public final class ConvIm2col implements ConvAlgorithm {
    /** The single instance. */
    public static final ConvIm2col INSTANCE = new ConvIm2col();
    /** Largest column-matrix block in floats (64 MiB): bigger column matrices are blocked over columns. */
    static final long MAX_COL_FLOATS = 16L << 20;
    /** Column blocks smaller than this (floats) are copied on the calling thread: a fork costs more. */
    private static final long PARALLEL_COPY_MIN = 1L << 15;

    private ConvIm2col() {}

    @Override
    public String name() {
        return "im2col";
    }

    @Override
    public String unsupportedReason(ConvSpec spec) {
        return null;
    }

    /**
     * Float32 GEMM against the double reference: the error of a K-term float sum grows about like
     * {@code sqrt(K) * 2^-24} relative for random-sign data, so NMSE ~ {@code K * 2^-48} (about
     * 1e-11 for K = 3000, less in practice as errors cancel). The shared sweep (K up to
     * 64 * 11 * 11) measured 2.6e-13 worst at 512 and 256 bits, 2.3e-13 scalar; 2e-12 is about 8x
     * that, and an indexing bug gives NMSE of order 1.
     */
    @Override
    public double maxNmse() {
        return 2e-12;
    }

    @Override
    public ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ComputeContext ctx) {
        ConvChecks.supported(this, spec);
        ConvChecks.operand("weights", weights, weightOff, spec.weightElements(), spec);
        return new Plan(spec, packWeights(spec, weights, weightOff), ctx, MAX_COL_FLOATS);
    }

    /** Plans with a given column-block bound in floats (tests force blocking with a small one). */
    ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ComputeContext ctx, long maxColFloats) {
        ConvChecks.supported(this, spec);
        ConvChecks.operand("weights", weights, weightOff, spec.weightElements(), spec);
        return new Plan(spec, packWeights(spec, weights, weightOff), ctx, maxColFloats);
    }

    /** Packs each group's weight matrix {@code (outC/groups) x (inC/groups * kVolume)}. */
    static PackedMatrix[] packWeights(ConvSpec s, MemorySegment weights, long weightOff) {
        int og = s.outCPerGroup();
        int k = s.inCPerGroup() * s.kernelVolume();
        PackedMatrix[] packed = new PackedMatrix[s.groups()];
        for (int g = 0; g < s.groups(); g++) {
            packed[g] = PackedMatrix.packA(false, og, k, weights, weightOff + (long) g * og * k, k);
        }
        return packed;
    }

    /** True if the column matrix is the input itself: a 1x1x1 kernel, stride 1, no padding. */
    static boolean inputIsColumns(ConvSpec s) {
        return s.kernelVolume() == 1 && s.unpadded() && s.stride(0) == 1 && s.stride(1) == 1 && s.stride(2) == 1;
    }

    /** The GEMM of the 1x1 stride-1 unpadded case, straight on the input, batched over images; one epilogue per group. */
    static void directGemm(ConvSpec s, PackedMatrix[] packed, ComputeContext ctx, MemorySegment in, long inOff,
                           MemorySegment out, long outOff, Epilogue[] epilogues) {
        int n = Math.toIntExact(s.inSpatial());
        int og = s.outCPerGroup();
        for (int g = 0; g < s.groups(); g++) {
            Sgemm.sgemmBatched(ctx, s.n(), packed[g], false, n, 1f,
                    in, inOff + (long) g * s.inCPerGroup() * n, n, s.inImageElements(), 0f,
                    out, outOff + (long) g * og * n, n, s.outImageElements(), epilogues[g]);
        }
    }

    /** The GEMM epilogue adding {@code bias[off + row]} (none for a null bias), then applying {@code act}. */
    static Epilogue epilogue(MemorySegment bias, long off, Activation act) {
        return (bias == null ? Epilogue.NONE : Epilogue.rowBias(bias, off)).withActivation(act);
    }

    /** A planned im2col convolution: packed weights and one column-block workspace. */
    private static final class Plan implements ConvPlan {
        private final ConvSpec spec;
        private final PackedMatrix[] packed;
        private final ComputeContext ctx;
        private final int k;
        private final int n;
        private final int cols;
        private final MemorySegment ws;
        private final ConvEpilogues epilogues;
        /** The copy of one column block split over rows; created once so execute allocates no task. */
        private final PartTask copyPart = this::copyPart;
        // The block the copy task works on, set by execute before each parallel copy.
        private MemorySegment curIn;
        private long curInOff;
        private int curC0;
        private int curC1;

        Plan(ConvSpec spec, PackedMatrix[] packed, ComputeContext ctx, long maxColFloats) {
            this.spec = spec;
            this.packed = packed;
            this.epilogues = new ConvEpilogues(spec);
            this.ctx = ctx;
            this.k = spec.inCPerGroup() * spec.kernelVolume();
            this.n = Math.toIntExact(spec.outSpatial());
            if (inputIsColumns(spec)) {
                this.cols = 0;
                this.ws = null;
            } else {
                this.cols = (int) Math.min(n, Math.max(1, maxColFloats / k));
                this.ws = Arena.ofAuto().allocate((long) k * cols * Float.BYTES, 64);
            }
        }

        @Override
        public ConvSpec spec() {
            return spec;
        }

        @Override
        public String algorithm() {
            return INSTANCE.name();
        }

        @Override
        public long workspaceBytes() {
            return ws == null ? 0 : ws.byteSize();
        }

        @Override
        public void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment out,
                            long outOff, ActivationFunction activation) {
            ConvChecks.execute(spec, in, inOff, bias, biasOff, out, outOff);
            Epilogue[] epilogues = this.epilogues.of(bias, biasOff, activation);
            if (ws == null) {
                directGemm(spec, packed, ctx, in, inOff, out, outOff, epilogues);
                ConvActivation.afterGemm(activation, spec, out, outOff, ctx);
                return;
            }
            boolean parallel = ctx.threads() > 1 && ComputeContext.shareable(in);
            int cg = spec.inCPerGroup();
            int og = spec.outCPerGroup();
            for (int b = 0; b < spec.n(); b++) {
                for (int g = 0; g < spec.groups(); g++) {
                    long inG = inOff + ((long) b * spec.inC() + (long) g * cg) * spec.inSpatial();
                    long outG = outOff + ((long) b * spec.outC() + (long) g * og) * n;
                    Epilogue epilogue = epilogues[g];
                    for (int c0 = 0; c0 < n; c0 += cols) {
                        int c1 = Math.min(n, c0 + cols);
                        copyColumns(in, inG, c0, c1, parallel);
                        Sgemm.sgemm(ctx, packed[g], false, c1 - c0, 1f, ws, 0, c1 - c0, 0f, out, outG + c0, n,
                                epilogue);
                    }
                }
            }
            ConvActivation.afterGemm(activation, spec, out, outOff, ctx);
        }

        /** Fills the workspace with columns {@code [c0, c1)} of B, over the threads when worth it. */
        private void copyColumns(MemorySegment in, long inG, int c0, int c1, boolean parallel) {
            if (!parallel || (long) k * (c1 - c0) < PARALLEL_COPY_MIN || k < 2) {
                ConvIm2colCopy.rows(spec, in, inG, 0, k, c0, c1, ws, 0, c1 - c0);
                return;
            }
            curIn = in;
            curInOff = inG;
            curC0 = c0;
            curC1 = c1;
            try {
                ctx.run(Math.min(ctx.threads(), k), copyPart);
            } finally {
                curIn = null;
            }
        }

        private void copyPart(int part, int parts) {
            int r0 = ComputeContext.partBegin(k, parts, part);
            int r1 = ComputeContext.partBegin(k, parts, part + 1);
            ConvIm2colCopy.rows(spec, curIn, curInOff, r0, r1, curC0, curC1, ws, 0, curC1 - curC0);
        }
    }
}
