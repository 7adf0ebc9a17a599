package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every branch on the same input and concatenates their outputs along {@code dim}
 * (GoogLeNet's inception modules, DenseNet's blocks); branches are named {@code "0"}, {@code "1"}, ...
 */
public final class Concat extends Module {
    private final int dim;

    /** The branches, concatenated along {@code dim} (1: channels). */
    public Concat(int dim, Module... branches) {
        if (branches.length == 0) {
            throw new IllegalArgumentException("Concat: needs at least one branch");
        }
        this.dim = dim;
        for (int i = 0; i < branches.length; i++) {
            registerModule(Integer.toString(i), branches[i]);
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        List<Tensor> outputs = new ArrayList<>();
        for (Module m : namedChildren().values()) {
            outputs.add(m.call(input));
        }
        return Tensor.cat(outputs, dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }

    /** True: the branches are looked up by name when run, so {@link #replaceModule} works on them. */
    @Override
    protected boolean childReplaceable(String name) {
        return true;
    }
}
