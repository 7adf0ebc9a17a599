package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

/** Flattens dimensions {@code [startDim, endDim]} into one, as PyTorch's {@code nn.Flatten} (default 1 to -1). */
public class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    /** Flattens every dimension but the batch. */
    public Flatten() {
        this(1, -1);
    }

    /** Flattens {@code [startDim, endDim]} (negative counts from the end). */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
