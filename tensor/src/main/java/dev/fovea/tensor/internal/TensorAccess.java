package dev.fovea.tensor.internal;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Node;

/**
 * Tensor internals that the op and autograd packages need and users must not touch: views over
 * another tensor's storage, attaching autograd nodes, and allocating beside a given tensor.
 *
 * <p>This package is not exported from the module. {@link Tensor} installs the one
 * implementation when its class initializes (the JDK's "shared secrets" pattern).
 */
public abstract class TensorAccess {
    private static volatile TensorAccess instance;

    /** For the one implementation, in {@link Tensor}. */
    protected TensorAccess() {}

    /**
     * Installs the implementation; called once by {@link Tensor}'s static initializer.
     *
     * @throws IllegalStateException if one is installed already
     */
    public static void install(TensorAccess access) {
        if (instance != null) {
            throw new IllegalStateException("TensorAccess is installed already");
        }
        instance = access;
    }

    /** Returns the implementation, initializing {@link Tensor} first if needed. */
    public static TensorAccess get() {
        TensorAccess access = instance;
        if (access == null) {
            try {
                Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            access = instance;
        }
        return access;
    }

    /** Returns a tensor over {@code base}'s storage with the given geometry; records no autograd node. */
    public abstract Tensor view(Tensor base, long[] shape, long[] strides, long offset);

    /** Makes {@code node} the autograd node that produced {@code t} and marks {@code t} as requiring grad. */
    public abstract void attachNode(Tensor t, Node node);

    /** Allocates a zero-filled contiguous tensor in the same memory owner (scope or GC) as {@code like}. */
    public abstract Tensor zerosBeside(Tensor like, long[] shape);

    /**
     * Allocates a contiguous tensor in the current scope whose values are unspecified: a block
     * reused from the scope's {@link dev.fovea.tensor.MemoryPool} is not zero-filled again. For
     * ops that overwrite every element of their output.
     */
    public abstract Tensor uninitialized(long[] shape);

    /** Sets the gradient of leaf {@code leaf}. */
    public abstract void setGrad(Tensor leaf, Tensor grad);
}
