package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;

/**
 * Splits dimension {@code dim} into dimensions of {@code sizes}, as PyTorch's {@code nn.Unflatten}:
 * the inverse of {@link Flatten}, e.g. {@code Unflatten(1, 16, 5, 5)} takes {@code (n, 400)} to
 * {@code (n, 16, 5, 5)}. The output is a view of the input.
 */
public final class Unflatten extends Module {
    private final int dim;
    private final long[] sizes;

    /**
     * Splits {@code dim} (negative counts from the end) into {@code sizes}, one of which may be -1
     * (inferred from the others).
     */
    public Unflatten(int dim, long... sizes) {
        if (sizes == null || sizes.length == 0) {
            throw new IllegalArgumentException("Unflatten: sizes must not be empty");
        }
        if (Arrays.stream(sizes).anyMatch(s -> s < -1) || Arrays.stream(sizes).filter(s -> s == -1).count() > 1) {
            throw new IllegalArgumentException("Unflatten: sizes must be >= 0 with at most one -1, got "
                    + Arrays.toString(sizes));
        }
        this.dim = dim;
        this.sizes = sizes.clone();
    }

    @Override
    public Tensor forward(Tensor input) {
        long[] shape = input.shape();
        if (dim < -shape.length || dim >= shape.length) {
            throw new IllegalArgumentException(this + ": dim " + dim + " is out of range for input "
                    + Shape.toString(shape));
        }
        long extent = shape[dim < 0 ? dim + shape.length : dim];
        long known = Arrays.stream(sizes).filter(s -> s != -1).reduce(1, Math::multiplyExact);
        boolean inferred = sizes.length != Arrays.stream(sizes).filter(s -> s != -1).count();
        if (inferred ? known == 0 || extent % known != 0 : known != extent) {
            throw new IllegalArgumentException(this + ": sizes " + Arrays.toString(sizes) + " do not multiply to "
                    + extent + ", the size of dim " + dim + " of input " + Shape.toString(shape));
        }
        return input.unflatten(dim, sizes);
    }

    /** The dimension split. */
    public int dim() {
        return dim;
    }

    /** The sizes it is split into (one may be -1). */
    public long[] sizes() {
        return sizes.clone();
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim + ", unflattened_size=" + PyRepr.tuple(Arrays.stream(sizes).boxed().toArray());
    }
}
