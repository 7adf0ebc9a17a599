package dev.fovea.simd.eltwise.impl;

import static dev.fovea.simd.eltwise.impl.ScalarMath.E2;
import static dev.fovea.simd.eltwise.impl.ScalarMath.E3;
import static dev.fovea.simd.eltwise.impl.ScalarMath.E4;
import static dev.fovea.simd.eltwise.impl.ScalarMath.E5;
import static dev.fovea.simd.eltwise.impl.ScalarMath.E6;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERF0;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERF1;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERF2;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERF3;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERF4;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERF5;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERF6;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERFC0;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERFC1;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERFC2;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERFC3;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERFC4;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERFC5;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERFC6;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERFC7;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ERFC8;
import static dev.fovea.simd.eltwise.impl.ScalarMath.EXPM1_HI;
import static dev.fovea.simd.eltwise.impl.ScalarMath.EXP_HI;
import static dev.fovea.simd.eltwise.impl.ScalarMath.EXP_LO;
import static dev.fovea.simd.eltwise.impl.ScalarMath.GAUSS_HI;
import static dev.fovea.simd.eltwise.impl.ScalarMath.L0;
import static dev.fovea.simd.eltwise.impl.ScalarMath.L1;
import static dev.fovea.simd.eltwise.impl.ScalarMath.L2;
import static dev.fovea.simd.eltwise.impl.ScalarMath.L3;
import static dev.fovea.simd.eltwise.impl.ScalarMath.L4;
import static dev.fovea.simd.eltwise.impl.ScalarMath.L5;
import static dev.fovea.simd.eltwise.impl.ScalarMath.L6;
import static dev.fovea.simd.eltwise.impl.ScalarMath.L7;
import static dev.fovea.simd.eltwise.impl.ScalarMath.L8;
import static dev.fovea.simd.eltwise.impl.ScalarMath.LN2_HI;
import static dev.fovea.simd.eltwise.impl.ScalarMath.LN2_LO;
import static dev.fovea.simd.eltwise.impl.ScalarMath.LOG2E;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ROUND;
import static dev.fovea.simd.eltwise.impl.ScalarMath.ROUND_BITS;
import static dev.fovea.simd.eltwise.impl.ScalarMath.SQRT1_2;
import static dev.fovea.simd.eltwise.impl.ScalarMath.SQRT_HALF_BITS;
import static dev.fovea.simd.eltwise.impl.ScalarMath.TANH_HI;
import static dev.fovea.simd.eltwise.impl.ScalarMath.TWO_POW_23;
import static dev.fovea.simd.eltwise.impl.VectorLanes.S;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;

/**
 * Lanewise twins of {@link ScalarMath}: the same constants and the same exactly rounded
 * operations in the same order, so that each lane equals the scalar function bit for bit, at
 * every vector width and in every JIT tier (the Vector API's own EXP/LOG/TANH do not: their
 * interpreter fallback and their C2 SVML stubs disagree in the last bit). Only add, sub, mul,
 * div, fma, compares, blends and integer shifts of the bits are used. A scalar
 * {@code if} becomes a compare and a blend; both sides are computed for every lane.
 *
 * <p>Keep these functions small: C2 parses every Vector API call into many nodes and stops
 * inlining past a node budget. A first tanh with two branches (a polynomial below 0.5625 and
 * {@code 1 - 2/(exp(2a)+1)} above) pushed its kernel loop over that budget, so the final
 * {@code store} was not inlined and every vector was boxed: 1.2-1.5 ns/element and 4 GB/s of
 * garbage instead of 0.4 ns (JDK 25, Zen 4, 512-bit). The one-formula tanh avoids it.
 */
public final class FloatVectorMath {
    private FloatVectorMath() {}

    /** Lanewise {@link ScalarMath#exp}. */
    public static FloatVector exp(FloatVector x) {
        x = x.blend(EXP_HI, x.compare(GT, EXP_HI)).blend(EXP_LO, x.compare(LT, EXP_LO));
        FloatVector t = x.fma(LOG2E, ROUND); // rint(x log2 e) + 1.5*2^23: n in the low bits
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(MINUS_LN2_HI_V, x); // exact, see ScalarMath.exp
        r = n.fma(MINUS_LN2_LO_V, r);
        FloatVector p = r.fma(E6, E5);
        p = p.fma(r, E4_V);
        p = p.fma(r, E3_V);
        p = p.fma(r, E2_V);
        p = p.fma(r, ONE_V);
        p = p.fma(r, ONE_V);
        IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);
        IntVector n1 = ni.lanewise(ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    /** Lanewise {@link ScalarMath#log}. */
    public static FloatVector log(FloatVector x) {
        VectorMask<Float> sub = x.compare(LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(TWO_POW_23), sub);
        FloatVector bias = FloatVector.zero(S).blend(-23f, sub);
        IntVector bits = xs.reinterpretAsInts();
        IntVector k = bits.sub(SQRT_HALF_BITS).lanewise(ASHR, 23);
        FloatVector f = bits.sub(k.lanewise(LSHL, 23)).reinterpretAsFloats().sub(1f);
        FloatVector e = k.add(ROUND_BITS).reinterpretAsFloats().sub(ROUND).add(bias);
        FloatVector p = f.fma(L8, L7);
        p = p.fma(f, L6_V);
        p = p.fma(f, L5_V);
        p = p.fma(f, L4_V);
        p = p.fma(f, L3_V);
        p = p.fma(f, L2_V);
        p = p.fma(f, L1_V);
        p = p.fma(f, L0_V);
        FloatVector lm = f.mul(f).fma(p, f);
        FloatVector y = e.fma(LN2_HI_V, e.fma(LN2_LO_V, lm));
        return y.blend(Float.NaN, x.compare(GT, 0f).not())
                .blend(Float.NEGATIVE_INFINITY, x.compare(EQ, 0f))
                .blend(Float.POSITIVE_INFINITY, x.compare(EQ, Float.POSITIVE_INFINITY));
    }

    /** Lanewise {@link ScalarMath#tanh}. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        a = a.blend(TANH_HI, a.compare(GT, TANH_HI));
        FloatVector m = expm1Core(a.add(a));
        // copySign: m / (m + 2) >= +0 (or NaN), so or-ing in the sign bit of x is Math.copySign.
        IntVector sign = x.reinterpretAsInts().and(Integer.MIN_VALUE);
        return m.div(m.add(2f)).reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /** Lanewise {@link ScalarMath#expm1}. */
    public static FloatVector expm1(FloatVector x) {
        FloatVector m = expm1Core(x.blend(-EXPM1_HI, x.compare(LT, -EXPM1_HI)));
        VectorMask<Float> big = x.compare(GT, EXPM1_HI);
        return big.anyTrue() ? m.blend(exp(x), big) : m;
    }

    private static FloatVector expm1Core(FloatVector y) {
        FloatVector t = y.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(MINUS_LN2_HI_V, y);
        r = n.fma(MINUS_LN2_LO_V, r);
        FloatVector p = r.fma(E6, E5);
        p = p.fma(r, E4_V);
        p = p.fma(r, E3_V);
        p = p.fma(r, E2_V);
        FloatVector s = t.reinterpretAsInts().add(127 - ROUND_BITS).lanewise(LSHL, 23).reinterpretAsFloats();
        return s.fma(r.mul(r).fma(p, r), s.sub(1f));
    }

    /** Lanewise {@link ScalarMath#log1p} (for {@code x >= 0}). */
    public static FloatVector log1p(FloatVector x) {
        FloatVector w = x.add(1f);
        FloatVector y = log(w).mul(x.div(w.sub(1f)));
        return y.blend(x, w.compare(EQ, 1f)).blend(w, w.compare(EQ, Float.POSITIVE_INFINITY));
    }

    /** Lanewise {@link ScalarMath#gaussian}. */
    public static FloatVector gaussian(FloatVector x) {
        FloatVector a = x.abs();
        a = a.blend(GAUSS_HI, a.compare(GT, GAUSS_HI));
        FloatVector h = a.mul(a);
        FloatVector l = a.fma(a, h.neg());
        FloatVector e = exp(h.mul(-0.5f));
        return e.fma(l.mul(-0.5f), e);
    }

    // Vector constants: one broadcast each at class init instead of one per call, which keeps the
    // kernels that use exp, log and normalCdf inside C2's parse-time node budget (see above).
    private static final FloatVector MINUS_LN2_HI_V = FloatVector.broadcast(S, -LN2_HI);
    private static final FloatVector MINUS_LN2_LO_V = FloatVector.broadcast(S, -LN2_LO);
    private static final FloatVector LN2_HI_V = FloatVector.broadcast(S, LN2_HI);
    private static final FloatVector LN2_LO_V = FloatVector.broadcast(S, LN2_LO);
    private static final FloatVector E2_V = FloatVector.broadcast(S, E2);
    private static final FloatVector E3_V = FloatVector.broadcast(S, E3);
    private static final FloatVector E4_V = FloatVector.broadcast(S, E4);
    private static final FloatVector L0_V = FloatVector.broadcast(S, L0);
    private static final FloatVector L1_V = FloatVector.broadcast(S, L1);
    private static final FloatVector L2_V = FloatVector.broadcast(S, L2);
    private static final FloatVector L3_V = FloatVector.broadcast(S, L3);
    private static final FloatVector L4_V = FloatVector.broadcast(S, L4);
    private static final FloatVector L5_V = FloatVector.broadcast(S, L5);
    private static final FloatVector L6_V = FloatVector.broadcast(S, L6);
    private static final FloatVector ERF0_V = FloatVector.broadcast(S, ERF0);
    private static final FloatVector ERF1_V = FloatVector.broadcast(S, ERF1);
    private static final FloatVector ERF2_V = FloatVector.broadcast(S, ERF2);
    private static final FloatVector ERF3_V = FloatVector.broadcast(S, ERF3);
    private static final FloatVector ERF4_V = FloatVector.broadcast(S, ERF4);
    private static final FloatVector ERFC0_V = FloatVector.broadcast(S, ERFC0);
    private static final FloatVector ERFC1_V = FloatVector.broadcast(S, ERFC1);
    private static final FloatVector ERFC2_V = FloatVector.broadcast(S, ERFC2);
    private static final FloatVector ERFC3_V = FloatVector.broadcast(S, ERFC3);
    private static final FloatVector ERFC4_V = FloatVector.broadcast(S, ERFC4);
    private static final FloatVector ERFC5_V = FloatVector.broadcast(S, ERFC5);
    private static final FloatVector ERFC6_V = FloatVector.broadcast(S, ERFC6);
    private static final FloatVector ERF5_V = FloatVector.broadcast(S, ERF5);
    private static final FloatVector ERF6_V = FloatVector.broadcast(S, ERF6);
    private static final FloatVector ERFC7_V = FloatVector.broadcast(S, ERFC7);
    private static final FloatVector ERFC8_V = FloatVector.broadcast(S, ERFC8);
    private static final FloatVector SQRT1_2_V = FloatVector.broadcast(S, SQRT1_2);
    private static final FloatVector ZERO_V = FloatVector.zero(S);
    private static final FloatVector HALF_V = FloatVector.broadcast(S, 0.5f);
    private static final FloatVector MINUS_HALF_V = FloatVector.broadcast(S, -0.5f);
    private static final FloatVector ONE_V = FloatVector.broadcast(S, 1f);

    /** Lanewise {@link ScalarMath#normalCdf}. */
    public static FloatVector normalCdf(FloatVector x) {
        return normalCdf(x, gaussian(x));
    }

    /** {@link #normalCdf(FloatVector)} given {@code gaussian(x)}, its costly part. */
    public static FloatVector normalCdf(FloatVector x, FloatVector gaussian) {
        FloatVector a = x.abs().mul(SQRT1_2_V);
        IntVector sign = x.reinterpretAsInts().and(Integer.MIN_VALUE);
        FloatVector half = HALF_V.reinterpretAsInts().or(sign).reinterpretAsFloats();
        FloatVector inner = half.fma(a.mul(erfPoly(a.mul(a))), HALF_V);
        FloatVector tail = erfcTail(a).mul(gaussian);
        FloatVector outer = MINUS_HALF_V.fma(tail, ONE_V).blend(tail.mul(HALF_V), x.compare(GT, ZERO_V).not());
        return outer.blend(inner, a.compare(LT, ONE_V));
    }

    private static FloatVector erfPoly(FloatVector t) {
        FloatVector p = t.fma(ERF6_V, ERF5_V);
        p = p.fma(t, ERF4_V);
        p = p.fma(t, ERF3_V);
        p = p.fma(t, ERF2_V);
        p = p.fma(t, ERF1_V);
        return p.fma(t, ERF0_V);
    }

    private static FloatVector erfcTail(FloatVector a) {
        FloatVector t = ONE_V.div(a.fma(HALF_V, ONE_V));
        FloatVector q = t.fma(ERFC8_V, ERFC7_V);
        q = q.fma(t, ERFC6_V);
        q = q.fma(t, ERFC5_V);
        q = q.fma(t, ERFC4_V);
        q = q.fma(t, ERFC3_V);
        q = q.fma(t, ERFC2_V);
        q = q.fma(t, ERFC1_V);
        q = q.fma(t, ERFC0_V);
        return t.mul(q);
    }

    /** Lanewise {@link ScalarMath#sigmoid}. */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        return ONE_V.blend(e, x.compare(LT, 0f)).div(e.add(1f));
    }
}
