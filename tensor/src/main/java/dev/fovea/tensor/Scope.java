package dev.fovea.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A region that frees, when closed, the storage of every tensor created inside it.
 *
 * <pre>{@code
 * try (Scope scope = Scope.open()) {
 *     Tensor y = x.matmul(w).relu();   // y's storage belongs to the scope
 *     loss = y.sum().item();           // copy out what must outlive it
 * }                                    // y's memory is freed here
 * }</pre>
 *
 * <p><b>Thread rules.</b> A scope belongs to the thread that opened it: tensors created by that
 * thread while the scope is the innermost open one are allocated in it; tensors created by other
 * threads are not. Scopes nest and must be closed by their thread in reverse order of opening
 * (try-with-resources does this). The memory is a shared arena, so any thread (for example a
 * {@code ComputeContext} worker) may read and write the tensors while the scope is open.
 *
 * <p><b>After close.</b> Using a tensor whose storage was freed throws an
 * {@link IllegalStateException} ("tensor storage was freed when its Scope closed"); it never
 * crashes the JVM. {@link Tensor#toString()} still works and says the storage is freed.
 *
 * <p>Tensors created outside any scope (or inside {@link #suspend()}) are GC-managed. A leaf's
 * gradient is allocated where the leaf lives, so parameters created outside a training step's
 * scope keep their {@code grad()} across steps.
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final Arena arena = Arena.ofShared();
    private final Scope previous;
    private final Thread thread;
    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean open = true;

    private Scope(Scope previous, Thread thread) {
        this.previous = previous;
        this.thread = thread;
    }

    /** Opens a scope that becomes the current thread's innermost allocation scope. */
    public static Scope open() {
        Scope scope = new Scope(CURRENT.get(), Thread.currentThread());
        CURRENT.set(scope);
        return scope;
    }

    /**
     * Suspends the current thread's scopes until the returned handle is closed: tensors created
     * meanwhile are GC-managed and outlive every scope.
     *
     * <pre>{@code try (var unscoped = Scope.suspend()) { kept = result.clone(); }}</pre>
     */
    public static Suspension suspend() {
        Scope saved = CURRENT.get();
        CURRENT.remove();
        return new Suspension(saved, Thread.currentThread());
    }

    /** Returns the current thread's innermost open scope, or null when allocation is GC-managed. */
    static Scope current() {
        return CURRENT.get();
    }

    MemorySegment allocate(long byteSize, long alignment) {
        if (!open) {
            throw new IllegalStateException("Scope: cannot allocate in a closed scope");
        }
        MemorySegment segment = arena.allocate(byteSize, alignment);
        bytes.addAndGet(byteSize);
        MemoryStats.allocated(byteSize);
        return segment;
    }

    /** Returns true until {@link #close()} has run. */
    public boolean isOpen() {
        return open;
    }

    /** Returns the bytes of storage allocated in this scope so far. */
    public long allocatedBytes() {
        return bytes.get();
    }

    /**
     * Frees the storage of every tensor created in this scope and makes the enclosing scope (if
     * any) current again. Closing twice does nothing.
     *
     * @throws IllegalStateException if called from another thread than the one that opened it, or
     *     while a scope opened later on this thread is still open
     */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("Scope.close: a scope must be closed by the thread that opened it ("
                    + thread.getName() + "), not " + Thread.currentThread().getName());
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("Scope.close: a scope (or suspension) opened later is still open;"
                    + " close scopes in reverse order of opening (try-with-resources does)");
        }
        open = false;
        restore(previous);
        arena.close();
        MemoryStats.freed(bytes.get());
    }

    private static void restore(Scope scope) {
        if (scope == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(scope);
        }
    }

    @Override
    public String toString() {
        return "Scope[" + (open ? "open" : "closed") + ", " + bytes.get() + " bytes]";
    }

    /** A handle returned by {@link #suspend()}; closing it makes the suspended scope current again. */
    public static final class Suspension implements AutoCloseable {
        private final Scope saved;
        private final Thread thread;
        private boolean closed;

        private Suspension(Scope saved, Thread thread) {
            this.saved = saved;
            this.thread = thread;
        }

        /**
         * Makes the suspended scope current again.
         *
         * @throws IllegalStateException if called from another thread, or while a scope opened
         *     inside the suspension is still open
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("Scope.suspend: close the suspension on the thread that made it");
            }
            if (CURRENT.get() != null) {
                throw new IllegalStateException("Scope.suspend: a scope opened inside the suspension is still open");
            }
            closed = true;
            restore(saved);
        }
    }
}
