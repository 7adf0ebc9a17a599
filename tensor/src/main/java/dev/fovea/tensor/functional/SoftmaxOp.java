package dev.fovea.tensor.functional;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.softmax.Softmax;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.ops.Checks;

/**
 * Softmax and log-softmax over one dim, behind {@link Activations}: the tensor, made contiguous, is
 * seen as {@code (outer, size of dim, inner)} and handed to the {@link Softmax} kernels; the
 * backward runs {@link Softmax#backward} on the saved output.
 */
final class SoftmaxOp {
    private SoftmaxOp() {}

    /** Softmax ({@code log} false) or log-softmax of {@code input} over {@code dim}. */
    static Tensor forward(boolean log, Tensor input, int dim) {
        String op = log ? "log_softmax" : "softmax";
        Checks.live(op, "input", input);
        long[] shape = input.shape();
        // As in PyTorch, a scalar takes dim 0 or -1 (a softmax over one element).
        int d = Shape.normalizeDim(op, dim, Math.max(1, shape.length), shape);
        long outer = 1;
        long inner = 1;
        for (int k = 0; k < shape.length; k++) {
            if (k < d) {
                outer *= shape[k];
            } else if (k > d) {
                inner *= shape[k];
            }
        }
        long size = shape.length == 0 ? 1 : shape[d];
        long finalOuter = outer;
        long finalInner = inner;
        Tensor x = input.contiguous();
        Tensor out = Tensor.empty(shape);
        Softmax.forward(log, x.segment(), x.offset(), out.segment(), out.offset(), outer, size, inner, ctx());
        Tensor saved = out.detach();
        return Autograd.record(op, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(shape);
            Softmax.backward(log, saved.segment(), saved.offset(), gc.segment(), gc.offset(), dx.segment(),
                    dx.offset(), finalOuter, size, finalInner, ctx());
            return new Tensor[] {dx};
        }, input);
    }

    private static ComputeContext ctx() {
        return ComputeContext.current();
    }
}
