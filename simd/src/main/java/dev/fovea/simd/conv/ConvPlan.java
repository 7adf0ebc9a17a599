package dev.fovea.simd.conv;

import dev.fovea.simd.eltwise.ActivationFunction;
import java.lang.foreign.MemorySegment;

/**
 * A convolution planned for one {@link ConvSpec} and one set of weights: run it many times on
 * new inputs. It owns its workspace, so one plan must not run on two threads at once (it may use
 * the threads of the {@code ComputeContext} it was planned with, and its results do not depend on
 * their number).
 */
public interface ConvPlan {
    /** The spec this plan computes. */
    ConvSpec spec();

    /** The wire name of the algorithm that runs (for a plan made by {@code AUTO}: the one it chose). */
    String algorithm();

    /** Bytes of workspace this plan holds (packed weights not included). */
    long workspaceBytes();

    /**
     * Computes {@code out = conv(in, weights) + bias}: {@code in} is the contiguous input
     * {@code (n, inC, spatial...)} at element offset {@code inOff}, {@code bias} ({@code outC}
     * floats at {@code biasOff}) may be null, {@code out} {@code (n, outC, out spatial...)} is
     * overwritten and must not overlap {@code in}.
     *
     * @throws IllegalArgumentException if a segment is too small for its operand
     */
    default void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment out,
                         long outOff) {
        execute(in, inOff, bias, biasOff, out, outOff, null);
    }

    /**
     * Computes {@code out = activation(conv(in, weights) + bias)} as {@link #execute(MemorySegment,
     * long, MemorySegment, long, MemorySegment, long)}, in the same call: ReLU, hardtanh (ReLU6)
     * and leaky ReLU in the GEMM epilogue of the im2col, implicit-GEMM and 1x1 plans, on tiles
     * still in registers; other functions and other plans in one vectorized pass over the output
     * at the end of the call (applying them per tile row measured slower). The values equal those
     * of the unfused sequence, convolution then {@link dev.fovea.simd.eltwise.ActivationKernels#forward}.
     *
     * @param activation the function to apply, or null for none
     * @throws IllegalArgumentException if a segment is too small for its operand
     */
    void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment out, long outOff,
                 ActivationFunction activation);

    /**
     * Computes {@code out = activation(conv(in, weights) + bias + residual)}: a residual block's
     * convolution, skip connection and activation in one call. {@code residual} is a contiguous
     * tensor of the output's shape at element offset {@code residualOff}, which must not overlap
     * {@code out} (it may overlap {@code in}); null runs {@link #execute(MemorySegment, long,
     * MemorySegment, long, MemorySegment, long, ActivationFunction)}. The values equal those of the
     * unfused sequence, convolution (with bias), then the Add, then the activation, bit for bit.
     * Winograd plans add the residual in their output transform and 1x1 implicit-GEMM plans in
     * their GEMM epilogue, on each tile before the activation and the store; the others in one
     * pass over the output after the convolution, block by block with the activation.
     *
     * @param residual the tensor added before the activation, or null for none
     * @param activation the function to apply last, or null for none
     * @throws IllegalArgumentException if a segment is too small for its operand, or the residual
     *     overlaps the output
     */
    default void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment residual,
                         long residualOff, MemorySegment out, long outOff, ActivationFunction activation) {
        if (residual == null) {
            execute(in, inOff, bias, biasOff, out, outOff, activation);
            return;
        }
        ConvChecks.residual(spec(), residual, residualOff, out, outOff);
        execute(in, inOff, bias, biasOff, out, outOff, null);
        ConvActivation.addResidual(activation, residual, residualOff, out, outOff, spec().outputElements());
    }
}
