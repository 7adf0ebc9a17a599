package dev.fovea.simd.parallel;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads a kernel may use: a thread count and worker threads of its own (never the common
 * pool), handed each job without allocating ({@link ComputeWorkers}).
 *
 * <p>Work is split statically: {@link #run(int, PartTask)} hands part {@code i} of {@code parts}
 * to one thread, and {@link #parallelFor(int, int, RangeTask)} cuts {@code [0, n)} into contiguous
 * ranges with {@link #partBegin(int, int, int)}. Kernels split over outputs and keep every
 * reduction inside one part, so results are bit-identical for any thread count. The calling
 * thread runs a share itself; a context of one thread runs everything on the caller and takes no
 * locks. A call made from inside one of this context's tasks runs inline (no nested fan-out), so
 * nesting cannot deadlock; so does a call made while another caller's job holds the workers.
 *
 * <p>The {@linkplain #defaultContext() default context} has {@code -Dfovea.threads} threads, or one
 * per available processor. Operations that take no context argument use the
 * {@linkplain #current() current context}: the default one, or one bound around a call with
 * {@link #callWith}. Contexts made with {@link #create(int)} should be closed; the default
 * one lives as long as the JVM (its threads are daemons). Safe for concurrent use by many callers.
 */
public final class ComputeContext implements AutoCloseable {
    /** System property giving the default context's thread count. */
    public static final String THREADS_PROPERTY = "fovea.threads";

    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    private static final ThreadLocal<ComputeContext> RUNNING_IN = new ThreadLocal<>();
    /** The context bound by {@link #callWith} / {@link #runWith}; unbound means the default one. */
    private static final ScopedValue<ComputeContext> CURRENT = ScopedValue.newInstance();

    private final int threads;
    /** The {@code threads - 1} worker threads, null for one thread. */
    private final ComputeWorkers workers;
    /** Prefix of the worker threads' names ({@code fovea-compute-<id>}), null without workers. */
    private final String poolName;

    private ComputeContext(int threads) {
        this.threads = threads;
        if (threads == 1) {
            this.workers = null;
            this.poolName = null;
        } else {
            this.poolName = "fovea-compute-" + POOL_IDS.incrementAndGet();
            this.workers = new ComputeWorkers(this, poolName, threads - 1, RUNNING_IN);
        }
    }

    /**
     * Creates a context with its own pool of {@code threads - 1} workers (the caller is the last).
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static ComputeContext create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("ComputeContext.create: threads must be >= 1, got " + threads);
        }
        return new ComputeContext(threads);
    }

    /** Returns the shared default context, sized by {@code -Dfovea.threads} or the processor count. */
    public static ComputeContext defaultContext() {
        return DefaultHolder.INSTANCE;
    }

    /**
     * Returns the context the library's operations use on this thread: the one bound by
     * {@link #callWith} or {@link #runWith} around the current call, else the
     * {@linkplain #defaultContext() default context}. Kernels that take a context argument use
     * that argument; tensor operations and layers ask this method.
     */
    public static ComputeContext current() {
        return CURRENT.isBound() ? CURRENT.get() : DefaultHolder.INSTANCE;
    }

    /**
     * Calls {@code body} with {@code ctx} as this thread's {@linkplain #current() current context}
     * for the duration of the call (a scoped value: other threads, and this thread after the call,
     * are unaffected). An inference session runs each of its runs this way on its own context.
     *
     * @throws NullPointerException if {@code ctx} or {@code body} is null
     */
    public static <T, X extends Throwable> T callWith(ComputeContext ctx, ScopedValue.CallableOp<T, X> body) throws X {
        return ScopedValue.where(CURRENT, Objects.requireNonNull(ctx, "ctx")).call(Objects.requireNonNull(body, "body"));
    }

    /** Runs {@code body} with {@code ctx} as this thread's {@linkplain #current() current context}; see {@link #callWith}. */
    public static void runWith(ComputeContext ctx, Runnable body) {
        ScopedValue.where(CURRENT, Objects.requireNonNull(ctx, "ctx")).run(Objects.requireNonNull(body, "body"));
    }

    /** Returns the thread count {@link #defaultContext()} has or will have. */
    public static int defaultThreads() {
        return DefaultHolder.THREADS;
    }

    private static final class DefaultHolder {
        static final int THREADS = parseThreads(System.getProperty(THREADS_PROPERTY));
        static final ComputeContext INSTANCE = new ComputeContext(THREADS);
    }

    static int parseThreads(String value) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (value == null || value.isBlank()) {
            return cpus;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("-D" + THREADS_PROPERTY + " must be a whole number >= 1, got '"
                + value + "'");
    }

    /** Returns the number of threads work is spread over (1 means the caller only). */
    public int threads() {
        return threads;
    }

    /** A thread that is never started: a segment it may access is not confined to the caller. */
    private static final Thread NOT_THE_CALLER = Thread.ofPlatform().unstarted(() -> { });

    /**
     * Returns true if threads other than the caller (this context's workers) may access
     * {@code segment}, or it is null. A segment of a confined arena is readable by its owner
     * thread only, so work on it must stay on the calling thread. The fixed-arity overloads
     * spare hot paths the varargs array.
     */
    public static boolean shareable(MemorySegment segment) {
        return segment == null || segment.isAccessibleBy(NOT_THE_CALLER);
    }

    /** {@link #shareable(MemorySegment...)} for two segments, without a varargs array. */
    public static boolean shareable(MemorySegment a, MemorySegment b) {
        return shareable(a) && shareable(b);
    }

    /** {@link #shareable(MemorySegment...)} for three segments, without a varargs array. */
    public static boolean shareable(MemorySegment a, MemorySegment b, MemorySegment c) {
        return shareable(a) && shareable(b) && shareable(c);
    }

    /** {@link #shareable(MemorySegment...)} for four segments, without a varargs array. */
    public static boolean shareable(MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d) {
        return shareable(a) && shareable(b) && shareable(c) && shareable(d);
    }

    /** Returns true if threads other than the caller may access every given segment (null ones are skipped). */
    public static boolean shareable(MemorySegment... segments) {
        for (MemorySegment s : segments) {
            if (s != null && !s.isAccessibleBy(NOT_THE_CALLER)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns the first index of part {@code part} when {@code [0, n)} is cut into {@code parts}
     * contiguous ranges whose sizes differ by at most one; part {@code p} is
     * {@code [partBegin(n, parts, p), partBegin(n, parts, p + 1))}.
     */
    public static int partBegin(int n, int parts, int part) {
        return (int) ((long) n * part / parts);
    }

    /**
     * Runs {@code task.run(part, parts)} for every part in {@code [0, parts)}, spread over this
     * context's threads (part {@code i} goes to thread {@code i % threads}; all to the caller if
     * another caller's job holds the workers), and returns when all are done. An exception thrown
     * by any part is rethrown here after all parts finished.
     *
     * @throws IllegalArgumentException if {@code parts < 0}
     */
    public void run(int parts, PartTask task) {
        // Kept small so that C2 inlines it into every caller: then a one-part call runs the task's
        // body in place and escape analysis removes the caller's capturing lambda. A larger method,
        // compiled on its own first, was left out of line ("already compiled into a big method")
        // in some JVMs, and MobileNetV2 allocated a depthwise task per layer per run.
        if (parts == 1 || (parts > 1 && threads == 1)) {
            for (int p = 0; p < parts; p++) {
                task.run(p, parts);
            }
            return;
        }
        runSpread(parts, task);
    }

    /** {@link #run} for a zero or negative part count, or parts spread over more than one thread. */
    private void runSpread(int parts, PartTask task) {
        if (parts < 0) {
            throw new IllegalArgumentException("ComputeContext.run: parts must be >= 0, got " + parts);
        }
        int n = Math.min(parts, threads);
        // inline: one thread's worth, a call from inside a task (no nested fan-out), or the workers
        // busy with another caller's job or closed
        if (n <= 1 || RUNNING_IN.get() != null || !workers.tryRun(task, parts, n)) {
            for (int p = 0; p < parts; p++) {
                task.run(p, parts);
            }
        }
    }

    /**
     * Cuts {@code [0, n)} into at most {@code threads()} contiguous ranges of at least {@code grain}
     * indices each (fewer ranges when {@code n} is small) and runs {@code body} on each.
     *
     * @throws IllegalArgumentException if {@code n < 0} or {@code grain < 1}
     */
    public void parallelFor(int n, int grain, RangeTask body) {
        if (n < 0 || grain < 1) {
            throw new IllegalArgumentException("ComputeContext.parallelFor: need n >= 0 and grain >= 1, got n="
                    + n + ", grain=" + grain);
        }
        if (n == 0) {
            return;
        }
        int parts = parallelParts(n, grain);
        if (parts == 1) {
            body.run(0, n);
            return;
        }
        run(parts, (part, count) -> body.run(partBegin(n, count, part), partBegin(n, count, part + 1)));
    }

    /**
     * The number of ranges {@link #parallelFor} cuts {@code [0, n)} into: at most {@code threads()},
     * each of at least {@code grain} indices, and at least 1. For callers that run their own
     * {@link PartTask} over {@link #partBegin} ranges (a task object kept for reuse instead of a
     * capturing lambda per call).
     */
    public int parallelParts(int n, int grain) {
        return (int) Math.max(1, Math.min(threads, (long) n / Math.max(1, grain)));
    }

    /** Stops this context's worker threads; closing the default context is a no-op. */
    @Override
    public void close() {
        if (workers != null && this != DefaultHolder.INSTANCE) {
            workers.close();
        }
    }

    @Override
    public String toString() {
        return "ComputeContext[threads=" + threads + (poolName == null ? "" : ", pool=" + poolName) + "]";
    }
}
