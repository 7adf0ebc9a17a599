package dev.fovea.simd.eltwise.impl;

import static dev.fovea.simd.eltwise.impl.ScalarMath.E2;
import static dev.fovea.simd.eltwise.impl.ScalarMath.E3;
import static dev.fovea.simd.eltwise.impl.ScalarMath.E4;
import static dev.fovea.simd.eltwise.impl.ScalarMath.E5;
import static dev.fovea.simd.eltwise.impl.ScalarMath.E6;
import static dev.fovea.simd.eltwise.impl.ScalarMath.EXP_HI;
import static dev.fovea.simd.eltwise.impl.ScalarMath.EXP_LO;
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
        FloatVector y = a.add(a);
        FloatVector t = y.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(c(-LN2_HI), y);
        r = n.fma(c(-LN2_LO), r);
        FloatVector p = r.fma(E6, E5);
        p = p.fma(r, c(E4));
        p = p.fma(r, c(E3));
        p = p.fma(r, c(E2));
        FloatVector s = t.reinterpretAsInts().add(127 - ROUND_BITS).lanewise(LSHL, 23).reinterpretAsFloats();
        FloatVector m = s.fma(r.mul(r).fma(p, r), s.sub(1f));
        // copySign: m / (m + 2) >= +0 (or NaN), so or-ing in the sign bit of x is Math.copySign.
        IntVector sign = x.reinterpretAsInts().and(Integer.MIN_VALUE);
        return m.div(m.add(2f)).reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /** Lanewise {@link ScalarMath#sigmoid}. */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        return c(1f).blend(e, x.compare(LT, 0f)).div(e.add(1f));
    }
}
