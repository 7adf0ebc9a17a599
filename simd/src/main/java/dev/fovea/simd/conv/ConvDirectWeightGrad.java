package dev.fovea.simd.conv;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * A direct weight-gradient kernel of {@link ConvBackward.Plan}, planned for one spec: no im2col
 * matrix, no GEMM. Implementations: {@link ConvShiftedWeightGrad} and {@link ConvChannelLanesWeightGrad}.
 */
sealed interface ConvDirectWeightGrad extends AutoCloseable permits ConvShiftedWeightGrad, ConvChannelLanesWeightGrad {
    /**
     * {@code dW = d(sum(out * dOut)) / d(w)}, overwriting {@code dW}; layouts as in
     * {@link ConvBackward} (operands checked by the caller). {@code n = 0} gives zeros.
     */
    void weight(MemorySegment in, long inOff, MemorySegment dOut, long dOutOff, MemorySegment dW, long dWOff,
                ComputeContext ctx);

    /** Bytes of workspace a call uses. */
    long workspaceBytes();

    /** The name {@link ConvBackward.Plan#weightMethod()} reports. */
    String method();

    /** Nothing to free by default: the workspace is the thread's ({@link ConvWorkspace}). */
    @Override
    default void close() {
    }
}
