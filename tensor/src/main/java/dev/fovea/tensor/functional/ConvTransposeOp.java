package dev.fovea.tensor.functional;

import dev.fovea.simd.conv.ConvTranspose;
import dev.fovea.simd.conv.ConvTransposeSpec;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.ops.Checks;
import java.lang.foreign.MemorySegment;

/**
 * The transposed convolution op behind {@link F}: validates the tensors against each other,
 * builds the {@link ConvTransposeSpec}, runs {@link ConvTranspose} forward and records the
 * backward (input, weight and bias gradients from one plan).
 */
final class ConvTransposeOp {
    private ConvTransposeOp() {}

    /** {@code conv_transpose<dims>d(input, weight, bias)}; input may be unbatched ({@code dims + 1} dims). */
    static Tensor convTranspose(int dims, Tensor input, Tensor weight, Tensor bias, ConvTransposeOptions options) {
        String op = "convTranspose" + dims + "d";
        Checks.live(op, "input", input);
        Checks.live(op, "weight", weight);
        if (bias != null) {
            Checks.live(op, "bias", bias);
        }
        if (options == null) {
            throw new IllegalArgumentException(op + ": options must not be null (use ConvTransposeOptions.DEFAULT)");
        }
        if (input.rank() == dims + 1) {
            return convTranspose(dims, input.unsqueeze(0), weight, bias, options).squeeze(0);
        }
        if (input.rank() != dims + 2) {
            throw new IllegalArgumentException(op + ": input must have " + (dims + 2) + " dims (n, channels, "
                    + ConvOp.spatialNames(dims) + ") or " + (dims + 1) + " unbatched, got shape "
                    + Shape.toString(input.shape()));
        }
        ConvTransposeSpec spec = spec(op, dims, input.shape(), weight.shape(), bias == null ? null : bias.shape(),
                options);
        Tensor x = input.contiguous();
        Tensor w = weight.contiguous();
        Tensor b = bias == null ? null : bias.contiguous();
        Tensor out = Tensor.empty(outputShape(spec));
        if (out.numel() > 0) {
            ConvTranspose.forward(spec, x.segment(), x.offset(), w.segment(), w.offset(),
                    b == null ? null : b.segment(), b == null ? 0 : b.offset(), out.segment(), out.offset(),
                    ComputeContext.current());
        }
        return Autograd.record(op, out, g -> backward(spec, x, w, b, g), x, w, b);
    }

    /** Checks the shapes against each other and returns the spec; every message names the argument. */
    private static ConvTransposeSpec spec(String op, int dims, long[] in, long[] ws, long[] bs,
                                          ConvTransposeOptions o) {
        if (ws.length != dims + 2) {
            throw new IllegalArgumentException(op + ": weight must have " + (dims + 2) + " dims (inC, outC / groups, "
                    + ConvOp.spatialNames(dims) + "), got shape " + Shape.toString(ws));
        }
        ConvOp.intSizes(op, in, ws);
        int groups = o.groups();
        if (ws[0] != in[1]) {
            throw new IllegalArgumentException(op + ": weight " + Shape.toString(ws) + " has " + ws[0]
                    + " input channels (dim 0), but input " + Shape.toString(in) + " has " + in[1] + " (dim 1)");
        }
        if (in[1] % groups != 0) {
            throw new IllegalArgumentException(op + ": groups=" + groups + " must divide the input's " + in[1]
                    + " channels (input " + Shape.toString(in) + ")");
        }
        long outC = ws[1] * groups;
        if (bs != null && (bs.length != 1 || bs[0] != outC)) {
            throw new IllegalArgumentException(op + ": bias must have shape [" + outC + "] (one per output channel:"
                    + " weight " + Shape.toString(ws) + " dim 1 times groups=" + groups + "), got "
                    + Shape.toString(bs));
        }
        int[] size = new int[dims];
        int[] kernel = new int[dims];
        for (int d = 0; d < dims; d++) {
            size[d] = (int) in[2 + d];
            kernel[d] = (int) ws[2 + d];
        }
        try {
            return ConvTransposeSpec.builder(dims).n((int) in[0]).inC((int) in[1]).outC((int) outC).groups(groups)
                    .input(size).kernel(kernel).stride(o.stride()).dilation(o.dilation()).padding(o.padding())
                    .outputPadding(o.outputPadding()).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (input " + Shape.toString(in) + ", weight "
                    + Shape.toString(ws) + ", " + o + ")", e);
        }
    }

    /** {@code (n, outC, out...)}. */
    private static long[] outputShape(ConvTransposeSpec s) {
        long[] shape = new long[2 + s.dims()];
        shape[0] = s.n();
        shape[1] = s.outC();
        for (int d = 0; d < s.dims(); d++) {
            shape[2 + d] = s.out(3 - s.dims() + d);
        }
        return shape;
    }

    /** The gradients of input, weight and bias (null where not required) from the output's gradient {@code g}. */
    private static Tensor[] backward(ConvTransposeSpec spec, Tensor x, Tensor w, Tensor b, Tensor g) {
        Tensor gc = g.contiguous();
        MemorySegment gs = gc.segment();
        Tensor dx = null;
        Tensor dw = null;
        Tensor db = null;
        ComputeContext ctx = ComputeContext.current();
        if (x.requiresGrad() || w.requiresGrad()) {
            try (ConvTranspose.Plan plan = ConvTranspose.plan(spec)) {
                if (x.requiresGrad()) {
                    dx = Tensor.empty(x.shape());
                    plan.backwardData(gs, gc.offset(), w.segment(), w.offset(), dx.segment(), dx.offset(), ctx);
                }
                if (w.requiresGrad()) {
                    dw = Tensor.empty(w.shape());
                    plan.backwardWeight(x.segment(), x.offset(), gs, gc.offset(), dw.segment(), dw.offset(), ctx);
                }
            }
        }
        if (b != null && b.requiresGrad()) {
            db = Tensor.empty(spec.outC());
            ConvTranspose.backwardBias(spec, gs, gc.offset(), db.segment(), db.offset());
        }
        return new Tensor[] {dx, dw, db};
    }
}
