package dev.fovea.simd.conv;

import dev.fovea.simd.eltwise.ActivationFunction;
import java.lang.foreign.MemorySegment;

/**
 * A depthwise kernel with tables made at plan time for one spec ({@link ConvDepthwiseFlat},
 * {@link ConvDepthwiseStride2}), which computes whole output planes and applies ReLU or hardtanh
 * before its stores. {@link ConvDepthwise} runs it on every plane whose vector windows lie inside
 * the segments and its row kernels on the others.
 */
interface DepthwisePlanes {
    /** {@link #plane}'s activation codes. */
    int ACT_NONE = 0;
    int ACT_RELU = 1;
    int ACT_HARDTANH = 2;

    /**
     * Returns the tables of the kernel for {@code s} on the vector path, or null if none applies:
     * {@link ConvDepthwiseFlat} for stride 1 with an output as wide as the input, then
     * {@link ConvDepthwiseStride2} for 3x3 stride 2.
     */
    static DepthwisePlanes of(ConvSpec s) {
        DepthwisePlanes flat = ConvDepthwiseFlat.of(s);
        return flat != null ? flat : ConvDepthwiseStride2.of(s);
    }

    /** Returns {@link #plane}'s code for {@code f}, or -1 if {@code f} must run as a pass after the convolution. */
    static int activationCode(ActivationFunction f) {
        if (f == null) {
            return ACT_NONE;
        }
        return switch (f.kind()) {
            case RELU -> ACT_RELU;
            case HARDTANH -> ACT_HARDTANH;
            default -> -1;
        };
    }

    /**
     * Returns true if every vector window of a plane at {@code inBase} / {@code outBase} (element
     * indexes) lies inside the segments, so that no access leaves the Vector API's intrinsics (see
     * {@code PartialVectors}); false for the first or last plane of a tight segment.
     */
    boolean fits(MemorySegment in, long inBase, MemorySegment out, long outBase);

    /**
     * One output plane from the input plane at {@code inBase}, weights {@code w[wb..]}; {@link #fits}
     * must hold. {@code act} is {@link #ACT_NONE}, {@link #ACT_RELU} or {@link #ACT_HARDTANH} with
     * bounds {@code [actLo, actHi]}, applied with the comparisons of {@link ActivationFunction#apply}.
     */
    void plane(MemorySegment in, long inBase, float[] w, int wb, float bias, MemorySegment out, long outBase,
               int act, float actLo, float actHi);
}
