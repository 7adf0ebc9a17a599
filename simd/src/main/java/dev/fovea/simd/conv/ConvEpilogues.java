package dev.fovea.simd.conv;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.gemm.Activation;
import dev.fovea.simd.gemm.Epilogue;
import java.lang.foreign.MemorySegment;

/**
 * The GEMM epilogues of one GEMM-based conv plan, one per group (its slice of the bias, a
 * residual, then the activation's register form): made again only when a call passes another bias, residual or activation
 * than the call before, so that a plan run with the same arguments, as an inference session
 * does, allocates nothing for them. Not thread-safe, as the plans are not; the arrays returned
 * are only read.
 */
final class ConvEpilogues {
    private final int groups;
    private final int outCPerGroup;
    private MemorySegment bias;
    private long biasOff;
    private ActivationFunction activation;
    private MemorySegment addend;
    private long addendShift;
    private Epilogue[] epilogues;

    ConvEpilogues(ConvSpec spec) {
        this.groups = spec.groups();
        this.outCPerGroup = spec.outCPerGroup();
    }

    /** Returns the epilogue of each group for this bias (null: none) and activation (null: none). */
    Epilogue[] of(MemorySegment bias, long biasOff, ActivationFunction activation) {
        return of(bias, biasOff, activation, null, 0);
    }

    /**
     * Returns the epilogue of each group for this bias, activation and residual (null: none;
     * its element for output element {@code e} at {@code e + residualShift}), added before the
     * activation ({@link Epilogue#withAddend}).
     */
    Epilogue[] of(MemorySegment bias, long biasOff, ActivationFunction activation, MemorySegment residual,
                  long residualShift) {
        if (epilogues == null || bias != this.bias || biasOff != this.biasOff || activation != this.activation
                || residual != this.addend || residualShift != this.addendShift) {
            Activation act = ConvActivation.epilogue(activation);
            Epilogue[] made = new Epilogue[groups];
            for (int g = 0; g < groups; g++) {
                made[g] = ConvIm2col.epilogue(bias, biasOff + (long) g * outCPerGroup, act)
                        .withAddend(residual, residualShift);
            }
            this.bias = bias;
            this.biasOff = biasOff;
            this.activation = activation;
            this.addend = residual;
            this.addendShift = residualShift;
            this.epilogues = made;
        }
        return epilogues;
    }
}
