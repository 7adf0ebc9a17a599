package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Normalization;
import java.util.Arrays;

/**
 * Layer normalization over the trailing {@code normalizedShape} dimensions, as PyTorch's
 * {@code nn.LayerNorm}: elementwise {@code weight} (ones) and {@code bias} (zeros) of that shape.
 */
public final class LayerNorm extends Module {
    private final long[] normalizedShape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** Over the trailing dimensions {@code normalizedShape}, eps 1e-5, with the affine parameters. */
    public LayerNorm(long... normalizedShape) {
        this(normalizedShape, Normalization.DEFAULT_EPS);
    }

    /** With the given {@code eps}. */
    public LayerNorm(long[] normalizedShape, double eps) {
        if (normalizedShape == null || normalizedShape.length == 0
                || Arrays.stream(normalizedShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("LayerNorm: normalizedShape needs sizes >= 1, got "
                    + Arrays.toString(normalizedShape));
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = registerParameter("weight", Tensor.ones(normalizedShape));
        this.bias = registerParameter("bias", Tensor.zeros(normalizedShape));
    }

    @Override
    public Tensor forward(Tensor input) {
        return Normalization.layerNorm(input, normalizedShape, weight, bias, eps);
    }

    @Override
    protected String extraRepr() {
        return "normalized_shape=" + Arrays.toString(normalizedShape) + ", eps=" + eps;
    }
}
