package dev.fovea.tensor.functional;

import dev.fovea.simd.norm.Lrn;
import dev.fovea.simd.norm.NormDims;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;

/**
 * Local response norm behind {@link Normalization}: the input viewed as {@code (n, c, s)} through
 * the {@link Lrn} kernels; the forward keeps {@code div} (the base of the power) for the backward
 * when it records one.
 */
final class LrnOp {
    private LrnOp() {}

    /** See {@link Normalization#localResponseNorm(Tensor, int, double, double, double)}. */
    static Tensor localResponseNorm(Tensor input, int size, double alpha, double beta, double k) {
        String op = "local_response_norm";
        NormSupport.input(op, input, 3, "(n, c, ...) with at least 3 dims");
        if (size < 1) {
            throw new IllegalArgumentException(op + ": size must be >= 1, got " + size);
        }
        if (!Double.isFinite(alpha) || !Double.isFinite(beta) || !Double.isFinite(k)) {
            throw new IllegalArgumentException(op + ": alpha, beta and k must be finite, got alpha=" + alpha
                    + ", beta=" + beta + ", k=" + k);
        }
        NormDims d = new NormDims(input.shape()[0], input.shape()[1], NormSupport.trailing(input, 2));
        Tensor xc = NormSupport.contiguous(input);
        Tensor y = Tensor.empty(input.shape());
        Tensor div = Autograd.isRecording(input) ? Tensor.empty(input.shape()) : null;
        Lrn.forward(d, size, (float) alpha, (float) beta, (float) k, xc.segment(), xc.offset(), y.segment(),
                y.offset(), div == null ? null : div.segment(), div == null ? 0 : div.offset(), NormSupport.ctx());
        return Autograd.record(op, y, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(input.shape());
            Lrn.backward(d, size, (float) alpha, (float) beta, gc.segment(), gc.offset(), xc.segment(), xc.offset(),
                    y.segment(), y.offset(), div.segment(), div.offset(), dx.segment(), dx.offset(), NormSupport.ctx());
            return new Tensor[] {dx};
        }, input);
    }
}
