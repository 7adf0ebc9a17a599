package dev.fovea.simd.parallel;

/** A piece of work over the index range {@code [begin, end)}. */
@FunctionalInterface
public interface RangeTask {
    /** Runs the work for indices {@code begin} (inclusive) to {@code end} (exclusive). */
    void run(int begin, int end);
}
