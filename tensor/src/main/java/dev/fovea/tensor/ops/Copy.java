package dev.fovea.tensor.ops;

import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.simd.eltwise.Eltwise;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Copies and in-place updates; none of these record autograd nodes. */
public final class Copy {
    private Copy() {}

    /** Returns a new contiguous tensor with {@code t}'s values (no autograd). */
    public static Tensor contiguousCopy(Tensor t) {
        Checks.live("contiguous", "input", t);
        Tensor out = Tensor.empty(t.shape());
        copyRuns(t, out);
        return out;
    }

    /** Copies {@code src} into {@code dst} where their shapes are equal; no checks, no autograd. */
    static void copyRuns(Tensor src, Tensor dst) {
        MemorySegment x = src.segment();
        MemorySegment y = dst.segment();
        Loop loop = Loop.over(dst.shape(), dst, src);
        long ys = loop.innerStride(0);
        long xs = loop.innerStride(1);
        loop.run((off, n) -> Eltwise.copy(x, off[1], xs, y, off[0], ys, n));
    }

    /**
     * Copies {@code src}, broadcast to {@code dst}'s shape, into {@code dst}'s elements.
     *
     * @throws IllegalArgumentException if {@code src} does not broadcast to {@code dst}'s shape
     */
    public static void copyInto(String op, Tensor src, Tensor dst) {
        Checks.writable(op, dst);
        Checks.live(op, "src", src);
        requireBroadcastsTo(op, src, dst);
        copyRuns(detachOverlap(src, dst), dst);
    }

    /** Sets every element of {@code dst} to {@code value}. */
    public static void fill(String op, Tensor dst, float value) {
        Checks.writable(op, dst);
        MemorySegment y = dst.segment();
        Loop loop = Loop.over(dst.shape(), dst);
        long ys = loop.innerStride(0);
        loop.run((off, n) -> Eltwise.fill(y, off[0], ys, value, n));
    }

    /** Adds {@code alpha * src} (broadcast to {@code dst}'s shape) to {@code dst}. */
    public static void addInPlace(String op, Tensor dst, Tensor src, float alpha) {
        Checks.writable(op, dst);
        Checks.live(op, "other", src);
        requireBroadcastsTo(op, src, dst);
        Tensor x = detachOverlap(src, dst);
        MemorySegment xs = x.segment();
        MemorySegment y = dst.segment();
        Loop loop = Loop.over(dst.shape(), dst, x);
        long ys = loop.innerStride(0);
        long xst = loop.innerStride(1);
        loop.run((off, n) -> Eltwise.axpy(alpha, xs, off[1], xst, y, off[0], ys, n));
    }

    /** Multiplies every element of {@code dst} by {@code factor}. */
    public static void scaleInPlace(String op, Tensor dst, float factor) {
        Checks.writable(op, dst);
        MemorySegment y = dst.segment();
        Loop loop = Loop.over(dst.shape(), dst);
        long ys = loop.innerStride(0);
        loop.run((off, n) -> Eltwise.binaryScalar(BinaryOp.MUL, y, off[0], ys, factor, y, off[0], ys, n));
    }

    private static void requireBroadcastsTo(String op, Tensor src, Tensor dst) {
        long[] target = dst.shape();
        long[] b = Shape.broadcast(op, target, src.shape());
        if (!Arrays.equals(b, target)) {
            throw new IllegalArgumentException(op + ": source of shape " + Shape.toString(src.shape())
                    + " does not broadcast to the destination shape " + Shape.toString(target));
        }
    }

    /** Returns {@code src}, or a private copy of it when it shares storage with {@code dst} in another layout. */
    private static Tensor detachOverlap(Tensor src, Tensor dst) {
        boolean identical = src.offset() == dst.offset() && Arrays.equals(src.shape(), dst.shape())
                && Arrays.equals(src.strides(), dst.strides());
        return src.sharesStorageWith(dst) && !identical ? contiguousCopy(src) : src;
    }
}
