package dev.fovea.simd.conv;

import dev.fovea.simd.internal.NativeRanges;
import java.lang.foreign.MemorySegment;

/** Argument checks shared by the algorithms: a clear exception before any work. */
final class ConvChecks {
    private ConvChecks() {}

    /** Throws unless {@code seg} holds {@code elements} floats from element {@code off}. */
    static void operand(String name, MemorySegment seg, long off, long elements, ConvSpec spec) {
        if (seg == null) {
            throw new IllegalArgumentException(name + " must not be null for " + spec);
        }
        if (off < 0 || (off + elements) * Float.BYTES > seg.byteSize()) {
            throw new IllegalArgumentException(name + " needs " + elements + " floats from element offset " + off
                    + ", but its segment holds " + seg.byteSize() / Float.BYTES + " floats, for " + spec);
        }
    }

    /** Checks the operands of {@link ConvPlan#execute}. */
    static void execute(ConvSpec spec, MemorySegment in, long inOff, MemorySegment bias, long biasOff,
                        MemorySegment out, long outOff) {
        operand("input", in, inOff, spec.inputElements(), spec);
        operand("output", out, outOff, spec.outputElements(), spec);
        if (bias != null) {
            operand("bias", bias, biasOff, spec.outC(), spec);
        }
    }

    /**
     * Checks the residual operand of {@link ConvPlan#execute(MemorySegment, long, MemorySegment, long,
     * MemorySegment, long, MemorySegment, long, dev.fovea.simd.eltwise.ActivationFunction)}: it must
     * hold the output's elements and, where both are native memory, not overlap the output (the
     * output is written while the residual is still to be read).
     */
    static void residual(ConvSpec spec, MemorySegment residual, long residualOff, MemorySegment out, long outOff) {
        long n = spec.outputElements();
        operand("residual", residual, residualOff, n, spec);
        if (NativeRanges.overlap(residual, residualOff, out, outOff, n)) {
            throw new IllegalArgumentException("residual must not overlap the output: residual from element "
                    + residualOff + ", output from element " + outOff + ", " + n + " floats each, for " + spec);
        }
    }

    /** Throws the reason if {@code algorithm} cannot run {@code spec}. */
    static void supported(ConvAlgorithm algorithm, ConvSpec spec) {
        String why = algorithm.unsupportedReason(spec);
        if (why != null) {
            throw new IllegalArgumentException("conv algorithm '" + algorithm.name() + "' cannot run " + spec + ": " + why);
        }
    }
}
