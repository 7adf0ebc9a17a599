package dev.fovea.tensor.functional;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.ActivationKernels;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.internal.TensorAccess;
import dev.fovea.tensor.ops.Checks;

/**
 * The activation functions on tensors: forward through {@link ActivationKernels} on a contiguous
 * copy of the input (none when it already is contiguous), backward through the same kernels from
 * the saved input. PReLU runs the leaky-ReLU kernel once per channel plane with that channel's
 * slope.
 */
final class ActivationOp {
    private ActivationOp() {}

    /** {@code f(x)}, differentiable. */
    static Tensor apply(String op, ActivationFunction f, Tensor input) {
        Checks.live(op, "input", input);
        Tensor x = input.contiguous();
        Tensor out = TensorAccess.get().uninitialized(x.shape());
        ActivationKernels.forward(f, x.segment(), x.offset(), out.segment(), out.offset(), x.numel(), ctx());
        return Autograd.record(op, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = TensorAccess.get().uninitialized(x.shape());
            ActivationKernels.backward(f, x.segment(), x.offset(), gc.segment(), gc.offset(), dx.segment(), dx.offset(),
                    x.numel(), ctx());
            return new Tensor[] {dx};
        }, input);
    }

    /** {@code x > 0 ? x : weight[c] x} with c the index along dim 1 (or one weight for all). */
    static Tensor prelu(Tensor input, Tensor weight) {
        String op = "prelu";
        Checks.live(op, "input", input);
        Checks.live(op, "weight", weight);
        long channels = input.rank() >= 2 ? input.size(1) : 1;
        long w = weight.numel();
        if (weight.rank() > 1 || (w != 1 && w != channels)) {
            throw new IllegalArgumentException("prelu: weight must hold 1 value or one per channel (dim 1 of input "
                    + Shape.toString(input.shape()) + ": " + channels + "), got weight " + Shape.toString(weight.shape()));
        }
        Tensor x = input.contiguous();
        float[] slopes = weight.contiguous().toArray();
        ActivationFunction[] perChannel = new ActivationFunction[slopes.length];
        for (int c = 0; c < slopes.length; c++) {
            float slope = slopes[c];
            perChannel[c] = function(op, () -> ActivationFunction.leakyRelu(slope));
        }
        // One shared slope: the whole tensor is one plane; otherwise a plane per (sample, channel).
        long inner = w == 1 || input.rank() < 2 ? x.numel() : x.numel() / (input.size(0) * channels);
        long planes = inner == 0 ? 0 : x.numel() / inner;
        Tensor out = Tensor.empty(x.shape());
        for (long p = 0; p < planes; p++) {
            ActivationKernels.forward(perChannel[(int) (p % slopes.length)], x.segment(), x.offset() + p * inner,
                    out.segment(), out.offset() + p * inner, inner);
        }
        return Autograd.record(op, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = null;
            if (input.requiresGrad()) {
                dx = Tensor.empty(x.shape());
                for (long p = 0; p < planes; p++) {
                    ActivationKernels.backward(perChannel[(int) (p % slopes.length)], x.segment(), x.offset() + p * inner,
                            gc.segment(), gc.offset() + p * inner, dx.segment(), dx.offset() + p * inner, inner);
                }
            }
            Tensor dw = null;
            if (weight.requiresGrad()) {
                Tensor contrib = gc.mul(x).mul(x.le(0f));
                dw = w == 1 ? contrib.sum().reshape(weight.shape())
                        : contrib.reshape(input.size(0), channels, inner).sum(new int[] {0, 2}, false).reshape(weight.shape());
            }
            return new Tensor[] {dx, dw};
        }, input, weight);
    }

    /** Builds a function, prefixing a parameter error with the op's name. */
    static ActivationFunction function(String op, java.util.function.Supplier<ActivationFunction> factory) {
        try {
            return factory.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        }
    }

    private static ComputeContext ctx() {
        return ComputeContext.current();
    }
}
