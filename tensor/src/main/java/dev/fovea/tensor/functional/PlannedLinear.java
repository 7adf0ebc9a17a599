package dev.fovea.tensor.functional;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.Eltwise;
import dev.fovea.simd.gemm.Activation;
import dev.fovea.simd.gemm.Epilogue;
import dev.fovea.simd.gemm.PackedMatrix;
import dev.fovea.simd.gemm.Sgemm;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.internal.TensorAccess;
import dev.fovea.tensor.ops.Checks;
import java.lang.foreign.MemorySegment;
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
 * same GEMM kernel, the operands swapped). An activation given when planning is applied in the
 * same epilogue (the ONNX session fuses a Gemm's ReLU this way). No gradient is recorded; the
 * weights are copied when planning, so later changes to them are not seen. Safe for concurrent
 * use.
 */
public final class PlannedLinear {
    private final PackedMatrix packed;
    private final Tensor bias;
    private final ComputeContext ctx;
    private final int in;
    private final int out;
    /** The bias and activation of every GEMM of this plan (made once: a call allocates nothing for it). */
    private final Epilogue epilogue;

    private PlannedLinear(PackedMatrix packed, Tensor bias, ActivationFunction activation, ComputeContext ctx, int in,
                          int out) {
        this.packed = packed;
        this.bias = bias;
        this.ctx = ctx;
        this.in = in;
        this.out = out;
        Epilogue e = bias == null ? Epilogue.NONE : Epilogue.rowBias(bias.segment(), bias.offset());
        this.epilogue = activation == null ? e : e.withActivation(Activation.of(activation));
    }

    /**
     * Packs {@code weight} {@code (out, in)}; {@code bias} {@code (out)} may be null.
     *
     * @throws IllegalArgumentException if the weight is not 2-d, the bias does not fit it, or a
     *     context is missing
     */
    public static PlannedLinear plan(Tensor weight, Tensor bias, ComputeContext ctx) {
        return plan(weight, bias, null, ctx);
    }

    /**
     * As {@link #plan(Tensor, Tensor, ComputeContext)}, with {@code activation} (null for none)
     * applied to every output in the GEMM's epilogue: {@code y = activation(x W^T + b)}.
     *
     * @throws IllegalArgumentException as {@link #plan(Tensor, Tensor, ComputeContext)}
     */
    public static PlannedLinear plan(Tensor weight, Tensor bias, ActivationFunction activation, ComputeContext ctx) {
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
        return new PlannedLinear(PackedMatrix.packA(false, out, in, w.segment(), w.offset(), in), b, activation, ctx,
                in, out);
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

    /**
     * Checks the tensors once and returns {@code output = input W^T + b} (activation applied) as a
     * task that allocates nothing when run: for a graph whose tensors stay the same from run to
     * run (an inference session's compiled graph). Several input rows are computed as
     * {@code W input^T} into a workspace made here and copied out transposed. The task reads
     * whatever {@code input} holds when it runs; both tensors must stay alive while it is used,
     * and one task must not run on two threads at once (its workspace).
     *
     * @throws IllegalArgumentException if {@code input} is not a contiguous {@code (rows, in)}
     *     tensor or {@code output} not a contiguous {@code (rows, out)} one
     */
    public Runnable bind(Tensor input, Tensor output) {
        Checks.live("linear", "input", input);
        Checks.live("linear", "output", output);
        if (input.rank() != 2 || input.size(1) != in || !input.isContiguous() || input.size(0) > Integer.MAX_VALUE
                || output.rank() != 2 || output.size(0) != input.size(0) || output.size(1) != out
                || !output.isContiguous()) {
            throw new IllegalArgumentException("linear: a bound input must be a contiguous (rows, " + in + ") tensor and"
                    + " the output a contiguous (rows, " + out + ") one; got input " + Shape.toString(input.shape())
                    + (input.isContiguous() ? "" : " (non-contiguous)") + " and output " + Shape.toString(output.shape())
                    + (output.isContiguous() ? "" : " (non-contiguous)"));
        }
        int rows = (int) input.size(0);
        MemorySegment x = input.segment();
        long xOff = input.offset();
        MemorySegment y = output.segment();
        long yOff = output.offset();
        if (rows == 0) {
            return () -> { };
        }
        if (rows == 1) {
            return () -> Sgemm.sgemm(ctx, packed, true, 1, 1f, x, xOff, Math.max(1, in), 0f, y, yOff, 1, epilogue);
        }
        Tensor yt;
        try (var unscoped = Scope.suspend()) {
            yt = Tensor.empty(out, rows);
        }
        MemorySegment t = yt.segment();
        long tOff = yt.offset();
        return () -> {
            Sgemm.sgemm(ctx, packed, true, rows, 1f, x, xOff, Math.max(1, in), 0f, t, tOff, rows, epilogue);
            for (int r = 0; r < rows; r++) {
                Eltwise.copy(t, tOff + r, rows, y, yOff + (long) r * out, 1, out);
            }
        };
    }

    @Override
    public String toString() {
        return "PlannedLinear[" + in + " -> " + out + (bias == null ? ", no bias]" : "]");
    }
}
