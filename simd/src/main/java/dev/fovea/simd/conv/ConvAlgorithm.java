package dev.fovea.simd.conv;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * One way to compute a convolution. Each algorithm says which specs it can run
 * ({@link #unsupportedReason}), and plans a spec once with its weights
 * ({@link #plan}): weights are packed or transformed and the workspace is allocated at plan time,
 * so running the plan allocates nothing. {@link Conv#algorithms()} lists them all; tests and
 * benchmarks go through this interface only.
 */
public sealed interface ConvAlgorithm permits ConvNaive, ConvIm2col, ConvImplicitGemm, ConvWinograd, ConvDepthwise,
        ConvShifted, ConvChannelLanes {
    /** The lowercase wire name used by {@code -Dfovea.conv.algo}, benchmarks and logs. */
    String name();

    /** Returns null if this algorithm can run {@code spec}, else why not (for the error of a forced algorithm). */
    String unsupportedReason(ConvSpec spec);

    /**
     * Plans {@code spec} with weights {@code (outC, inC / groups, k...)} read from {@code weights}
     * at element offset {@code weightOff} now (later changes to the segment are not seen).
     *
     * @throws IllegalArgumentException if the algorithm cannot run the spec (with the reason) or
     *     the weight segment is too small
     */
    ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ComputeContext ctx);

    /**
     * The largest normalised mean squared error {@code sum (y - ref)^2 / sum ref^2} this algorithm
     * is tested to, against the naive convolution accumulated in double, for inputs and weights of
     * magnitude about 1.
     */
    double maxNmse();
}
