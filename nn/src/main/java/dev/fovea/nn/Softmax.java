package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;

/** Softmax (or log-softmax) over {@code dim}, as PyTorch's {@code nn.Softmax} and {@code nn.LogSoftmax}. */
public final class Softmax extends Module {
    private final int dim;
    private final boolean log;

    private Softmax(int dim, boolean log) {
        this.dim = dim;
        this.log = log;
    }

    /** {@code nn.Softmax(dim)}. */
    public static Softmax over(int dim) {
        return new Softmax(dim, false);
    }

    /** {@code nn.LogSoftmax(dim)}. */
    public static Softmax logOver(int dim) {
        return new Softmax(dim, true);
    }

    @Override
    public Tensor forward(Tensor input) {
        return log ? Activations.logSoftmax(input, dim) : Activations.softmax(input, dim);
    }

    @Override
    public String toString() {
        return (log ? "LogSoftmax" : "Softmax") + "(dim=" + dim + ")";
    }
}
