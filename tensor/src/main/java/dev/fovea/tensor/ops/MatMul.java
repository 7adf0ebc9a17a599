package dev.fovea.tensor.ops;

import dev.fovea.simd.gemm.Epilogue;
import dev.fovea.simd.gemm.Sgemm;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.internal.TensorAccess;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Matrix products with PyTorch's {@code matmul} semantics, computed by {@link Sgemm}.
 *
 * <p>Operands are passed to the kernel as they lie in memory: a matrix whose rows or whose columns
 * are unit-stride goes in directly (as {@code transA}/{@code transB} with a leading dimension), so
 * transposed views cost no copy; only other layouts (e.g. expanded rows) are copied first. Batch
 * dims broadcast, and each run of batch dims with regular strides becomes one
 * {@link Sgemm#sgemmBatched} call (stride 0 for a broadcast operand).
 */
public final class MatMul {
    private MatMul() {}

    /** A stored matrix as the kernel sees it: transposed or not, and its leading dimension. */
    record Layout(boolean trans, int ld) {}

    /** See {@link Tensor#matmul(Tensor)}. */
    public static Tensor matmul(Tensor a, Tensor b) {
        Checks.live("matmul", "input", a);
        Checks.live("matmul", "other", b);
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dim, got shapes "
                    + Shape.toString(a.shape()) + " and " + Shape.toString(b.shape()));
        }
        long ka = a.size(-1);
        long kb = b.rank() == 1 ? b.size(0) : b.size(-2);
        if (ka != kb) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.toString(a.shape()) + " and "
                    + Shape.toString(b.shape()) + " cannot be multiplied: the first has " + ka
                    + " columns (last dim) but the second has " + kb + " rows ("
                    + (b.rank() == 1 ? "its only dim" : "dim -2") + ")");
        }
        if (a.rank() == 1 && b.rank() == 1) {
            return batched(a.unsqueeze(0), b.unsqueeze(1)).reshape();
        }
        if (a.rank() == 1) {
            return batched(a.unsqueeze(0), b).squeeze(-2);
        }
        if (b.rank() == 1) {
            return batched(a, b.unsqueeze(1)).squeeze(-1);
        }
        return batched(a, b);
    }

    /** {@code a [..., M, K] x b [..., K, N]} with broadcast batch dims, recorded for autograd. */
    static Tensor batched(Tensor a, Tensor b) {
        Tensor out = forward(a, b);
        return Autograd.record("matmul", out, g -> new Tensor[] {
            a.requiresGrad() ? Reductions.sumToShape(forward(g, b.transpose(-1, -2)), a.shape()) : null,
            b.requiresGrad() ? Reductions.sumToShape(forward(a.transpose(-1, -2), g), b.shape()) : null}, a, b);
    }

    private static Tensor forward(Tensor a, Tensor b) {
        long[] as = a.shape();
        long[] bs = b.shape();
        long m = as[as.length - 2];
        long k = as[as.length - 1];
        long n = bs[bs.length - 1];
        long[] batch = Shape.broadcast("matmul (batch dims)", Arrays.copyOf(as, as.length - 2),
                Arrays.copyOf(bs, bs.length - 2));
        long[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        for (long size : new long[] {m, n, k}) {
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("matmul: matrix dims above 2^31-1 are not supported, got shapes "
                        + Shape.toString(as) + " and " + Shape.toString(bs));
            }
        }
        Tensor out = TensorAccess.get().uninitialized(outShape);
        if (out.numel() == 0) {
            return out;
        }
        if (k == 0) {
            return out.fill(0f);
        }
        Layout la = layout(a);
        Tensor ac = la == null ? Copy.contiguousCopy(a) : a;
        la = la == null ? layout(ac) : la;
        Layout lb = layout(b);
        Tensor bc = lb == null ? Copy.contiguousCopy(b) : b;
        lb = lb == null ? layout(bc) : lb;
        run(ac, la, bc, lb, out, batch, (int) m, (int) n, (int) k);
        return out;
    }

    private static void run(Tensor a, Layout la, Tensor b, Layout lb, Tensor out, long[] batch, int m, int n, int k) {
        long[][] strides = {
            Arrays.copyOf(out.strides(), batch.length),
            batchStrides(a, batch),
            batchStrides(b, batch)};
        Loop loop = Loop.of(batch, new long[] {out.offset(), a.offset(), b.offset()}, strides);
        long sc = loop.innerStride(0);
        long sa = loop.innerStride(1);
        long sb = loop.innerStride(2);
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        MemorySegment cs = out.segment();
        ComputeContext ctx = ComputeContext.current();
        loop.run((off, count) -> Sgemm.sgemmBatched(ctx, Math.toIntExact(count), la.trans(), lb.trans(), m, n, k, 1f,
                as, off[1], la.ld(), sa, bs, off[2], lb.ld(), sb, 0f, cs, off[0], n, sc, Epilogue.NONE), false);
    }

    /** Returns the strides of {@code t}'s batch dims aligned to {@code batch} (0 where broadcast). */
    private static long[] batchStrides(Tensor t, long[] batch) {
        long[] shape = t.shape();
        long[] strides = t.strides();
        long[] out = new long[batch.length];
        int lead = batch.length - (shape.length - 2);
        for (int i = 0; i < batch.length; i++) {
            int j = i - lead;
            out[i] = j < 0 || (shape[j] == 1 && batch[i] != 1) ? 0 : strides[j];
        }
        return out;
    }

    /** Returns how the kernel can read {@code t}'s last two dims in place, or null if they need a copy. */
    static Layout layout(Tensor t) {
        long[] shape = t.shape();
        long[] strides = t.strides();
        long rows = shape[shape.length - 2];
        long cols = shape[shape.length - 1];
        long sr = strides[strides.length - 2];
        long sc = strides[strides.length - 1];
        if ((sc == 1 || cols == 1) && (rows == 1 || sr >= Math.max(1, cols))) {
            return fits(rows == 1 ? Math.max(1, cols) : sr, false);
        }
        if ((sr == 1 || rows == 1) && (cols == 1 || sc >= Math.max(1, rows))) {
            return fits(cols == 1 ? Math.max(1, rows) : sc, true);
        }
        return null;
    }

    private static Layout fits(long ld, boolean trans) {
        return ld <= Integer.MAX_VALUE ? new Layout(trans, (int) ld) : null;
    }
}
