package dev.fovea.simd.conv;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The convolution planner: the list of algorithms and the choice among them.
 *
 * <pre>{@code
 * ConvPlan plan = Conv.plan(spec, weights, 0, ConvPolicy.AUTO, ComputeContext.defaultContext());
 * plan.algorithm();                        // e.g. "winograd"
 * plan.execute(input, 0, bias, 0, output, 0);
 * }</pre>
 */
public final class Conv {
    private static final List<ConvAlgorithm> ALGORITHMS = List.of(ConvNaive.INSTANCE, ConvIm2col.INSTANCE,
            ConvImplicitGemm.INSTANCE, ConvWinograd.F4X4, ConvWinograd.F2X2, ConvDepthwise.INSTANCE,
            ConvShifted.INSTANCE, ConvChannelLanes.INSTANCE);

    private Conv() {}

    /** Every algorithm, the naive reference first. */
    public static List<ConvAlgorithm> algorithms() {
        return ALGORITHMS;
    }

    /** Returns the algorithm with this wire name, or throws listing the names. */
    public static ConvAlgorithm algorithm(String name) {
        for (ConvAlgorithm a : ALGORITHMS) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        if ("auto".equals(name)) {
            throw new IllegalArgumentException("'auto' is the planner's choice, not one algorithm: use "
                    + "Conv.choose(spec, ConvPolicy.AUTO); algorithms: " + names());
        }
        throw new IllegalArgumentException("unknown conv algorithm '" + name + "'; expected one of " + names());
    }

    private static List<String> names() {
        return ALGORITHMS.stream().map(ConvAlgorithm::name).toList();
    }

    /**
     * Returns the algorithm {@code policy} picks for {@code spec}: the forced one (throwing if it
     * cannot run the spec), or by shape: the depthwise kernel for depthwise convolutions, Winograd
     * for 3x3 stride-1 undilated 2-d convolutions with enough channels (F(4x4,3x3), or F(2x2,3x3)
     * when the batch has fewer than {@link ConvPolicy#winogradF4MinTiles} 4x4 tiles), shifted rows
     * for the other stride-1 kernels larger than 1x1 with few output channels and a small padded
     * image ({@link ConvShifted#autoPrefers}) where implicit GEMM would run, or there channel-lanes
     * when the output channels fill the lanes and each output sums many terms
     * ({@link ConvChannelLanes#autoPrefers}), implicit GEMM
     * for 1x1 kernels and for larger kernels whose padded-width overhead (over the stride phases
     * when strided) is small ({@link ConvPolicy#implicitGemmMaxWideRatio}), else im2col; the first
     * of these that supports
     * the spec (im2col supports every spec).
     */
    public static ConvAlgorithm choose(ConvSpec spec, ConvPolicy policy) {
        if (!policy.isAuto()) {
            ConvAlgorithm a = algorithm(policy.forced());
            ConvChecks.supported(a, spec);
            return a;
        }
        boolean wino3x3 = spec.dims() == 2 && spec.kH() == 3 && spec.kW() == 3 && spec.stride(1) == 1
                && spec.stride(2) == 1 && spec.dilation(1) == 1 && spec.dilation(2) == 1
                && spec.inCPerGroup() >= policy.winogradMinChannels() && spec.outH() >= policy.winogradMinOutput()
                && spec.outW() >= policy.winogradMinOutput();
        boolean pointwise = spec.kernelVolume() == 1;
        boolean implicit = pointwise || (ConvImplicitGemm.wideColumns(spec) > 16
                && ConvImplicitGemm.wideColumns(spec) <= policy.implicitGemmMaxWideRatio() * spec.outSpatial());
        List<ConvAlgorithm> gemm = implicit ? List.of(ConvImplicitGemm.INSTANCE, ConvIm2col.INSTANCE)
                : List.of(ConvIm2col.INSTANCE);
        List<ConvAlgorithm> order = new java.util.ArrayList<>();
        if (spec.isDepthwise()) {
            order.add(ConvDepthwise.INSTANCE);
        } else if (wino3x3) {
            long f4Tiles = (long) spec.n() * ((spec.outH() + 3) / 4) * ((spec.outW() + 3) / 4);
            order.add(f4Tiles >= policy.winogradF4MinTiles() ? ConvWinograd.F4X4 : ConvWinograd.F2X2);
        } else if (implicit && !pointwise && ConvShifted.autoPrefers(spec)) {
            order.add(ConvChannelLanes.autoPrefers(spec) ? ConvChannelLanes.INSTANCE : ConvShifted.INSTANCE);
        }
        order.addAll(gemm);
        for (ConvAlgorithm a : order) {
            if (a.unsupportedReason(spec) == null) {
                return a;
            }
        }
        return ConvNaive.INSTANCE;
    }

    /** Chooses an algorithm with {@code policy} and plans {@code spec} with these weights. */
    public static ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ConvPolicy policy,
                                ComputeContext ctx) {
        return choose(spec, policy).plan(spec, weights, weightOff, ctx);
    }
}
