package dev.fovea.simd.eltwise;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.impl.ActivationScalar;
import dev.fovea.simd.eltwise.impl.Checks;
import dev.fovea.simd.eltwise.impl.generated.ActivationVectorOps;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.parallel.PartTask;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Forward and backward kernels of the {@link ActivationFunction activation functions} over
 * contiguous float32 runs: {@code y[i] = f(x[i])} and {@code dx[i] = g[i] f'(x[i])}, the
 * gradient computed from the input {@code x} (not the output), so that one kernel serves every
 * function. Offsets count float elements; floats are native byte order at any alignment.
 *
 * <p><b>Paths.</b> With the Vector API ({@link Simd#VECTOR}) each function runs its own generated
 * loop (whole vectors, then its scalar definition on the tail); otherwise the scalar definitions
 * of {@code ActivationScalar}. Both give the same bits, at any vector width, tail position, thread
 * split and JIT tier: the lane functions repeat the scalar operations exactly, on Fovea's own
 * exp/expm1/log1p/tanh/normal-distribution functions. Accuracy against double precision is
 * stated and tested per function in {@code ActivationKernelsTest}.
 *
 * <p><b>Threads.</b> The {@link ComputeContext} overloads cut the range into blocks of
 * {@value #BLOCK} elements and spread them over the context's threads when there are at least
 * {@value #MIN_BLOCKS_PER_THREAD} blocks per thread; results do not depend on the split.
 *
 * <p><b>Checks.</b> {@code n >= 0}, every element inside its segment, a writable output; an
 * output may alias an input exactly (in place). Violations throw {@link IllegalArgumentException}
 * naming the kernel and argument before any work. The kernels allocate nothing.
 */
public final class ActivationKernels {
    /** Elements per parallel block, a multiple of every vector length. */
    public static final int BLOCK = 4096;
    /** Blocks per thread below which a call stays on one thread (64K elements: ~20 µs of work). */
    public static final int MIN_BLOCKS_PER_THREAD = 16;

    private ActivationKernels() {}

    /** {@code y[yOff + i] = f(x[xOff + i])} for {@code i < n}, on the calling thread. */
    public static void forward(ActivationFunction f, MemorySegment x, long xOff, MemorySegment y, long yOff, long n) {
        check("ActivationKernels.forward", f, n);
        Checks.input("ActivationKernels.forward", "x", x, xOff, 1, n);
        Checks.output("ActivationKernels.forward", "y", y, yOff, 1, n);
        forwardRange(f, x, xOff, y, yOff, n);
    }

    /** As {@link #forward(ActivationFunction, MemorySegment, long, MemorySegment, long, long)}, over {@code ctx}'s threads. */
    public static void forward(ActivationFunction f, MemorySegment x, long xOff, MemorySegment y, long yOff, long n,
                               ComputeContext ctx) {
        check("ActivationKernels.forward", f, n);
        Checks.input("ActivationKernels.forward", "x", x, xOff, 1, n);
        Checks.output("ActivationKernels.forward", "y", y, yOff, 1, n);
        Objects.requireNonNull(ctx, "ActivationKernels.forward: ctx is null");
        if (serial(n, ctx) || !ComputeContext.shareable(x, y)) {
            forwardRange(f, x, xOff, y, yOff, n);
            return;
        }
        int blocks = (int) ((n + BLOCK - 1) / BLOCK);
        int parts = ctx.parallelParts(blocks, MIN_BLOCKS_PER_THREAD);
        ForwardBlocks task = FORWARD_BLOCKS.get().set(f, x, xOff, y, yOff, n, blocks);
        try {
            ctx.run(parts, task);
        } finally {
            task.clear();
        }
    }

    /** Each thread's reusable {@link ForwardBlocks}. */
    private static final ThreadLocal<ForwardBlocks> FORWARD_BLOCKS = ThreadLocal.withInitial(ForwardBlocks::new);

    /**
     * A threaded forward call's whole blocks split over the parts, as {@link #inBlocks} splits
     * them; filled per call (a capturing lambda per call was a heap object each time a
     * convolution applied its activation after the fact: Winograd's ReLU in ResNet-18).
     */
    private static final class ForwardBlocks implements PartTask {
        private ActivationFunction f;
        private MemorySegment x;
        private long xOff;
        private MemorySegment y;
        private long yOff;
        private long n;
        private int blocks;

        ForwardBlocks set(ActivationFunction f, MemorySegment x, long xOff, MemorySegment y, long yOff, long n,
                          int blocks) {
            this.f = f;
            this.x = x;
            this.xOff = xOff;
            this.y = y;
            this.yOff = yOff;
            this.n = n;
            this.blocks = blocks;
            return this;
        }

        void clear() {
            f = null;
            x = null;
            y = null;
        }

        @Override
        public void run(int part, int parts) {
            long i0 = (long) ComputeContext.partBegin(blocks, parts, part) * BLOCK;
            long i1 = Math.min(n, (long) ComputeContext.partBegin(blocks, parts, part + 1) * BLOCK);
            forwardRange(f, x, xOff + i0, y, yOff + i0, i1 - i0);
        }
    }

    /** {@code dx[dxOff + i] = g[gOff + i] f'(x[xOff + i])} for {@code i < n}, on the calling thread. */
    public static void backward(ActivationFunction f, MemorySegment x, long xOff, MemorySegment g, long gOff,
                                MemorySegment dx, long dxOff, long n) {
        checkBackward(f, x, xOff, g, gOff, dx, dxOff, n);
        backwardRange(f, x, xOff, g, gOff, dx, dxOff, n);
    }

    /** As {@link #backward(ActivationFunction, MemorySegment, long, MemorySegment, long, MemorySegment, long, long)}, over {@code ctx}'s threads. */
    public static void backward(ActivationFunction f, MemorySegment x, long xOff, MemorySegment g, long gOff,
                                MemorySegment dx, long dxOff, long n, ComputeContext ctx) {
        checkBackward(f, x, xOff, g, gOff, dx, dxOff, n);
        Objects.requireNonNull(ctx, "ActivationKernels.backward: ctx is null");
        inBlocks(n, ctx, ComputeContext.shareable(x, g, dx),
                (i0, m) -> backwardRange(f, x, xOff + i0, g, gOff + i0, dx, dxOff + i0, m));
    }

    /** Work on elements {@code [i0, i0 + m)}. */
    private interface Range {
        void run(long i0, long m);
    }

    /**
     * Runs {@code body} over {@code [0, n)}: in one piece on the calling thread when the context
     * has one thread, the segments are confined or there are fewer than
     * {@value #MIN_BLOCKS_PER_THREAD} blocks per thread; else in whole blocks over the threads.
     */
    /** True if {@code n} elements run on the caller whatever the segments: one thread, or too few blocks to split. */
    private static boolean serial(long n, ComputeContext ctx) {
        long blocks = (n + BLOCK - 1) / BLOCK;
        return ctx.threads() == 1 || blocks < 2L * MIN_BLOCKS_PER_THREAD || blocks > Integer.MAX_VALUE;
    }

    private static void inBlocks(long n, ComputeContext ctx, boolean shareable, Range body) {
        long blocks = (n + BLOCK - 1) / BLOCK;
        if (ctx.threads() == 1 || blocks < 2L * MIN_BLOCKS_PER_THREAD || blocks > Integer.MAX_VALUE || !shareable) {
            body.run(0, n);
            return;
        }
        ctx.parallelFor((int) blocks, MIN_BLOCKS_PER_THREAD, (b0, b1) -> {
            long i0 = (long) b0 * BLOCK;
            body.run(i0, Math.min(n, (long) b1 * BLOCK) - i0);
        });
    }

    private static void check(String k, ActivationFunction f, long n) {
        if (f == null) {
            throw new NullPointerException(k + ": function is null");
        }
        Checks.count(k, n);
    }

    private static void checkBackward(ActivationFunction f, MemorySegment x, long xOff, MemorySegment g, long gOff,
                                      MemorySegment dx, long dxOff, long n) {
        String k = "ActivationKernels.backward";
        check(k, f, n);
        Checks.input(k, "x", x, xOff, 1, n);
        Checks.input(k, "g", g, gOff, 1, n);
        Checks.output(k, "dx", dx, dxOff, 1, n);
    }

    private static void forwardRange(ActivationFunction f, MemorySegment x, long xOff, MemorySegment y, long yOff,
                                     long n) {
        if (Simd.VECTOR) {
            ActivationVectorOps.forward(f.kind(), f.alpha(), f.beta(), x, xOff, y, yOff, n);
        } else {
            ActivationScalar.forward(f.kind(), f.alpha(), f.beta(), x, xOff, y, yOff, n);
        }
    }

    private static void backwardRange(ActivationFunction f, MemorySegment x, long xOff, MemorySegment g, long gOff,
                                      MemorySegment dx, long dxOff, long n) {
        if (Simd.VECTOR) {
            ActivationVectorOps.backward(f.kind(), f.alpha(), f.beta(), x, xOff, g, gOff, dx, dxOff, n);
        } else {
            ActivationScalar.backward(f.kind(), f.alpha(), f.beta(), x, xOff, g, gOff, dx, dxOff, n);
        }
    }
}
