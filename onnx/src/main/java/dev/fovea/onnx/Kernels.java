package dev.fovea.onnx;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operator registry: one {@link Kernel} per ONNX operator type, and the input and output
 * helpers the kernels share. Kernels are stateless functions of the node and its inputs, so a
 * graph can run on several threads at once.
 */
final class Kernels {
    /** Computes a node's outputs from its inputs (null where an optional input is omitted). */
    @FunctionalInterface
    interface Kernel {
        OnnxValue[] apply(Node node, OnnxValue[] inputs);
    }

    /**
     * A kernel that keeps planned state between runs in a {@link RunState} (null when the node
     * runs once, as in constant folding).
     */
    @FunctionalInterface
    interface PlannedKernel {
        OnnxValue[] apply(Node node, OnnxValue[] inputs, RunState state);
    }

    /** Largest element count a kernel creates from numbers in the graph (ConstantOfShape, Range, Expand). */
    static final long MAX_CREATED_ELEMENTS = 1L << 31;

    private static final Map<String, Kernel> KERNELS = new HashMap<>();
    private static final Map<String, PlannedKernel> PLANNED = new HashMap<>();

    static {
        NnKernels.register(KERNELS, PLANNED);
        MathKernels.register(KERNELS);
        ShapeKernels.register(KERNELS);
    }

    private Kernels() {
    }

    /** Returns true if Fovea runs operator {@code opType} of the default domain. */
    static boolean supports(String opType) {
        return KERNELS.containsKey(opType) || PLANNED.containsKey(opType);
    }

    /** Returns the supported operator types, sorted. */
    static Set<String> supported() {
        Set<String> all = new TreeSet<>(KERNELS.keySet());
        all.addAll(PLANNED.keySet());
        return all;
    }

    /** Runs {@code node}, adding the node's name to any error. */
    static OnnxValue[] run(Node node, OnnxValue[] inputs) {
        return run(node, inputs, null);
    }

    /** Runs {@code node} with the run's planned state (null for none), adding the node's name to any error. */
    static OnnxValue[] run(Node node, OnnxValue[] inputs, RunState state) {
        try {
            PlannedKernel p = PLANNED.get(node.opType);
            OnnxValue[] out = p != null ? p.apply(node, inputs, state) : KERNELS.get(node.opType).apply(node, inputs);
            if (node.fusedActivation != null && !appliesFusedActivation(node)) {
                out[0] = OnnxValue.of(Activations.activation(out[0].tensor(), node.fusedActivation));
            }
            return out;
        } catch (OnnxException e) {
            throw e;
        } catch (IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException | ArithmeticException e) {
            StringBuilder shapes = new StringBuilder();
            for (int i = 0; i < inputs.length; i++) {
                shapes.append(i == 0 ? "" : ", ").append(inputs[i] == null ? "-" : inputs[i].type() + " "
                        + Arrays.toString(inputs[i].shapeRef()));
            }
            throw new OnnxException(node + " failed on inputs (" + shapes + "): " + e.getMessage(), e);
        }
    }

    /** True for the operators whose kernels apply a node's fused activation themselves (Conv, Gemm). */
    private static boolean appliesFusedActivation(Node node) {
        return node.opType.equals("Conv") || node.opType.equals("Gemm");
    }

    // ---- input helpers --------------------------------------------------------------------

    static boolean present(OnnxValue[] in, int i) {
        return i < in.length && in[i] != null;
    }

    static OnnxValue value(Node node, OnnxValue[] in, int i) {
        if (!present(in, i)) {
            throw new OnnxException(node + ": input " + i + " is required");
        }
        return in[i];
    }

    static Tensor floats(Node node, OnnxValue[] in, int i) {
        OnnxValue v = value(node, in, i);
        if (!v.isFloat()) {
            throw new OnnxException(node + ": input " + i + " ('" + node.input(i) + "') must be float32, got "
                    + v.type());
        }
        return v.tensor();
    }

    static long[] longs(Node node, OnnxValue[] in, int i) {
        OnnxValue v = value(node, in, i);
        if (v.isFloat()) {
            throw new OnnxException(node + ": input " + i + " ('" + node.input(i) + "') must be an integer tensor,"
                    + " got float32");
        }
        return v.longsRef();
    }

    /** Returns a scalar or one-element input as a double (float or integer). */
    static double scalar(Node node, OnnxValue[] in, int i) {
        OnnxValue v = value(node, in, i);
        if (v.numel() != 1) {
            throw new OnnxException(node + ": input " + i + " must hold one value, got shape "
                    + Arrays.toString(v.shapeRef()));
        }
        return v.isFloat() ? v.tensor().contiguous().toArray()[0] : v.longsRef()[0];
    }

    static OnnxValue[] one(Tensor t) {
        return new OnnxValue[] {OnnxValue.of(t)};
    }

    static OnnxValue[] one(OnnxValue v) {
        return new OnnxValue[] {v};
    }

    /** Returns the float elements of a value in row-major order (integers converted). */
    static float[] toFloatArray(OnnxValue v) {
        if (v.isFloat()) {
            return v.tensor().contiguous().toArray();
        }
        long[] l = v.longsRef();
        float[] f = new float[l.length];
        for (int i = 0; i < l.length; i++) {
            f[i] = l[i];
        }
        return f;
    }

    /** Makes a float value of {@code shape} from row-major data. */
    static OnnxValue floatValue(float[] data, long[] shape) {
        return OnnxValue.of(Tensor.of(data, shape));
    }

    /** Checks that a kernel is about to create at most {@link #MAX_CREATED_ELEMENTS} elements. */
    static long checkCreated(Node node, long[] shape) {
        long n = Shapes.numel(shape, node + ": output shape");
        if (n > MAX_CREATED_ELEMENTS) {
            throw new OnnxException(node + ": output shape " + Arrays.toString(shape) + " holds " + n
                    + " elements, more than the " + MAX_CREATED_ELEMENTS + " Fovea creates in one op");
        }
        return n;
    }
}
