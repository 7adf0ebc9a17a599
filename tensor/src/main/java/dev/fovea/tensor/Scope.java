package dev.fovea.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
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

    private final Arena arena;
    private final MemoryPool pool;
    /** The storages drawn from {@link #pool}, to give back at close (null without a pool). */
    private final ArrayList<Storage> pooled;
    private final Scope previous;
    private final Thread thread;
    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean open = true;

    private Scope(Scope previous, Thread thread, MemoryPool pool) {
        this.previous = previous;
        this.thread = thread;
        this.pool = pool;
        this.arena = pool == null ? Arena.ofShared() : null;
        this.pooled = pool == null ? null : new ArrayList<>();
    }

    /** Opens a scope that becomes the current thread's innermost allocation scope. */
    public static Scope open() {
        Scope scope = new Scope(CURRENT.get(), Thread.currentThread(), null);
        CURRENT.set(scope);
        return scope;
    }

    /**
     * Opens a scope, as {@link #open()}, whose tensors take their storage from {@code pool} and
     * give it back when the scope closes: the next scope on the pool reuses the blocks instead of
     * allocating. Using a tensor of the scope after it closed throws, as with {@link #open()}.
     *
     * @throws IllegalArgumentException if {@code pool} is null or closed
     */
    public static Scope open(MemoryPool pool) {
        if (pool == null || !pool.isOpen()) {
            throw new IllegalArgumentException("Scope.open: pool must be an open MemoryPool, got " + pool);
        }
        Scope scope = new Scope(CURRENT.get(), Thread.currentThread(), pool);
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

    /** Allocates storage of {@code byteSize} bytes owned by this scope; see {@link Storage#allocate(long, Scope, boolean)}. */
    Storage allocate(long byteSize, boolean zero) {
        if (!open) {
            throw new IllegalStateException("Scope: cannot allocate in a closed scope");
        }
        bytes.addAndGet(byteSize);
        if (pool != null) {
            Storage s = new Storage(pool.take(byteSize, zero), this);
            synchronized (pooled) {
                pooled.add(s);
            }
            return s;
        }
        MemorySegment segment = arena.allocate(byteSize, Storage.ALIGNMENT);
        MemoryStats.allocated(byteSize);
        return new Storage(segment, this);
    }

    /**
     * Gives the storage of {@code t} back to this scope's pool now, before the scope closes, so
     * that tensors allocated later in the scope reuse it: for a loop or a graph that knows when a
     * value is dead. Every tensor viewing that storage becomes unusable (ops on it throw
     * {@link IllegalStateException}); the caller must be sure none is still needed. Does nothing,
     * and returns false, for a scope without a pool, a tensor this scope did not allocate, or
     * storage released already.
     *
     * @return true if the storage was given back
     */
    public boolean release(Tensor t) {
        Storage s = t.storage();
        if (pool == null || s.owner() != this || !open || !s.markReleased()) {
            return false;
        }
        pool.give(s.segment());
        return true;
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
        if (pool != null) {
            synchronized (pooled) {
                for (Storage s : pooled) {
                    if (s.markReleased()) {
                        pool.give(s.segment());
                    }
                }
                pooled.clear();
            }
        } else {
            arena.close();
            MemoryStats.freed(bytes.get());
        }
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
