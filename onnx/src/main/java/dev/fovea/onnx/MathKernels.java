package dev.fovea.onnx;

import static dev.fovea.onnx.Kernels.floats;
import static dev.fovea.onnx.Kernels.one;
import static dev.fovea.onnx.Kernels.present;
import static dev.fovea.onnx.Kernels.value;

import dev.fovea.onnx.Kernels.Kernel;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.ActivationKernels;
import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.simd.eltwise.Eltwise;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.UnaryOperator;

/** Kernels of elementwise math, activations, reductions and casts, for float and integer values. */
final class MathKernels {
    /** Selu's default alpha and gamma (ONNX's attribute defaults, the same as PyTorch's constants). */
    private static final float SELU_ALPHA = 1.67326319217681884765625f;
    private static final float SELU_GAMMA = 1.05070102214813232421875f;

    private MathKernels() {
    }

    static void register(Map<String, Kernel> k) {
        k.put("Relu", unaryFloat(Tensor::relu));
        k.put("Sigmoid", unaryFloat(Tensor::sigmoid));
        k.put("Tanh", unaryFloat(Tensor::tanh));
        k.put("Sqrt", unaryFloat(Tensor::sqrt));
        k.put("Exp", unaryFloat(Tensor::exp));
        k.put("Log", unaryFloat(Tensor::log));
        k.put("HardSwish", unaryFloat(Activations::hardswish));
        k.put("Softplus", unaryFloat(Activations::softplus));
        k.put("Erf", unaryFloat(x -> map(x, MathKernels::erf)));
        k.put("Neg", unary(Tensor::neg, v -> -v));
        k.put("Abs", unary(Tensor::abs, Math::abs));
        k.put("LeakyRelu", (n, in) -> one(Activations.leakyRelu(floats(n, in, 0), n.getFloat("alpha", 0.01f))));
        k.put("Elu", (n, in) -> one(Activations.elu(floats(n, in, 0), n.getFloat("alpha", 1f))));
        k.put("Selu", MathKernels::selu);
        k.put("HardSigmoid", (n, in) -> one(floats(n, in, 0).mul(n.getFloat("alpha", 0.2f))
                .add(n.getFloat("beta", 0.5f)).clamp(0f, 1f)));
        k.put("PRelu", (n, in) -> {
            Tensor x = floats(n, in, 0);
            Tensor slope = floats(n, in, 1);
            if (n.opset < 7 && slope.rank() == 1 && x.rank() > 2 && slope.numel() == x.size(1)) {
                long[] perChannel = new long[x.rank() - 1];
                Arrays.fill(perChannel, 1);
                perChannel[0] = slope.numel();
                slope = slope.reshape(perChannel); // before opset 7: one slope per channel
            }
            return one(x.relu().add(x.clamp(Float.NEGATIVE_INFINITY, 0f).mul(slope)));
        });
        k.put("Clip", MathKernels::clip);
        k.put("Add", binary(Tensor::add, Math::addExact));
        k.put("Sub", binary(Tensor::sub, Math::subtractExact));
        k.put("Mul", binary(Tensor::mul, Math::multiplyExact));
        k.put("Div", binary(Tensor::div, MathKernels::divide));
        k.put("Pow", MathKernels::pow);
        k.put("Sum", variadic(Tensor::add, Math::addExact));
        k.put("Max", variadic(Tensor::maximum, Math::max));
        k.put("Min", variadic(Tensor::minimum, Math::min));
        k.put("Mean", (n, in) -> {
            OnnxValue sum = variadic(Tensor::add, Math::addExact).apply(n, in)[0];
            return one(sum.tensor().div(count(in)));
        });
        k.put("ReduceSum", reduce("sum", 13));
        k.put("ReduceMean", reduce("mean", 18));
        k.put("ReduceMax", reduce("max", 18));
        k.put("Cast", MathKernels::cast);
    }

    /**
     * Relu, Sigmoid, Tanh, HardSwish, LeakyRelu and Elu as compiled steps: the activation kernel
     * the dynamic ops run, over the bound tensors.
     */
    static Step activationStep(Node n, Tensor[] in, Tensor[] out, RunState state) {
        ActivationFunction f = switch (n.opType) {
            case "Relu" -> ActivationFunction.of(ActivationFunction.Kind.RELU);
            case "Sigmoid" -> ActivationFunction.of(ActivationFunction.Kind.SIGMOID);
            case "Tanh" -> ActivationFunction.of(ActivationFunction.Kind.TANH);
            case "HardSwish" -> ActivationFunction.of(ActivationFunction.Kind.HARDSWISH);
            case "LeakyRelu" -> ActivationFunction.leakyRelu(n.getFloat("alpha", 0.01f));
            case "Elu" -> ActivationFunction.elu(n.getFloat("alpha", 1f));
            default -> null;
        };
        if (f == null || in[0].numel() != out[0].numel()) {
            return null;
        }
        MemorySegment xs = in[0].segment();
        long xOff = in[0].offset();
        MemorySegment ys = out[0].segment();
        long yOff = out[0].offset();
        long count = out[0].numel();
        return ctx -> ActivationKernels.forward(f, xs, xOff, ys, yOff, count, ctx);
    }

    /**
     * Add, Sub, Mul and Div of two tensors of one shape as a compiled step (broadcasting forms:
     * null), with the node's fused activation (a residual block's ReLU) applied block by block
     * while the sums are still in L1.
     */
    static Step binaryStep(Node n, Tensor[] in, Tensor[] out, RunState state) {
        BinaryOp op = switch (n.opType) {
            case "Add" -> BinaryOp.ADD;
            case "Sub" -> BinaryOp.SUB;
            case "Mul" -> BinaryOp.MUL;
            case "Div" -> BinaryOp.DIV;
            default -> null;
        };
        if (op == null || in.length != 2 || !CompiledGraph.sameShape(in[0], out[0]) || !CompiledGraph.sameShape(in[1], out[0])) {
            return null;
        }
        MemorySegment as = in[0].segment();
        long aOff = in[0].offset();
        MemorySegment bs = in[1].segment();
        long bOff = in[1].offset();
        MemorySegment ys = out[0].segment();
        long yOff = out[0].offset();
        long count = out[0].numel();
        ActivationFunction f = n.fusedActivation;
        if (f == null) {
            return ctx -> Eltwise.binary(op, as, aOff, 1, bs, bOff, 1, ys, yOff, 1, count);
        }
        return ctx -> {
            for (long i = 0; i < count; i += FUSED_BLOCK) {
                long m = Math.min(FUSED_BLOCK, count - i);
                Eltwise.binary(op, as, aOff + i, 1, bs, bOff + i, 1, ys, yOff + i, 1, m);
                ActivationKernels.forward(f, ys, yOff + i, ys, yOff + i, m);
            }
        };
    }

    /** Elements per block of a binary step with a fused activation: 16 KiB, well inside L1. */
    private static final int FUSED_BLOCK = 4096;

    private static Kernel unaryFloat(UnaryOperator<Tensor> f) {
        return (n, in) -> one(f.apply(floats(n, in, 0)));
    }

    private static Kernel unary(UnaryOperator<Tensor> f, java.util.function.LongUnaryOperator g) {
        return (n, in) -> {
            OnnxValue x = value(n, in, 0);
            if (x.isFloat()) {
                return one(f.apply(x.tensor()));
            }
            long[] a = x.longsRef();
            long[] out = new long[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = x.type().wrap(g.applyAsLong(a[i]));
            }
            return one(OnnxValue.wrapLongs(x.type(), out, x.shapeRef()));
        };
    }

    /** Applies {@code f} to every element in double precision (rare ops without a vector kernel). */
    private static Tensor map(Tensor x, DoubleUnaryOperator f) {
        float[] a = x.contiguous().toArray();
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) f.applyAsDouble(a[i]);
        }
        return Tensor.of(a, x.shape());
    }

    /**
     * The error function: a Taylor series below 0.5, above it the Chebyshev fit of the
     * complementary error function (Numerical Recipes section 6.2, relative error of erfc below
     * 1.2e-7), both well inside float32's resolution.
     */
    static double erf(double x) {
        double z = Math.abs(x);
        if (z < 0.5) {
            // Taylor series: near 0 the fit below has the right absolute but not relative error.
            double x2 = x * x;
            double term = x;
            double sum = x;
            for (int k = 1; k < 12; k++) {
                term *= -x2 / k;
                sum += term / (2 * k + 1);
            }
            return sum * 2 / Math.sqrt(Math.PI);
        }
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - r : r - 1;
    }

    private static OnnxValue[] selu(Node n, OnnxValue[] in) {
        Tensor x = floats(n, in, 0);
        float alpha = n.getFloat("alpha", SELU_ALPHA);
        float gamma = n.getFloat("gamma", SELU_GAMMA);
        if (alpha == SELU_ALPHA && gamma == SELU_GAMMA) {
            return one(Activations.selu(x));
        }
        Tensor negative = x.clamp(Float.NEGATIVE_INFINITY, 0f).exp().sub(1f).mul(alpha);
        return one(x.relu().add(negative).mul(gamma));
    }

    private static OnnxValue[] clip(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        double lo;
        double hi;
        if (n.opset < 11) {
            lo = n.getFloat("min", -Float.MAX_VALUE);
            hi = n.getFloat("max", Float.MAX_VALUE);
        } else {
            lo = present(in, 1) ? Kernels.scalar(n, in, 1) : Double.NEGATIVE_INFINITY;
            hi = present(in, 2) ? Kernels.scalar(n, in, 2) : Double.POSITIVE_INFINITY;
        }
        if (x.isFloat()) {
            // ONNX: min first, then max (so min > max gives max everywhere, as numpy.clip).
            Tensor y = x.tensor().maximum(Tensor.scalar((float) lo)).minimum(Tensor.scalar((float) hi));
            return one(y);
        }
        long[] a = x.longsRef();
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (long) Math.min(Math.max(a[i], lo), hi);
        }
        return one(OnnxValue.wrapLongs(x.type(), out, x.shapeRef()));
    }

    private static long divide(long a, long b) {
        if (b == 0) {
            throw new ArithmeticException("integer division by zero");
        }
        return a / b;
    }

    /** Before opset 7, Add/Sub/Mul/Div/Pow took {@code broadcast=1, axis=k}: B aligned at axis k. */
    private static Tensor legacyAlign(Node n, long[] aShape, Tensor b) {
        if (n.getInt("broadcast", 0) == 0 || b.rank() == aShape.length || !n.has("axis")) {
            return b; // without an axis, B's dims match A's trailing dims: numpy's rule
        }
        long axisAttr = n.getInt("axis", 0);
        int axis = Shapes.axis(axisAttr, aShape.length, n);
        long[] shape = new long[aShape.length - axis];
        Arrays.fill(shape, 1);
        long[] bs = b.shape();
        System.arraycopy(bs, 0, shape, 0, bs.length);
        return b.reshape(shape);
    }

    private static Kernel binary(BinaryOperator<Tensor> f, LongBinaryOperator g) {
        return (n, in) -> {
            OnnxValue a = value(n, in, 0);
            OnnxValue b = value(n, in, 1);
            if (a.isFloat() != b.isFloat()) {
                throw new OnnxException(n + ": both inputs must have the same type, got " + a.type() + " and "
                        + b.type());
            }
            if (a.isFloat()) {
                Tensor tb = b.tensor();
                if (n.opset < 7) {
                    tb = legacyAlign(n, a.shapeRef(), tb);
                }
                return one(f.apply(a.tensor(), tb));
            }
            return one(broadcastLongs(n, a, b, g));
        };
    }

    /** Applies {@code g} elementwise to two integer values with numpy broadcasting. */
    static OnnxValue broadcastLongs(Node n, OnnxValue a, OnnxValue b, LongBinaryOperator g) {
        long[] shape = Shapes.broadcast(a.shapeRef(), b.shapeRef(), n);
        long[] sa = Shapes.broadcastStrides(a.shapeRef(), shape);
        long[] sb = Shapes.broadcastStrides(b.shapeRef(), shape);
        long[] da = a.longsRef();
        long[] db = b.longsRef();
        int count = (int) Kernels.checkCreated(n, shape);
        long[] out = new long[count];
        int[] idx = new int[shape.length];
        for (int i = 0; i < count; i++) {
            long ia = 0;
            long ib = 0;
            for (int d = 0; d < shape.length; d++) {
                ia += idx[d] * sa[d];
                ib += idx[d] * sb[d];
            }
            out[i] = a.type().wrap(g.applyAsLong(da[(int) ia], db[(int) ib]));
            for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) {
                idx[d] = 0;
            }
        }
        return OnnxValue.wrapLongs(a.type(), out, shape);
    }

    private static OnnxValue[] pow(Node n, OnnxValue[] in) {
        OnnxValue a = value(n, in, 0);
        OnnxValue b = value(n, in, 1);
        if (a.isFloat()) {
            Tensor e = b.isFloat() ? b.tensor() : Tensor.of(Kernels.toFloatArray(b), b.shapeRef());
            if (n.opset < 7) {
                e = legacyAlign(n, a.shapeRef(), e);
            }
            return one(a.tensor().pow(e));
        }
        if (b.isFloat()) {
            OnnxValue bl = OnnxValue.wrapLongs(ElementType.INT64, truncate(b.tensor()), b.shapeRef());
            return one(broadcastLongs(n, a, bl, (x, y) -> (long) Math.pow(x, y)));
        }
        return one(broadcastLongs(n, a, b, (x, y) -> (long) Math.pow(x, y)));
    }

    private static long[] truncate(Tensor t) {
        float[] f = t.contiguous().toArray();
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (long) f[i];
        }
        return out;
    }

    private static int count(OnnxValue[] in) {
        int c = 0;
        for (OnnxValue v : in) {
            c += v == null ? 0 : 1;
        }
        return c;
    }

    private static Kernel variadic(BinaryOperator<Tensor> f, LongBinaryOperator g) {
        return (n, in) -> {
            OnnxValue acc = null;
            for (int i = 0; i < in.length; i++) {
                if (in[i] == null) {
                    continue;
                }
                if (acc == null) {
                    acc = in[i];
                } else if (acc.isFloat() && in[i].isFloat()) {
                    acc = OnnxValue.of(f.apply(acc.tensor(), in[i].tensor()));
                } else if (!acc.isFloat() && !in[i].isFloat()) {
                    acc = broadcastLongs(n, acc, in[i], g);
                } else {
                    throw new OnnxException(n + ": inputs mix float32 and " + (acc.isFloat() ? in[i] : acc).type());
                }
            }
            if (acc == null) {
                throw new OnnxException(n + ": needs at least one input");
            }
            if (acc == in[0] && acc.isFloat()) {
                acc = OnnxValue.of(acc.tensor().clone()); // one input: the output is a new value
            }
            return one(acc);
        };
    }

    private static Kernel reduce(String op, int axesInputSince) {
        return (n, in) -> {
            Tensor x = floats(n, in, 0);
            long[] axes = n.opset >= axesInputSince ? (present(in, 1) ? Kernels.longs(n, in, 1) : null)
                    : n.getInts("axes");
            boolean keep = n.getInt("keepdims", 1) != 0;
            if (axes == null || axes.length == 0) {
                if (n.getInt("noop_with_empty_axes", 0) != 0) {
                    return one(x);
                }
                axes = new long[x.rank()];
                for (int i = 0; i < axes.length; i++) {
                    axes[i] = i;
                }
            }
            int[] dims = new int[axes.length];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = Shapes.axis(axes[i], x.rank(), n);
            }
            if (x.numel() == 0) {
                throw new OnnxException(n + ": reducing an empty tensor " + Arrays.toString(x.shape())
                        + " is not supported");
            }
            if (dims.length == 0) {
                return one(x.clone());
            }
            return one(switch (op) {
                case "sum" -> x.sum(dims, keep);
                case "mean" -> x.mean(dims, keep);
                default -> x.max(dims, keep);
            });
        };
    }

    private static OnnxValue[] cast(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        int code = (int) n.getInt("to", -1);
        ElementType to = ElementType.fromOnnx(code);
        if (to == null) {
            throw new OnnxException(n + ": casting to " + ElementType.onnxName(code) + " is not supported");
        }
        if (to == ElementType.FLOAT) {
            return one(x.isFloat() ? x : Kernels.floatValue(Kernels.toFloatArray(x), x.shapeRef()));
        }
        long[] out;
        if (x.isFloat()) {
            float[] f = x.tensor().contiguous().toArray();
            out = new long[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = to == ElementType.BOOL ? (f[i] != 0 ? 1 : 0) : to.wrap((long) f[i]);
            }
        } else {
            long[] a = x.longsRef();
            out = new long[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = to.wrap(a[i]);
            }
        }
        return one(OnnxValue.wrapLongs(to, out, x.shapeRef()));
    }
}
