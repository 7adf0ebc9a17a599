package dev.fovea.simd.pool;

import dev.fovea.simd.Simd;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.parallel.PartTask;
import java.lang.foreign.MemorySegment;

/**
 * Pooling kernels on contiguous float32 {@code (n, c, spatial...)} segments at element offsets:
 * max and average pooling ({@link PoolSpec}), adaptive pooling ({@link AdaptivePoolSpec}), their
 * gradients, and max unpooling. Every method checks the segments against the spec before any work
 * (an {@link IllegalArgumentException} naming the argument), overwrites its output, splits the
 * {@code n * c} planes over the context's threads (each plane is computed by one thread in a fixed
 * order, so results do not depend on the thread count) and allocates only small per-thread row
 * buffers.
 *
 * <p>Indices are int32 segments holding, per output element, the flat position of its maximum
 * inside its input plane ({@code (id * inH + ih) * inW + iw}), as PyTorch's {@code return_indices}
 * (which are int64). Max pooling without indices and average pooling run the Vector API kernels
 * when the vector path is on; with indices, and on the scalar path, the reference loops.
 */
public final class Pool {
    /** Minimum input elements per thread before a call is split: below it, handing off costs more. */
    static final long MIN_ELEMENTS_PER_THREAD = 1 << 15;

    private Pool() {}

    /**
     * Max pooling: {@code out = max over each window}; {@code indices} (int32, one per output
     * element) receives the argmax positions, or is null.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec, or a plane has 2^31 elements or more
     */
    public static void maxPool(PoolSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff,
                               MemorySegment indices, long idxOff, ComputeContext ctx) {
        checkFloats("max_pool: input", in, inOff, s.inputElements(), s);
        checkFloats("max_pool: output", out, outOff, s.outputElements(), s);
        if (indices != null) {
            checkIndices("max_pool", indices, idxOff, s.outputElements(), s.inPlane(), s);
        }
        if (serial(ctx, s.planes(), in, out, indices)) {
            maxPlanes(s, in, inOff, out, outOff, indices, idxOff, 0, (int) s.planes());
            return;
        }
        forward(ctx, true, s, in, inOff, out, outOff, indices, idxOff);
    }

    private static void maxPlanes(PoolSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff,
                                  MemorySegment indices, long idxOff, int p0, int p1) {
        if (!Simd.VECTOR) {
            PoolNaive.max(s, in, inOff, out, outOff, indices, idxOff, p0, p1);
        } else if (indices == null) {
            PoolVector.forward(s, true, in, inOff, out, outOff, p0, p1);
        } else if (Pool2x2.applies(s)) {
            Pool2x2.maxIndices(s, in, inOff, out, outOff, indices, idxOff, p0, p1);
        } else {
            PoolMaxIndices.forward(s, in, inOff, out, outOff, indices, idxOff, p0, p1);
        }
    }

    /**
     * Average pooling: {@code out = sum over each window / divisor} (see {@link PoolSpec} for the divisor).
     *
     * @throws IllegalArgumentException if a segment is too small for the spec
     */
    public static void avgPool(PoolSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff,
                               ComputeContext ctx) {
        checkFloats("avg_pool: input", in, inOff, s.inputElements(), s);
        checkFloats("avg_pool: output", out, outOff, s.outputElements(), s);
        if (serial(ctx, s.planes(), in, out, null)) {
            avgPlanes(s, in, inOff, out, outOff, 0, (int) s.planes());
            return;
        }
        forward(ctx, false, s, in, inOff, out, outOff, null, 0);
    }

    /**
     * Max or average pooling split over the context's threads by planes, into the ranges
     * {@link #split} would cut, through this thread's {@link Forward} task: a capturing lambda here cost a heap
     * object per call (two per 2-thread ResNet-18 run).
     */
    private static void forward(ComputeContext ctx, boolean max, PoolSpec s, MemorySegment in, long inOff,
                                MemorySegment out, long outOff, MemorySegment indices, long idxOff) {
        int planes = planeCount(s.planes());
        int parts = ctx.parallelParts(planes, grain(planes, s.inPlane()));
        if (parts == 1) {
            if (max) {
                maxPlanes(s, in, inOff, out, outOff, indices, idxOff, 0, planes);
            } else {
                avgPlanes(s, in, inOff, out, outOff, 0, planes);
            }
            return;
        }
        Forward task = FORWARD.get().set(max, s, in, inOff, out, outOff, indices, idxOff);
        try {
            ctx.run(parts, task);
        } finally {
            task.clear();
        }
    }

    /** Each thread's reusable {@link Forward} task. */
    private static final ThreadLocal<Forward> FORWARD = ThreadLocal.withInitial(Forward::new);

    /** The planes of one forward pooling call, split over the parts; filled per call, read by the parts. */
    private static final class Forward implements PartTask {
        private boolean max;
        private PoolSpec spec;
        private MemorySegment in;
        private long inOff;
        private MemorySegment out;
        private long outOff;
        private MemorySegment indices;
        private long idxOff;

        Forward set(boolean max, PoolSpec spec, MemorySegment in, long inOff, MemorySegment out, long outOff,
                    MemorySegment indices, long idxOff) {
            this.max = max;
            this.spec = spec;
            this.in = in;
            this.inOff = inOff;
            this.out = out;
            this.outOff = outOff;
            this.indices = indices;
            this.idxOff = idxOff;
            return this;
        }

        void clear() {
            spec = null;
            in = null;
            out = null;
            indices = null;
        }

        @Override
        public void run(int part, int parts) {
            int planes = (int) spec.planes();
            int p0 = ComputeContext.partBegin(planes, parts, part);
            int p1 = ComputeContext.partBegin(planes, parts, part + 1);
            if (max) {
                maxPlanes(spec, in, inOff, out, outOff, indices, idxOff, p0, p1);
            } else {
                avgPlanes(spec, in, inOff, out, outOff, p0, p1);
            }
        }
    }

    private static void avgPlanes(PoolSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff, int p0,
                                  int p1) {
        if (Simd.VECTOR) {
            PoolVector.forward(s, false, in, inOff, out, outOff, p0, p1);
        } else {
            PoolNaive.avg(s, in, inOff, out, outOff, p0, p1);
        }
    }

    /**
     * True if a pooling call runs on the caller alone (one thread, or a segment other threads
     * cannot read), so it can skip the task object {@link #split} would take. Planes fit an int
     * (the specs check it).
     */
    private static boolean serial(ComputeContext ctx, long planes, MemorySegment a, MemorySegment b,
                                  MemorySegment c) {
        return planes <= Integer.MAX_VALUE && (ctx == null || ctx.threads() == 1
                || !ComputeContext.shareable(a, b, c));
    }

    /**
     * The reference loops of max pooling (values only) or average pooling, on the calling thread:
     * the scalar fallback, the oracle the vector kernels are tested against, and the baseline of
     * the benchmarks.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec
     */
    public static void reference(PoolSpec s, boolean max, MemorySegment in, long inOff, MemorySegment out,
                                 long outOff) {
        String op = max ? "max_pool" : "avg_pool";
        checkFloats(op + ": input", in, inOff, s.inputElements(), s);
        checkFloats(op + ": output", out, outOff, s.outputElements(), s);
        if (s.planes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pooling: n * c must be below 2^31, got " + s.planes());
        }
        if (max) {
            PoolNaive.max(s, in, inOff, out, outOff, null, 0, 0, (int) s.planes());
        } else {
            PoolNaive.avg(s, in, inOff, out, outOff, 0, (int) s.planes());
        }
    }

    /**
     * The reference loops of max pooling with indices, on the calling thread: the scalar fallback
     * of {@link #maxPool} with indices and the baseline of its benchmark.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec
     */
    public static void maxPoolReference(PoolSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff,
                                        MemorySegment indices, long idxOff) {
        checkFloats("max_pool: input", in, inOff, s.inputElements(), s);
        checkFloats("max_pool: output", out, outOff, s.outputElements(), s);
        checkIndices("max_pool", indices, idxOff, s.outputElements(), s.inPlane(), s);
        if (s.planes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pooling: n * c must be below 2^31, got " + s.planes());
        }
        PoolNaive.max(s, in, inOff, out, outOff, indices, idxOff, 0, (int) s.planes());
    }

    /**
     * The input gradient of max pooling: {@code gradIn} (input-shaped, overwritten) is zero except
     * where {@code indices} point, which receive the sum of their outputs' gradients.
     *
     * @throws IllegalArgumentException if a segment is too small, or an index is outside its plane
     */
    public static void maxPoolBackward(PoolSpec s, MemorySegment gradOut, long gOff, MemorySegment indices,
                                       long idxOff, MemorySegment gradIn, long giOff, ComputeContext ctx) {
        checkFloats("max_pool backward: gradOut", gradOut, gOff, s.outputElements(), s);
        checkIndices("max_pool backward", indices, idxOff, s.outputElements(), s.inPlane(), s);
        checkFloats("max_pool backward: gradIn", gradIn, giOff, s.inputElements(), s);
        split(ctx, s.planes(), s.inPlane(), (p0, p1) -> PoolAdaptive.scatter(s.inPlane(), s.outPlane(), true,
                gradOut, gOff, indices, idxOff, gradIn, giOff, p0, p1), gradOut, indices, gradIn);
    }

    /**
     * The input gradient of average pooling: each output's gradient divided by its divisor, added to
     * every input element of its window; {@code gradIn} is overwritten.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec
     */
    public static void avgPoolBackward(PoolSpec s, MemorySegment gradOut, long gOff, MemorySegment gradIn, long giOff,
                                       ComputeContext ctx) {
        checkFloats("avg_pool backward: gradOut", gradOut, gOff, s.outputElements(), s);
        checkFloats("avg_pool backward: gradIn", gradIn, giOff, s.inputElements(), s);
        split(ctx, s.planes(), s.inPlane(),
                (p0, p1) -> PoolNaive.avgBackward(s, gradOut, gOff, gradIn, giOff, p0, p1), gradOut, gradIn);
    }

    /**
     * Adaptive max ({@code max} true, optional int32 {@code indices}) or average pooling. Shapes
     * whose windows are all alike (each input extent a multiple of the output's) run as fixed-window
     * pooling.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec
     */
    public static void adaptivePool(AdaptivePoolSpec s, boolean max, MemorySegment in, long inOff, MemorySegment out,
                                    long outOff, MemorySegment indices, long idxOff, ComputeContext ctx) {
        String op = max ? "adaptive_max_pool" : "adaptive_avg_pool";
        // Constant messages: a concatenation here would allocate on every call.
        checkFloats(max ? "adaptive_max_pool: input" : "adaptive_avg_pool: input", in, inOff,
                s.planes() * s.inPlane(), s);
        checkFloats(max ? "adaptive_max_pool: output" : "adaptive_avg_pool: output", out, outOff,
                s.planes() * s.outPlane(), s);
        if (max && indices != null) {
            checkIndices(op, indices, idxOff, s.planes() * s.outPlane(), s.inPlane(), s);
        }
        PoolSpec fixed = s.asFixedWindows();
        if (fixed != null && fixed.kernelVolume() > 1) {
            if (max) {
                maxPool(fixed, in, inOff, out, outOff, indices, idxOff, ctx);
            } else {
                avgPool(fixed, in, inOff, out, outOff, ctx);
            }
            return;
        }
        split(ctx, s.planes(), s.inPlane(), (p0, p1) -> PoolAdaptive.forward(s, max, in, inOff, out, outOff,
                max ? indices : null, idxOff, p0, p1), in, out, indices);
    }

    /**
     * The input gradient of adaptive average pooling ({@code gradIn} overwritten). For adaptive max
     * pooling use {@link #scatterAdd} with the forward's indices.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec
     */
    public static void adaptiveAvgPoolBackward(AdaptivePoolSpec s, MemorySegment gradOut, long gOff,
                                               MemorySegment gradIn, long giOff, ComputeContext ctx) {
        checkFloats("adaptive_avg_pool backward: gradOut", gradOut, gOff, s.planes() * s.outPlane(), s);
        checkFloats("adaptive_avg_pool backward: gradIn", gradIn, giOff, s.planes() * s.inPlane(), s);
        split(ctx, s.planes(), s.inPlane(),
                (p0, p1) -> PoolAdaptive.avgBackward(s, gradOut, gOff, gradIn, giOff, p0, p1), gradOut, gradIn);
    }

    /**
     * For each of {@code planes} planes: zeroes the {@code dstPlane} elements of {@code dst}, then
     * adds every element of {@code src}'s plane ({@code srcPlane} elements) at the position its
     * index names: the gradient of (adaptive) max pooling.
     *
     * @throws IllegalArgumentException if a segment is too small, or an index is outside {@code [0, dstPlane)}
     */
    public static void scatterAdd(long planes, long srcPlane, long dstPlane, MemorySegment src, long srcOff,
                                  MemorySegment indices, long idxOff, MemorySegment dst, long dstOff,
                                  ComputeContext ctx) {
        scatter(true, planes, srcPlane, dstPlane, src, srcOff, indices, idxOff, dst, dstOff, ctx);
    }

    /**
     * Max unpooling (PyTorch's {@code max_unpool}): zeroes each of the {@code planes} output planes
     * ({@code dstPlane} elements), then stores each input element at its index; where indices repeat,
     * the last element in order wins.
     *
     * @throws IllegalArgumentException if a segment is too small, or an index is outside {@code [0, dstPlane)}
     */
    public static void maxUnpool(long planes, long srcPlane, long dstPlane, MemorySegment src, long srcOff,
                                 MemorySegment indices, long idxOff, MemorySegment dst, long dstOff,
                                 ComputeContext ctx) {
        scatter(false, planes, srcPlane, dstPlane, src, srcOff, indices, idxOff, dst, dstOff, ctx);
    }

    /**
     * The gradient of max unpooling: {@code dst[o] = src[plane base + indices[o]]} for each of the
     * {@code planes} planes ({@code srcPlane} elements in {@code src}, {@code dstPlane} in {@code dst}).
     *
     * @throws IllegalArgumentException if a segment is too small, or an index is outside {@code [0, srcPlane)}
     */
    public static void gather(long planes, long srcPlane, long dstPlane, MemorySegment src, long srcOff,
                              MemorySegment indices, long idxOff, MemorySegment dst, long dstOff, ComputeContext ctx) {
        String what = "planes=" + planes + ", srcPlane=" + srcPlane + ", dstPlane=" + dstPlane;
        checkFloats("gather: src", src, srcOff, planes * srcPlane, what);
        checkIndices("gather", indices, idxOff, planes * dstPlane, srcPlane, what);
        checkFloats("gather: dst", dst, dstOff, planes * dstPlane, what);
        split(ctx, planes, srcPlane, (p0, p1) -> PoolAdaptive.gather(srcPlane, dstPlane, src, srcOff, indices,
                idxOff, dst, dstOff, p0, p1), src, indices, dst);
    }

    private static void scatter(boolean add, long planes, long srcPlane, long dstPlane, MemorySegment src, long srcOff,
                                MemorySegment indices, long idxOff, MemorySegment dst, long dstOff, ComputeContext ctx) {
        String op = add ? "scatterAdd" : "max_unpool";
        String what = "planes=" + planes + ", srcPlane=" + srcPlane + ", dstPlane=" + dstPlane;
        checkFloats(op + ": src", src, srcOff, planes * srcPlane, what);
        checkIndices(op, indices, idxOff, planes * srcPlane, dstPlane, what);
        checkFloats(op + ": dst", dst, dstOff, planes * dstPlane, what);
        split(ctx, planes, dstPlane, (p0, p1) -> PoolAdaptive.scatter(dstPlane, srcPlane, add, src, srcOff, indices,
                idxOff, dst, dstOff, p0, p1), src, indices, dst);
    }

    /** Runs {@code body} over plane ranges, on the context's threads when the work and the segments allow. */
    private static void split(ComputeContext ctx, long planes, long planeElements, PlaneRange body,
                              MemorySegment... segments) {
        int p = planeCount(planes);
        if (p == 0) {
            return;
        }
        if (ctx == null || ctx.threads() == 1 || !ComputeContext.shareable(segments)) {
            body.run(0, p);
            return;
        }
        ctx.parallelFor(p, grain(p, planeElements), body::run);
    }

    /** {@code planes} as an int, or an exception naming the limit. */
    private static int planeCount(long planes) {
        if (planes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pooling: n * c must be below 2^31, got " + planes);
        }
        return (int) planes;
    }

    /** Planes per thread at least: enough for {@link #MIN_ELEMENTS_PER_THREAD} input elements, at most all. */
    private static int grain(int planes, long planeElements) {
        return (int) Math.max(1, Math.min(planes, MIN_ELEMENTS_PER_THREAD / Math.max(1, planeElements)));
    }

    private static void checkFloats(String what, MemorySegment seg, long off, long elements, Object spec) {
        if (seg == null) {
            throw new IllegalArgumentException(what + " segment must not be null, for " + spec);
        }
        if (off < 0 || off > seg.byteSize() / Float.BYTES - elements) {
            throw new IllegalArgumentException(what + " needs " + elements + " floats from offset " + off
                    + ", but its segment holds " + seg.byteSize() / Float.BYTES + " floats, for " + spec);
        }
    }

    private static void checkIndices(String op, MemorySegment idx, long off, long elements, long plane, Object spec) {
        if (plane > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": int32 indices need input planes below 2^31 elements, got "
                    + plane + ", for " + spec);
        }
        if (idx == null) {
            throw new IllegalArgumentException(op + ": indices segment must not be null, for " + spec);
        }
        if (off < 0 || off > idx.byteSize() / Integer.BYTES - elements) {
            throw new IllegalArgumentException(op + ": indices need " + elements + " int32 from offset " + off
                    + ", but the segment holds " + idx.byteSize() / Integer.BYTES + ", for " + spec);
        }
    }

    /** Work on planes {@code [p0, p1)}. */
    @FunctionalInterface
    private interface PlaneRange {
        void run(int p0, int p1);
    }
}
