package dev.fovea.tensor.ops;

import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.tensor.Tensor;

/** Elementwise comparisons giving 1 (true) or 0 (false); not differentiable, never recorded. */
public final class Comparisons {
    private Comparisons() {}

    /** Compares {@code a} and {@code b} with {@code op} in {eq, ne, lt, le, gt, ge}, broadcasting. */
    public static Tensor compare(String op, Tensor a, Tensor b) {
        return Kernels.binary(op, kernel(op), a, b);
    }

    /** Compares {@code x} with {@code value}. */
    public static Tensor compare(String op, Tensor x, float value) {
        return Kernels.binaryScalar(op, kernel(op), x, value);
    }

    private static BinaryOp kernel(String op) {
        return switch (op) {
            case "eq" -> BinaryOp.EQ;
            case "ne" -> BinaryOp.NE;
            case "lt" -> BinaryOp.LT;
            case "le" -> BinaryOp.LE;
            case "gt" -> BinaryOp.GT;
            case "ge" -> BinaryOp.GE;
            default -> throw new IllegalArgumentException("compare: unknown comparison '" + op + "'");
        };
    }
}
