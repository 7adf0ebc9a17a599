package dev.fovea.simd.resample;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * Argument checks and the plane split shared by the {@link Resample} and {@link Pad} kernels.
 * Work is split over whole planes: each plane is computed by one thread in a fixed order, so
 * results do not depend on the thread count.
 */
final class Planes {
    /** Output elements per thread below which a call is not split: handing work off costs more. */
    static final long MIN_ELEMENTS_PER_THREAD = 1 << 15;

    private Planes() {}

    /** Work on planes {@code [p0, p1)}. */
    @FunctionalInterface
    interface Range {
        void run(int p0, int p1);
    }

    /**
     * Runs {@code body} over plane ranges, on the context's threads when the work is large enough
     * and every segment may be read by other threads; on the caller otherwise.
     */
    static void split(String op, ComputeContext ctx, long planes, long planeElements, Range body,
                      MemorySegment... segments) {
        if (planes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": n * c must be below 2^31, got " + planes);
        }
        int p = (int) planes;
        if (p == 0) {
            return;
        }
        if (ctx == null || ctx.threads() == 1 || !ComputeContext.shareable(segments)) {
            body.run(0, p);
            return;
        }
        int grain = (int) Math.max(1, Math.min(p, MIN_ELEMENTS_PER_THREAD / Math.max(1, planeElements)));
        ctx.parallelFor(p, grain, body::run);
    }

    /** Checks that {@code seg} holds {@code elements} floats from element {@code off}. */
    static void floats(String what, MemorySegment seg, long off, long elements, Object spec) {
        if (seg == null) {
            throw new IllegalArgumentException(what + " segment must not be null, for " + spec);
        }
        if (off < 0 || off > seg.byteSize() / Float.BYTES - elements) {
            throw new IllegalArgumentException(what + " needs " + elements + " floats from offset " + off
                    + ", but its segment holds " + seg.byteSize() / Float.BYTES + " floats, for " + spec);
        }
    }

    /** Checks that {@code out} is writable. */
    static void writable(String what, MemorySegment out, Object spec) {
        if (out.isReadOnly()) {
            throw new IllegalArgumentException(what + " segment is read-only, for " + spec);
        }
    }
}
