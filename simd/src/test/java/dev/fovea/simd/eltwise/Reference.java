package dev.fovea.simd.eltwise;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The test oracle: each op evaluated in double, written independently of the kernels, and the
 * tolerance each op is held to.
 */
final class Reference {
    private Reference() {}

    static double unary(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case RECIPROCAL -> 1 / x;
            case SQUARE -> x * x;
            case RELU -> Math.max(x, 0.0);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case SIGN -> x > 0 ? 1 : x < 0 ? -1 : 0;
        };
    }

    static double binary(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            // C99 powf, which PyTorch uses: pow(1, y) = 1 and pow(-1, +-Inf) = 1, where Java says NaN.
            case POW -> a == 1 || (a == -1 && Double.isInfinite(b)) ? 1 : Math.pow(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
        };
    }

    /**
     * Allowed distance in ulps between a kernel's float and the double reference rounded to float.
     * 0 for ops that IEEE 754 rounds correctly in float: for +, -, *, / and sqrt, evaluating in
     * double and rounding to float gives the correctly rounded float result (double has at least
     * 2*24+2 bits, so the double rounding is innocuous), hence exact equality. RSQRT rounds twice
     * (sqrt, then 1/s): at most 1.5 ulp, so 2. EXP, LOG, TANH and SIGMOID are Fovea's ScalarMath
     * functions (the same bits on every path): measured over all 2^32 floats at most 1 ulp for
     * EXP and LOG and 2 for TANH and SIGMOID; one ulp more is allowed for another CPU's reference
     * {@code Math.exp} rounding a near-tie differently. POW is Math.pow rounded to float: 1.
     */
    static long ulps(UnaryOp op) {
        return switch (op) {
            case EXP, LOG -> 2;
            case TANH, SIGMOID -> 3;
            case RSQRT -> 2;
            default -> 0;
        };
    }

    static long ulps(BinaryOp op) {
        return op == BinaryOp.POW ? 1 : 0;
    }

    /** Fails unless {@code got} is within {@code tol} ulps of {@code ref} rounded to float (exact, zero sign included, for 0). */
    static void check(String what, float got, double ref, long tol) {
        float r = (float) ref;
        boolean ok = tol == 0 ? TestData.same(got, r) : TestData.ulps(got, r) <= tol;
        if (!ok) {
            fail(what + ": got " + got + " (0x" + Integer.toHexString(Float.floatToRawIntBits(got)) + "), expected "
                    + r + " (" + ref + "), " + TestData.ulps(got, r) + " ulp apart, tolerance " + tol);
        }
    }
}
