package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Normalization;

/**
 * Group normalization, as PyTorch's {@code nn.GroupNorm}: per-channel {@code weight} (ones) and
 * {@code bias} (zeros).
 */
public final class GroupNorm extends Module {
    private final int groups;
    private final int channels;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** {@code groups} groups over {@code channels} channels, eps 1e-5. */
    public GroupNorm(int groups, int channels) {
        this(groups, channels, Normalization.DEFAULT_EPS);
    }

    /** With the given {@code eps}. */
    public GroupNorm(int groups, int channels, double eps) {
        if (groups < 1 || channels < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: groups must be >= 1 and divide channels, got groups="
                    + groups + ", channels=" + channels);
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        this.weight = registerParameter("weight", Tensor.ones(channels));
        this.bias = registerParameter("bias", Tensor.zeros(channels));
    }

    @Override
    public Tensor forward(Tensor input) {
        return Normalization.groupNorm(input, groups, weight, bias, eps);
    }

    @Override
    protected String extraRepr() {
        return groups + ", " + channels + ", eps=" + eps;
    }
}
