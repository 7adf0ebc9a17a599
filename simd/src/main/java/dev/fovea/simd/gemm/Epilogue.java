package dev.fovea.simd.gemm;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * What a GEMM does to each output element after {@code alpha * op(A) * op(B) + beta * C}:
 * add a bias, add an addend (a residual), then apply an {@link Activation}. The kernels apply it
 * to a tile while it is still in registers or L1, so a convolution's bias, skip connection and
 * ReLU cost no extra pass over the output.
 *
 * <pre>
 *   C[e]   = activation( (alpha * sum_k op(A)[i][k] * op(B)[k][j] + beta * C[e] + bias) + addend[e + addendShift] )
 *   e      = the element index of C[i][j] in C's segment (cOff + i * ldc + j, plus t * strideC for batch item t)
 *   bias   = 0                                   for Bias.NONE
 *          = biasSegment[biasOffset + i]         for Bias.PER_ROW     (a conv's output channel)
 *          = biasSegment[biasOffset + j]         for Bias.PER_COLUMN  (a linear layer's output)
 *   addend = 0 when addendSegment is null
 * </pre>
 * "Accumulate into C" is {@code beta = 1}; it needs no epilogue. The addend is a second tensor laid
 * out like C ({@code addendShift} elements away in its own segment, which must not overlap C), so
 * one epilogue serves every item of a batched call. Offsets are in float elements. The bias and
 * addend segments are read only, never written; the bias must hold {@code m} (per row) or {@code n}
 * (per column) floats from {@code biasOffset} and the addend every shifted element of C, which the
 * GEMM checks before any work.
 *
 * @param bias which bias is added
 * @param biasSegment the bias values (native byte order floats); null exactly when {@code bias} is NONE
 * @param biasOffset index of the first bias value, in float elements, {@code >= 0}
 * @param activation the activation applied last, never null
 * @param addendSegment the addend's values, or null for none
 * @param addendShift the addend's element index minus C's, for each element (0 without an addend)
 */
public record Epilogue(Bias bias, MemorySegment biasSegment, long biasOffset, Activation activation,
                       MemorySegment addendSegment, long addendShift) {
    /** No bias, identity activation: the plain GEMM. */
    public static final Epilogue NONE = new Epilogue(Bias.NONE, null, 0, Activation.IDENTITY);

    /** Where a bias is broadcast along. */
    public enum Bias {
        /** No bias. */
        NONE,
        /** {@code bias[i]} is added to every element of row {@code i} ({@code m} values). */
        PER_ROW,
        /** {@code bias[j]} is added to every element of column {@code j} ({@code n} values). */
        PER_COLUMN
    }

    /** An epilogue without an addend. */
    public Epilogue(Bias bias, MemorySegment biasSegment, long biasOffset, Activation activation) {
        this(bias, biasSegment, biasOffset, activation, null, 0);
    }

    /** Checks that the segment is present exactly when a bias is requested. */
    public Epilogue {
        Objects.requireNonNull(bias, "Epilogue: bias kind is null");
        Objects.requireNonNull(activation, "Epilogue: activation is null");
        if ((bias == Bias.NONE) != (biasSegment == null)) {
            throw new IllegalArgumentException("Epilogue: biasSegment must be null exactly when bias is NONE, got bias="
                    + bias + " with " + (biasSegment == null ? "no segment" : "a segment"));
        }
        if (biasOffset < 0) {
            throw new IllegalArgumentException("Epilogue: biasOffset=" + biasOffset + " must be >= 0");
        }
        if (addendSegment == null && addendShift != 0) {
            throw new IllegalArgumentException("Epilogue: addendShift=" + addendShift + " without an addend segment");
        }
    }

    /** Returns the epilogue that only applies {@code activation}. */
    public static Epilogue of(Activation activation) {
        return new Epilogue(Bias.NONE, null, 0, activation);
    }

    /** Returns the epilogue adding {@code bias[biasOffset + i]} to row {@code i}, identity activation. */
    public static Epilogue rowBias(MemorySegment bias, long biasOffset) {
        return new Epilogue(Bias.PER_ROW, Objects.requireNonNull(bias, "Epilogue.rowBias: bias"), biasOffset,
                Activation.IDENTITY);
    }

    /** Returns the epilogue adding {@code bias[biasOffset + j]} to column {@code j}, identity activation. */
    public static Epilogue columnBias(MemorySegment bias, long biasOffset) {
        return new Epilogue(Bias.PER_COLUMN, Objects.requireNonNull(bias, "Epilogue.columnBias: bias"), biasOffset,
                Activation.IDENTITY);
    }

    /** Returns a copy of this epilogue with another activation. */
    public Epilogue withActivation(Activation newActivation) {
        return new Epilogue(bias, biasSegment, biasOffset, newActivation, addendSegment, addendShift);
    }

    /**
     * Returns a copy of this epilogue that adds {@code addend[e + shift]} to C's element {@code e}
     * after the bias and before the activation (null: no addend, shift must then be 0).
     */
    public Epilogue withAddend(MemorySegment addend, long shift) {
        return new Epilogue(bias, biasSegment, biasOffset, activation, addend, addend == null ? 0 : shift);
    }

    /** Returns true when this epilogue changes nothing (no bias, no addend, identity activation). */
    public boolean isIdentity() {
        return bias == Bias.NONE && addendSegment == null && activation instanceof Activation.Identity;
    }
}
