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
 * <p><b>Workspace:</b> a {@link Plan} owns one image's column matrix, {@code inC * kVol * P}
 * floats in a shared arena, allocated when the plan is made (none for 1x1 stride-1 unpadded specs,
 * where GEMM works on the tensors directly); its calls then allocate nothing of size. The static
 * methods make and close a temporary plan per call.
 *
 * <p><b>Threads and numerics:</b> GEMM runs on the context's threads and im2col/col2im split rows
 * and channels over them; every element is summed in one fixed order (float FMA chains in GEMM,
 * images added in order, col2im taps in order), so results are bit-identical for any thread
 * count. Errors are float rounding: about {@code K' u sum|terms|} per element in the worst case
 * for {@code K'} terms summed, {@code u = 2^-24}.
 */
public final class ConvBackward {
    private ConvBackward() {}

    /** Plans the gradients of {@code spec}: allocates the column workspace once. */
    public static Plan plan(ConvSpec spec) {
        return new Plan(spec);
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
        private final ConvCol2imGemm engine;

        private Plan(ConvSpec spec) {
            this.spec = spec;
            this.engine = new ConvCol2imGemm(ConvCol2im.Geometry.of(spec));
        }

        /** The spec this plan differentiates. */
        public ConvSpec spec() {
            return spec;
        }

        /** Bytes of column workspace held: {@code inC * kVol * outSpatial * 4}, or 0 for identity columns. */
        public long workspaceBytes() {
            return engine.workspaceBytes();
        }

        /** As {@link ConvBackward#data}, with this plan's workspace. */
        public void data(MemorySegment dOut, long dOutOff, MemorySegment w, long wOff, MemorySegment dIn, long dInOff,
                         ComputeContext ctx) {
            ConvChecks.operand("dOut", dOut, dOutOff, spec.outputElements(), spec);
            ConvChecks.operand("weights", w, wOff, spec.weightElements(), spec);
            ConvChecks.operand("dIn", dIn, dInOff, spec.inputElements(), spec);
            engine.data(dOut, dOutOff, w, wOff, null, 0, dIn, dInOff, ctx);
        }

        /** As {@link ConvBackward#weight}, with this plan's workspace. */
        public void weight(MemorySegment in, long inOff, MemorySegment dOut, long dOutOff, MemorySegment dW,
                           long dWOff, ComputeContext ctx) {
            ConvChecks.operand("input", in, inOff, spec.inputElements(), spec);
            ConvChecks.operand("dOut", dOut, dOutOff, spec.outputElements(), spec);
            ConvChecks.operand("dW", dW, dWOff, spec.weightElements(), spec);
            engine.weight(in, inOff, dOut, dOutOff, dW, dWOff, ctx);
        }

        /** Frees the workspace; the plan must not be used afterwards. */
        @Override
        public void close() {
            engine.close();
        }
    }
}
