package dev.fovea.cli;

import dev.fovea.simd.parallel.ComputeContext;
import java.io.PrintWriter;

/**
 * {@code --threads}: the kernels use {@link ComputeContext#defaultContext()}, which reads
 * {@code -Dfovea.threads} once, when it is first used. A command therefore sets the property
 * before it runs any tensor operation; in a fresh JVM (the launcher's) that always works.
 */
final class Threads {
    private Threads() {}

    /**
     * Makes the default compute context use {@code threads} threads ({@code null}: leave it as
     * {@code -Dfovea.threads} or the processor count makes it) and returns the count it has.
     * Warns on {@code err} if the context was already made with another count in this JVM.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    static int configure(Integer threads, PrintWriter err) {
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            }
            System.setProperty(ComputeContext.THREADS_PROPERTY, Integer.toString(threads));
        }
        int actual = ComputeContext.defaultThreads();
        if (threads != null && actual != threads) {
            err.println("fovea: warning: --threads " + threads + " ignored: this JVM's compute context already has "
                    + actual + " threads");
            err.flush();
        }
        return actual;
    }
}
