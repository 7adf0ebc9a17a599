package dev.fovea.tensor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of the off-heap bytes held by tensor storage, for finding leaks.
 *
 * <p>Bytes are counted when a storage is allocated. Storage made inside a {@link Scope} is
 * uncounted when the scope closes; GC-managed storage is uncounted when the garbage collector
 * has found its tensors unreachable and a {@link java.lang.ref.Cleaner} has run, which may be
 * much later (or never, if no collection happens). A segment obtained through
 * {@link Tensor#segment()} and kept after its tensors are gone keeps the memory alive after the
 * count has dropped.
 */
public final class MemoryStats {
    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong PEAK = new AtomicLong();
    private static final AtomicLong TOTAL = new AtomicLong();

    private MemoryStats() {}

    /** Returns the bytes of tensor storage currently allocated and not yet freed. */
    public static long liveBytes() {
        return LIVE.get();
    }

    /** Returns the largest value {@link #liveBytes()} has had since start or {@link #resetPeak()}. */
    public static long peakBytes() {
        return PEAK.get();
    }

    /** Returns the bytes of tensor storage ever allocated (a monotonic counter). */
    public static long totalAllocatedBytes() {
        return TOTAL.get();
    }

    /** Sets the peak to the current live bytes. */
    public static void resetPeak() {
        PEAK.set(LIVE.get());
    }

    static void allocated(long bytes) {
        long live = LIVE.addAndGet(bytes);
        TOTAL.addAndGet(bytes);
        PEAK.accumulateAndGet(live, Math::max);
    }

    static void freed(long bytes) {
        LIVE.addAndGet(-bytes);
    }
}
