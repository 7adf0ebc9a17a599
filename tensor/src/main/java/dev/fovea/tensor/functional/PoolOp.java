package dev.fovea.tensor.functional;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.pool.AdaptivePoolSpec;
import dev.fovea.simd.pool.Pool;
import dev.fovea.simd.pool.PoolSpec;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.internal.TensorAccess;
import dev.fovea.tensor.ops.Checks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The pooling ops behind {@link F}: validate the tensors, build the {@link PoolSpec} or
 * {@link AdaptivePoolSpec}, run the forward through {@link Pool} and record the backward. Max
 * pooling keeps int32 argmax indices for its backward only when it records one; otherwise it runs
 * the faster value-only kernels.
 */
final class PoolOp {
    /** Float32 holds every integer up to 2^24 exactly: the limit of a plane whose indices are returned. */
    private static final long MAX_INDEXED_PLANE = 1L << 24;

    private PoolOp() {}

    /** Max pooling; indices are computed when recording a backward or when asked for. */
    static MaxPoolResult max(int dims, Tensor input, PoolOptions o, boolean wantIndices) {
        String op = "max_pool" + dims + "d";
        Tensor x = batched(op, dims, input, o);
        PoolSpec s = spec(op, dims, x, o);
        Tensor out = TensorAccess.get().uninitialized(s.outputShape());
        boolean indexed = wantIndices || Autograd.isRecording(x);
        // int32 indices in a float tensor's storage: from the scope's pool in a training step, like the output
        Tensor holder = indexed ? TensorAccess.get().uninitialized(new long[] {Math.max(1, s.outputElements())}) : null;
        MemorySegment idx = indexed ? holder.segment() : null;
        long idxOff = indexed ? holder.offset() : 0;
        Pool.maxPool(s, x.segment(), x.offset(), out.segment(), out.offset(), idx, idxOff, ctx());
        Tensor values = Autograd.record(op, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = TensorAccess.get().uninitialized(s.inputShape());
            Pool.maxPoolBackward(s, gc.segment(), gc.offset(), holder.segment(), idxOff, dx.segment(), dx.offset(),
                    ctx());
            return new Tensor[] {dx};
        }, x);
        Tensor indices = wantIndices ? indexTensor(op, idx.asSlice(idxOff * Integer.BYTES), s.outputShape(), s.inPlane())
                : null;
        return unbatched(dims, input, values, indices);
    }

    /** Average pooling. */
    static Tensor avg(int dims, Tensor input, PoolOptions o) {
        String op = "avg_pool" + dims + "d";
        Tensor x = batched(op, dims, input, o);
        PoolSpec s = spec(op, dims, x, o);
        Tensor out = Tensor.empty(s.outputShape());
        Pool.avgPool(s, x.segment(), x.offset(), out.segment(), out.offset(), ctx());
        Tensor y = Autograd.record(op, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(s.inputShape());
            Pool.avgPoolBackward(s, gc.segment(), gc.offset(), dx.segment(), dx.offset(), ctx());
            return new Tensor[] {dx};
        }, x);
        return unbatched(dims, input, y, null).values();
    }

    /** Adaptive max ({@code max}) or average pooling to {@code size} (one value: every axis). */
    static MaxPoolResult adaptive(int dims, boolean max, Tensor input, int[] size, boolean wantIndices) {
        String op = (max ? "adaptive_max_pool" : "adaptive_avg_pool") + dims + "d";
        Tensor x = batched(op, dims, input, size);
        AdaptivePoolSpec s = adaptiveSpec(op, dims, x, size);
        Tensor out = TensorAccess.get().uninitialized(s.outputShape());
        boolean indexed = max && (wantIndices || Autograd.isRecording(x));
        MemorySegment idx = indexed ? ints(s.planes() * s.outPlane()) : null;
        Pool.adaptivePool(s, max, x.segment(), x.offset(), out.segment(), out.offset(), idx, 0, ctx());
        Tensor y = Autograd.record(op, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(s.inputShape());
            if (max) {
                Pool.scatterAdd(s.planes(), s.outPlane(), s.inPlane(), gc.segment(), gc.offset(), idx, 0,
                        dx.segment(), dx.offset(), ctx());
            } else {
                Pool.adaptiveAvgPoolBackward(s, gc.segment(), gc.offset(), dx.segment(), dx.offset(), ctx());
            }
            return new Tensor[] {dx};
        }, x);
        Tensor indices = max && wantIndices ? indexTensor(op, idx, s.outputShape(), s.inPlane()) : null;
        return unbatched(dims, input, y, indices);
    }

    /**
     * Max unpooling: zeros of {@code outputSize} (null: PyTorch's default
     * {@code (in - 1) * stride - padBegin - padEnd + kernel} per axis) with each input element
     * stored at its index.
     */
    static Tensor unpool(int dims, Tensor input, Tensor indices, PoolOptions o, int[] outputSize) {
        String op = "max_unpool" + dims + "d";
        Checks.live(op, "indices", indices);
        Tensor x = batched(op, dims, input, o);
        boolean unbatchedInput = input.rank() == dims + 1;
        Tensor ix = (unbatchedInput ? indices.unsqueeze(0) : indices).contiguous();
        if (!Arrays.equals(ix.shape(), x.shape())) {
            throw new IllegalArgumentException(op + ": indices must have the input's shape "
                    + Shape.toString(input.shape()) + ", got " + Shape.toString(indices.shape()));
        }
        int[] in = spatial(op, x, dims);
        int[] out = outputSize != null ? outputSize.clone() : defaultUnpoolSize(op, dims, in, o);
        if (out.length != dims) {
            throw new IllegalArgumentException(op + ": outputSize needs " + dims + " values, got "
                    + Arrays.toString(outputSize));
        }
        long[] outShape = new long[dims + 2];
        outShape[0] = x.shape()[0];
        outShape[1] = x.shape()[1];
        long outPlane = 1;
        for (int d = 0; d < dims; d++) {
            if (out[d] < 1) {
                throw new IllegalArgumentException(op + ": outputSize must be >= 1, got "
                        + Arrays.toString(out));
            }
            outShape[2 + d] = out[d];
            outPlane *= out[d];
        }
        long planes = x.shape()[0] * x.shape()[1];
        long inPlane = x.numel() / Math.max(1, planes);
        MemorySegment idx = toInts(op, ix, outPlane);
        Tensor y = Tensor.empty(outShape);
        long finalPlane = outPlane;
        Pool.maxUnpool(planes, inPlane, outPlane, x.segment(), x.offset(), idx, 0, y.segment(), y.offset(), ctx());
        Tensor r = Autograd.record(op, y, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(x.shape());
            Pool.gather(planes, finalPlane, inPlane, gc.segment(), gc.offset(), idx, 0, dx.segment(), dx.offset(),
                    ctx());
            return new Tensor[] {dx};
        }, x);
        return unbatchedInput ? r.squeeze(0) : r;
    }

    private static int[] defaultUnpoolSize(String op, int dims, int[] in, PoolOptions o) {
        PoolSpec probe = o.spec(dims, 1, 1, in);
        int[] out = new int[dims];
        for (int d = 0; d < dims; d++) {
            int a = 3 - dims + d;
            out[d] = (in[d] - 1) * probe.stride(a) - probe.padBegin(a) - probe.padEnd(a) + probe.kernel(a);
            if (out[d] < 1) {
                throw new IllegalArgumentException(op + ": the default output size is empty for input "
                        + Arrays.toString(in) + " and " + o + "; pass outputSize");
            }
        }
        return out;
    }

    /** The input as a contiguous batched tensor, checking its rank. */
    private static Tensor batched(String op, int dims, Tensor input, Object options) {
        Checks.live(op, "input", input);
        if (options == null) {
            throw new IllegalArgumentException(op + ": options must not be null");
        }
        if (input.rank() == dims + 1) {
            return input.unsqueeze(0).contiguous();
        }
        if (input.rank() != dims + 2) {
            throw new IllegalArgumentException(op + ": input must have " + (dims + 2) + " dims (n, c, "
                    + spatialNames(dims) + ") or " + (dims + 1) + " unbatched, got shape "
                    + Shape.toString(input.shape()));
        }
        return input.contiguous();
    }

    private static MaxPoolResult unbatched(int dims, Tensor input, Tensor values, Tensor indices) {
        if (input.rank() == dims + 1) {
            return new MaxPoolResult(values.squeeze(0), indices == null ? null : indices.squeeze(0));
        }
        return new MaxPoolResult(values, indices);
    }

    private static PoolSpec spec(String op, int dims, Tensor x, PoolOptions o) {
        int[] size = spatial(op, x, dims);
        try {
            return o.spec(dims, (int) x.shape()[0], (int) x.shape()[1], size);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage() + " (input " + Shape.toString(x.shape())
                    + ", " + o + ")", e);
        }
    }

    private static AdaptivePoolSpec adaptiveSpec(String op, int dims, Tensor x, int[] size) {
        int[] in = spatial(op, x, dims);
        int[] out = new int[dims];
        if (size.length != 1 && size.length != dims) {
            throw new IllegalArgumentException(op + ": output size needs 1 or " + dims + " values, got "
                    + Arrays.toString(size));
        }
        for (int d = 0; d < dims; d++) {
            out[d] = size[size.length == 1 ? 0 : d];
        }
        try {
            return new AdaptivePoolSpec(dims, (int) x.shape()[0], (int) x.shape()[1], in, out);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (input " + Shape.toString(x.shape()) + ")", e);
        }
    }

    private static int[] spatial(String op, Tensor x, int dims) {
        long[] shape = x.shape();
        for (long v : shape) {
            if (v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": sizes above 2^31-1 are not supported, got input "
                        + Shape.toString(shape));
            }
        }
        if (shape[1] < 1) {
            throw new IllegalArgumentException(op + ": input needs at least one channel (dim 1), got shape "
                    + Shape.toString(shape));
        }
        int[] size = new int[dims];
        for (int d = 0; d < dims; d++) {
            size[d] = (int) shape[2 + d];
        }
        return size;
    }

    private static MemorySegment ints(long n) {
        return Arena.ofAuto().allocate(Math.max(1, n) * Integer.BYTES, 64);
    }

    private static Tensor indexTensor(String op, MemorySegment idx, long[] shape, long inPlane) {
        if (inPlane > MAX_INDEXED_PLANE) {
            throw new IllegalArgumentException(op + ": returned indices are float32, exact only for input planes up"
                    + " to 2^24 elements, got " + inPlane);
        }
        Tensor t = Tensor.empty(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.segment().setAtIndex(ValueLayout.JAVA_FLOAT, t.offset() + i, idx.getAtIndex(ValueLayout.JAVA_INT, i));
        }
        return t;
    }

    private static MemorySegment toInts(String op, Tensor indices, long plane) {
        MemorySegment idx = ints(indices.numel());
        for (long i = 0; i < indices.numel(); i++) {
            float v = indices.segment().getAtIndex(ValueLayout.JAVA_FLOAT, indices.offset() + i);
            if (!(v >= 0 && v < plane) || v != Math.rint(v)) {
                throw new IllegalArgumentException(op + ": indices must be whole numbers in [0, " + plane
                        + ") (positions in an output plane), got " + v + " at element " + i);
            }
            idx.setAtIndex(ValueLayout.JAVA_INT, i, (int) v);
        }
        return idx;
    }

    private static ComputeContext ctx() {
        return ComputeContext.current();
    }

    private static String spatialNames(int dims) {
        return switch (dims) {
            case 1 -> "width";
            case 2 -> "height, width";
            default -> "depth, height, width";
        };
    }
}
