package dev.fovea.simd.pool;

/**
 * Each thread's objects (buffers, tables) for its few most recent pooling specs, keyed by the
 * spec object and max/average: a layer called again with its spec, as an inference session calls
 * it run after run, finds them and allocates nothing. The objects may hold working buffers, so
 * they are per thread.
 *
 * @param <T> what is kept per spec
 */
final class RecentPerSpec<T> {
    /** Makes the object of a spec on a miss. */
    @FunctionalInterface
    interface Maker<T> {
        T make(PoolSpec spec, boolean max);
    }

    private record Entry<T>(PoolSpec spec, boolean max, T value) {
    }

    private final ThreadLocal<Entry<?>[]> recent;
    private final Maker<T> maker;

    /** Keeps up to {@code size} specs per thread, the least recently made dropped first. */
    RecentPerSpec(int size, Maker<T> maker) {
        this.recent = ThreadLocal.withInitial(() -> new Entry<?>[size]);
        this.maker = maker;
    }

    /** Returns this thread's object for {@code spec} (the same object) and {@code max}, made on first use. */
    @SuppressWarnings("unchecked")
    T get(PoolSpec spec, boolean max) {
        Entry<?>[] entries = recent.get();
        for (Entry<?> e : entries) {
            if (e != null && e.spec() == spec && e.max() == max) {
                return (T) e.value();
            }
        }
        T value = maker.make(spec, max);
        System.arraycopy(entries, 0, entries, 1, entries.length - 1);
        entries[0] = new Entry<>(spec, max, value);
        return value;
    }
}
