package dev.fovea.simd.parallel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The worker threads of a {@link ComputeContext} and the hand-off of one job at a time to them,
 * with no allocation per job: the job's fields are written, then published by one volatile write
 * that also carries how many threads take part; the workers run their shares and count down; the
 * last one wakes the caller. Waiting threads spin for a while ({@link #SPINS} pauses) before they
 * park, so jobs that follow each other closely (the layers of a model) find the workers awake.
 *
 * <p>Through a thread pool, a latch and a task object per worker, a trivial two-thread job took
 * 46-52 us and 239 bytes of heap on Zen 4 (2 vCPUs): waking a parked thread cost more than the
 * work of most layers. One caller holds the workers at a time; another caller meanwhile runs its
 * parts on its own thread ({@link #tryRun} returns false).
 */
final class ComputeWorkers {
    /** Pauses a waiting thread spins before it parks: 101 us on Zen 4 (25 ns per {@code onSpinWait}). */
    static final int SPINS = 1 << 12;

    private final Thread[] threads;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** The current job: written by its caller before {@link #published}, read by the workers after. */
    private PartTask task;
    private int parts;
    /** Jobs published so far (the caller's count, under {@link #busy}). */
    private long jobs;
    /** {@code jobs << 16 | workers} of the latest job: a change wakes the workers. */
    private volatile long published;
    private volatile Thread waiter;
    private volatile boolean closed;

    /**
     * Starts {@code count} daemon threads named {@code name-1 .. name-count}; each marks itself as
     * running inside {@code owner} in {@code runningIn}.
     */
    ComputeWorkers(ComputeContext owner, String name, int count, ThreadLocal<ComputeContext> runningIn) {
        if (count >= 1 << 16) {
            throw new IllegalArgumentException("ComputeContext: at most 65535 worker threads, got " + count);
        }
        threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            int index = i + 1;
            threads[i] = Thread.ofPlatform().daemon().name(name + "-" + index).unstarted(() -> {
                runningIn.set(owner);
                work(index);
            });
        }
        for (Thread t : threads) {
            t.start();
        }
    }

    /**
     * Runs {@code task.run(p, parts)} for every part, spread over the caller (share 0) and
     * {@code workers - 1} worker threads (share i takes parts i, i + workers, ...), and returns
     * when all are done, rethrowing the first failure. Returns false without running anything if
     * another caller holds the workers or they are closed.
     */
    boolean tryRun(PartTask task, int parts, int workers) {
        if (closed || !busy.compareAndSet(false, true)) {
            return false;
        }
        try {
            this.task = task;
            this.parts = parts;
            failure.set(null);
            pending.set(workers - 1);
            waiter = Thread.currentThread();
            published = ++jobs << 16 | workers;
            for (int w = 1; w < workers; w++) {
                LockSupport.unpark(threads[w - 1]);
            }
            try {
                share(task, parts, 0, workers);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
            for (int spin = 0; pending.get() != 0; spin++) {
                if (spin < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            this.task = null;
        } finally {
            busy.set(false);
        }
        Throwable t = failure.get();
        if (t != null) {
            failure.set(null);
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("ComputeContext task failed", t);
        }
        return true;
    }

    /** Lets the workers end once idle; a job in progress finishes first. */
    void close() {
        closed = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
    }

    private static void share(PartTask task, int parts, int worker, int workers) {
        for (int p = worker; p < parts; p += workers) {
            task.run(p, parts);
        }
    }

    /** The loop of worker {@code index} (1-based): wait for a job, run its share if it takes part. */
    private void work(int index) {
        long seen = 0;
        while (true) {
            long job = published;
            for (int spin = 0; job == seen && !closed; spin++) {
                if (spin < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
                job = published;
            }
            if (job == seen) {
                return;
            }
            seen = job;
            int workers = (int) (job & 0xFFFF);
            if (index >= workers) {
                // not in this job; its fields may already belong to the next one
                continue;
            }
            try {
                share(task, parts, index, workers);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(waiter);
                }
            }
        }
    }
}
