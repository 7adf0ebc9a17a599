package dev.fovea.tensor.functional;

import dev.fovea.simd.gemm.Epilogue;
import dev.fovea.simd.gemm.PackedMatrix;
import dev.fovea.simd.gemm.Sgemm;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.internal.TensorAccess;
import dev.fovea.tensor.ops.Checks;
import java.util.Arrays;

/**
 * A fully connected map {@code y = x W^T + b} with its weight packed once, for inference:
 * {@link Linear#linear} packs the operands on every call, which an inference loop need not pay.
 *
 * <pre>{@code
 * PlannedLinear fc = PlannedLinear.plan(weight, bias, ComputeContext.defaultContext());  // (out, in)
 * Tensor logits = fc.apply(features);                                                  // (*, in) -> (*, out)
 * }</pre>
 *
 * <p>It computes {@code W x^T} with the packed weight as the GEMM's A and the bias added in the
 * epilogue; for one input row that product is the output row, for several it is transposed
 * into place. The values equal {@code Linear.linear(x, weight, bias)} up to float rounding (the
 * same GEMM kernel, the operands swapped). No gradient is recorded; the weights are copied when
 * planning, so later changes to them are not seen. Safe for concurrent use.
 */
public final class PlannedLinear {
    private final PackedMatrix packed;
    private final Tensor bias;
    private final ComputeContext ctx;
    private final int in;
    private final int out;

    private PlannedLinear(PackedMatrix packed, Tensor bias, ComputeContext ctx, int in, int out) {
        this.packed = packed;
        this.bias = bias;
        this.ctx = ctx;
        this.in = in;
        this.out = out;
    }

    /**
     * Packs {@code weight} {@code (out, in)}; {@code bias} {@code (out)} may be null.
     *
     * @throws IllegalArgumentException if the weight is not 2-d, the bias does not fit it, or a
     *     context is missing
     */
    public static PlannedLinear plan(Tensor weight, Tensor bias, ComputeContext ctx) {
        Checks.live("linear", "weight", weight);
        if (weight.rank() != 2 || weight.size(0) > Integer.MAX_VALUE || weight.size(1) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("linear: weight must be 2-d (outFeatures, inFeatures) with sizes below"
                    + " 2^31, got shape " + Shape.toString(weight.shape()));
        }
        int out = (int) weight.size(0);
        int in = (int) weight.size(1);
        if (bias != null && (Checks.live("linear", "bias", bias).rank() != 1 || bias.size(0) != out)) {
            throw new IllegalArgumentException("linear: bias must have shape [" + out + "] (weight "
                    + Shape.toString(weight.shape()) + "), got " + Shape.toString(bias.shape()));
        }
        if (ctx == null) {
            throw new IllegalArgumentException("linear: ctx must not be null");
        }
        Tensor w;
        Tensor b;
        try (var unscoped = Scope.suspend()) {
            w = weight.contiguous();
            b = bias == null ? null : bias.contiguous().clone();
        }
        return new PlannedLinear(PackedMatrix.packA(false, out, in, w.segment(), w.offset(), in), b, ctx, in, out);
    }

    /** Returns the number of input features. */
    public int inFeatures() {
        return in;
    }

    /** Returns the number of output features. */
    public int outFeatures() {
        return out;
    }

    /**
     * Returns {@code input W^T + b} for {@code input} {@code (*, in)}, shaped {@code (*, out)}.
     *
     * @throws IllegalArgumentException if the input's last dim is not {@code in}
     */
    public Tensor apply(Tensor input) {
        Checks.live("linear", "input", input);
        long[] shape = input.shape();
        if (shape.length == 0 || shape[shape.length - 1] != in) {
            throw new IllegalArgumentException("linear: input of shape " + Shape.toString(shape) + " must end in the "
                    + in + " input features of this plan");
        }
        long rowsL = Shape.numel(Arrays.copyOf(shape, shape.length - 1));
        if (rowsL > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("linear: more than 2^31-1 input rows: " + Shape.toString(shape));
        }
        int rows = (int) rowsL;
        long[] outShape = shape.clone();
        outShape[shape.length - 1] = out;
        Tensor x = input.contiguous();
        Epilogue epilogue = bias == null ? Epilogue.NONE : Epilogue.rowBias(bias.segment(), bias.offset());
        if (rows == 1) {
            Tensor y = TensorAccess.get().uninitialized(outShape);
            Sgemm.sgemm(ctx, packed, true, 1, 1f, x.segment(), x.offset(), Math.max(1, in), 0f, y.segment(), y.offset(),
                    1, epilogue);
            return y;
        }
        Tensor yt = TensorAccess.get().uninitialized(new long[] {out, rows});
        if (rows > 0) {
            Sgemm.sgemm(ctx, packed, true, rows, 1f, x.segment(), x.offset(), Math.max(1, in), 0f, yt.segment(),
                    yt.offset(), rows, epilogue);
        }
        return yt.t().contiguous().reshape(outShape);
    }

    @Override
    public String toString() {
        return "PlannedLinear[" + in + " -> " + out + (bias == null ? ", no bias]" : "]");
    }
}
