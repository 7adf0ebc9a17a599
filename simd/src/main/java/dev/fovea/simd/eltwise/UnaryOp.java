package dev.fovea.simd.eltwise;

/**
 * Elementwise unary operations of {@link Eltwise#unary}, with PyTorch float32 semantics.
 *
 * <p>Special values: {@code RELU(NaN) = NaN}, {@code RELU(-0) = +0}; {@code SIGN(±0) = +0} and
 * {@code SIGN(NaN) = 0} (PyTorch computes sign as {@code (0 < x) - (x < 0)}, pytorch#41245);
 * {@code RSQRT(-0) = -Inf}, {@code LOG(0) = -Inf}, {@code LOG(x < 0) = NaN}.
 */
public enum UnaryOp {
    /** {@code -x}. */
    NEG,
    /** {@code |x|}, as {@link Math#abs(float)}. */
    ABS,
    /** {@code e^x}. */
    EXP,
    /** Natural logarithm. */
    LOG,
    /** Square root (IEEE, correctly rounded). */
    SQRT,
    /** {@code 1 / sqrt(x)}, computed as a division by the correctly rounded square root. */
    RSQRT,
    /** {@code 1 / x}. */
    RECIPROCAL,
    /** {@code x * x}. */
    SQUARE,
    /** {@code max(x, 0)}, NaN propagating. */
    RELU,
    /** {@code 1 / (1 + e^-x)}. */
    SIGMOID,
    /** Hyperbolic tangent. */
    TANH,
    /** {@code 1} for {@code x > 0}, {@code -1} for {@code x < 0}, {@code 0} otherwise (also NaN). */
    SIGN
}
