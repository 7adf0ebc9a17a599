package dev.fovea.nn.optim;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import java.util.List;

/**
 * Gradient clipping between {@code backward()} and {@code step()}, as PyTorch's
 * {@code clip_grad_norm_} and {@code clip_grad_value_}; parameters without a gradient are skipped.
 */
public final class GradClip {
    private GradClip() {}

    /**
     * {@link #clipNorm(List, double, double)} with the L2 norm, PyTorch's default.
     *
     * @return the joint norm before clipping
     * @throws IllegalArgumentException if {@code params} is null or {@code maxNorm} is negative or NaN
     */
    public static double clipNorm(List<Tensor> params, double maxNorm) {
        return clipNorm(params, maxNorm, 2);
    }

    /**
     * Scales all gradients together so that their joint {@code normType}-norm (of all elements
     * as one vector) is at most {@code maxNorm}: multiplied by {@code maxNorm / (norm + 1e-6)}
     * when that is below 1, as PyTorch does. {@code normType} is {@code 2}, {@code 1}, any other
     * {@code p > 0}, or {@link Double#POSITIVE_INFINITY} for the largest magnitude. Each gradient's
     * part is summed in float, the parts in double. As PyTorch with {@code error_if_nonfinite=False},
     * a NaN or infinite norm (from such a gradient) scales every gradient by NaN or 0; check the
     * returned norm.
     *
     * @return the joint norm before clipping (0 if no parameter has a gradient)
     * @throws IllegalArgumentException if {@code params} is null, {@code maxNorm} is negative or NaN,
     *                                  or {@code normType} is not positive
     */
    public static double clipNorm(List<Tensor> params, double maxNorm, double normType) {
        if (params == null) {
            throw new IllegalArgumentException("GradClip.clipNorm: params is null");
        }
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("GradClip.clipNorm: maxNorm must be >= 0, got " + maxNorm);
        }
        if (!(normType > 0)) {
            throw new IllegalArgumentException("GradClip.clipNorm: normType must be > 0 (or infinity), got "
                    + normType);
        }
        double norm = norm(params, normType);
        double coef = maxNorm / (norm + 1e-6);
        if (!(coef >= 1)) {
            try (Grad off = Grad.off()) {
                for (Tensor p : params) {
                    if (p.grad() != null) {
                        p.grad().mulInPlace((float) coef);
                    }
                }
            }
        }
        return norm;
    }

    /** The joint {@code normType}-norm of the gradients. */
    private static double norm(List<Tensor> params, double normType) {
        double total = 0;
        try (Grad off = Grad.off()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null || g.numel() == 0) {
                    continue;
                }
                if (normType == Double.POSITIVE_INFINITY) {
                    total = Math.max(total, g.abs().max().item());
                } else if (normType == 2) {
                    total += g.mul(g).sum().item();
                } else if (normType == 1) {
                    total += g.abs().sum().item();
                } else {
                    total += g.abs().pow((float) normType).sum().item();
                }
            }
        }
        if (normType == Double.POSITIVE_INFINITY || normType == 1) {
            return total;
        }
        return normType == 2 ? Math.sqrt(total) : Math.pow(total, 1 / normType);
    }

    /**
     * Clamps every gradient element into {@code [-clipValue, clipValue]}, as {@code clip_grad_value_}.
     *
     * @throws IllegalArgumentException if {@code params} is null or {@code clipValue} is negative or NaN
     */
    public static void clipValue(List<Tensor> params, double clipValue) {
        if (params == null) {
            throw new IllegalArgumentException("GradClip.clipValue: params is null");
        }
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("GradClip.clipValue: clipValue must be >= 0, got " + clipValue);
        }
        try (Grad off = Grad.off()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) {
                    g.copyFrom(g.clamp((float) -clipValue, (float) clipValue));
                }
            }
        }
    }
}
