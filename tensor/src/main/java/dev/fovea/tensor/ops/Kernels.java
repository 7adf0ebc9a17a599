package dev.fovea.tensor.ops;

import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.simd.eltwise.Eltwise;
import dev.fovea.simd.eltwise.UnaryOp;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The forward computations of elementwise ops: validate, compute the broadcast shape, allocate a
 * contiguous output, and call one {@link Eltwise} kernel per run of a {@link Loop}. No autograd.
 */
final class Kernels {
    private Kernels() {}

    /** {@code op(a, b)} broadcasting. */
    static Tensor binary(String op, BinaryOp kernel, Tensor a, Tensor b) {
        Checks.live(op, "input", a);
        Checks.live(op, "other", b);
        long[] shape = Shape.broadcast(op, a.shape(), b.shape());
        Tensor out = Tensor.empty(shape);
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        MemorySegment ys = out.segment();
        Loop loop = Loop.over(shape, out, a, b);
        long sy = loop.innerStride(0);
        long sa = loop.innerStride(1);
        long sb = loop.innerStride(2);
        loop.run((off, n) -> Eltwise.binary(kernel, as, off[1], sa, bs, off[2], sb, ys, off[0], sy, n));
        return out;
    }

    /** {@code op(x, s)}. */
    static Tensor binaryScalar(String op, BinaryOp kernel, Tensor x, float s) {
        Checks.live(op, "input", x);
        Tensor out = Tensor.empty(x.shape());
        MemorySegment xs = x.segment();
        MemorySegment ys = out.segment();
        Loop loop = Loop.over(out.shape(), out, x);
        long sy = loop.innerStride(0);
        long sx = loop.innerStride(1);
        loop.run((off, n) -> Eltwise.binaryScalar(kernel, xs, off[1], sx, s, ys, off[0], sy, n));
        return out;
    }

    /** {@code op(x)}. */
    static Tensor unary(String op, UnaryOp kernel, Tensor x) {
        Checks.live(op, "input", x);
        Tensor out = Tensor.empty(x.shape());
        MemorySegment xs = x.segment();
        MemorySegment ys = out.segment();
        Loop loop = Loop.over(out.shape(), out, x);
        long sy = loop.innerStride(0);
        long sx = loop.innerStride(1);
        loop.run((off, n) -> Eltwise.unary(kernel, xs, off[1], sx, ys, off[0], sy, n));
        return out;
    }

    /** {@code clamp(x, lo, hi)}. */
    static Tensor clamp(Tensor x, float lo, float hi) {
        Checks.live("clamp", "input", x);
        Tensor out = Tensor.empty(x.shape());
        MemorySegment xs = x.segment();
        MemorySegment ys = out.segment();
        Loop loop = Loop.over(out.shape(), out, x);
        long sy = loop.innerStride(0);
        long sx = loop.innerStride(1);
        loop.run((off, n) -> Eltwise.clamp(xs, off[1], sx, lo, hi, ys, off[0], sy, n));
        return out;
    }

    /** {@code cond != 0 ? a : b}, broadcasting all three. */
    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Checks.live("where", "condition", cond);
        Checks.live("where", "a", a);
        Checks.live("where", "b", b);
        long[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        Tensor out = Tensor.empty(shape);
        MemorySegment cs = cond.segment();
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        MemorySegment ys = out.segment();
        Loop loop = Loop.over(shape, out, cond, a, b);
        long sy = loop.innerStride(0);
        long sc = loop.innerStride(1);
        long sa = loop.innerStride(2);
        long sb = loop.innerStride(3);
        loop.run((off, n) -> Eltwise.where(cs, off[1], sc, as, off[2], sa, bs, off[3], sb, ys, off[0], sy, n));
        return out;
    }
}
