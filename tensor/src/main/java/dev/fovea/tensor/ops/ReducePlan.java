package dev.fovea.tensor.ops;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;

/**
 * The geometry of a reduction of some dims of one tensor.
 *
 * <p>The input's dims split into <em>kept</em> dims (one output element per index) and
 * <em>reduced</em> dims. The reduced dims are merged where their strides allow, into
 * {@link #runs()} runs of {@link #runLength()} elements {@link #runStride()} apart, visited in
 * row-major order of the reduced dims; each run is one kernel call. For a reduction over
 * trailing dims of a contiguous tensor there is a single run per output element.
 */
public final class ReducePlan {
    private final Tensor input;
    private final long[] outShape;
    private final long[] keepShape;
    private final long[] keptShape;
    private final long[] keptStrides;
    private final long[] redShape;
    private final long[] redStrides;
    private final long count;
    private final int[] reducedDims;

    private ReducePlan(Tensor input, boolean[] reduced, boolean keepdim) {
        this.input = input;
        long[] shape = input.shape();
        long[] strides = input.strides();
        int nReduced = 0;
        for (boolean r : reduced) {
            nReduced += r ? 1 : 0;
        }
        keepShape = shape.clone();
        keptShape = new long[shape.length - nReduced];
        keptStrides = new long[keptShape.length];
        long[] rs = new long[nReduced];
        long[] rst = new long[nReduced];
        for (int d = 0, k = 0, r = 0; d < shape.length; d++) {
            if (reduced[d]) {
                keepShape[d] = 1;
                rs[r] = shape[d];
                rst[r++] = strides[d];
            } else {
                keptShape[k] = shape[d];
                keptStrides[k++] = strides[d];
            }
        }
        reducedDims = new int[nReduced];
        for (int d = 0, r = 0; d < shape.length; d++) {
            if (reduced[d]) {
                reducedDims[r++] = d;
            }
        }
        outShape = keepdim ? keepShape.clone() : keptShape.clone();
        count = Shape.numel(rs);
        Loop merged = Loop.of(rs, new long[] {0}, new long[][] {rst});
        redShape = merged.shape();
        redStrides = merged.strides(0);
    }

    /**
     * Plans reducing {@code dims} of {@code x} (all dims when {@code all} or when {@code dims} is
     * empty, as PyTorch does for an empty dim list).
     *
     * @throws IllegalArgumentException if a dim is out of range or repeated
     */
    public static ReducePlan of(String op, Tensor x, int[] dims, boolean all, boolean keepdim) {
        Checks.live(op, "input", x);
        long[] shape = x.shape();
        boolean[] mask;
        if (all || dims == null || dims.length == 0) {
            mask = new boolean[shape.length];
            Arrays.fill(mask, true);
        } else {
            mask = Shape.dimMask(op, dims, shape);
        }
        return new ReducePlan(x, mask, keepdim);
    }

    /** Returns the output shape. */
    public long[] outShape() {
        return outShape.clone();
    }

    /** Returns the input shape with every reduced dim set to 1 (the keepdim output shape). */
    public long[] keepShape() {
        return keepShape.clone();
    }

    /** Returns the reduced dims of the input, ascending (all of them for a full reduction). */
    public int[] reducedDims() {
        return reducedDims.clone();
    }

    /** Returns the number of input elements reduced into each output element. */
    public long count() {
        return count;
    }

    /** Returns the number of runs per output element. */
    public long runs() {
        return count == 0 ? 0 : count / runLength();
    }

    /** Returns the length of each run. */
    public long runLength() {
        return redShape[redShape.length - 1];
    }

    /** Returns the element stride within a run. */
    public long runStride() {
        return redStrides[redStrides.length - 1];
    }

    /** Returns the offset of run {@code q} relative to its output element's base offset. */
    public long runOffset(long q) {
        long off = 0;
        for (int d = redShape.length - 2; d >= 0; d--) {
            off += (q % redShape[d]) * redStrides[d];
            q /= redShape[d];
        }
        return off;
    }

    /**
     * Returns a loop over output elements: operand 0 is {@code out} (contiguous, of
     * {@link #outShape()}), operand 1 the input offset where that element's reduction starts.
     */
    public Loop outputLoop(Tensor out) {
        return outputLoop(out.offset());
    }

    /** As {@link #outputLoop(Tensor)} for an output whose first element is at {@code outOffset}. */
    public Loop outputLoop(long outOffset) {
        long[] outStrides = Shape.contiguousStrides(keptShape);
        return Loop.of(keptShape, new long[] {outOffset, input.offset()}, new long[][] {outStrides, keptStrides});
    }

    /**
     * Returns true when reducing row by row is the better order: output elements are contiguous in
     * both the output and the input (so a kernel can combine whole rows), the reduced elements are
     * not, and there are few enough of them that float accumulation along them stays accurate.
     */
    public boolean rowwise(Loop outputs) {
        return outputs.innerStride(0) == 1 && outputs.innerStride(1) == 1 && outputs.innerLength() >= 8
                && runStride() != 1 && count <= 4096 && count > 0;
    }

    /** Returns whether the loop over outputs should use threads: when the input is large. */
    public boolean parallel() {
        return input.numel() >= Loop.PARALLEL_MIN_ELEMENTS;
    }
}
