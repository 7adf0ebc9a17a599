package dev.fovea.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * One 64-byte aligned, zero-filled off-heap block that tensors view.
 *
 * <p>Owned either by the garbage collector (an automatic arena per storage; a {@link Cleaner}
 * uncounts its bytes) or by an open {@link Scope} (freed when the scope closes).
 */
final class Storage {
    /** Byte alignment of every storage: a cache line, and the widest vector (AVX-512). */
    static final long ALIGNMENT = 64;

    private static final Cleaner CLEANER = Cleaner.create();

    private final MemorySegment segment;
    private final Scope owner;

    private Storage(MemorySegment segment, Scope owner) {
        this.segment = segment;
        this.owner = owner;
    }

    /** Allocates storage for {@code elements} floats in the current thread's innermost scope. */
    static Storage allocate(long elements) {
        return allocate(elements, Scope.current());
    }

    /** Allocates storage for {@code elements} floats owned by {@code owner}, or the GC when null. */
    static Storage allocate(long elements, Scope owner) {
        long bytes = Math.multiplyExact(elements, (long) DType.FLOAT32.byteSize());
        if (owner != null) {
            return new Storage(owner.allocate(bytes, ALIGNMENT), owner);
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
        return segment.scope().isAlive();
    }

    long elements() {
        return segment.byteSize() / DType.FLOAT32.byteSize();
    }
}
