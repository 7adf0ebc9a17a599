package dev.fovea.onnx;

import static dev.fovea.onnx.Kernels.floats;
import static dev.fovea.onnx.Kernels.one;
import static dev.fovea.onnx.Kernels.present;

import dev.fovea.onnx.Kernels.Kernel;
import dev.fovea.simd.conv.Padding;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import dev.fovea.tensor.functional.ConvOptions;
import dev.fovea.tensor.functional.ConvTransposeOptions;
import dev.fovea.tensor.functional.F;
import dev.fovea.tensor.functional.Linear;
import dev.fovea.tensor.functional.MaxPoolResult;
import dev.fovea.tensor.functional.Normalization;
import dev.fovea.tensor.functional.PlannedConv;
import dev.fovea.tensor.functional.PlannedLinear;
import dev.fovea.tensor.functional.PoolOptions;
import dev.fovea.tensor.functional.Resampling;
import java.util.Arrays;
import java.util.Map;

/**
 * Kernels of the network layers: convolutions, pooling, Gemm/MatMul, normalizations, softmax and
 * dropout, mapped onto Fovea's functional ops with ONNX's attribute defaults.
 */
final class NnKernels {
    private NnKernels() {
    }

    static void register(Map<String, Kernel> k, Map<String, Kernels.PlannedKernel> planned) {
        planned.put("Conv", NnKernels::conv);
        k.put("ConvTranspose", NnKernels::convTranspose);
        k.put("MaxPool", NnKernels::maxPool);
        k.put("AveragePool", NnKernels::averagePool);
        k.put("LpPool", NnKernels::lpPool);
        k.put("GlobalAveragePool", (n, in) -> one(global(floats(n, in, 0), false)));
        k.put("GlobalMaxPool", (n, in) -> one(global(floats(n, in, 0), true)));
        planned.put("Gemm", NnKernels::gemm);
        k.put("MatMul", (n, in) -> one(floats(n, in, 0).matmul(floats(n, in, 1))));
        k.put("BatchNormalization", NnKernels::batchNorm);
        k.put("InstanceNormalization", (n, in) -> one(Normalization.instanceNorm(floats(n, in, 0), null, null,
                floats(n, in, 1), floats(n, in, 2), true, 0.1, n.getFloat("epsilon", 1e-5f))));
        k.put("LRN", NnKernels::lrn);
        k.put("Softmax", (n, in) -> one(softmax(n, floats(n, in, 0), false)));
        k.put("LogSoftmax", (n, in) -> one(softmax(n, floats(n, in, 0), true)));
        k.put("Dropout", NnKernels::dropout);
    }

    // ---- convolution ------------------------------------------------------------------------

    /** Spatial geometry of a conv or pool node: kernel, strides, dilations and per-side pads. */
    private record Geometry(int[] kernel, int[] stride, int[] dilation, int[] begin, int[] end) {
    }

    private static Geometry geometry(Node n, long[] inShape, int[] kernel, boolean dilationInSame) {
        int s = inShape.length - 2;
        if (s < 1) {
            throw new OnnxException(n + ": input must be (N, C, spatial...), got shape " + Arrays.toString(inShape));
        }
        if (kernel.length != s) {
            throw new OnnxException(n + ": kernel_shape " + Arrays.toString(kernel) + " has " + kernel.length
                    + " dims, the input " + Arrays.toString(inShape) + " has " + s + " spatial dims");
        }
        int[] stride = ints(n, "strides", s, 1);
        int[] dilation = ints(n, "dilations", s, 1);
        int[] begin = new int[s];
        int[] end = new int[s];
        String autoPad = n.getString("auto_pad", "NOTSET");
        switch (autoPad) {
            case "NOTSET" -> {
                long[] pads = n.getInts("pads");
                if (pads != null) {
                    if (pads.length != 2 * s) {
                        throw new OnnxException(n + ": pads " + Arrays.toString(pads) + " must have 2 x " + s
                                + " values (all begins, then all ends)");
                    }
                    for (int i = 0; i < s; i++) {
                        begin[i] = Math.toIntExact(pads[i]);
                        end[i] = Math.toIntExact(pads[s + i]);
                        if (begin[i] < 0 || end[i] < 0) {
                            throw new OnnxException(n + ": pads " + Arrays.toString(pads) + " must be >= 0");
                        }
                    }
                }
            }
            case "VALID" -> { }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int i = 0; i < s; i++) {
                    long in = inShape[i + 2];
                    long out = (in + stride[i] - 1) / stride[i];
                    long extent = (long) (dilationInSame ? dilation[i] : 1) * (kernel[i] - 1) + 1;
                    int total = (int) Math.max(0, (out - 1) * stride[i] + extent - in);
                    int small = total / 2;
                    begin[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    end[i] = total - begin[i];
                }
            }
            default -> throw new OnnxException(n + ": auto_pad '" + autoPad
                    + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        }
        return new Geometry(kernel, stride, dilation, begin, end);
    }

    private static int[] ints(Node n, String attribute, int count, int fallback) {
        long[] v = n.getInts(attribute);
        int[] out = new int[count];
        if (v == null) {
            Arrays.fill(out, fallback);
            return out;
        }
        if (v.length != count) {
            throw new OnnxException(n + ": " + attribute + " " + Arrays.toString(v) + " must have " + count
                    + " values, one per spatial dim");
        }
        for (int i = 0; i < count; i++) {
            if (v[i] < 1 || v[i] > Integer.MAX_VALUE) {
                throw new OnnxException(n + ": " + attribute + " " + Arrays.toString(v) + " must be >= 1");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    private static int[] kernelOf(Node n, Tensor w) {
        long[] ks = n.getInts("kernel_shape");
        long[] shape = w.shape();
        int[] kernel = new int[shape.length - 2];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = (int) shape[i + 2];
        }
        if (ks != null && !Arrays.equals(Shapes.toInts(ks, "kernel_shape", n), kernel)) {
            throw new OnnxException(n + ": kernel_shape " + Arrays.toString(ks) + " does not match the weight's shape "
                    + Arrays.toString(shape));
        }
        return kernel;
    }

    /**
     * True if a plan for node {@code n} may be kept in {@code state}: every input after the first
     * (the weights and the bias, where given) is a graph constant, the same in every run.
     */
    private static boolean plannable(RunState state, Node n) {
        if (state == null) {
            return false;
        }
        // inputs 1 and 2 (weights, bias); a residual the optimizer gave a Conv (input 3) changes each run
        for (int i = 1; i < Math.min(n.inputs.size(), 3); i++) {
            if (!n.input(i).isEmpty() && !state.isConstant(n.input(i))) {
                return false;
            }
        }
        return true;
    }

    /** A conv node's plan, valid while its input shape and its (constant) weight and bias tensors are the same. */
    record CachedConv(Tensor weight, Tensor bias, PlannedConv plan) {
        boolean fits(Tensor w, Tensor b, Tensor x) {
            return weight == w && bias == b && plan.accepts(x.shape());
        }
    }

    /**
     * Conv: with a run state and constant weights, planned once per input shape (weights packed or
     * Winograd-transformed once, workspace kept) and the plan reused by later runs; otherwise
     * planned on each call by {@link F#conv2d} and its siblings.
     */
    private static OnnxValue[] conv(Node n, OnnxValue[] in, RunState state) {
        Tensor x = floats(n, in, 0);
        Tensor w = floats(n, in, 1);
        Tensor b = present(in, 2) ? floats(n, in, 2) : null;
        // a residual Add the graph optimizer fused into this node, added before the activation
        Tensor r = present(in, 3) ? floats(n, in, 3) : null;
        boolean cacheable = plannable(state, n);
        if (cacheable && state.get(n) instanceof CachedConv c && c.fits(w, b, x)) {
            return one(applyPlanned(n, c.plan(), x, w, b, r));
        }
        if (w.rank() != x.rank()) {
            throw new OnnxException(n + ": weight " + Arrays.toString(w.shape()) + " and input "
                    + Arrays.toString(x.shape()) + " must have the same rank");
        }
        Geometry g = geometry(n, x.shape(), kernelOf(n, w), true);
        ConvOptions o = ConvOptions.DEFAULT.stride(g.stride).dilation(g.dilation).padding(g.begin, g.end)
                .groups((int) n.getInt("group", 1));
        ActivationFunction act = n.fusedActivation;
        if (act != null) {
            o = o.activation(act);
        }
        if (cacheable && x.rank() >= 3 && x.rank() <= 5) {
            PlannedConv plan = PlannedConv.plan(x.rank() - 2, x.shape(), w, b, o, ComputeContext.current());
            state.put(n, new CachedConv(w, b, plan));
            return one(applyPlanned(n, plan, x, w, b, r));
        }
        return one(r == null ? convolve(n, x, w, b, o) : addThenActivate(convolve(n, x, w, b, o.activation(null)), r, act));
    }

    /**
     * The planned convolution of {@code x}, plus the residual {@code r} (null: none) before the
     * activation: in the plan's output pass when {@code r} has the output's shape, else (an Add
     * that broadcasts) convolution, Add and activation one after the other.
     */
    private static Tensor applyPlanned(Node n, PlannedConv plan, Tensor x, Tensor w, Tensor b, Tensor r) {
        if (r == null) {
            return plan.apply(x);
        }
        if (Arrays.equals(r.shape(), plan.outputShape())) {
            return plan.apply(x, r);
        }
        Geometry g = geometry(n, x.shape(), kernelOf(n, w), true);
        ConvOptions o = ConvOptions.DEFAULT.stride(g.stride).dilation(g.dilation).padding(g.begin, g.end)
                .groups((int) n.getInt("group", 1));
        return addThenActivate(convolve(n, x, w, b, o), r, n.fusedActivation);
    }

    private static Tensor addThenActivate(Tensor y, Tensor r, ActivationFunction act) {
        Tensor sum = y.add(r);
        return act == null ? sum : Activations.activation(sum, act);
    }

    private static Tensor convolve(Node n, Tensor x, Tensor w, Tensor b, ConvOptions o) {
        return switch (x.rank()) {
            case 3 -> F.conv1d(x, w, b, o);
            case 4 -> F.conv2d(x, w, b, o);
            case 5 -> F.conv3d(x, w, b, o);
            default -> throw new OnnxException(n + ": Fovea runs 1-d, 2-d and 3-d convolutions; input has shape "
                    + Arrays.toString(x.shape()));
        };
    }

    private static OnnxValue[] convTranspose(Node n, OnnxValue[] in) {
        Tensor x = floats(n, in, 0);
        Tensor w = floats(n, in, 1);
        Tensor b = present(in, 2) ? floats(n, in, 2) : null;
        int s = x.rank() - 2;
        if (s < 1 || s > 3 || w.rank() != x.rank()) {
            throw new OnnxException(n + ": input " + Arrays.toString(x.shape()) + " and weight "
                    + Arrays.toString(w.shape()) + " must both be 3-d, 4-d or 5-d");
        }
        int[] kernel = kernelOf(n, w);
        int[] stride = ints(n, "strides", s, 1);
        int[] dilation = ints(n, "dilations", s, 1);
        int[] outPad = new int[s];
        long[] op = n.getInts("output_padding");
        if (op != null) {
            outPad = Shapes.toInts(op, "output_padding", n);
            if (outPad.length != s) {
                throw new OnnxException(n + ": output_padding " + Arrays.toString(op) + " must have " + s + " values");
            }
        }
        int[] begin = new int[s];
        int[] end = new int[s];
        long[] full = new long[s];
        for (int i = 0; i < s; i++) {
            full[i] = (long) stride[i] * (x.size(i + 2) - 1) + (long) dilation[i] * (kernel[i] - 1) + 1 + outPad[i];
        }
        long[] outputShape = n.getInts("output_shape");
        String autoPad = n.getString("auto_pad", "NOTSET");
        if (outputShape != null) {
            long[] target = outputShape.length == s + 2 ? Arrays.copyOfRange(outputShape, 2, s + 2) : outputShape;
            if (target.length != s) {
                throw new OnnxException(n + ": output_shape " + Arrays.toString(outputShape) + " must have " + s
                        + " spatial values");
            }
            for (int i = 0; i < s; i++) {
                long total = full[i] - target[i];
                // ONNX: SAME_UPPER puts the smaller half first, otherwise the larger; a negative total
                // (output_shape beyond the full output) extends the end, as output_padding does.
                int half = (int) Math.floorDiv(total, 2);
                begin[i] = autoPad.equals("SAME_UPPER") ? half : (int) total - half;
                end[i] = (int) total - begin[i];
            }
        } else if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
            for (int i = 0; i < s; i++) {
                long total = full[i] - x.size(i + 2) * stride[i];
                int small = (int) (Math.max(0, total) / 2);
                begin[i] = autoPad.equals("SAME_UPPER") ? small : (int) total - small;
                end[i] = (int) total - begin[i];
            }
        } else if (autoPad.equals("NOTSET")) {
            long[] pads = n.getInts("pads");
            if (pads != null) {
                if (pads.length != 2 * s) {
                    throw new OnnxException(n + ": pads " + Arrays.toString(pads) + " must have 2 x " + s + " values");
                }
                for (int i = 0; i < s; i++) {
                    begin[i] = Math.toIntExact(pads[i]);
                    end[i] = Math.toIntExact(pads[s + i]);
                }
            }
        } else if (!autoPad.equals("VALID")) {
            throw new OnnxException(n + ": auto_pad '" + autoPad + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER,"
                    + " VALID");
        }
        int groups = (int) n.getInt("group", 1);
        boolean symmetric = Arrays.equals(begin, end);
        boolean outPadFits = true;
        for (int i = 0; i < s; i++) {
            outPadFits &= outPad[i] < Math.max(stride[i], dilation[i]);
        }
        if (symmetric && outPadFits) {
            ConvTransposeOptions o = ConvTransposeOptions.DEFAULT.stride(stride).dilation(dilation).padding(begin)
                    .outputPadding(outPad).groups(groups);
            return one(convTranspose(x, w, b, o));
        }
        // Asymmetric pads (or an output padding PyTorch would refuse): the full result, then crop.
        ConvTransposeOptions o = ConvTransposeOptions.DEFAULT.stride(stride).dilation(dilation).groups(groups);
        Tensor y = convTranspose(x, w, null, o);
        long[] pad = new long[2 * s];
        for (int i = 0; i < s; i++) {
            pad[2 * (s - 1 - i)] = -begin[i];
            pad[2 * (s - 1 - i) + 1] = outPad[i] - end[i];
        }
        y = Resampling.pad(y, pad);
        if (b != null) {
            long[] bs = new long[y.rank()];
            Arrays.fill(bs, 1);
            bs[1] = b.numel();
            y = y.add(b.reshape(bs));
        }
        return one(y);
    }

    private static Tensor convTranspose(Tensor x, Tensor w, Tensor b, ConvTransposeOptions o) {
        return switch (x.rank()) {
            case 3 -> F.convTranspose1d(x, w, b, o);
            case 4 -> F.convTranspose2d(x, w, b, o);
            default -> F.convTranspose3d(x, w, b, o);
        };
    }

    // ---- pooling ----------------------------------------------------------------------------

    /**
     * A pooling node's options, and whether its padding must be applied beforehand: Fovea's pool
     * kernels (like PyTorch's) take padding up to half the kernel, ONNX any amount.
     */
    record Pool(PoolOptions options, PoolOptions unpadded, int[] begin, int[] end, boolean prePad) {
        /** Returns {@code x} with the pads applied, each dim's pair in Fovea's last-dim-first order. */
        Tensor padded(Tensor x, float value) {
            int s = begin.length;
            long[] pairs = new long[2 * s];
            for (int i = 0; i < s; i++) {
                pairs[2 * (s - 1 - i)] = begin[i];
                pairs[2 * (s - 1 - i) + 1] = end[i];
            }
            return Resampling.pad(x, pairs, "constant", value);
        }
    }

    static Pool pool(Node n, Tensor x, boolean dilationAllowed) {
        long[] ks = n.requireInts("kernel_shape");
        Geometry g = geometry(n, x.shape(), Shapes.toInts(ks, "kernel_shape", n), dilationAllowed);
        if (x.rank() > 5) {
            throw new OnnxException(n + ": Fovea pools 1 to 3 spatial dims; input has shape "
                    + Arrays.toString(x.shape()));
        }
        boolean prePad = false;
        for (int i = 0; i < g.kernel.length; i++) {
            prePad |= g.begin[i] > g.kernel[i] / 2 || g.end[i] > g.kernel[i] / 2;
        }
        PoolOptions base = PoolOptions.kernel(g.kernel).stride(g.stride).ceilMode(n.getInt("ceil_mode", 0) != 0);
        if (dilationAllowed) {
            base = base.dilation(g.dilation);
        }
        return new Pool(base.padding(Padding.of(g.begin, g.end)), base, g.begin, g.end, prePad);
    }

    private static Tensor maxPool(int dims, Tensor x, PoolOptions o) {
        return switch (dims) {
            case 1 -> F.maxPool1d(x, o);
            case 2 -> F.maxPool2d(x, o);
            default -> F.maxPool3d(x, o);
        };
    }

    private static Tensor avgPool(int dims, Tensor x, PoolOptions o) {
        return switch (dims) {
            case 1 -> F.avgPool1d(x, o);
            case 2 -> F.avgPool2d(x, o);
            default -> F.avgPool3d(x, o);
        };
    }

    private static OnnxValue[] maxPool(Node n, OnnxValue[] in) {
        Tensor x = floats(n, in, 0);
        Pool p = pool(n, x, true);
        boolean columnMajor = n.getInt("storage_order", 0) != 0;
        if (columnMajor && x.rank() != 4) {
            throw new OnnxException(n + ": storage_order 1 (column-major indices) is defined for 2-d pooling;"
                    + " input has shape " + Arrays.toString(x.shape()));
        }
        int dims = x.rank() - 2;
        boolean indices = n.outputs.size() >= 2 && !n.outputs.get(1).isEmpty();
        if (!indices) {
            return one(p.prePad ? maxPool(dims, p.padded(x, Float.NEGATIVE_INFINITY), p.unpadded)
                    : maxPool(dims, x, p.options));
        }
        if (p.prePad) {
            throw new OnnxException(n + ": indices with padding larger than half the kernel are not supported");
        }
        MaxPoolResult r = F.maxPoolWithIndices(dims, x, p.options);
        // Fovea's indices count within each (n, c) plane; ONNX's count over the whole tensor.
        float[] idx = r.indices().contiguous().toArray();
        long[] shape = r.values().shape();
        long plane = 1;
        for (int i = 2; i < x.rank(); i++) {
            plane *= x.size(i);
        }
        long outPlane = idx.length / Math.max(1, shape[0] * shape[1]);
        long[] out = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            long q = (long) idx[i];
            if (columnMajor) {
                q = q / x.size(3) + (q % x.size(3)) * x.size(2);
            }
            out[i] = q + (i / outPlane) * plane;
        }
        return new OnnxValue[] {OnnxValue.of(r.values()), OnnxValue.wrapLongs(ElementType.INT64, out, shape)};
    }

    private static OnnxValue[] averagePool(Node n, OnnxValue[] in) {
        Tensor x = floats(n, in, 0);
        Pool p = pool(n, x, n.opset >= 19);
        boolean includePad = n.getInt("count_include_pad", 0) != 0;
        int dims = x.rank() - 2;
        if (!p.prePad) {
            return one(avgPool(dims, x, p.options.countIncludePad(includePad)));
        }
        PoolOptions o = p.unpadded.countIncludePad(true);
        Tensor sums = avgPool(dims, p.padded(x, 0f), o);
        if (includePad) {
            return one(sums);
        }
        // Excluding the pads: the mean over the padded input, divided by the share of real elements.
        Tensor share = avgPool(dims, p.padded(Tensor.ones(x.shape()), 0f), o);
        return one(sums.div(share));
    }

    private static OnnxValue[] lpPool(Node n, OnnxValue[] in) {
        Tensor x = floats(n, in, 0);
        PoolOptions o = pool(n, x, n.opset >= 18).options;
        float p = n.getInt("p", 2);
        return one(switch (x.rank() - 2) {
            case 1 -> F.lpPool1d(x, p, o);
            case 2 -> F.lpPool2d(x, p, o);
            default -> throw new OnnxException(n + ": LpPool runs on 1-d and 2-d inputs; got shape "
                    + Arrays.toString(x.shape()));
        });
    }

    private static Tensor global(Tensor x, boolean max) {
        if (x.rank() < 3) {
            throw new IllegalArgumentException("input must be (N, C, spatial...), got " + Arrays.toString(x.shape()));
        }
        Tensor y = max ? F.globalMaxPool(x) : F.globalAvgPool(x);
        long[] shape = x.shape();
        for (int i = 2; i < shape.length; i++) {
            shape[i] = 1;
        }
        return y.reshape(shape);
    }

    // ---- Gemm, normalization, softmax, dropout ----------------------------------------------

    /** A Gemm node's packed weight, valid while its (constant) weight and bias tensors are the same. */
    record CachedLinear(Tensor weight, Tensor bias, PlannedLinear plan) {
    }

    /**
     * Gemm: the fully connected form ({@code x W^T + b}) with constant weights is packed once per
     * run state and reused; other forms run {@link Linear#linear} or matmul on each call.
     */
    private static OnnxValue[] gemm(Node n, OnnxValue[] in, RunState state) {
        Tensor a = floats(n, in, 0);
        Tensor b = floats(n, in, 1);
        Tensor c = present(in, 2) ? floats(n, in, 2) : null;
        float alpha = n.getFloat("alpha", 1f);
        float beta = n.getFloat("beta", 1f);
        boolean ta = n.getInt("transA", 0) != 0;
        boolean tb = n.getInt("transB", 0) != 0;
        if (a.rank() != 2 || b.rank() != 2) {
            throw new OnnxException(n + ": A " + Arrays.toString(a.shape()) + " and B " + Arrays.toString(b.shape())
                    + " must be 2-d");
        }
        if (!ta && tb && alpha == 1f && (c == null || (beta == 1f && c.rank() == 1 && c.size(0) == b.size(0)))) {
            // x W^T + b: the fully connected layer
            if (plannable(state, n)) {
                PlannedLinear plan = state.get(n) instanceof CachedLinear cl && cl.weight() == b && cl.bias() == c
                        ? cl.plan() : null;
                if (plan == null) {
                    plan = PlannedLinear.plan(b, c, n.fusedActivation, ComputeContext.current());
                    state.put(n, new CachedLinear(b, c, plan));
                }
                return one(plan.apply(a));
            }
            return one(activated(n, Linear.linear(a, b, c)));
        }
        Tensor y = (ta ? a.t() : a).matmul(tb ? b.t() : b);
        if (alpha != 1f) {
            y = y.mul(alpha);
        }
        if (c != null && beta != 0f) {
            y = y.add(beta == 1f ? c : c.mul(beta));
        }
        return one(activated(n, y));
    }

    /** Returns {@code y} with the node's fused activation applied (the Gemm forms without an epilogue). */
    private static Tensor activated(Node n, Tensor y) {
        return n.fusedActivation == null ? y : Activations.activation(y, n.fusedActivation);
    }

    private static OnnxValue[] batchNorm(Node n, OnnxValue[] in) {
        if (n.getInt("training_mode", 0) != 0 || (n.opset >= 14 && n.outputs.size() > 1)) {
            throw new OnnxException(n + ": training-mode batch normalization is not supported (inference only)");
        }
        if (n.opset < 9 && n.getInt("spatial", 1) == 0) {
            throw new OnnxException(n + ": spatial=0 (statistics per element) is not supported");
        }
        Tensor x = floats(n, in, 0);
        return one(Normalization.batchNorm(x, floats(n, in, 3), floats(n, in, 4), floats(n, in, 1), floats(n, in, 2),
                false, 0.1, n.getFloat("epsilon", 1e-5f)));
    }

    private static OnnxValue[] lrn(Node n, OnnxValue[] in) {
        long size = n.getInt("size", -1);
        if (size < 1) {
            throw new OnnxException(n + ": attribute 'size' is required and must be >= 1");
        }
        return one(Normalization.localResponseNorm(floats(n, in, 0), (int) size, n.getFloat("alpha", 1e-4f),
                n.getFloat("beta", 0.75f), n.getFloat("bias", 1f)));
    }

    private static Tensor softmax(Node n, Tensor x, boolean log) {
        long axisAttr = n.getInt("axis", n.opset >= 13 ? -1 : 1);
        if (x.rank() == 0) {
            throw new OnnxException(n + ": input must have at least one dim");
        }
        int axis = Shapes.axis(axisAttr, x.rank(), n);
        if (n.opset >= 13) {
            return log ? Activations.logSoftmax(x, axis) : Activations.softmax(x, axis);
        }
        // Before opset 13: the input is flattened to 2-d at axis, normalised over the second dim.
        long rows = 1;
        for (int i = 0; i < axis; i++) {
            rows *= x.size(i);
        }
        Tensor flat = x.reshape(rows, x.numel() / Math.max(1, rows));
        Tensor y = log ? Activations.logSoftmax(flat, 1) : Activations.softmax(flat, 1);
        return y.reshape(x.shape());
    }

    private static OnnxValue[] dropout(Node n, OnnxValue[] in) {
        if (present(in, 2) && Kernels.scalar(n, in, 2) != 0) {
            throw new OnnxException(n + ": training_mode true is not supported (inference only)");
        }
        OnnxValue x = Kernels.value(n, in, 0);
        if (n.outputs.size() < 2 || n.outputs.get(1).isEmpty()) {
            return one(x);
        }
        long[] mask = new long[(int) x.numel()];
        Arrays.fill(mask, 1);
        return new OnnxValue[] {x, OnnxValue.wrapLongs(ElementType.BOOL, mask, x.shape())};
    }
}
