package dev.fovea.simd.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ComputeContextTest {
    @Test
    void partsTileTheRangeExactlyWithSizesWithinOne() {
        for (int n : new int[] {0, 1, 2, 7, 100, 1001}) {
            for (int parts = 1; parts <= 9; parts++) {
                assertEquals(0, ComputeContext.partBegin(n, parts, 0));
                assertEquals(n, ComputeContext.partBegin(n, parts, parts));
                int min = Integer.MAX_VALUE;
                int max = 0;
                for (int p = 0; p < parts; p++) {
                    int size = ComputeContext.partBegin(n, parts, p + 1) - ComputeContext.partBegin(n, parts, p);
                    min = Math.min(min, size);
                    max = Math.max(max, size);
                }
                assertTrue(max - min <= 1, "n=" + n + " parts=" + parts);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 8})
    void runExecutesEveryPartExactlyOnce(int threads) {
        try (ComputeContext ctx = ComputeContext.create(threads)) {
            for (int parts : new int[] {0, 1, 2, 5, 33}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(parts);
                ctx.run(parts, (part, count) -> {
                    assertEquals(parts, count);
                    hits.incrementAndGet(part);
                });
                for (int p = 0; p < parts; p++) {
                    assertEquals(1, hits.get(p), "part " + p + " of " + parts);
                }
            }
        }
    }

    @Test
    void backToBackJobsOfChangingWidthRunEveryPartOnce() {
        // Jobs that use fewer workers than the context has leave the others out: those must not run
        // a part of the next job that they read while it was being published.
        try (ComputeContext ctx = ComputeContext.create(4)) {
            int[] counts = {2, 1, 3, 7, 4, 0, 2, 5};
            for (int job = 0; job < 20_000; job++) {
                int parts = counts[job % counts.length];
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(parts, 1));
                ctx.run(parts, (part, count) -> hits.incrementAndGet(part));
                for (int p = 0; p < parts; p++) {
                    assertEquals(1, hits.get(p), "job " + job + ", part " + p + " of " + parts);
                }
            }
        }
    }

    @Test
    void concurrentCallersEachGetEveryPartOnce() throws Exception {
        // One caller holds the workers at a time; the others run their parts on their own threads.
        try (ComputeContext ctx = ComputeContext.create(2)) {
            java.util.List<Thread> callers = new java.util.ArrayList<>();
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            for (int c = 0; c < 4; c++) {
                callers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int job = 0; job < 5_000; job++) {
                            AtomicIntegerArray hits = new AtomicIntegerArray(6);
                            ctx.run(6, (part, count) -> hits.incrementAndGet(part));
                            for (int p = 0; p < 6; p++) {
                                assertEquals(1, hits.get(p), "part " + p);
                            }
                        }
                    } catch (Throwable t) {
                        failed.compareAndSet(null, t);
                    }
                }));
            }
            for (Thread t : callers) {
                t.join();
            }
            assertEquals(null, failed.get());
        }
    }

    @Test
    void aJobAllocatesNothingOnTheCaller() {
        // A task made once: the hand-off to the workers allocates no heap (a pool, a latch and a
        // task per worker took 239 bytes per call).
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (ComputeContext ctx = ComputeContext.create(2)) {
            long[] sums = new long[2];
            PartTask task = (part, count) -> sums[part] += part + 1;
            long perCall = -1;
            for (int round = 0; round < 50 && perCall != 0; round++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 10_000; i++) {
                    ctx.run(2, task);
                }
                perCall = (mx.getCurrentThreadAllocatedBytes() - before) / 10_000;
            }
            assertEquals(0, perCall, "heap bytes per two-thread job");
            assertTrue(sums[0] > 0 && sums[1] > 0);
        }
    }

    @Test
    void closedContextsStopTheirThreadsAndStillRunInline() throws Exception {
        ComputeContext ctx = ComputeContext.create(3);
        String pool = ctx.toString().replaceAll(".*pool=([\\w-]+).*", "$1");
        ctx.run(3, (part, count) -> { });
        ctx.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (liveThreads(pool) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, liveThreads(pool), "workers of a closed context still alive");
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        ctx.run(3, (part, count) -> seen.add(Thread.currentThread()));
        assertEquals(Set.of(Thread.currentThread()), seen);
    }

    private static long liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix + "-")).count();
    }

    @Test
    void parallelForCoversEveryIndexOnceAndHonoursGrain() {
        try (ComputeContext ctx = ComputeContext.create(4)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(1000);
            ctx.parallelFor(1000, 1, (b, e) -> {
                for (int i = b; i < e; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 1000; i++) {
                assertEquals(1, hits.get(i));
            }
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            ctx.parallelFor(10, 100, (b, e) -> seen.add(Thread.currentThread()));
            assertEquals(Set.of(Thread.currentThread()), seen, "below the grain the caller runs alone");
        }
    }

    @Test
    void oneThreadRunsOnTheCaller() {
        try (ComputeContext ctx = ComputeContext.create(1)) {
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            ctx.run(6, (p, n) -> seen.add(Thread.currentThread()));
            assertEquals(Set.of(Thread.currentThread()), seen);
        }
    }

    @Test
    void twoThreadsUseAWorker() {
        try (ComputeContext ctx = ComputeContext.create(2)) {
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            ctx.run(2, (p, n) -> seen.add(Thread.currentThread()));
            assertEquals(2, seen.size());
            assertTrue(seen.contains(Thread.currentThread()));
        }
    }

    @Test
    void nestedRunsInlineWithoutDeadlock() {
        try (ComputeContext ctx = ComputeContext.create(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(4 * 3);
            ctx.run(4, (outer, no) -> ctx.run(3, (inner, ni) -> hits.incrementAndGet(outer * 3 + inner)));
            for (int i = 0; i < 12; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void exceptionInAWorkerPartIsRethrownToTheCaller() {
        try (ComputeContext ctx = ComputeContext.create(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> ctx.run(2, (p, n) -> {
                        if (p == 1) {
                            throw boom;
                        }
                    }));
            assertSame(boom, thrown);
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComputeContext.create(0));
        assertTrue(e.getMessage().contains("threads must be >= 1, got 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ComputeContext.parseThreads("two"));
        assertThrows(IllegalArgumentException.class, () -> ComputeContext.parseThreads("0"));
        assertEquals(3, ComputeContext.parseThreads(" 3 "));
        assertEquals(Runtime.getRuntime().availableProcessors(), ComputeContext.parseThreads(null));
        try (ComputeContext ctx = ComputeContext.create(1)) {
            assertThrows(IllegalArgumentException.class, () -> ctx.run(-1, (p, n) -> { }));
            assertThrows(IllegalArgumentException.class, () -> ctx.parallelFor(5, 0, (b, e2) -> { }));
        }
    }

    @Test
    void shareableIsFalseOnlyForSegmentsConfinedToTheCaller() {
        try (Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
            MemorySegment c = confined.allocate(16);
            MemorySegment s = shared.allocate(16);
            MemorySegment heap = MemorySegment.ofArray(new float[4]);
            assertTrue(ComputeContext.shareable(s, heap, null, Arena.global().allocate(4)));
            assertTrue(ComputeContext.shareable());
            assertFalse(ComputeContext.shareable(s, c));
            assertFalse(ComputeContext.shareable(c));
        }
    }

    @Test
    void currentIsTheBoundContextInsideACallAndTheDefaultOutside() throws Exception {
        assertSame(ComputeContext.defaultContext(), ComputeContext.current());
        try (ComputeContext two = ComputeContext.create(2); ComputeContext three = ComputeContext.create(3)) {
            ComputeContext[] seenByOtherThread = new ComputeContext[1];
            int inner = ComputeContext.callWith(two, () -> {
                assertSame(two, ComputeContext.current());
                // another thread started inside the call does not see the binding
                Thread t = new Thread(() -> seenByOtherThread[0] = ComputeContext.current());
                t.start();
                t.join();
                ComputeContext.runWith(three, () -> assertSame(three, ComputeContext.current()));
                assertSame(two, ComputeContext.current());
                return ComputeContext.current().threads();
            });
            assertEquals(2, inner);
            assertSame(ComputeContext.defaultContext(), seenByOtherThread[0]);
            assertSame(ComputeContext.defaultContext(), ComputeContext.current());
            // a failing body unbinds too, and its exception reaches the caller unchanged
            IllegalStateException boom = new IllegalStateException("boom");
            assertSame(boom, assertThrows(IllegalStateException.class, () -> ComputeContext.runWith(two, () -> {
                throw boom;
            })));
            assertSame(ComputeContext.defaultContext(), ComputeContext.current());
            assertThrows(NullPointerException.class, () -> ComputeContext.runWith(null, () -> { }));
        }
    }

    @Test
    void toStringNamesThePoolWhoseThreadsRunTheParts() {
        try (ComputeContext two = ComputeContext.create(2)) {
            Set<String> names = ConcurrentHashMap.newKeySet();
            two.run(2, (part, parts) -> names.add(Thread.currentThread().getName()));
            String pool = two.toString().replaceAll(".*pool=([\\w-]+).*", "$1");
            assertTrue(names.stream().anyMatch(n -> n.startsWith(pool + "-")), names + " vs " + two);
        }
        try (ComputeContext one = ComputeContext.create(1)) {
            assertEquals("ComputeContext[threads=1]", one.toString());
        }
    }
}
