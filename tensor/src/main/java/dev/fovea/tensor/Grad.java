package dev.fovea.tensor;

/**
 * The per-thread gradient-recording mode, switched with try-with-resources.
 *
 * <pre>{@code
 * try (Grad g = Grad.off()) {
 *     Tensor logits = model.forward(x);   // records nothing, keeps no tape
 * }
 * }</pre>
 *
 * <p>Recording is on by default. While it is off, ops create no autograd nodes and their results
 * do not require grad. The mode is thread-local (like PyTorch's), and handles nest: closing one
 * restores the mode that was in force when it was made.
 */
public final class Grad implements AutoCloseable {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private final boolean previous;
    private final Thread thread;
    private boolean closed;

    private Grad(boolean enabled) {
        this.previous = ENABLED.get();
        this.thread = Thread.currentThread();
        ENABLED.set(enabled);
    }

    /** Turns recording off on this thread until the returned handle is closed. */
    public static Grad off() {
        return new Grad(false);
    }

    /** Turns recording on on this thread (e.g. inside a {@link #off()} block) until closed. */
    public static Grad on() {
        return new Grad(true);
    }

    /** Returns whether ops on this thread currently record autograd nodes. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /**
     * Restores the mode in force when this handle was made. Closing twice does nothing.
     *
     * @throws IllegalStateException if called from another thread than the one that made it
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("Grad.close: must be closed on the thread that made it");
        }
        closed = true;
        ENABLED.set(previous);
    }
}
