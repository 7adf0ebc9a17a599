package dev.fovea.simd.conv;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/** PLACEHOLDER, being written: reports every spec unsupported until its implementation lands. */
public final class ConvIm2col implements ConvAlgorithm {
    /** The single instance. */
    public static final ConvIm2col INSTANCE = new ConvIm2col();

    private ConvIm2col() {}

    @Override
    public String name() {
        return "im2col";
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
