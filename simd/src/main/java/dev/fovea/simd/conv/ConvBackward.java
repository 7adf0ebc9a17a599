package dev.fovea.simd.conv;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * Fast convolution gradients through im2col/col2im and GEMM, for every {@link ConvSpec} (1-3
 * spatial dims, stride, dilation, per-side padding in every {@link PaddingMode}, groups), with
 * the semantics of {@link ConvNaive#backwardData}, {@link ConvNaive#backwardWeight} and
 * {@link ConvNaive#backwardBias}. Per image and group g, with K = inC / groups * kVol rows of the
 * column matrix and P = outD * outH * outW columns (layout in {@code ConvCol2im}):
 * <pre>
 *   dIn  = col2im( W_g^T (K x og) * dOut_g (og x P) )     GEMM with transA
 *   dW_g = sum over images b = 0..n-1 of dOut_g * im2col(in)_g^T   GEMM with transB, beta 1 after b = 0
 *   dBias[oc] = sum over images and space of dOut
 * </pre>
 * col2im adds each column entry to the input element {@link PaddingMode#sourceIndex} maps it to
 * (zeros padding: dropped), so reflect, replicate and circular padding fold their gradients back.
 *
 * <p><b>Layout:</b> contiguous float32 at element offsets: input and dIn {@code (n, inC, D, H, W)},
 * weights and dW {@code (outC, inC / groups, kD, kH, kW)}, dOut {@code (n, outC, outD, outH, outW)}.
 * All results are overwritten (never read); no operand may overlap a result.
 *
 * <p><b>Direct methods</b> ({@link Method#DIRECT}) for stride-1 convolutions on the vector path,
 * chosen by {@link Method#AUTO} where they win. The input gradient (zeros padding): sums of
 * shifted rows of dOut weighted by the kernel ({@code ConvShiftedDataGrad}, no column matrix, no
 * col2im scatter). The weight gradient (any padding mode), with no im2col: dot products of shifted
 * input rows ({@code ConvShiftedWeightGrad}), or, where the output channels fill the vector lanes
 * better than the rows do ({@code ConvChannelLanesWeightGrad.prefers}), output-channel vectors
 * times broadcast input values ({@code ConvChannelLanesWeightGrad}); for AUTO up to
 * {@link #DIRECT_WEIGHT_MAX_REDUCTION} products per gradient element and
 * {@link #DIRECT_WEIGHT_MAX_WEIGHTS} weights per group.
 * Measured on LeNet-5 and ResNet-18 layers in {@code bench/RESULTS.md}. Each plan reports what it
 * runs ({@link Plan#dataMethod()}, {@link Plan#weightMethod()}).
 *
 * <p><b>Workspace:</b> a {@link Plan} owns one image's column matrix, {@code inC * kVol * P}
 * floats in a shared arena, allocated when the plan is made (none for 1x1 stride-1 unpadded specs,
 * where GEMM works on the tensors directly, or when both gradients run direct methods, which own
 * theirs); its calls then allocate nothing of size, except the direct input gradient's per-thread
 * buffers on its first call. The static methods make and close a temporary plan per call.
 *
 * <p><b>Threads and numerics:</b> GEMM runs on the context's threads and im2col/col2im split rows
 * and channels over them; every element is summed in one fixed order (float FMA chains in GEMM,
 * images added in order, col2im taps in order), so results are bit-identical for any thread
 * count. Errors are float rounding: about {@code K' u sum|terms|} per element in the worst case
 * for {@code K'} terms summed, {@code u = 2^-24}.
 */
public final class ConvBackward {
    /**
     * {@link Method#AUTO} runs the direct weight gradient when each gradient element sums at most
     * this many products ({@code n * outSpatial}; LeNet-5 at batch 64: 6,272 and 50,176): each
     * block streams its images' rows once, so beyond this the GEMM's cache blocking wins.
     */
    public static final long DIRECT_WEIGHT_MAX_REDUCTION = 1L << 17;
    /**
     * {@link Method#AUTO} runs the direct weight gradient only for at most this many weights per
     * group ({@code og * cg * kVol}): every weight costs a sum of a vector's lanes and its block's
     * accumulators are reloaded per image chunk, which the GEMM does not pay. Zen 4, one thread,
     * batch 8, direct vs GEMM: ResNet-18 layer1 (36,864 weights) 26.8 vs 29.9 ms, layer3 (589,824)
     * 49.5 vs 25.7 ms; LeNet-5 at batch 64 (150 and 2,400) in {@code bench/RESULTS.md}.
     */
    public static final long DIRECT_WEIGHT_MAX_WEIGHTS = 1L << 16;

    /** How a {@link Plan} computes the input and weight gradients. */
    public enum Method {
        /** The direct methods where they apply and win (see the class comment), else im2col/col2im and GEMM. */
        AUTO,
        /** im2col/col2im and GEMM for both gradients: every spec. */
        COL2IM,
        /** The direct methods for both gradients; planning throws with the reason if either cannot run the spec. */
        DIRECT
    }

    private ConvBackward() {}

    /** Plans the gradients of {@code spec} with {@link Method#AUTO}: allocates the workspaces once. */
    public static Plan plan(ConvSpec spec) {
        return new Plan(spec, Method.AUTO);
    }

    /**
     * Plans the gradients of {@code spec} with {@code method}.
     *
     * @throws IllegalArgumentException if {@code method} is {@link Method#DIRECT} and a gradient
     *     of {@code spec} has no direct method, with the reason
     */
    public static Plan plan(ConvSpec spec, Method method) {
        if (spec == null || method == null) {
            throw new IllegalArgumentException("ConvBackward.plan: spec and method must not be null, got spec="
                    + spec + ", method=" + method);
        }
        return new Plan(spec, method);
    }

    /**
     * The input gradient {@code dIn = d(sum(out * dOut)) / d(in)}, overwriting {@code dIn}.
     * Allocates a temporary workspace; use a {@link Plan} to run allocation-free.
     */
    public static void data(ConvSpec spec, MemorySegment dOut, long dOutOff, MemorySegment w, long wOff,
                            MemorySegment dIn, long dInOff, ComputeContext ctx) {
        try (Plan p = plan(spec)) {
            p.data(dOut, dOutOff, w, wOff, dIn, dInOff, ctx);
        }
    }

    /**
     * The weight gradient {@code dW = d(sum(out * dOut)) / d(w)}, overwriting {@code dW} (zeros for
     * {@code n = 0}). Allocates a temporary workspace; use a {@link Plan} to run allocation-free.
     */
    public static void weight(ConvSpec spec, MemorySegment in, long inOff, MemorySegment dOut, long dOutOff,
                              MemorySegment dW, long dWOff, ComputeContext ctx) {
        try (Plan p = plan(spec)) {
            p.weight(in, inOff, dOut, dOutOff, dW, dWOff, ctx);
        }
    }

    /**
     * The bias gradient {@code dBias[oc] = sum over n and space of dOut}, overwriting {@code dBias}:
     * a vectorised sum per (image, channel), images added in double. Allocates nothing.
     */
    public static void bias(ConvSpec spec, MemorySegment dOut, long dOutOff, MemorySegment dBias, long dBiasOff) {
        ConvChecks.operand("dOut", dOut, dOutOff, spec.outputElements(), spec);
        ConvChecks.operand("dBias", dBias, dBiasOff, spec.outC(), spec);
        ConvCol2imGemm.biasSum(spec.n(), spec.outC(), spec.outSpatial(), dOut, dOutOff, dBias, dBiasOff);
    }

    /**
     * The gradients of one spec with their workspace, made once and run many times. Not safe for
     * concurrent calls; close it to free the workspace.
     */
    public static final class Plan implements AutoCloseable {
        private final ConvSpec spec;
        private final ConvShiftedDataGrad shiftedData;
        private final ConvDirectWeightGrad directWeight;
        private final ConvCol2imGemm engine;

        private Plan(ConvSpec spec, Method method) {
            this.spec = spec;
            String dataWhy = ConvShiftedDataGrad.unsupportedReason(spec);
            String weightWhy = ConvShiftedWeightGrad.unsupportedReason(spec);
            if (method == Method.DIRECT && (dataWhy != null || weightWhy != null)) {
                throw new IllegalArgumentException("ConvBackward: no direct method for " + spec + ": "
                        + (dataWhy != null ? "input gradient " + dataWhy : "")
                        + (dataWhy != null && weightWhy != null ? "; " : "")
                        + (weightWhy != null ? "weight gradient " + weightWhy : ""));
            }
            boolean data = method == Method.DIRECT || method == Method.AUTO && dataWhy == null;
            boolean weight = method == Method.DIRECT || method == Method.AUTO && weightWhy == null
                    && (long) spec.n() * spec.outSpatial() <= DIRECT_WEIGHT_MAX_REDUCTION
                    && spec.weightElements() / spec.groups() <= DIRECT_WEIGHT_MAX_WEIGHTS;
            this.shiftedData = data ? new ConvShiftedDataGrad(spec) : null;
            this.directWeight = !weight ? null : ConvChannelLanesWeightGrad.prefers(spec)
                    ? new ConvChannelLanesWeightGrad(spec) : new ConvShiftedWeightGrad(spec);
            this.engine = data && weight ? null : new ConvCol2imGemm(ConvCol2im.Geometry.of(spec));
        }

        /** What computes the input gradient: {@code "shifted-rows"} or {@code "col2im"} (GEMM). */
        public String dataMethod() {
            return shiftedData == null ? "col2im" : "shifted-rows";
        }

        /**
         * What computes the weight gradient: {@code "im2col"} (GEMM), {@code "shifted-rows"} or
         * {@code "channel-lanes"} (output channels across the vector lanes).
         */
        public String weightMethod() {
            return directWeight == null ? "im2col" : directWeight.method();
        }

        /** The spec this plan differentiates. */
        public ConvSpec spec() {
            return spec;
        }

        /**
         * Bytes of workspace held: the column matrix ({@code inC * kVol * outSpatial * 4}, 0 for
         * identity columns) and the direct methods' buffers (the data gradient's grow on first use).
         */
        public long workspaceBytes() {
            return (engine == null ? 0 : engine.workspaceBytes())
                    + (directWeight == null ? 0 : directWeight.workspaceBytes())
                    + (shiftedData == null ? 0 : shiftedData.workspaceBytes());
        }

        /** As {@link ConvBackward#data}, with this plan's workspace. */
        public void data(MemorySegment dOut, long dOutOff, MemorySegment w, long wOff, MemorySegment dIn, long dInOff,
                         ComputeContext ctx) {
            ConvChecks.operand("dOut", dOut, dOutOff, spec.outputElements(), spec);
            ConvChecks.operand("weights", w, wOff, spec.weightElements(), spec);
            ConvChecks.operand("dIn", dIn, dInOff, spec.inputElements(), spec);
            if (shiftedData != null) {
                shiftedData.data(dOut, dOutOff, w, wOff, dIn, dInOff, ctx);
            } else {
                engine.data(dOut, dOutOff, w, wOff, null, 0, dIn, dInOff, ctx);
            }
        }

        /** As {@link ConvBackward#weight}, with this plan's workspace. */
        public void weight(MemorySegment in, long inOff, MemorySegment dOut, long dOutOff, MemorySegment dW,
                           long dWOff, ComputeContext ctx) {
            ConvChecks.operand("input", in, inOff, spec.inputElements(), spec);
            ConvChecks.operand("dOut", dOut, dOutOff, spec.outputElements(), spec);
            ConvChecks.operand("dW", dW, dWOff, spec.weightElements(), spec);
            if (directWeight != null) {
                directWeight.weight(in, inOff, dOut, dOutOff, dW, dWOff, ctx);
            } else {
                engine.weight(in, inOff, dOut, dOutOff, dW, dWOff, ctx);
            }
        }

        /** Frees the workspace; the plan must not be used afterwards. */
        @Override
        public void close() {
            if (engine != null) {
                engine.close();
            }
            if (shiftedData != null) {
                shiftedData.close();
            }
            if (directWeight != null) {
                directWeight.close();
            }
        }
    }
}
