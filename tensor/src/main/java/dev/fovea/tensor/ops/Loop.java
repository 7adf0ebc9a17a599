package dev.fovea.tensor.ops;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Tensor;

/**
 * Walks several operands over one logical shape and calls a kernel once per innermost run, the
 * way every elementwise op reaches the {@code simd} kernels.
 *
 * <p>Planning drops size-1 dims and merges adjacent dims that are contiguous with each other in
 * every operand, so dense and simply broadcast operands become one long run. Broadcast operands
 * have stride 0 in the dims they repeat. Operand 0 is the output by convention.
 *
 * <p>{@link #run} splits the runs over {@link ComputeContext#current()}'s threads when there
 * are at least {@value #PARALLEL_MIN_ELEMENTS} elements, cutting long runs into chunks when there
 * are few of them. Bodies must write only the outputs at the offsets they are given, so results do
 * not depend on the thread count.
 */
public final class Loop {
    /** Smallest element count worth spreading over threads (128 KiB of floats). */
    public static final long PARALLEL_MIN_ELEMENTS = 1L << 15;
    /** Smallest piece a long run is cut into when there are fewer runs than threads. */
    static final long MIN_CHUNK = 4096;

    /** Receives one run: the offset of its first element in each operand, and its length. */
    @FunctionalInterface
    public interface Body {
        /** Processes {@code n} elements; {@code offsets} is reused after the call returns. */
        void run(long[] offsets, long n);
    }

    private final long[] shape;
    private final long[][] strides;
    private final long[] offsets;
    private final long numel;

    private Loop(long[] shape, long[][] strides, long[] offsets, long numel) {
        this.shape = shape;
        this.strides = strides;
        this.offsets = offsets;
        this.numel = numel;
    }

    /** Plans a loop over {@code shape} where operand 0 is {@code out} and the others broadcast to it. */
    public static Loop over(long[] shape, Tensor out, Tensor... inputs) {
        long[][] strides = new long[inputs.length + 1][];
        long[] offsets = new long[inputs.length + 1];
        strides[0] = broadcastStrides(out, shape);
        offsets[0] = out.offset();
        for (int i = 0; i < inputs.length; i++) {
            strides[i + 1] = broadcastStrides(inputs[i], shape);
            offsets[i + 1] = inputs[i].offset();
        }
        return of(shape, offsets, strides);
    }

    /** Returns {@code t}'s strides aligned to {@code shape} (right-aligned), 0 where it broadcasts. */
    public static long[] broadcastStrides(Tensor t, long[] shape) {
        long[] ts = t.shape();
        long[] st = t.strides();
        long[] out = new long[shape.length];
        int lead = shape.length - ts.length;
        for (int i = 0; i < shape.length; i++) {
            int j = i - lead;
            out[i] = j < 0 || (ts[j] == 1 && shape[i] != 1) ? 0 : st[j];
        }
        return out;
    }

    /** Plans a loop over {@code shape} with explicit per-operand base offsets and strides. */
    public static Loop of(long[] shape, long[] offsets, long[][] strides) {
        int ops = strides.length;
        long numel = 1;
        for (long s : shape) {
            numel *= s;
        }
        long[] cs = new long[Math.max(shape.length, 1)];
        long[][] cst = new long[ops][cs.length];
        int r = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (r > 0 && mergeable(strides, d, cst, cs, r - 1)) {
                cs[r - 1] *= shape[d];
                continue;
            }
            cs[r] = shape[d];
            for (int k = 0; k < ops; k++) {
                cst[k][r] = strides[k][d];
            }
            r++;
        }
        if (r == 0) {
            cs[0] = numel == 0 ? 0 : 1;
            r = 1;
        }
        long[] outShape = new long[r];
        long[][] outStrides = new long[ops][r];
        for (int i = 0; i < r; i++) {
            outShape[i] = cs[r - 1 - i];
            for (int k = 0; k < ops; k++) {
                outStrides[k][i] = cst[k][r - 1 - i];
            }
        }
        return new Loop(outShape, outStrides, offsets.clone(), numel);
    }

    private static boolean mergeable(long[][] strides, int d, long[][] cst, long[] cs, int inner) {
        for (int k = 0; k < strides.length; k++) {
            if (strides[k][d] != cst[k][inner] * cs[inner]) {
                return false;
            }
        }
        return true;
    }

    /** Returns the stride of operand {@code operand} along the innermost (run) dim. */
    public long innerStride(int operand) {
        return strides[operand][shape.length - 1];
    }

    /** Returns the length of a full innermost run. */
    public long innerLength() {
        return shape[shape.length - 1];
    }

    /** Returns a copy of the merged shape (outermost first, at least one dim). */
    long[] shape() {
        return shape.clone();
    }

    /** Returns a copy of operand {@code operand}'s merged strides. */
    long[] strides(int operand) {
        return strides[operand].clone();
    }

    /** Returns the number of merged dims (at least 1). */
    public int rank() {
        return shape.length;
    }

    /** Returns the number of elements the loop covers. */
    public long numel() {
        return numel;
    }

    /** Runs {@code body} over every run, in parallel when the loop is large. */
    public void run(Body body) {
        run(body, numel >= PARALLEL_MIN_ELEMENTS);
    }

    /** Runs {@code body} over every run, spread over threads only if {@code parallel}. */
    public void run(Body body, boolean parallel) {
        if (numel == 0) {
            return;
        }
        long inner = innerLength();
        long rows = numel / inner;
        ComputeContext ctx = ComputeContext.current();
        int threads = parallel ? ctx.threads() : 1;
        long chunksPerRow = 1;
        if (threads > 1 && rows < 4L * threads) {
            chunksPerRow = Math.max(1, Math.min(Math.ceilDiv(4L * threads, rows), inner / MIN_CHUNK));
        }
        // chunks start on 64-byte boundaries of contiguous runs (16 floats)
        long chunk = Math.ceilDiv(Math.ceilDiv(inner, chunksPerRow), 16) * 16;
        long perRow = Math.ceilDiv(inner, chunk);
        long items = rows * perRow;
        int parts = (int) Math.min(threads, items);
        if (parts <= 1) {
            runItems(0, items, perRow, chunk, body);
            return;
        }
        ctx.run(parts, (p, ps) -> runItems(items * p / ps, items * (p + 1) / ps, perRow, chunk, body));
    }

    private void runItems(long begin, long end, long perRow, long chunk, Body body) {
        if (begin >= end) {
            return;
        }
        int ops = offsets.length;
        int outer = shape.length - 1;
        long[] index = new long[outer];
        long[] base = new long[ops];
        long[] off = new long[ops];
        long row = begin / perRow;
        seekRow(row, index, base);
        long inner = innerLength();
        for (long item = begin; item < end; item++) {
            long r = item / perRow;
            if (r != row) {
                nextRow(index, base);
                row = r;
            }
            long start = (item % perRow) * chunk;
            long len = Math.min(chunk, inner - start);
            for (int k = 0; k < ops; k++) {
                off[k] = base[k] + start * strides[k][outer];
            }
            body.run(off, len);
        }
    }

    private void seekRow(long row, long[] index, long[] base) {
        for (int k = 0; k < base.length; k++) {
            base[k] = offsets[k];
        }
        for (int d = index.length - 1; d >= 0; d--) {
            index[d] = row % shape[d];
            row /= shape[d];
            for (int k = 0; k < base.length; k++) {
                base[k] += index[d] * strides[k][d];
            }
        }
    }

    private void nextRow(long[] index, long[] base) {
        for (int d = index.length - 1; d >= 0; d--) {
            index[d]++;
            for (int k = 0; k < base.length; k++) {
                base[k] += strides[k][d];
            }
            if (index[d] < shape[d]) {
                return;
            }
            for (int k = 0; k < base.length; k++) {
                base[k] -= shape[d] * strides[k][d];
            }
            index[d] = 0;
        }
    }
}
