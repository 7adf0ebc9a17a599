package dev.fovea.tensor.ops;

import dev.fovea.simd.eltwise.UnaryOp;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;

/** Unary elementwise ops (and pow with a scalar exponent, clamp): forward and backward together. */
public final class Pointwise {
    private Pointwise() {}

    /** {@code -x}. */
    public static Tensor neg(Tensor x) {
        Tensor out = Kernels.unary("neg", UnaryOp.NEG, x);
        return Autograd.record("neg", out, g -> new Tensor[] {g.neg()}, x);
    }

    /** {@code |x|}; the gradient is {@code sign(x)}, so 0 at 0 as in PyTorch. */
    public static Tensor abs(Tensor x) {
        Tensor out = Kernels.unary("abs", UnaryOp.ABS, x);
        return Autograd.record("abs", out, g -> new Tensor[] {g.mul(Kernels.unary("abs", UnaryOp.SIGN, x))}, x);
    }

    /** {@code e^x}. */
    public static Tensor exp(Tensor x) {
        Tensor out = Kernels.unary("exp", UnaryOp.EXP, x);
        Tensor saved = out.detach();
        return Autograd.record("exp", out, g -> new Tensor[] {g.mul(saved)}, x);
    }

    /** {@code ln x}. */
    public static Tensor log(Tensor x) {
        Tensor out = Kernels.unary("log", UnaryOp.LOG, x);
        return Autograd.record("log", out, g -> new Tensor[] {g.div(x)}, x);
    }

    /** {@code sqrt(x)}. */
    public static Tensor sqrt(Tensor x) {
        Tensor out = Kernels.unary("sqrt", UnaryOp.SQRT, x);
        Tensor saved = out.detach();
        return Autograd.record("sqrt", out, g -> new Tensor[] {g.mul(0.5f).div(saved)}, x);
    }

    /** {@code x ^ p}; the gradient is {@code p * x^(p-1)}, and 0 everywhere for {@code p == 0}. */
    public static Tensor pow(Tensor x, float p) {
        Tensor out = p == 2f ? Kernels.unary("pow", UnaryOp.SQUARE, x)
                : Kernels.binaryScalar("pow", dev.fovea.simd.eltwise.BinaryOp.POW, x, p);
        return Autograd.record("pow", out, g -> new Tensor[] {
            p == 0f ? Tensor.zeros(x.shape()) : g.mul(x.pow(p - 1f).mul(p))}, x);
    }

    /**
     * {@code min(max(x, lo), hi)}; the gradient passes where {@code lo <= x <= hi}.
     *
     * @throws IllegalArgumentException if a bound is NaN
     */
    public static Tensor clamp(Tensor x, float lo, float hi) {
        if (Float.isNaN(lo) || Float.isNaN(hi)) {
            throw new IllegalArgumentException("clamp: bounds must not be NaN, got min=" + lo + ", max=" + hi);
        }
        Tensor out = Kernels.clamp(x, lo, hi);
        return Autograd.record("clamp", out, g -> new Tensor[] {g.mul(x.ge(lo).mul(x.le(hi)))}, x);
    }
}
