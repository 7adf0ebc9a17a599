package dev.fovea.simd.conv;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Each thread's scratch memory for the direct gradient kernels ({@link ConvShiftedWeightGrad},
 * {@link ConvShiftedDataGrad}, {@link ConvChannelLanesWeightGrad}): one native buffer and two
 * float arrays per thread, each grown to the largest request and kept for the thread's life. The
 * native buffer is GC-managed ({@link Arena#ofAuto()}), so it goes with its thread, and no shared
 * arena is closed per plan: closing one makes every thread stop at a handshake, 85-95 us measured
 * on Zen 4 (JDK 25), which a training step of LeNet-5 paid three times.
 *
 * <p>A calling thread's buffers may be shared with the context's workers during one call, which is
 * safe because the caller is blocked in that call; a kernel must not call another kernel that
 * uses the same buffer while it holds it.
 */
final class ConvWorkspace {
    private static final ThreadLocal<MemorySegment[]> LOCAL = ThreadLocal.withInitial(() -> new MemorySegment[1]);
    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[2][]);

    private ConvWorkspace() {}

    /** Returns the current thread's buffer of at least {@code bytes} bytes, 64-byte aligned; contents undefined. */
    static MemorySegment local(long bytes) {
        MemorySegment[] held = LOCAL.get();
        if (held[0] == null || held[0].byteSize() < bytes) {
            held[0] = Arena.ofAuto().allocate(Math.max(bytes, 64), 64);
        }
        return held[0];
    }

    /** Returns the current thread's float array of at least {@code count} elements; contents undefined. */
    static float[] floats(int count) {
        return heap(0, count);
    }

    /**
     * Returns the current thread's second float array, for the accumulators a call shares with
     * its workers (who use their own {@link #floats}), of at least {@code count} elements;
     * contents undefined.
     */
    static float[] accumulators(int count) {
        return heap(1, count);
    }

    private static float[] heap(int which, int count) {
        float[][] held = FLOATS.get();
        if (held[which] == null || held[which].length < count) {
            held[which] = new float[count];
        }
        return held[which];
    }
}
