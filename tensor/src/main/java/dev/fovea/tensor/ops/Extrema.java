package dev.fovea.tensor.ops;

import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.simd.reduce.Reduce;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * max, min, argmax and argmin over dims.
 *
 * <p><b>Ties.</b> The position of an extreme is its first occurrence in row-major order of the
 * reduced dims (along the dim, for a single dim); a NaN counts as the extreme and the first NaN
 * wins, as in PyTorch's {@code argmax}. The gradient of {@code max}/{@code min} goes entirely to
 * that position. This matches PyTorch's {@code max(dim)}; PyTorch's {@code amax} over several
 * dims and its full {@code max()} instead split the gradient evenly between tied elements.
 *
 * <p>Indices are returned as float32 values (the only dtype today), exact up to 2^24.
 */
public final class Extrema {
    private static final long MAX_EXACT_INDEX = 1L << 24;

    private Extrema() {}

    /** See {@link Tensor#max(int[], boolean)}. */
    public static Tensor max(Tensor x, int[] dims, boolean all, boolean keepdim) {
        return extreme("max", x, dims, all, keepdim, true);
    }

    /** See {@link Tensor#min(int[], boolean)}. */
    public static Tensor min(Tensor x, int[] dims, boolean all, boolean keepdim) {
        return extreme("min", x, dims, all, keepdim, false);
    }

    /** See {@link Tensor#argmax(int, boolean)}; a null dim means the flat index over all elements. */
    public static Tensor argmax(Tensor x, Integer dim, boolean keepdim) {
        return argExtreme("argmax", x, dim, keepdim, true);
    }

    /** See {@link Tensor#argmin(int, boolean)}; a null dim means the flat index over all elements. */
    public static Tensor argmin(Tensor x, Integer dim, boolean keepdim) {
        return argExtreme("argmin", x, dim, keepdim, false);
    }

    private static ReducePlan plan(String op, Tensor x, int[] dims, boolean all, boolean keepdim) {
        ReducePlan plan = ReducePlan.of(op, x, dims, all, keepdim);
        if (plan.count() == 0) {
            throw new IllegalArgumentException(op + ": cannot reduce over zero elements: shape "
                    + Shape.toString(x.shape()) + ", dims " + Arrays.toString(plan.reducedDims()));
        }
        return plan;
    }

    private static Tensor extreme(String op, Tensor x, int[] dims, boolean all, boolean keepdim, boolean max) {
        ReducePlan plan = plan(op, x, dims, all, keepdim);
        Tensor out = Tensor.empty(plan.outShape());
        MemorySegment xs = x.segment();
        MemorySegment ys = out.segment();
        Loop loop = plan.outputLoop(out);
        if (plan.rowwise(loop)) {
            Rowwise.reduce(max ? BinaryOp.MAX : BinaryOp.MIN, xs, ys, plan, loop);
        } else {
            long rs = plan.runStride();
            long rl = plan.runLength();
            long os = loop.innerStride(0);
            long is = loop.innerStride(1);
            loop.run((off, n) -> {
                for (long j = 0; j < n; j++) {
                    long base = off[1] + j * is;
                    float best = max ? Reduce.max(xs, base, rs, rl) : Reduce.min(xs, base, rs, rl);
                    for (long q = 1; q < plan.runs(); q++) {
                        long at = base + plan.runOffset(q);
                        best = max ? Math.max(best, Reduce.max(xs, at, rs, rl)) : Math.min(best, Reduce.min(xs, at, rs, rl));
                    }
                    ys.setAtIndex(ValueLayout.JAVA_FLOAT, off[0] + j * os, best);
                }
            }, plan.parallel());
        }
        int[] reduced = plan.reducedDims();
        long[] inShape = x.shape();
        return Autograd.record(op, out, g -> new Tensor[] {scatterBack(op, g, inShape, reduced, locate(x, plan, max))}, x);
    }

    private static Tensor argExtreme(String op, Tensor x, Integer dim, boolean keepdim, boolean max) {
        ReducePlan plan = dim == null ? plan(op, x, null, true, false) : plan(op, x, new int[] {dim}, false, keepdim);
        if (plan.count() > MAX_EXACT_INDEX) {
            throw new IllegalArgumentException(op + ": " + plan.count() + " candidates (shape "
                    + Shape.toString(x.shape()) + ") exceed 2^24, the largest index float32 holds exactly");
        }
        long[] flat = locate(x, plan, max);
        Tensor out = Tensor.empty(plan.outShape());
        MemorySegment ys = out.segment();
        for (int i = 0; i < flat.length; i++) {
            ys.setAtIndex(ValueLayout.JAVA_FLOAT, out.offset() + i, (float) flat[i]);
        }
        return out;
    }

    /**
     * Returns, for every output element in row-major order, the row-major index among its reduced
     * elements of the first extreme (the first NaN if any).
     */
    static long[] locate(Tensor x, ReducePlan plan, boolean max) {
        long outputs = Shape.numel(plan.outShape());
        if (outputs > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("locate: too many output elements: " + outputs);
        }
        long[] flat = new long[(int) outputs];
        MemorySegment xs = x.segment();
        long rs = plan.runStride();
        long rl = plan.runLength();
        Loop loop = plan.outputLoop(0L);
        long os = loop.innerStride(0);
        long is = loop.innerStride(1);
        loop.run((off, n) -> {
            for (long j = 0; j < n; j++) {
                long base = off[1] + j * is;
                long bestIndex = 0;
                float best = Float.NaN;
                for (long q = 0; q < plan.runs(); q++) {
                    long at = base + plan.runOffset(q);
                    long i = max ? Reduce.argmax(xs, at, rs, rl) : Reduce.argmin(xs, at, rs, rl);
                    float v = xs.getAtIndex(ValueLayout.JAVA_FLOAT, at + i * rs);
                    boolean better = q == 0 || (!Float.isNaN(best) && (Float.isNaN(v) || (max ? v > best : v < best)));
                    if (better) {
                        best = v;
                        bestIndex = q * rl + i;
                    }
                }
                flat[(int) (off[0] + j * os)] = bestIndex;
            }
        }, plan.parallel());
        return flat;
    }

    /** Returns zeros of {@code inShape} holding {@code g}'s elements at the located positions. */
    static Tensor scatterBack(String op, Tensor g, long[] inShape, int[] reducedDims, long[] flat) {
        Tensor gx = Tensor.zeros(inShape);
        ReducePlan gp = ReducePlan.of(op, gx, reducedDims, reducedDims.length == 0, false);
        Tensor gc = g.contiguous();
        MemorySegment gs = gc.segment();
        MemorySegment xs = gx.segment();
        long rs = gp.runStride();
        long rl = gp.runLength();
        Loop loop = gp.outputLoop(0L);
        long os = loop.innerStride(0);
        long is = loop.innerStride(1);
        loop.run((off, n) -> {
            for (long j = 0; j < n; j++) {
                long o = off[0] + j * os;
                long k = flat[(int) o];
                long pos = off[1] + j * is + gp.runOffset(k / rl) + (k % rl) * rs;
                xs.setAtIndex(ValueLayout.JAVA_FLOAT, pos, gs.getAtIndex(ValueLayout.JAVA_FLOAT, gc.offset() + o));
            }
        }, false);
        return gx;
    }
}
