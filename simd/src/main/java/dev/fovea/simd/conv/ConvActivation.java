package dev.fovea.simd.conv;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.ActivationKernels;
import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.simd.eltwise.Eltwise;
import dev.fovea.simd.gemm.Activation;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * Where a plan applies the activation of {@link ConvPlan#execute(MemorySegment, long, MemorySegment,
 * long, MemorySegment, long, ActivationFunction)}: ReLU, hardtanh (ReLU6, clip) and leaky ReLU in
 * the GEMM epilogue of the GEMM-based plans, on the tile still in registers, and ReLU and hardtanh
 * in the depthwise plane kernels' registers ({@link DepthwisePlanes}); every other function, and
 * every function of the Winograd, naive and other depthwise plans, in one vectorized pass over the
 * output at the end of the call. Applying them where each block is stored instead (per GEMM
 * tile row, per Winograd tile row, per depthwise plane) measured no faster than that one pass
 * (Zen 4, 1 thread, batch 1, JMH {@code Conv2dBench -p activation=...}: GELU on the ResNet-18 1x1
 * downsample 0.385 ms per tile row against 0.336 in one pass; ReLU on a MobileNet depthwise layer
 * 0.205-0.240 per plane against 0.19-0.23): the calls on thousands of short rows cost what the
 * pass over an output in L2 saves.
 */
final class ConvActivation {
    private ConvActivation() {}

    /** True if {@code f} runs in the GEMM epilogue's registers. */
    static boolean inEpilogue(ActivationFunction f) {
        return f != null && switch (f.kind()) {
            case RELU, HARDTANH, LEAKY_RELU -> true;
            default -> false;
        };
    }

    /** The epilogue activation of a GEMM-based plan: {@code f}'s register form, else the identity. */
    static Activation epilogue(ActivationFunction f) {
        return inEpilogue(f) ? Activation.of(f) : Activation.IDENTITY;
    }

    /** Applies {@code f} (if not null) over the whole output: the non-GEMM plans. */
    static void after(ActivationFunction f, ConvSpec spec, MemorySegment out, long outOff, ComputeContext ctx) {
        if (f != null) {
            ActivationKernels.forward(f, out, outOff, out, outOff, spec.outputElements(), ctx);
        }
    }

    /** Elements per block of {@link #addResidual}: 16 KiB, well inside L1. */
    static final int RESIDUAL_BLOCK = 4096;

    /**
     * {@code out = f(out + residual)} over {@code count} elements (f null: the sum only), block by
     * block while each block's sums are still in L1: the plans that do not add a residual in their
     * own output stores. The same roundings as an Add followed by the activation.
     */
    static void addResidual(ActivationFunction f, MemorySegment residual, long residualOff, MemorySegment out,
                            long outOff, long count) {
        for (long i = 0; i < count; i += RESIDUAL_BLOCK) {
            long m = Math.min(RESIDUAL_BLOCK, count - i);
            Eltwise.binary(BinaryOp.ADD, out, outOff + i, 1, residual, residualOff + i, 1, out, outOff + i, 1, m);
            if (f != null) {
                ActivationKernels.forward(f, out, outOff + i, out, outOff + i, m);
            }
        }
    }

    /** Applies {@code f} over the whole output unless it ran in the epilogue: the GEMM-based plans. */
    static void afterGemm(ActivationFunction f, ConvSpec spec, MemorySegment out, long outOff, ComputeContext ctx) {
        if (!inEpilogue(f)) {
            after(f, spec, out, outOff, ctx);
        }
    }
}
