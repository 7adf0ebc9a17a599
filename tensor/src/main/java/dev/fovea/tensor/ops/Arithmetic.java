package dev.fovea.tensor.ops;

import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;

/**
 * Binary arithmetic with NumPy broadcasting, and {@code where}: forward through {@link Kernels},
 * backward next to it. Gradients of broadcast inputs are summed back to their shapes with
 * {@link Reductions#sumToShape}.
 */
public final class Arithmetic {
    private Arithmetic() {}

    /** {@code a + b}. */
    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = Kernels.binary("add", BinaryOp.ADD, a, b);
        long[] as = a.shape();
        long[] bs = b.shape();
        boolean needA = a.requiresGrad();
        boolean needB = b.requiresGrad();
        return Autograd.record("add", out, g -> new Tensor[] {
            needA ? Reductions.sumToShape(g, as) : null,
            needB ? Reductions.sumToShape(g, bs) : null}, a, b);
    }

    /** {@code a - b}. */
    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = Kernels.binary("sub", BinaryOp.SUB, a, b);
        long[] as = a.shape();
        long[] bs = b.shape();
        boolean needA = a.requiresGrad();
        boolean needB = b.requiresGrad();
        return Autograd.record("sub", out, g -> new Tensor[] {
            needA ? Reductions.sumToShape(g, as) : null,
            needB ? Reductions.sumToShape(g.neg(), bs) : null}, a, b);
    }

    /** {@code a * b}. */
    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = Kernels.binary("mul", BinaryOp.MUL, a, b);
        return Autograd.record("mul", out, g -> new Tensor[] {
            a.requiresGrad() ? Reductions.sumToShape(g.mul(b), a.shape()) : null,
            b.requiresGrad() ? Reductions.sumToShape(g.mul(a), b.shape()) : null}, a, b);
    }

    /** {@code a / b}. */
    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = Kernels.binary("div", BinaryOp.DIV, a, b);
        return Autograd.record("div", out, g -> new Tensor[] {
            a.requiresGrad() ? Reductions.sumToShape(g.div(b), a.shape()) : null,
            b.requiresGrad() ? Reductions.sumToShape(g.mul(a).div(b.mul(b)).neg(), b.shape()) : null}, a, b);
    }

    /**
     * {@code a ^ b}. As in PyTorch, the gradient with respect to {@code a} is 0 where {@code b == 0},
     * and with respect to {@code b} it is 0 where {@code a == 0} and {@code b >= 0}.
     */
    public static Tensor pow(Tensor a, Tensor b) {
        Tensor out = Kernels.binary("pow", BinaryOp.POW, a, b);
        return Autograd.record("pow", out, g -> {
            Tensor zero = Tensor.scalar(0f);
            Tensor ga = null;
            Tensor gb = null;
            if (a.requiresGrad()) {
                Tensor d = Tensor.where(b.eq(0f), zero, b.mul(a.pow(b.sub(1f))));
                ga = Reductions.sumToShape(g.mul(d), a.shape());
            }
            if (b.requiresGrad()) {
                Tensor d = Tensor.where(a.eq(0f).mul(b.ge(0f)), zero, a.pow(b).mul(a.log()));
                gb = Reductions.sumToShape(g.mul(d), b.shape());
            }
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    /** Elementwise maximum; tied elements each get half the gradient, as in PyTorch. */
    public static Tensor maximum(Tensor a, Tensor b) {
        Tensor out = Kernels.binary("maximum", BinaryOp.MAX, a, b);
        return Autograd.record("maximum", out, g -> extremeGrads(g, a, b, true), a, b);
    }

    /** Elementwise minimum; tied elements each get half the gradient. */
    public static Tensor minimum(Tensor a, Tensor b) {
        Tensor out = Kernels.binary("minimum", BinaryOp.MIN, a, b);
        return Autograd.record("minimum", out, g -> extremeGrads(g, a, b, false), a, b);
    }

    private static Tensor[] extremeGrads(Tensor g, Tensor a, Tensor b, boolean max) {
        Tensor half = a.eq(b).mul(0.5f);
        Tensor wa = (max ? a.gt(b) : a.lt(b)).add(half);
        Tensor wb = (max ? a.lt(b) : a.gt(b)).add(half);
        return new Tensor[] {
            a.requiresGrad() ? Reductions.sumToShape(g.mul(wa), a.shape()) : null,
            b.requiresGrad() ? Reductions.sumToShape(g.mul(wb), b.shape()) : null};
    }

    /** {@code condition != 0 ? a : b}, broadcasting; no gradient flows to the condition. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        Tensor out = Kernels.where(condition, a, b);
        boolean needA = a.requiresGrad();
        boolean needB = b.requiresGrad();
        long[] as = a.shape();
        long[] bs = b.shape();
        return Autograd.record("where", out, g -> {
            Tensor zero = Tensor.scalar(0f);
            return new Tensor[] {
                null,
                needA ? Reductions.sumToShape(Tensor.where(condition, g, zero), as) : null,
                needB ? Reductions.sumToShape(Tensor.where(condition, zero, g), bs) : null};
        }, condition, a, b);
    }

    /** {@code x + s}. */
    public static Tensor add(Tensor x, float s) {
        Tensor out = Kernels.binaryScalar("add", BinaryOp.ADD, x, s);
        return Autograd.record("add", out, g -> new Tensor[] {g}, x);
    }

    /** {@code x - s}. */
    public static Tensor sub(Tensor x, float s) {
        Tensor out = Kernels.binaryScalar("sub", BinaryOp.SUB, x, s);
        return Autograd.record("sub", out, g -> new Tensor[] {g}, x);
    }

    /** {@code x * s}. */
    public static Tensor mul(Tensor x, float s) {
        Tensor out = Kernels.binaryScalar("mul", BinaryOp.MUL, x, s);
        return Autograd.record("mul", out, g -> new Tensor[] {g.mul(s)}, x);
    }

    /** {@code x / s}. */
    public static Tensor div(Tensor x, float s) {
        Tensor out = Kernels.binaryScalar("div", BinaryOp.DIV, x, s);
        return Autograd.record("div", out, g -> new Tensor[] {g.div(s)}, x);
    }
}
