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

    private static FloatVector c(float v) {
        return FloatVector.broadcast(S, v);
    }

    /** Lanewise {@link ScalarMath#exp}. */
    public static FloatVector exp(FloatVector x) {
        x = x.blend(EXP_HI, x.compare(GT, EXP_HI)).blend(EXP_LO, x.compare(LT, EXP_LO));
        FloatVector t = x.fma(LOG2E, ROUND); // rint(x log2 e) + 1.5*2^23: n in the low bits
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(c(-LN2_HI), x); // exact, see ScalarMath.exp
        r = n.fma(c(-LN2_LO), r);
        FloatVector p = r.fma(E6, E5);
        p = p.fma(r, c(E4));
        p = p.fma(r, c(E3));
        p = p.fma(r, c(E2));
        p = p.fma(r, c(1f));
        p = p.fma(r, c(1f));
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
        p = p.fma(f, c(L6));
        p = p.fma(f, c(L5));
        p = p.fma(f, c(L4));
        p = p.fma(f, c(L3));
        p = p.fma(f, c(L2));
        p = p.fma(f, c(L1));
        p = p.fma(f, c(L0));
        FloatVector lm = f.mul(f).fma(p, f);
        FloatVector y = e.fma(c(LN2_HI), e.fma(c(LN2_LO), lm));
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
        FloatVector r = n.fma(c(-LN2_HI), y);
        r = n.fma(c(-LN2_LO), r);
        FloatVector p = r.fma(E6, E5);
        p = p.fma(r, c(E4));
        p = p.fma(r, c(E3));
        p = p.fma(r, c(E2));
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

    /** Lanewise {@link ScalarMath#normalCdf}. */
    public static FloatVector normalCdf(FloatVector x) {
        FloatVector a = x.abs().mul(SQRT1_2);
        IntVector sign = x.reinterpretAsInts().and(Integer.MIN_VALUE);
        FloatVector half = c(0.5f).reinterpretAsInts().or(sign).reinterpretAsFloats();
        FloatVector inner = half.fma(a.mul(erfPoly(a.mul(a))), c(0.5f));
        FloatVector tail = erfcTail(a).mul(gaussian(x));
        FloatVector outer = c(-0.5f).fma(tail, c(1f)).blend(tail.mul(0.5f), x.compare(GT, 0f).not());
        return outer.blend(inner, a.compare(LT, 1f));
    }

    private static FloatVector erfPoly(FloatVector t) {
        FloatVector p = t.fma(ERF6, ERF5);
        p = p.fma(t, c(ERF4));
        p = p.fma(t, c(ERF3));
        p = p.fma(t, c(ERF2));
        p = p.fma(t, c(ERF1));
        return p.fma(t, c(ERF0));
    }

    private static FloatVector erfcTail(FloatVector a) {
        FloatVector t = c(1f).div(a.fma(0.5f, 1f));
        FloatVector q = t.fma(ERFC8, ERFC7);
        q = q.fma(t, c(ERFC6));
        q = q.fma(t, c(ERFC5));
        q = q.fma(t, c(ERFC4));
        q = q.fma(t, c(ERFC3));
        q = q.fma(t, c(ERFC2));
        q = q.fma(t, c(ERFC1));
        q = q.fma(t, c(ERFC0));
        return t.mul(q);
    }

    /** Lanewise {@link ScalarMath#sigmoid}. */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        return c(1f).blend(e, x.compare(LT, 0f)).div(e.add(1f));
    }
}
