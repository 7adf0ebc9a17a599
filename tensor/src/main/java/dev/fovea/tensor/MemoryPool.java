package dev.fovea.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Off-heap blocks kept for reuse: a {@link Scope} opened with {@link Scope#open(MemoryPool)} takes
 * the storage of its tensors from the pool and gives it back when it closes (or earlier, through
 * {@link Scope#release(Tensor)}), so a loop that allocates the same sizes in every iteration
 * allocates off-heap memory only in its first one.
 *
 * <pre>{@code
 * try (MemoryPool pool = MemoryPool.create()) {
 *     for (Tensor x : batches) {
 *         try (Scope scope = Scope.open(pool)) {
 *             predictions.add(model.forward(x).argmax(1).toArray());   // copy out before close
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Blocks are reused only for the exact byte size they were made for, and are zero-filled when
 * handed out again, so tensors from a pool start as zeros like any other, except the outputs
 * that ops allocate uninitialized because they overwrite every element. They are freed, and
 * uncounted from {@link MemoryStats}, when the pool is closed. A pool may be used by one scope at a
 * time; its methods are synchronized, so the thread that uses it may change.
 */
public final class MemoryPool implements AutoCloseable {
    /**
     * With assertions enabled (as in the tests), a reused block handed out without zeroing is
     * filled with NaN instead, so an op that reads an output element it did not write shows.
     */
    private static final boolean POISON = MemoryPool.class.desiredAssertionStatus();

    private final Arena arena = Arena.ofShared();
    private long[] sizes = new long[8];
    @SuppressWarnings("unchecked")
    private ArrayDeque<MemorySegment>[] idle = new ArrayDeque[8];
    private int classes;
    private long retained;
    private long idleBytes;
    private boolean closed;

    private MemoryPool() {}

    /** Creates an empty pool. */
    public static MemoryPool create() {
        return new MemoryPool();
    }

    /**
     * Returns a block of {@code bytes} bytes, aligned to {@link Storage#ALIGNMENT}: an idle one
     * (zero-filled again when {@code zero}) or a new, zero-filled one.
     */
    synchronized MemorySegment take(long bytes, boolean zero) {
        if (closed) {
            throw new IllegalStateException("MemoryPool: the pool is closed");
        }
        int c = sizeClass(bytes);
        if (c >= 0 && !idle[c].isEmpty()) {
            MemorySegment s = idle[c].pop();
            idleBytes -= bytes;
            if (zero) {
                s.fill((byte) 0);
            } else if (POISON) {
                s.fill((byte) 0xFF);
            }
            return s;
        }
        MemorySegment s = arena.allocate(bytes, Storage.ALIGNMENT);
        retained += bytes;
        MemoryStats.allocated(bytes);
        return s;
    }

    /** Takes back a block this pool handed out. */
    synchronized void give(MemorySegment block) {
        if (closed) {
            return;
        }
        long bytes = block.byteSize();
        int c = sizeClass(bytes);
        if (c < 0) {
            if (classes == sizes.length) {
                sizes = Arrays.copyOf(sizes, classes * 2);
                idle = Arrays.copyOf(idle, classes * 2);
            }
            c = classes++;
            sizes[c] = bytes;
            idle[c] = new ArrayDeque<>();
        }
        idle[c].push(block);
        idleBytes += bytes;
    }

    private int sizeClass(long bytes) {
        for (int i = 0; i < classes; i++) {
            if (sizes[i] == bytes) {
                return i;
            }
        }
        return -1;
    }

    /** Returns the bytes of every block this pool holds, handed out or idle. */
    public synchronized long retainedBytes() {
        return retained;
    }

    /** Returns the bytes of the blocks waiting to be handed out again. */
    public synchronized long idleBytes() {
        return idleBytes;
    }

    /**
     * Frees every block. Tensors still using the pool's memory must be dead: ops on them then
     * throw {@link IllegalStateException}. Closing twice does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        arena.close();
        MemoryStats.freed(retained);
    }

    /** Returns true until {@link #close()} has run. */
    public synchronized boolean isOpen() {
        return !closed;
    }

    @Override
    public synchronized String toString() {
        return "MemoryPool[" + (closed ? "closed" : "open") + ", " + retained + " bytes retained, " + idleBytes
                + " idle]";
    }
}
