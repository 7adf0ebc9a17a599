package dev.fovea.nn;

import dev.fovea.nn.init.Init;
import dev.fovea.tensor.Tensor;

/**
 * {@code y = x W^T + b} over the last dimension, as PyTorch's {@code nn.Linear}: weight
 * {@code (out, in)}, bias {@code (out)}, both initialised as PyTorch does
 * ({@link Init#defaultWeight}, {@link Init#defaultBias}).
 */
public class Linear extends Module {
    private final int in;
    private final int out;
    private final Tensor weight;
    private final Tensor bias;

    /** A layer from {@code in} to {@code out} features with a bias. */
    public Linear(int in, int out) {
        this(in, out, true);
    }

    /** A layer from {@code in} to {@code out} features, with or without a bias. */
    public Linear(int in, int out, boolean bias) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Linear: in and out features must be >= 1, got " + in + ", " + out);
        }
        this.in = in;
        this.out = out;
        this.weight = registerParameter("weight", Init.defaultWeight(in, out, in));
        this.bias = bias ? registerParameter("bias", Init.defaultBias(in, out)) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        return dev.fovea.tensor.functional.Linear.linear(input, weight, bias);
    }

    /** Each output element takes {@code in} multiply-accumulates. */
    @Override
    protected long macs(Tensor input, Tensor output) {
        return output.numel() * in;
    }

    /** The weight {@code (out, in)}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code (out)}, or null. */
    public Tensor bias() {
        return bias;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + in + ", out_features=" + out + ", bias=" + PyRepr.pyBool(bias != null);
    }
}
