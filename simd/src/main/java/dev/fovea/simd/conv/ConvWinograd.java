package dev.fovea.simd.conv;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/** PLACEHOLDER, being written: reports every spec unsupported until its implementation lands. */
public final class ConvWinograd implements ConvAlgorithm {
    /** F(4x4, 3x3). */
    public static final ConvWinograd F4X4 = new ConvWinograd("winograd");
    /** F(2x2, 3x3). */
    public static final ConvWinograd F2X2 = new ConvWinograd("winograd-f2");

    private final String name;

    private ConvWinograd(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
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
