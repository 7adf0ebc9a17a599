package dev.fovea.tensor.functional;

import dev.fovea.simd.conv.Conv;
import dev.fovea.simd.conv.ConvBackward;
import dev.fovea.simd.conv.ConvSpec;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.internal.TensorAccess;
import dev.fovea.tensor.ops.Checks;
import java.lang.foreign.MemorySegment;

/**
 * The convolution op behind {@link F}: validates the tensors against each other, builds the
 * {@link ConvSpec}, runs the forward through {@link Conv#plan} and records the backward.
 *
 * <p>The backward pass lives in one method, {@link #backward}, which calls the
 * GEMM-based gradients of {@link ConvBackward} (checked against ConvNaive's reference in simd).
 */
final class ConvOp {
    private ConvOp() {}

    /** {@code conv<dims>d(input, weight, bias)}; input may be unbatched ({@code dims + 1} dims). */
    static Tensor conv(int dims, Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        String op = "conv" + dims + "d";
        Checks.live(op, "input", input);
        Checks.live(op, "weight", weight);
        if (bias != null) {
            Checks.live(op, "bias", bias);
        }
        if (options == null) {
            throw new IllegalArgumentException(op + ": options must not be null (use ConvOptions.DEFAULT)");
        }
        if (input.rank() == dims + 1) {
            return conv(dims, input.unsqueeze(0), weight, bias, options).squeeze(0);
        }
        if (input.rank() != dims + 2) {
            throw new IllegalArgumentException(op + ": input must have " + (dims + 2) + " dims (n, channels, "
                    + spatialNames(dims) + ") or " + (dims + 1) + " unbatched, got shape " + Shape.toString(input.shape()));
        }
        ConvSpec spec = spec(op, dims, input.shape(), weight.shape(), bias == null ? null : bias.shape(), options);
        Tensor x = input.contiguous();
        Tensor w = weight.contiguous();
        Tensor b = bias == null ? null : bias.contiguous();
        ActivationFunction activation = options.activation();
        // The activation is fused into the convolution's output pass unless its gradient is recorded.
        boolean fuse = activation != null && !Autograd.isRecording(x, w, b);
        Tensor out = TensorAccess.get().uninitialized(spec.outputShape());
        if (out.numel() > 0) {
            Conv.plan(spec, w.segment(), w.offset(), options.policy(), ComputeContext.current())
                    .execute(x.segment(), x.offset(), b == null ? null : b.segment(), b == null ? 0 : b.offset(),
                            out.segment(), out.offset(), fuse ? activation : null);
        }
        Tensor y = Autograd.record(op, out, g -> backward(spec, x, w, b, g), x, w, b);
        return activation == null || fuse ? y : Activations.activation(y, activation);
    }

    /**
     * Checks the shapes against each other and returns the spec; every message names the
     * argument. Shared with {@link PlannedConv}.
     */
    static ConvSpec spec(String op, int dims, long[] in, long[] ws, long[] bs, ConvOptions o) {
        if (ws.length != dims + 2) {
            throw new IllegalArgumentException(op + ": weight must have " + (dims + 2) + " dims (outC, inC / groups, "
                    + spatialNames(dims) + "), got shape " + Shape.toString(ws));
        }
        intSizes(op, in, ws);
        int groups = o.groups();
        if (in[1] % groups != 0 || ws[1] * groups != in[1]) {
            throw new IllegalArgumentException(op + ": weight " + Shape.toString(ws) + " has " + ws[1]
                    + " input channels per group (dim 1), so with groups=" + groups + " the input needs "
                    + ws[1] * groups + " channels (dim 1), but input " + Shape.toString(in) + " has " + in[1]);
        }
        if (ws[0] % groups != 0 || ws[0] == 0) {
            throw new IllegalArgumentException(op + ": weight " + Shape.toString(ws) + " has " + ws[0]
                    + " output channels (dim 0), which must be a positive multiple of groups=" + groups);
        }
        if (bs != null && (bs.length != 1 || bs[0] != ws[0])) {
            throw new IllegalArgumentException(op + ": bias must have shape [" + ws[0] + "] (one per output channel"
                    + " of weight " + Shape.toString(ws) + "), got " + Shape.toString(bs));
        }
        int[] size = new int[dims];
        int[] kernel = new int[dims];
        for (int d = 0; d < dims; d++) {
            size[d] = (int) in[2 + d];
            kernel[d] = (int) ws[2 + d];
        }
        try {
            return ConvSpec.builder(dims).n((int) in[0]).inC((int) in[1]).outC((int) ws[0]).groups(groups)
                    .input(size).kernel(kernel).stride(o.stride()).dilation(o.dilation()).padding(o.padding())
                    .paddingMode(o.paddingMode()).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (input " + Shape.toString(in) + ", weight "
                    + Shape.toString(ws) + ", " + o + ")", e);
        }
    }

    /**
     * The vector-Jacobian product: gradients of input, weight and bias (null where not required)
     * from the output's gradient {@code g}. The single place that chooses the backward kernels.
     */
    private static Tensor[] backward(ConvSpec spec, Tensor x, Tensor w, Tensor b, Tensor g) {
        Tensor gc = g.contiguous();
        MemorySegment gs = gc.segment();
        Tensor dx = null;
        Tensor dw = null;
        Tensor db = null;
        ComputeContext ctx = ComputeContext.current();
        if (x.requiresGrad() || w.requiresGrad()) {
            // One plan, one column buffer for both GEMM-based gradients.
            try (ConvBackward.Plan plan = ConvBackward.plan(spec)) {
                if (x.requiresGrad()) {
                    dx = TensorAccess.get().uninitialized(spec.inputShape());
                    plan.data(gs, gc.offset(), w.segment(), w.offset(), dx.segment(), dx.offset(), ctx);
                }
                if (w.requiresGrad()) {
                    dw = TensorAccess.get().uninitialized(spec.weightShape());
                    plan.weight(x.segment(), x.offset(), gs, gc.offset(), dw.segment(), dw.offset(), ctx);
                }
            }
        }
        if (b != null && b.requiresGrad()) {
            db = TensorAccess.get().uninitialized(new long[] {spec.outC()});
            ConvBackward.bias(spec, gs, gc.offset(), db.segment(), db.offset());
        }
        return new Tensor[] {dx, dw, db};
    }

    /** Throws unless every size of {@code in} and {@code ws} fits an int; shared with {@link ConvTransposeOp}. */
    static void intSizes(String op, long[] in, long[] ws) {
        for (long[] shape : new long[][] {in, ws}) {
            for (long s : shape) {
                if (s > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(op + ": sizes above 2^31-1 are not supported, got input "
                            + Shape.toString(in) + " and weight " + Shape.toString(ws));
                }
            }
        }
    }

    /** The names of the spatial axes, for messages; shared with {@link ConvTransposeOp}. */
    static String spatialNames(int dims) {
        return switch (dims) {
            case 1 -> "width";
            case 2 -> "height, width";
            default -> "depth, height, width";
        };
    }
}
