package dev.fovea.simd.eltwise.impl;

import static dev.fovea.simd.eltwise.impl.ActivationScalar.GELU_BETA;
import static dev.fovea.simd.eltwise.impl.ActivationScalar.GELU_KAPPA;
import static dev.fovea.simd.eltwise.impl.ActivationScalar.GELU_TANH_CLAMP;
import static dev.fovea.simd.eltwise.impl.ActivationScalar.INV_SQRT_2PI;
import static dev.fovea.simd.eltwise.impl.ActivationScalar.MISH_CLAMP;
import static dev.fovea.simd.eltwise.impl.ActivationScalar.ONE_SIXTH;
import static dev.fovea.simd.eltwise.impl.ActivationScalar.SELU_SCALE;
import static dev.fovea.simd.eltwise.impl.ActivationScalar.SELU_SCALE_ALPHA;
import static dev.fovea.simd.eltwise.impl.FloatVectorMath.exp;
import static dev.fovea.simd.eltwise.impl.FloatVectorMath.expm1;
import static dev.fovea.simd.eltwise.impl.FloatVectorMath.gaussian;
import static dev.fovea.simd.eltwise.impl.FloatVectorMath.log1p;
import static dev.fovea.simd.eltwise.impl.FloatVectorMath.normalCdf;
import static dev.fovea.simd.eltwise.impl.FloatVectorMath.sigmoid;
import static dev.fovea.simd.eltwise.impl.FloatVectorMath.tanh;
import static dev.fovea.simd.eltwise.impl.VectorLanes.S;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Lanewise twins of {@link ActivationScalar}: the same operations in the same order, a scalar
 * {@code c ? p : q} becoming a compare and a blend (both sides computed), so every lane equals the
 * scalar function bit for bit. Small methods, inlined into the generated loops of
 * {@code ActivationVectorOps}.
 */
public final class ActivationVector {
    private ActivationVector() {}

    private static FloatVector c(float v) {
        return FloatVector.broadcast(S, v);
    }

    /** {@code x > 0}. */
    private static VectorMask<Float> positive(FloatVector x) {
        return x.compare(GT, 0f);
    }

    /** Lanewise {@link ActivationScalar#relu}. */
    public static FloatVector relu(FloatVector x, float a, float b) {
        return x.blend(0f, x.compare(LE, 0f));
    }

    /** Lanewise {@link ActivationScalar#reluGrad}. */
    public static FloatVector reluGrad(FloatVector x, FloatVector g, float a, float b) {
        return FloatVector.zero(S).blend(g, positive(x));
    }

    /** Lanewise {@link ActivationScalar#leakyRelu}. */
    public static FloatVector leakyRelu(FloatVector x, float a, float b) {
        return x.mul(a).blend(x, positive(x));
    }

    /** Lanewise {@link ActivationScalar#leakyReluGrad}. */
    public static FloatVector leakyReluGrad(FloatVector x, FloatVector g, float a, float b) {
        return g.mul(a).blend(g, positive(x));
    }

    /** Lanewise {@link ActivationScalar#elu}. */
    public static FloatVector elu(FloatVector x, float a, float b) {
        return expm1(x).mul(a).blend(x, positive(x));
    }

    /** Lanewise {@link ActivationScalar#eluGrad}. */
    public static FloatVector eluGrad(FloatVector x, FloatVector g, float a, float b) {
        return g.mul(exp(x).mul(a)).blend(g, positive(x));
    }

    /** Lanewise {@link ActivationScalar#selu}. */
    public static FloatVector selu(FloatVector x, float a, float b) {
        return expm1(x).mul(SELU_SCALE_ALPHA).blend(x.mul(SELU_SCALE), positive(x));
    }

    /** Lanewise {@link ActivationScalar#seluGrad}. */
    public static FloatVector seluGrad(FloatVector x, FloatVector g, float a, float b) {
        return g.mul(exp(x).mul(SELU_SCALE_ALPHA)).blend(g.mul(SELU_SCALE), positive(x));
    }

    /** Lanewise {@link ActivationScalar#celu}. */
    public static FloatVector celu(FloatVector x, float a, float b) {
        return expm1(x.div(a)).mul(a).blend(x, positive(x));
    }

    /** Lanewise {@link ActivationScalar#celuGrad}. */
    public static FloatVector celuGrad(FloatVector x, FloatVector g, float a, float b) {
        return g.mul(exp(x.div(a))).blend(g, positive(x));
    }

    /** Lanewise {@link ActivationScalar#gelu}. */
    public static FloatVector gelu(FloatVector x, float a, float b) {
        return gelu(x, geluStage(x, a, b), a, b);
    }

    /** The first stage of {@link #gelu} and {@link #geluGrad}: {@code gaussian(x)}. */
    public static FloatVector geluStage(FloatVector x, float a, float b) {
        return gaussian(x);
    }

    /** {@link #gelu} from its first stage {@code t}. */
    public static FloatVector gelu(FloatVector x, FloatVector t, float a, float b) {
        return x.mul(normalCdf(x, t));
    }

    /** Lanewise {@link ActivationScalar#geluGrad}. */
    public static FloatVector geluGrad(FloatVector x, FloatVector g, float a, float b) {
        return geluGrad(x, g, geluGradStage(x, a, b), a, b);
    }

    /** The first stage of {@link #geluGrad}: {@code gaussian(x)}. */
    public static FloatVector geluGradStage(FloatVector x, float a, float b) {
        return gaussian(x);
    }

    /** {@link #geluGrad} from its first stage {@code t}. */
    public static FloatVector geluGrad(FloatVector x, FloatVector g, FloatVector t, float a, float b) {
        return g.mul(x.fma(t.mul(INV_SQRT_2PI), normalCdf(x, t)));
    }

    private static FloatVector geluTanhArg(FloatVector x) {
        return x.mul(GELU_KAPPA).mul(x).fma(x, x).mul(2f * GELU_BETA);
    }

    /** {@link FloatVectorMath#sigmoid} of {@code z} given its {@code e = exp(-|z|)}, the same operations. */
    private static FloatVector sigmoidFrom(FloatVector z, FloatVector e) {
        return c(1f).blend(e, z.compare(LT, 0f)).div(e.add(1f));
    }

    /** Lanewise {@link ActivationScalar#geluTanh}. */
    public static FloatVector geluTanh(FloatVector x, float a, float b) {
        return geluTanh(x, geluTanhStage(x, a, b), a, b);
    }

    /** The first stage of {@link #geluTanh}: {@code exp(-|z|)} of its sigmoid's argument {@code z}. */
    public static FloatVector geluTanhStage(FloatVector x, float a, float b) {
        return exp(geluTanhArg(x).abs().neg());
    }

    /** {@link #geluTanh} from its first stage {@code e}. */
    public static FloatVector geluTanh(FloatVector x, FloatVector e, float a, float b) {
        return x.mul(sigmoidFrom(geluTanhArg(x), e));
    }

    /** Lanewise {@link ActivationScalar#geluTanhGrad}. */
    public static FloatVector geluTanhGrad(FloatVector x, FloatVector g, float a, float b) {
        return geluTanhGrad(x, g, geluTanhGradStage(x, a, b), a, b);
    }

    /** The first stage of {@link #geluTanhGrad}: {@code exp(-|z|)} of its sigmoid's argument {@code z}. */
    public static FloatVector geluTanhGradStage(FloatVector x, float a, float b) {
        return exp(geluTanhArg(x).abs().neg());
    }

    /** {@link #geluTanhGrad} from its first stage {@code e}. */
    public static FloatVector geluTanhGrad(FloatVector x, FloatVector g, FloatVector e, float a, float b) {
        FloatVector z = geluTanhArg(x);
        FloatVector d = e.add(1f);
        VectorMask<Float> negative = z.compare(LT, 0f);
        FloatVector s = c(1f).blend(e, negative).div(d);
        FloatVector sc = e.blend(1f, negative).div(d);
        FloatVector xc = x.blend(GELU_TANH_CLAMP, x.compare(GT, GELU_TANH_CLAMP))
                .blend(-GELU_TANH_CLAMP, x.compare(LT, -GELU_TANH_CLAMP));
        FloatVector inner = xc.mul(3f * GELU_KAPPA).fma(xc, c(1f)).mul(GELU_BETA);
        return g.mul(xc.mul(2f).mul(inner).fma(s.mul(sc), s));
    }

    /** Lanewise {@link ActivationScalar#silu}. */
    public static FloatVector silu(FloatVector x, float a, float b) {
        return x.mul(sigmoid(x));
    }

    /** Lanewise {@link ActivationScalar#siluGrad}. */
    public static FloatVector siluGrad(FloatVector x, FloatVector g, float a, float b) {
        return siluGrad(x, g, siluGradStage(x, a, b), a, b);
    }

    /** The first stage of {@link #siluGrad}: {@code sigmoid(x)}. */
    public static FloatVector siluGradStage(FloatVector x, float a, float b) {
        return sigmoid(x);
    }

    /** {@link #siluGrad} from its first stage {@code s}. */
    public static FloatVector siluGrad(FloatVector x, FloatVector g, FloatVector s, float a, float b) {
        return g.mul(s.mul(x.fma(c(1f).sub(s), c(1f))));
    }

    /** Lanewise {@link ActivationScalar#mish}. */
    public static FloatVector mish(FloatVector x, float a, float b) {
        FloatVector u = exp(x.blend(MISH_CLAMP, x.compare(GT, MISH_CLAMP)));
        FloatVector n = u.mul(u.add(2f));
        return x.mul(n.div(n.add(2f)));
    }

    /** Lanewise {@link ActivationScalar#mishGrad}. */
    public static FloatVector mishGrad(FloatVector x, FloatVector g, float a, float b) {
        return mishGrad(x, g, mishGradStage(x, a, b), a, b);
    }

    /** The first stage of {@link #mishGrad}: {@code exp(min(x, clamp))}. */
    public static FloatVector mishGradStage(FloatVector x, float a, float b) {
        return exp(x.blend(MISH_CLAMP, x.compare(GT, MISH_CLAMP)));
    }

    /** {@link #mishGrad} from its first stage {@code u}. */
    public static FloatVector mishGrad(FloatVector x, FloatVector g, FloatVector u, float a, float b) {
        FloatVector xc = x.blend(MISH_CLAMP, x.compare(GT, MISH_CLAMP));
        FloatVector n = u.mul(u.add(2f));
        FloatVector d = n.add(2f);
        FloatVector t = n.div(d);
        FloatVector s = u.div(u.add(1f));
        FloatVector oneMinusT2 = n.add(1f).mul(4f).div(d.mul(d));
        return g.mul(xc.mul(s).fma(oneMinusT2, t));
    }

    /** Lanewise {@link ActivationScalar#hardtanh}. */
    public static FloatVector hardtanh(FloatVector x, float a, float b) {
        return x.blend(b, x.compare(GT, b)).blend(a, x.compare(LT, a));
    }

    /** Lanewise {@link ActivationScalar#hardtanhGrad}. */
    public static FloatVector hardtanhGrad(FloatVector x, FloatVector g, float a, float b) {
        return g.blend(0f, x.compare(LE, a).or(x.compare(GE, b)));
    }

    private static FloatVector relu6Shifted(FloatVector x) {
        FloatVector t = x.add(3f);
        return t.blend(6f, t.compare(GT, 6f)).blend(0f, t.compare(LT, 0f));
    }

    /** Lanewise {@link ActivationScalar#hardsigmoid}. */
    public static FloatVector hardsigmoid(FloatVector x, float a, float b) {
        return relu6Shifted(x).div(6f);
    }

    /** Lanewise {@link ActivationScalar#hardsigmoidGrad}. */
    public static FloatVector hardsigmoidGrad(FloatVector x, FloatVector g, float a, float b) {
        return FloatVector.zero(S).blend(g.mul(ONE_SIXTH), x.compare(GT, -3f).and(x.compare(LT, 3f)));
    }

    /** Lanewise {@link ActivationScalar#hardswish}. */
    public static FloatVector hardswish(FloatVector x, float a, float b) {
        return x.mul(relu6Shifted(x)).div(6f);
    }

    /** Lanewise {@link ActivationScalar#hardswishGrad}. */
    public static FloatVector hardswishGrad(FloatVector x, FloatVector g, float a, float b) {
        FloatVector mid = g.mul(x.div(3f).add(0.5f));
        return g.blend(mid, x.compare(LT, 3f)).blend(0f, x.compare(LT, -3f));
    }

    /** Lanewise {@link ActivationScalar#softplus}. */
    public static FloatVector softplus(FloatVector x, float a, float b) {
        return softplus(x, softplusStage(x, a, b), a, b);
    }

    /** The first stage of {@link #softplus}: {@code log1p(exp(-|a x|))}. */
    public static FloatVector softplusStage(FloatVector x, float a, float b) {
        return log1p(exp(x.mul(a).abs().neg()));
    }

    /** {@link #softplus} from its first stage {@code l}. */
    public static FloatVector softplus(FloatVector x, FloatVector l, float a, float b) {
        FloatVector z = x.mul(a);
        return z.blend(0f, positive(z).not()).add(l).div(a).blend(x, z.compare(GT, b));
    }

    /** Lanewise {@link ActivationScalar#softplusGrad}. */
    public static FloatVector softplusGrad(FloatVector x, FloatVector g, float a, float b) {
        return softplusGrad(x, g, softplusGradStage(x, a, b), a, b);
    }

    /** The first stage of {@link #softplusGrad}: {@code exp(-|a x|)}. */
    public static FloatVector softplusGradStage(FloatVector x, float a, float b) {
        return exp(x.mul(a).abs().neg());
    }

    /** {@link #softplusGrad} from its first stage {@code e}. */
    public static FloatVector softplusGrad(FloatVector x, FloatVector g, FloatVector e, float a, float b) {
        FloatVector z = x.mul(a);
        return g.mul(sigmoidFrom(z, e)).blend(g, z.compare(GT, b));
    }

    /** Lanewise {@link ActivationScalar#softsign}. */
    public static FloatVector softsign(FloatVector x, float a, float b) {
        return x.div(x.abs().add(1f));
    }

    /** Lanewise {@link ActivationScalar#softsignGrad}. */
    public static FloatVector softsignGrad(FloatVector x, FloatVector g, float a, float b) {
        FloatVector d = x.abs().add(1f);
        return g.div(d.mul(d));
    }

    /** Lanewise {@link ActivationScalar#sigmoidGrad}. */
    public static FloatVector sigmoidGrad(FloatVector x, FloatVector g, float a, float b) {
        FloatVector e = exp(x.abs().neg());
        FloatVector d = e.add(1f);
        return g.mul(e.div(d.mul(d)));
    }

    /** Lanewise {@link ActivationScalar#tanhGrad}. */
    public static FloatVector tanhGrad(FloatVector x, FloatVector g, float a, float b) {
        return tanhGrad(x, g, tanhGradStage(x, a, b), a, b);
    }

    /** The first stage of {@link #tanhGrad}: {@code exp(-2 |x|)}. */
    public static FloatVector tanhGradStage(FloatVector x, float a, float b) {
        return exp(x.abs().mul(-2f));
    }

    /** {@link #tanhGrad} from its first stage {@code e}. */
    public static FloatVector tanhGrad(FloatVector x, FloatVector g, FloatVector e, float a, float b) {
        FloatVector d = e.add(1f);
        return g.mul(e.mul(4f).div(d.mul(d)));
    }
}
