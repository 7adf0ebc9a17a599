package dev.fovea.tensor.functional;

import dev.fovea.simd.conv.Conv;
import dev.fovea.simd.conv.ConvPlan;
import dev.fovea.simd.conv.ConvSpec;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.internal.TensorAccess;
import dev.fovea.tensor.ops.Checks;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A convolution planned once for one input shape and fixed weights, for inference: the
 * algorithm is chosen, the weights are packed or Winograd-transformed and the workspace is
 * allocated when the plan is made, so each {@link #apply} only computes. {@link F#conv2d} and its
 * siblings plan on every call, which suits training (the weights change each step) but costs an
 * inference loop the weight transform every time.
 *
 * <pre>{@code
 * PlannedConv conv = PlannedConv.plan(2, new long[] {1, 64, 56, 56}, weight, bias,
 *         ConvOptions.DEFAULT.padding(1), ComputeContext.defaultContext());
 * Tensor y = conv.apply(x);      // x must have shape [1, 64, 56, 56]
 * }</pre>
 *
 * <p>The values equal those of {@code F.conv<dims>d(input, weight, bias, options)} (the same
 * planner, so the same algorithm). No gradient is recorded. The weights must not change while
 * the plan is in use (most algorithms copy them when planning, the naive one reads them on each
 * call): plan again after changing them. <b>Not thread-safe</b>:
 * the plan owns its workspace, so one plan must not run on two threads at once (make one per
 * thread).
 */
public final class PlannedConv {
    private final ConvSpec spec;
    private final ConvPlan plan;
    private final long[] inputShape;
    private final Tensor weight;
    private final Tensor bias;
    private final ConvOptions options;

    private PlannedConv(ConvSpec spec, ConvPlan plan, long[] inputShape, Tensor weight, Tensor bias,
                        ConvOptions options) {
        this.spec = spec;
        this.plan = plan;
        this.inputShape = inputShape;
        this.weight = weight;
        this.bias = bias;
        this.options = options;
    }

    /**
     * Plans {@code conv<dims>d} of inputs shaped {@code inputShape} (batched: {@code dims + 2}
     * dims) with these weights, bias (may be null) and options, running on {@code ctx}.
     *
     * @throws IllegalArgumentException as {@link F#conv2d(Tensor, Tensor, Tensor, ConvOptions)}
     *     for shapes that do not fit each other, or if {@code dims} is not 1, 2 or 3
     */
    public static PlannedConv plan(int dims, long[] inputShape, Tensor weight, Tensor bias, ConvOptions options,
                                   ComputeContext ctx) {
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException("PlannedConv.plan: dims must be 1, 2 or 3, got " + dims);
        }
        String op = "conv" + dims + "d";
        Checks.live(op, "weight", weight);
        if (bias != null) {
            Checks.live(op, "bias", bias);
        }
        if (options == null || ctx == null) {
            throw new IllegalArgumentException(op + ": options and ctx must not be null");
        }
        if (inputShape == null || inputShape.length != dims + 2) {
            throw new IllegalArgumentException(op + ": a planned input shape must have " + (dims + 2) + " dims (n, "
                    + "channels, " + ConvOp.spatialNames(dims) + "), got " + (inputShape == null ? "null"
                    : Shape.toString(inputShape)));
        }
        ConvSpec spec = ConvOp.spec(op, dims, inputShape, weight.shape(), bias == null ? null : bias.shape(), options);
        Tensor w;
        Tensor b;
        // Copies (of non-contiguous weights) must outlive any scope open now: the plan keeps them.
        try (var unscoped = Scope.suspend()) {
            w = weight.contiguous();
            b = bias == null ? null : bias.contiguous();
        }
        ConvPlan plan = Conv.plan(spec, w.segment(), w.offset(), options.policy(), ctx);
        return new PlannedConv(spec, plan, inputShape.clone(), w, b, options);
    }

    /** The spec this plan computes (sizes, padding, the chosen geometry). */
    public ConvSpec spec() {
        return spec;
    }

    /** The wire name of the algorithm that runs, e.g. {@code "winograd-f4x4"}. */
    public String algorithm() {
        return plan.algorithm();
    }

    /** Returns true if this plan computes inputs of exactly this shape. */
    public boolean accepts(long[] shape) {
        return Arrays.equals(inputShape, shape);
    }

    /** Returns the output's shape. */
    public long[] outputShape() {
        return spec.outputShape();
    }

    /**
     * Returns the convolution of {@code input}, with the options' activation applied (fused in
     * the output pass), in a new tensor.
     *
     * @throws IllegalArgumentException if {@code input}'s shape is not the planned one
     */
    public Tensor apply(Tensor input) {
        // Every element is written, so a block reused from a memory pool need not be zeroed first.
        Tensor out = TensorAccess.get().uninitialized(spec.outputShape());
        applyInto(input, out);
        return out;
    }

    /**
     * Returns {@code activation(conv(input) + residual)} in a new tensor: a residual block's
     * convolution, skip connection and activation in one pass over the output (see
     * {@link #applyInto(Tensor, Tensor, Tensor)}).
     *
     * @throws IllegalArgumentException if {@code input}'s shape is not the planned one or
     *     {@code residual}'s is not the output shape
     */
    public Tensor apply(Tensor input, Tensor residual) {
        Tensor out = TensorAccess.get().uninitialized(spec.outputShape());
        applyInto(input, residual, out);
        return out;
    }

    /**
     * Writes the convolution of {@code input} (activation applied) into {@code output}, which
     * must be contiguous, have the {@linkplain #outputShape() output shape} and not overlap the input.
     *
     * @throws IllegalArgumentException if a shape differs from the planned one or {@code output}
     *     is not contiguous
     */
    public void applyInto(Tensor input, Tensor output) {
        applyInto(input, null, output);
    }

    /**
     * Writes {@code activation(conv(input) + residual)} into {@code output}: the options'
     * activation comes after the residual's sum, as in a ResNet block's {@code relu(conv(x) + x)}.
     * The values equal those of {@code apply(input)} without activation, then {@code add(residual)},
     * then the activation, bit for bit; Winograd plans add the residual in their output transform,
     * 1x1 implicit-GEMM plans in their GEMM epilogue, the others in one pass over the output. {@code residual} (null: none) must have the output
     * shape and not overlap {@code output}.
     *
     * @throws IllegalArgumentException if a shape differs from the planned one, {@code output} is
     *     not contiguous, or {@code residual} overlaps {@code output}
     */
    public void applyInto(Tensor input, Tensor residual, Tensor output) {
        String op = "conv" + spec.dims() + "d";
        Checks.live(op, "input", input);
        Checks.live(op, "output", output);
        if (!accepts(input.shape())) {
            throw new IllegalArgumentException(op + ": this plan was made for input shape " + Shape.toString(inputShape)
                    + ", got " + Shape.toString(input.shape()));
        }
        checkOutput(op, output);
        checkResidual(op, residual);
        if (output.numel() == 0) {
            return;
        }
        Tensor x = input.contiguous();
        Tensor r = residual == null ? null : residual.contiguous();
        plan.execute(x.segment(), x.offset(), bias == null ? null : bias.segment(), bias == null ? 0 : bias.offset(),
                r == null ? null : r.segment(), r == null ? 0 : r.offset(), output.segment(), output.offset(),
                options.activation());
    }

    /**
     * Checks {@code input} and {@code output} as {@link #applyInto} does, once, and returns the
     * convolution of the one into the other as a task that allocates nothing when run: for a
     * graph whose tensors stay the same from run to run (an inference session's compiled graph).
     * The task reads whatever {@code input} holds when it runs; both tensors must stay alive
     * while it is used, and, like the plan, it must not run on two threads at once.
     *
     * @throws IllegalArgumentException as {@link #applyInto}, or if {@code input} is not contiguous
     */
    public Runnable bind(Tensor input, Tensor output) {
        return bind(input, null, output);
    }

    /**
     * As {@link #bind(Tensor, Tensor)}, for {@link #applyInto(Tensor, Tensor, Tensor)}: the task
     * writes {@code activation(conv(input) + residual)} into {@code output}; {@code residual}
     * (null: none) must be a contiguous tensor of the output shape that does not overlap
     * {@code output}, and holds whatever it holds when the task runs.
     *
     * @throws IllegalArgumentException as {@link #bind(Tensor, Tensor)}, or for a residual of another
     *     shape, not contiguous, or overlapping the output
     */
    public Runnable bind(Tensor input, Tensor residual, Tensor output) {
        String op = "conv" + spec.dims() + "d";
        Checks.live(op, "input", input);
        Checks.live(op, "output", output);
        if (!input.isContiguous() || !accepts(input.shape())) {
            throw new IllegalArgumentException(op + ": a bound input must be a contiguous " + Shape.toString(inputShape)
                    + " tensor, got " + (input.isContiguous() ? "" : "non-contiguous ") + Shape.toString(input.shape()));
        }
        checkOutput(op, output);
        checkResidual(op, residual);
        if (residual != null && !residual.isContiguous()) {
            throw new IllegalArgumentException(op + ": a bound residual must be contiguous, got a non-contiguous "
                    + Shape.toString(residual.shape()) + " tensor");
        }
        if (output.numel() == 0) {
            return () -> { };
        }
        MemorySegment in = input.segment();
        long inOff = input.offset();
        MemorySegment biasSeg = bias == null ? null : bias.segment();
        long biasOff = bias == null ? 0 : bias.offset();
        MemorySegment out = output.segment();
        long outOff = output.offset();
        ActivationFunction activation = options.activation();
        if (residual == null) {
            return () -> plan.execute(in, inOff, biasSeg, biasOff, out, outOff, activation);
        }
        MemorySegment res = residual.segment();
        long resOff = residual.offset();
        return () -> plan.execute(in, inOff, biasSeg, biasOff, res, resOff, out, outOff, activation);
    }

    /** Throws unless {@code residual} is null or a live tensor of the output shape. */
    private void checkResidual(String op, Tensor residual) {
        if (residual == null) {
            return;
        }
        Checks.live(op, "residual", residual);
        if (!Arrays.equals(residual.shape(), spec.outputShape())) {
            throw new IllegalArgumentException(op + ": residual must have the output shape "
                    + Shape.toString(spec.outputShape()) + ", got " + Shape.toString(residual.shape()));
        }
    }

    /** Throws unless {@code output} is a contiguous tensor of the output shape. */
    private void checkOutput(String op, Tensor output) {
        if (!Arrays.equals(output.shape(), spec.outputShape()) || !output.isContiguous()) {
            throw new IllegalArgumentException(op + ": output must be a contiguous " + Shape.toString(spec.outputShape())
                    + " tensor, got " + (output.isContiguous() ? "" : "non-contiguous ") + Shape.toString(output.shape()));
        }
    }

    @Override
    public String toString() {
        return "PlannedConv[" + plan.algorithm() + ", input " + Shape.toString(inputShape) + ", weight "
                + Shape.toString(weight.shape()) + ", " + options + "]";
    }
}
