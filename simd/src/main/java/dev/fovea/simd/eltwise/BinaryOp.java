package dev.fovea.simd.eltwise;

/**
 * Elementwise binary operations of {@link Eltwise#binary}, with PyTorch float32 semantics.
 *
 * <p>{@code MAX}/{@code MIN} follow {@link Math#max(float, float)}: NaN propagates and
 * {@code -0 < +0}. {@code POW} follows {@link Math#pow(double, double)} rounded to float.
 * Comparisons give {@code 1f} (true) or {@code 0f} (false); with a NaN operand only {@code NE}
 * is true, as in IEEE 754.
 */
public enum BinaryOp {
    /** {@code a + b}. */
    ADD,
    /** {@code a - b}. */
    SUB,
    /** {@code a * b}. */
    MUL,
    /** {@code a / b}. */
    DIV,
    /** Larger of {@code a} and {@code b}; NaN propagates. */
    MAX,
    /** Smaller of {@code a} and {@code b}; NaN propagates. */
    MIN,
    /** {@code a} raised to {@code b}, as {@link Math#pow(double, double)}. */
    POW,
    /** {@code a == b}. */
    EQ,
    /** {@code a != b}. */
    NE,
    /** {@code a < b}. */
    LT,
    /** {@code a <= b}. */
    LE,
    /** {@code a > b}. */
    GT,
    /** {@code a >= b}. */
    GE
}
