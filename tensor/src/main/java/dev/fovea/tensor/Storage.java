package dev.fovea.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * One 64-byte aligned off-heap block that tensors view, zero-filled unless made by
 * {@link #allocate(long, Scope, boolean)} without zeroing.
 *
 * <p>Owned either by the garbage collector (an automatic arena per storage; a {@link Cleaner}
 * uncounts its bytes) or by an open {@link Scope} (freed, or given back to the scope's
 * {@link MemoryPool}, when the scope closes or releases it).
 */
final class Storage {
    /** Byte alignment of every storage: a cache line, and the widest vector (AVX-512). */
    static final long ALIGNMENT = 64;

    private static final Cleaner CLEANER = Cleaner.create();

    private final MemorySegment segment;
    private final Scope owner;
    /** Set when a pooled scope gave the block back to its pool: the memory now belongs to others. */
    private boolean released;

    Storage(MemorySegment segment, Scope owner) {
        this.segment = segment;
        this.owner = owner;
    }

    /** Allocates storage for {@code elements} floats in the current thread's innermost scope. */
    static Storage allocate(long elements) {
        return allocate(elements, Scope.current());
    }

    /** Allocates storage for {@code elements} floats owned by {@code owner}, or the GC when null. */
    static Storage allocate(long elements, Scope owner) {
        return allocate(elements, owner, true);
    }

    /**
     * Allocates as {@link #allocate(long, Scope)}; with {@code zero} false a block reused from a
     * scope's pool keeps the values it had (the caller overwrites every element).
     */
    static Storage allocate(long elements, Scope owner, boolean zero) {
        long bytes = Math.multiplyExact(elements, (long) DType.FLOAT32.byteSize());
        if (owner != null) {
            return owner.allocate(bytes, zero);
        }
        MemorySegment segment = Arena.ofAuto().allocate(bytes, ALIGNMENT);
        Storage storage = new Storage(segment, null);
        MemoryStats.allocated(bytes);
        CLEANER.register(storage, () -> MemoryStats.freed(bytes));
        return storage;
    }

    MemorySegment segment() {
        return segment;
    }

    /** Returns the scope that frees this storage, or null when the GC does. */
    Scope owner() {
        return owner;
    }

    boolean isAlive() {
        return !released && segment.scope().isAlive();
    }

    /** Marks the block as given back to a pool; returns false if it was already. */
    boolean markReleased() {
        if (released) {
            return false;
        }
        released = true;
        return true;
    }

    long elements() {
        return segment.byteSize() / DType.FLOAT32.byteSize();
    }
}
