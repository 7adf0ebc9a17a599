package dev.fovea.simd.conv;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/** PLACEHOLDER, being written: reports every spec unsupported until its implementation lands. */
public final class ConvImplicitGemm implements ConvAlgorithm {
    /** The single instance. */
    public static final ConvImplicitGemm INSTANCE = new ConvImplicitGemm();

    private ConvImplicitGemm() {}

    @Override
    public String name() {
        return "implicit-gemm";
    }

    @Override
    public String unsupportedReason(ConvSpec spec) {
        return "not implemented yet";
    }

    @Override
    public double maxNmse() {
        return 1e-10;
    }

    @Override
    public ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ComputeContext ctx) {
        ConvChecks.supported(this, spec);
        throw new AssertionError();
    }
}
