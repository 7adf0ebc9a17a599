package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Normalization;

/**
 * Local response normalization across channels (AlexNet), as PyTorch's
 * {@code nn.LocalResponseNorm}: {@code y = x / (k + alpha / size * sum of x^2 over the size
 * neighbouring channels)^beta} for input {@code (n, c, ...)} with at least 3 dims; see
 * {@link Normalization#localResponseNorm(Tensor, int, double, double, double)} for the window.
 */
public final class LocalResponseNorm extends Module {
    private final int size;
    private final double alpha;
    private final double beta;
    private final double k;

    /** Over {@code size} channels with PyTorch's defaults alpha 1e-4, beta 0.75, k 1. */
    public LocalResponseNorm(int size) {
        this(size, 1e-4, 0.75, 1.0);
    }

    /** With every setting given, in PyTorch's order. */
    public LocalResponseNorm(int size, double alpha, double beta, double k) {
        if (size < 1 || !Double.isFinite(alpha) || !Double.isFinite(beta) || !Double.isFinite(k)) {
            throw new IllegalArgumentException("LocalResponseNorm: size must be >= 1 and alpha, beta, k finite, got"
                    + " size=" + size + ", alpha=" + alpha + ", beta=" + beta + ", k=" + k);
        }
        this.size = size;
        this.alpha = alpha;
        this.beta = beta;
        this.k = k;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input == null || input.rank() < 3) {
            throw new IllegalArgumentException(this + ": input must be (n, c, ...) with at least 3 dims, got "
                    + (input == null ? "null" : Shape.toString(input.shape())));
        }
        return Normalization.localResponseNorm(input, size, alpha, beta, k);
    }

    @Override
    protected String extraRepr() {
        return size + ", alpha=" + PyRepr.pyFloat(alpha) + ", beta=" + PyRepr.pyFloat(beta) + ", k="
                + PyRepr.pyFloat(k);
    }
}
