package dev.fovea.tensor.ops;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/** Argument checks shared by the ops; every failure names the op and the argument. */
public final class Checks {
    private Checks() {}

    /**
     * Checks that {@code t} is non-null and its storage is alive.
     *
     * @throws IllegalArgumentException if {@code t} is null
     * @throws IllegalStateException if its Scope has closed
     */
    public static Tensor live(String op, String arg, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + arg + " must not be null");
        }
        if (!t.isAlive()) {
            throw new IllegalStateException(op + ": tensor storage was freed when its Scope closed (" + arg
                    + " of shape " + Shape.toString(t.shape()) + ")");
        }
        return t;
    }

    /**
     * Checks that {@code t} may be written in place: alive, not tracked by autograd while grad mode
     * is on, and not an expanded view whose elements overlap.
     *
     * @throws IllegalStateException if it is freed or requires grad with grad mode on
     * @throws IllegalArgumentException if it has a stride-0 dim of size above 1
     */
    public static void writable(String op, Tensor t) {
        live(op, "the destination", t);
        if (t.requiresGrad() && Grad.isEnabled()) {
            throw new IllegalStateException(op + ": cannot change a tensor that requires grad in place while grad mode"
                    + " is on (autograd would not see it); do it inside Grad.off(), as optimizer updates do");
        }
        long[] shape = t.shape();
        long[] strides = t.strides();
        for (int d = 0; d < shape.length; d++) {
            if (strides[d] == 0 && shape[d] > 1) {
                throw new IllegalArgumentException(op + ": cannot write to an expanded view (dim " + d
                        + " of shape " + Shape.toString(shape) + " has stride 0); call contiguous() first");
            }
        }
    }

    /** Checks that {@code value} is finite. */
    public static float finite(String op, String arg, float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(op + ": " + arg + " must be finite, got " + value);
        }
        return value;
    }

    /** Checks that a rank is at least {@code min}. */
    public static void minRank(String op, String arg, Tensor t, int min) {
        if (t.rank() < min) {
            throw new IllegalArgumentException(op + ": " + arg + " must have at least " + min + " dims, got shape "
                    + Shape.toString(t.shape()));
        }
    }
}
