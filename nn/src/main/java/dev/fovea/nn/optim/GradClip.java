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
     * Scales all gradients together so that their joint L2 norm is at most {@code maxNorm}:
     * multiplied by {@code maxNorm / (norm + 1e-6)} when that is below 1, as PyTorch does.
     *
     * @return the joint norm before clipping
     * @throws IllegalArgumentException if {@code maxNorm} is negative or NaN
     */
    public static double clipNorm(List<Tensor> params, double maxNorm) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("GradClip.clipNorm: maxNorm must be >= 0, got " + maxNorm);
        }
        double squares = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null) {
                squares += g.mul(g).sum().item();
            }
        }
        double norm = Math.sqrt(squares);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
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

    /**
     * Clamps every gradient element into {@code [-clipValue, clipValue]}.
     *
     * @throws IllegalArgumentException if {@code clipValue} is negative or NaN
     */
    public static void clipValue(List<Tensor> params, double clipValue) {
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
