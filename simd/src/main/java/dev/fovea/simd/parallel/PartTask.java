package dev.fovea.simd.parallel;

/** A piece of work that is part {@code part} of {@code parts} equal shares (ggml's ith/nth). */
@FunctionalInterface
public interface PartTask {
    /** Runs share {@code part} (0-based) of {@code parts}. */
    void run(int part, int parts);
}
