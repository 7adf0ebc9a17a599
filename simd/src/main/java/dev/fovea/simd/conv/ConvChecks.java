package dev.fovea.simd.conv;

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

    /** Throws the reason if {@code algorithm} cannot run {@code spec}. */
    static void supported(ConvAlgorithm algorithm, ConvSpec spec) {
        String why = algorithm.unsupportedReason(spec);
        if (why != null) {
            throw new IllegalArgumentException("conv algorithm '" + algorithm.name() + "' cannot run " + spec + ": " + why);
        }
    }
}
