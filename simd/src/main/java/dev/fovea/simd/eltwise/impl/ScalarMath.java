package dev.fovea.simd.eltwise.impl;

/**
 * Float32 exp, log, tanh and sigmoid built only from operations that IEEE 754 rounds exactly
 * ({@code + - * /}, {@link Math#fma(float, float, float)}, compares, bit casts), so that every JIT
 * tier and every CPU gives the same bits. {@link FloatVectorMath} is the lanewise twin: the same
 * constants and the same operations in the same order, hence bit-identical results (tested).
 *
 * <p>Why not the Vector API's lanewise EXP/LOG/TANH: they run a per-lane Java fallback in the
 * interpreter and C1 but Intel SVML stubs in C2, and the two differ in the last bit (measured:
 * one {@code exp} call over 2000 inputs changed bits on 1990 of them between cold and warm
 * code). And not {@link Math#exp(double)} here: the vector path could not reproduce it lanewise.
 * Results here are those of these formulas alone, on any CPU with IEEE 754 float arithmetic.
 *
 * <p>Polynomial coefficients are our own minimax fits (Remez exchange in 40-digit arithmetic),
 * rounded to float. Accuracy, measured over all 2^32 floats against {@link Math}'s double
 * functions rounded to float: exp and log within 1 ulp, tanh and sigmoid within 2. NaN inputs
 * give a NaN whose payload and sign bit are unspecified.
 */
public final class ScalarMath {
    // exp: x = n ln2 + r with n = rint(x log2 e), |r| <= ln2/2 (Cody-Waite reduction, ln2 split into
    // a high part and a correction applied with FMAs), exp(r) = 1 + r + r^2 P(r) with P a degree-4
    // minimax fit of (e^r - 1 - r) / r^2 (relative error 1.2e-7 on P, about 1e-8 on the result).
    /** Inputs are clamped to [EXP_LO, EXP_HI]: exp(-104) rounds to 0 and exp(89) overflows. */
    static final float EXP_LO = -104f;
    static final float EXP_HI = 89f;
    static final float LOG2E = 1.44269504f;
    static final float LN2_HI = 6.93147182e-01f;
    static final float LN2_LO = -1.90465421e-09f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, in its low bits. */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = 0x4B400000;
    static final float E2 = 5.000000000e-01f;
    static final float E3 = 1.666657776e-01f;
    static final float E4 = 4.166685417e-02f;
    static final float E5 = 8.363140747e-03f;
    static final float E6 = 1.390128513e-03f;

    // log: x = 2^k m with m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact), log(m) = f + f^2 P(f) with P
    // a degree-8 minimax fit of (log1p(f) - f) / f^2 (absolute error 2.4e-8 on P, so at most
    // 1e-8 relative on log1p(f)); log(x) = k ln2 + log(m). Subnormals are scaled by 2^23 first.
    /** Bits of the float just below sqrt(1/2): mantissas at or above it stay in the same binade. */
    static final int SQRT_HALF_BITS = 0x3f3504f3;
    static final float TWO_POW_23 = 8388608f;
    static final float L0 = -4.999999702e-01f;
    static final float L1 = 3.333331347e-01f;
    static final float L2 = -2.500075102e-01f;
    static final float L3 = 2.000269592e-01f;
    static final float L4 = -1.662892103e-01f;
    static final float L5 = 1.417345405e-01f;
    static final float L6 = -1.307255179e-01f;
    static final float L7 = 1.291787177e-01f;
    static final float L8 = -8.064661920e-02f;

    // tanh(a) = m / (m + 2) with m = expm1(2a), a = |x|: one formula for every a, without the
    // cancellation of 1 - 2 / (exp(2a) + 1) near 0. expm1 reuses the exp reduction and polynomial,
    // as expm1(y) = 2^n (r + r^2 P(r)) + (2^n - 1), so that for small y the result is
    // r + r^2 P(r) rounded once, not a difference of two numbers near 1. a is clamped to TANH_HI,
    // where the result is exactly 1 (tanh rounds to 1 from 9.01 on): 2^n stays a normal float.
    static final float TANH_HI = 10f;
    /** Above it {@code e^x - 1} rounds like {@code e^x}; below its negation, to -1. */
    static final float EXPM1_HI = 20f;
    /** {@code exp(-16^2 / 2)} is 0 in float. */
    static final float GAUSS_HI = 16f;
    static final float SQRT1_2 = 0.707106781f;
    static final float ERF0 = 1.128379107e+00f;
    static final float ERF1 = -3.761262596e-01f;
    static final float ERF2 = 1.128358543e-01f;
    static final float ERF3 = -2.685381100e-02f;
    static final float ERF4 = 5.188326351e-03f;
    static final float ERF5 = -8.010182064e-04f;
    static final float ERF6 = 7.853823627e-05f;
    static final float ERFC0 = 2.820842266e-01f;
    static final float ERFC1 = 2.823839784e-01f;
    static final float ERFC2 = 2.434360683e-01f;
    static final float ERFC3 = 1.986974329e-01f;
    static final float ERFC4 = -6.871966645e-03f;
    static final float ERFC5 = 2.256862372e-01f;
    static final float ERFC6 = -4.093814492e-01f;
    static final float ERFC7 = 2.234658897e-01f;
    static final float ERFC8 = -3.929598257e-02f;

    private ScalarMath() {}

    /** {@code e^x}: within 1 ulp, +Inf above 88.72, 0 below -103.97, subnormal results rounded once. */
    public static float exp(float x) {
        if (x > EXP_HI) {
            x = EXP_HI;
        }
        if (x < EXP_LO) {
            x = EXP_LO;
        }
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        // Exact: for |x| >= 1/2 every term is a multiple of 2^-24 and |r| < 1/2, so r fits in 24
        // bits; for |x| < 1/2, n is 0 (r = x) or ±1 with |r| >= 0.19 and x a multiple of 2^-25.
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(E6, r, E5);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        // 2^n as two factors 2^n1 * 2^n2, each a normal float for n in [-150, 128]: the first
        // product is exact, the second rounds once (to a subnormal or to infinity when it must).
        int ni = Float.floatToRawIntBits(t) - ROUND_BITS;
        int n1 = ni >> 1;
        int n2 = ni - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    /**
     * Natural logarithm: within 1 ulp; {@code log(±0) = -Inf}, negative or NaN gives NaN,
     * {@code log(+Inf) = +Inf}, subnormals are exact inputs.
     */
    public static float log(float x) {
        if (!(x > 0f)) {
            return x == 0f ? Float.NEGATIVE_INFINITY : Float.NaN;
        }
        if (x == Float.POSITIVE_INFINITY) {
            return x;
        }
        float bias = 0f;
        if (x < Float.MIN_NORMAL) {
            x = x * TWO_POW_23;
            bias = -23f;
        }
        int bits = Float.floatToRawIntBits(x);
        int k = (bits - SQRT_HALF_BITS) >> 23;
        float f = Float.intBitsToFloat(bits - (k << 23)) - 1f;
        float e = (Float.intBitsToFloat(k + ROUND_BITS) - ROUND) + bias;
        float p = Math.fma(L8, f, L7);
        p = Math.fma(p, f, L6);
        p = Math.fma(p, f, L5);
        p = Math.fma(p, f, L4);
        p = Math.fma(p, f, L3);
        p = Math.fma(p, f, L2);
        p = Math.fma(p, f, L1);
        p = Math.fma(p, f, L0);
        float lm = Math.fma(f * f, p, f);
        return Math.fma(e, LN2_HI, Math.fma(e, LN2_LO, lm));
    }

    /** Hyperbolic tangent: within 2 ulp, odd ({@code tanh(-0) = -0}), exactly ±1 beyond ±10. */
    public static float tanh(float x) {
        float a = Math.abs(x);
        if (a > TANH_HI) {
            a = TANH_HI;
        }
        float m = expm1Core(a + a);
        return Math.copySign(m / (m + 2f), x);
    }

    /**
     * {@code e^x - 1} without the cancellation of {@code exp(x) - 1} near 0; {@code exp(x)} above
     * 20 (where subtracting 1 cannot change the float) and -1 below -20.
     */
    public static float expm1(float x) {
        if (x > EXPM1_HI) {
            return exp(x);
        }
        return expm1Core(x < -EXPM1_HI ? -EXPM1_HI : x);
    }

    /** {@code e^y - 1 = 2^n (r + r^2 P(r)) + (2^n - 1)} for {@code |y| <= 20} (so 2^n is a normal float). */
    private static float expm1Core(float y) {
        float t = Math.fma(y, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, y);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(E6, r, E5);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        float s = Float.intBitsToFloat((Float.floatToRawIntBits(t) - ROUND_BITS + 127) << 23);
        return Math.fma(s, Math.fma(r * r, p, r), s - 1f);
    }

    /**
     * {@code ln(1 + x)} for {@code x >= 0}, as {@code log(w) * x / (w - 1)} with {@code w = 1 + x}
     * (the quotient corrects the rounding of {@code w}; Goldberg 1991, thm. 4), {@code x} when
     * {@code w} rounds to 1, {@code +Inf} for {@code +Inf}.
     */
    public static float log1p(float x) {
        float w = 1f + x;
        if (w == 1f) {
            return x;
        }
        if (w == Float.POSITIVE_INFINITY) {
            return w;
        }
        return log(w) * (x / (w - 1f));
    }

    /**
     * {@code exp(-x^2 / 2)}, with {@code x^2} split exactly into {@code h + l} (an FMA gives the
     * rounding error {@code l}) so that the large argument of the exponential carries no rounding
     * error: {@code exp(-h/2) (1 - l/2)}. 0 beyond |x| = 16.
     */
    public static float gaussian(float x) {
        float a = Math.abs(x);
        if (a > GAUSS_HI) {
            a = GAUSS_HI;
        }
        float h = a * a;
        float l = Math.fma(a, a, -h);
        float e = exp(-0.5f * h);
        return Math.fma(e, -0.5f * l, e);
    }

    /**
     * The standard normal distribution function {@code Phi(x) = (1 + erf(x / sqrt 2)) / 2}, with a
     * small relative error in both tails (no {@code 1 + erf} cancellation): for
     * {@code a = |x| / sqrt 2 < 1}, {@code 1/2 ± a P(a^2) / 2} with P a degree-6 fit of
     * {@code erf(a) / a}; above, {@code erfc(a) = t Q(t) exp(-a^2)} with {@code t = 1 / (1 + a/2)}
     * and Q a degree-8 fit of {@code erfc(a) exp(a^2) / t} on {@code 1 <= a <= 10} (relative fit
     * errors 1.2e-9 and 2.3e-9, our own weighted least-squares fits).
     */
    public static float normalCdf(float x) {
        float a = Math.abs(x) * SQRT1_2;
        if (a < 1f) {
            return Math.fma(Math.copySign(0.5f, x), a * erfPoly(a * a), 0.5f);
        }
        float c = erfcTail(a) * gaussian(x);
        return x > 0f ? Math.fma(-0.5f, c, 1f) : 0.5f * c;
    }

    /** {@code erf(a) / a} for {@code t = a^2 <= 1}. */
    static float erfPoly(float t) {
        float p = Math.fma(ERF6, t, ERF5);
        p = Math.fma(p, t, ERF4);
        p = Math.fma(p, t, ERF3);
        p = Math.fma(p, t, ERF2);
        p = Math.fma(p, t, ERF1);
        return Math.fma(p, t, ERF0);
    }

    /** {@code erfc(a) exp(a^2)} for {@code a >= 1}. */
    static float erfcTail(float a) {
        float t = 1f / Math.fma(0.5f, a, 1f);
        float q = Math.fma(ERFC8, t, ERFC7);
        q = Math.fma(q, t, ERFC6);
        q = Math.fma(q, t, ERFC5);
        q = Math.fma(q, t, ERFC4);
        q = Math.fma(q, t, ERFC3);
        q = Math.fma(q, t, ERFC2);
        q = Math.fma(q, t, ERFC1);
        q = Math.fma(q, t, ERFC0);
        return t * q;
    }

    /**
     * {@code 1 / (1 + e^-x)}, as {@code 1 / (1 + e)} for {@code x >= 0} and {@code e / (1 + e)}
     * below, with {@code e = exp(-|x|)}: no overflow, and subnormal results for {@code x < -87.3}
     * instead of the naive form's 0. Within 2 ulp.
     */
    public static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        return (x < 0f ? e : 1f) / (1f + e);
    }
}
