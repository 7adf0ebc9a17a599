package dev.fovea.tensor.ops;

import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.simd.eltwise.Eltwise;
import dev.fovea.simd.reduce.Reduce;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Sum, mean and variance over any dims, and {@link #sumToShape}, which reduces broadcast
 * gradients back to an input's shape.
 *
 * <p><b>Accumulation order.</b> Each output element is computed by one thread, so results do not
 * depend on the thread count. Usually each run of reduced elements is one {@link Reduce#sum} call
 * (its blocked order and error bound apply) and runs are combined in double. When the output
 * elements are contiguous and the reduced ones are not (e.g. summing {@code [N, C]} over dim 0,
 * with {@code N <= 4096}), whole rows are added with {@link Eltwise#binary} in float, in order of
 * the reduced index.
 */
public final class Reductions {
    private Reductions() {}

    /** See {@link Tensor#sum(int[], boolean)}. */
    public static Tensor sum(Tensor x, int[] dims, boolean all, boolean keepdim) {
        ReducePlan plan = ReducePlan.of("sum", x, dims, all, keepdim);
        Tensor out = sumKernel(x, plan, 1.0);
        long[] keep = plan.keepShape();
        long[] inShape = x.shape();
        return Autograd.record("sum", out, g -> new Tensor[] {expandBack(g, keep, inShape)}, x);
    }

    /** See {@link Tensor#mean(int[], boolean)}. */
    public static Tensor mean(Tensor x, int[] dims, boolean all, boolean keepdim) {
        ReducePlan plan = ReducePlan.of("mean", x, dims, all, keepdim);
        Tensor out = sumKernel(x, plan, 1.0 / plan.count());
        float scale = 1f / plan.count();
        long[] keep = plan.keepShape();
        long[] inShape = x.shape();
        return Autograd.record("mean", out, g -> new Tensor[] {expandBack(g.mul(scale), keep, inShape)}, x);
    }

    /** See {@link Tensor#var(int[], boolean, boolean)}. */
    public static Tensor var(Tensor x, int[] dims, boolean all, boolean unbiased, boolean keepdim) {
        ReducePlan plan = ReducePlan.of("var", x, dims, all, keepdim);
        long dof = Math.max(0, plan.count() - (unbiased ? 1 : 0));
        Tensor mean = sumKernel(x, plan, 1.0 / plan.count());
        Tensor out = Tensor.empty(plan.outShape());
        MemorySegment xs = x.segment();
        MemorySegment ms = mean.segment();
        MemorySegment ys = out.segment();
        long rs = plan.runStride();
        long rl = plan.runLength();
        Loop loop = plan.outputLoop(out);
        long os = loop.innerStride(0);
        long is = loop.innerStride(1);
        loop.run((off, n) -> {
            for (long j = 0; j < n; j++) {
                long o = off[0] + j * os;
                long base = off[1] + j * is;
                float m = ms.getAtIndex(ValueLayout.JAVA_FLOAT, o);
                double ssd = 0;
                for (long q = 0; q < plan.runs(); q++) {
                    ssd += Reduce.sumSquaredDeviations(xs, base + plan.runOffset(q), rs, rl, m);
                }
                ys.setAtIndex(ValueLayout.JAVA_FLOAT, o, (float) (ssd / dof));
            }
        }, plan.parallel());
        float scale = 2f / dof;
        int[] allDims = plan.reducedDims();
        return Autograd.record("var", out, g -> {
            Tensor centered = x.sub(x.mean(allDims, true));
            return new Tensor[] {centered.mul(expandBack(g, plan.keepShape(), x.shape())).mul(scale)};
        }, x);
    }

    /** Sums the reduced elements of every output element, times {@code scale}, into a new tensor. */
    static Tensor sumKernel(Tensor x, ReducePlan plan, double scale) {
        Tensor out = Tensor.empty(plan.outShape());
        MemorySegment xs = x.segment();
        MemorySegment ys = out.segment();
        Loop loop = plan.outputLoop(out);
        if (plan.rowwise(loop)) {
            Rowwise.reduce(BinaryOp.ADD, xs, ys, plan, loop);
            if (scale != 1.0) {
                Eltwise.binaryScalar(BinaryOp.MUL, ys, out.offset(), 1, (float) scale, ys, out.offset(), 1, out.numel());
            }
            return out;
        }
        long rs = plan.runStride();
        long rl = plan.runLength();
        long os = loop.innerStride(0);
        long is = loop.innerStride(1);
        loop.run((off, n) -> {
            for (long j = 0; j < n; j++) {
                long base = off[1] + j * is;
                double acc = 0;
                for (long q = 0; q < plan.runs(); q++) {
                    acc += Reduce.sum(xs, base + plan.runOffset(q), rs, rl);
                }
                ys.setAtIndex(ValueLayout.JAVA_FLOAT, off[0] + j * os, (float) (acc * scale));
            }
        }, plan.parallel());
        return out;
    }

    /** Returns {@code g} (a reduction's output) reshaped to {@code keepShape} and broadcast back to {@code inShape}. */
    static Tensor expandBack(Tensor g, long[] keepShape, long[] inShape) {
        return g.reshape(keepShape).expand(inShape);
    }

    /**
     * Sums {@code g} over the dims in which {@code shape} was broadcast to {@code g}'s shape, so that
     * the result has {@code shape}; returns {@code g} itself when the shapes are equal.
     *
     * @throws IllegalArgumentException if {@code shape} does not broadcast to {@code g}'s shape
     */
    public static Tensor sumToShape(Tensor g, long[] shape) {
        long[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        if (!Arrays.equals(Shape.broadcast("sumToShape", gs, shape), gs)) {
            throw new IllegalArgumentException("sumToShape: shape " + Shape.toString(shape)
                    + " does not broadcast to the gradient's shape " + Shape.toString(gs));
        }
        int lead = gs.length - shape.length;
        int[] dims = new int[gs.length];
        int n = 0;
        for (int d = 0; d < gs.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && gs[d] != 1)) {
                dims[n++] = d;
            }
        }
        Tensor summed = n == 0 ? g : g.sum(Arrays.copyOf(dims, n), true);
        return summed.reshape(shape);
    }
}
