package dev.fovea.simd.eltwise.impl;

/**
 * The per-thread buffer of the two-stage activation loops of {@code ActivationVectorOps}. A loop
 * whose vector body is too large for C2 (its inlining stops at a node-count cutoff and the vectors
 * left in calls are boxed, hundreds of bytes allocated per vector) runs as two loops over chunks
 * of {@link #LENGTH} elements: the first stores its costly part (an {@code exp}, say) here, the
 * second finishes from it. Each loop is a method of its own, compiled within the budget.
 */
public final class StageScratch {
    /** Elements per chunk: 4 KiB of scratch, which stays in L1 with the chunk's input. */
    public static final int LENGTH = 1024;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[LENGTH]);

    private StageScratch() {}

    /** This thread's scratch of {@link #LENGTH} floats. */
    public static float[] get() {
        return SCRATCH.get();
    }
}
