package dev.fovea.tensor.ops;

import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.simd.eltwise.Eltwise;
import java.lang.foreign.MemorySegment;

/**
 * Reduction in row order: for output elements that are contiguous in both the output and the
 * input, combines whole input rows into the output row with one {@link Eltwise} call per reduced
 * index ({@code y = x_0; y = op(y, x_1); ...}), vectorized over the output elements.
 */
final class Rowwise {
    private Rowwise() {}

    /** Reduces with {@code op} (ADD, MAX or MIN) as planned, writing every output element of {@code loop}. */
    static void reduce(BinaryOp op, MemorySegment xs, MemorySegment ys, ReducePlan plan, Loop loop) {
        long rs = plan.runStride();
        long rl = plan.runLength();
        long runs = plan.runs();
        loop.run((off, n) -> {
            long y = off[0];
            boolean first = true;
            for (long q = 0; q < runs; q++) {
                long runBase = off[1] + plan.runOffset(q);
                for (long j = 0; j < rl; j++) {
                    long x = runBase + j * rs;
                    if (first) {
                        Eltwise.copy(xs, x, 1, ys, y, 1, n);
                        first = false;
                    } else {
                        Eltwise.binary(op, ys, y, 1, xs, x, 1, ys, y, 1, n);
                    }
                }
            }
        }, plan.parallel());
    }
}
