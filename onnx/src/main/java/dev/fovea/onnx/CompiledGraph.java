package dev.fovea.onnx;

import dev.fovea.simd.eltwise.Eltwise;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A session's graph compiled for one set of input shapes, so that a run allocates nothing: every
 * float value has a tensor fixed at compile time, and every node a {@link Step} bound to its input
 * and output tensors. A run copies the inputs into the graph's own input tensors, runs the steps in
 * order and leaves the outputs in the graph's output tensors.
 *
 * <p><b>Memory plan.</b> The values are views of a few buffers: walking the nodes in order, each
 * output takes the smallest free buffer it fits (or the largest free one, grown, or a new one), and
 * gives it back after the last node that reads it or any view of it. Reshaping ops (Flatten,
 * Reshape, Squeeze, Unsqueeze, Identity, Dropout) become views of their input and no step. Inputs
 * and outputs have buffers of their own. At batch 1, ResNet-18 holds 5.4 MB in all (its largest
 * value, 64 x 112 x 112, is 3.2 MB), VGG-11 16.7 MB, MobileNetV2 9.0 MB.
 *
 * <p><b>When.</b> {@link #compile} works from the shapes a run of the dynamic path traced, and
 * refuses (returns null) a graph with a node it cannot compile: an operator without a step
 * compiler, an integer value computed at run time, a kernel shape a compiler does not take (a
 * broadcasting Add, pooling that pads beyond half the kernel). Such graphs keep running node by
 * node.
 *
 * <p>Not thread-safe: one belongs to one {@link RunState}.
 */
final class CompiledGraph {
    /** Operators whose output is their input's elements in the same order: compiled as views. */
    private static final Set<String> VIEWS = Set.of("Flatten", "Reshape", "Squeeze", "Unsqueeze", "Identity",
            "Dropout");

    /** The step compiler of each operator that has one. */
    private static final Map<String, Step.Compiler> COMPILERS = Map.ofEntries(
            Map.entry("Conv", NnSteps::convStep),
            Map.entry("Gemm", NnSteps::gemmStep),
            Map.entry("MaxPool", NnSteps::poolStep),
            Map.entry("AveragePool", NnSteps::poolStep),
            Map.entry("GlobalAveragePool", NnSteps::globalPoolStep),
            Map.entry("GlobalMaxPool", NnSteps::globalPoolStep),
            Map.entry("Relu", MathKernels::activationStep),
            Map.entry("Sigmoid", MathKernels::activationStep),
            Map.entry("Tanh", MathKernels::activationStep),
            Map.entry("HardSwish", MathKernels::activationStep),
            Map.entry("LeakyRelu", MathKernels::activationStep),
            Map.entry("Elu", MathKernels::activationStep),
            Map.entry("Add", MathKernels::binaryStep),
            Map.entry("Sub", MathKernels::binaryStep),
            Map.entry("Mul", MathKernels::binaryStep),
            Map.entry("Div", MathKernels::binaryStep));

    /**
     * The graph as the session numbered it: nodes in run order, each node's input and output
     * slots (-1 for an omitted one), the graph's input and output slots, the constants by slot.
     */
    record Layout(List<Node> nodes, int[][] nodeInputs, int[][] nodeOutputs, int[] inputSlots, int[] outputSlots,
                  OnnxValue[] constants) {
    }

    private final Tensor[] inputs;
    private final Step[] steps;
    private final Tensor[] outputs;
    private final long bufferBytes;

    private CompiledGraph(Tensor[] inputs, Step[] steps, Tensor[] outputs, long bufferBytes) {
        this.inputs = inputs;
        this.steps = steps;
        this.outputs = outputs;
        this.bufferBytes = bufferBytes;
    }

    /** Returns true if the session's graph has a step compiler or a view for every node (a cheap first test). */
    static boolean compilable(List<Node> nodes) {
        for (Node n : nodes) {
            if (!COMPILERS.containsKey(n.opType) && !VIEWS.contains(n.opType)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Compiles the graph for the shapes of one traced run.
     *
     * @param shapes each slot's shape in the traced run (null where the slot held no float value)
     * @param state the run state whose plans the traced run made (the steps use them)
     * @return the compiled graph, or null if some node cannot be compiled
     */
    static CompiledGraph compile(Layout g, long[][] shapes, RunState state) {
        int slots = shapes.length;
        List<Node> nodes = g.nodes();
        int[] root = new int[slots];
        for (int s = 0; s < slots; s++) {
            root[s] = s;
        }
        boolean[] isInput = new boolean[slots];
        for (int s : g.inputSlots()) {
            isInput[s] = true;
            if (shapes[s] == null) {
                return null;
            }
        }
        // Which values views share, and after which node each root's memory is free again: its
        // last reader (or a view's), or its producer when nothing reads it.
        int[] freeAfter = new int[slots];
        Arrays.fill(freeAfter, -1);
        for (int k = 0; k < nodes.size(); k++) {
            Node n = nodes.get(k);
            int[] ins = g.nodeInputs()[k];
            int[] outs = g.nodeOutputs()[k];
            for (int s : ins) {
                if (s >= 0 && g.constants()[s] == null && shapes[s] == null) {
                    return null; // an integer (or never computed) value made at run time
                }
            }
            for (int s : outs) {
                if (s >= 0 && shapes[s] == null) {
                    return null;
                }
                if (s >= 0) {
                    freeAfter[s] = k;
                }
            }
            if (VIEWS.contains(n.opType)) {
                int in = ins.length > 0 ? ins[0] : -1;
                if (in < 0 || g.constants()[in] != null || outs.length == 0 || outs[0] < 0
                        || (outs.length > 1 && outs[1] >= 0)) {
                    return null;
                }
                root[outs[0]] = root[in];
            }
            for (int s : ins) {
                if (s >= 0 && g.constants()[s] == null) {
                    freeAfter[root[s]] = Math.max(freeAfter[root[s]], k);
                }
            }
        }
        for (int s : g.outputSlots()) {
            if (s >= 0 && g.constants()[s] == null) {
                freeAfter[root[s]] = Integer.MAX_VALUE;
            }
        }

        // Buffers by liveness: buffer[s] for each root a node computes.
        int[] buffer = new int[slots];
        Arrays.fill(buffer, -1);
        List<long[]> capacity = new ArrayList<>(); // one long[1] per buffer
        List<Integer> free = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            if (VIEWS.contains(nodes.get(k).opType)) {
                continue;
            }
            for (int s : g.nodeOutputs()[k]) {
                if (s >= 0 && !isInput[s]) {
                    buffer[s] = take(free, capacity, numel(shapes[s]));
                }
            }
            for (int s = 0; s < slots; s++) {
                if (buffer[s] >= 0 && freeAfter[s] == k) {
                    free.add(buffer[s]);
                }
            }
        }

        Tensor[] tensors = new Tensor[slots];
        Tensor[] buffers = new Tensor[capacity.size()];
        long bytes = 0;
        try (var unscoped = Scope.suspend()) {
            for (int b = 0; b < buffers.length; b++) {
                buffers[b] = Tensor.empty(Math.max(1, capacity.get(b)[0]));
                bytes += buffers[b].numel() * Float.BYTES;
            }
            Tensor[] in = new Tensor[g.inputSlots().length];
            for (int i = 0; i < in.length; i++) {
                int s = g.inputSlots()[i];
                in[i] = Tensor.empty(shapes[s]);
                tensors[s] = in[i];
                bytes += in[i].numel() * Float.BYTES;
            }
            Step[] steps = new Step[nodes.size()];
            int count = 0;
            for (int k = 0; k < nodes.size(); k++) {
                Node n = nodes.get(k);
                int[] ins = g.nodeInputs()[k];
                int[] outs = g.nodeOutputs()[k];
                Tensor[] args = new Tensor[ins.length];
                for (int i = 0; i < ins.length; i++) {
                    int s = ins[i];
                    if (s >= 0) {
                        args[i] = g.constants()[s] != null ? (g.constants()[s].isFloat() ? g.constants()[s].tensor()
                                : null) : tensors[s];
                    }
                }
                if (VIEWS.contains(n.opType)) {
                    tensors[outs[0]] = args[0].reshape(shapes[outs[0]]);
                    continue;
                }
                Tensor[] results = new Tensor[outs.length];
                for (int i = 0; i < outs.length; i++) {
                    int s = outs[i];
                    if (s >= 0) {
                        long size = numel(shapes[s]);
                        tensors[s] = buffers[buffer[s]].narrow(0, 0, size).reshape(shapes[s]);
                        results[i] = tensors[s];
                    }
                }
                Step step = COMPILERS.get(n.opType).compile(n, args, results, state);
                if (step == null) {
                    return null;
                }
                steps[count++] = step;
            }
            Tensor[] out = new Tensor[g.outputSlots().length];
            for (int i = 0; i < out.length; i++) {
                int s = g.outputSlots()[i];
                out[i] = g.constants()[s] != null ? (g.constants()[s].isFloat() ? g.constants()[s].tensor() : null)
                        : tensors[s];
                if (out[i] == null) {
                    return null;
                }
            }
            return new CompiledGraph(in, Arrays.copyOf(steps, count), out, bytes);
        }
    }

    /**
     * Returns a free buffer for {@code size} elements: the smallest free one that holds it, else
     * the largest free one (grown), else a new one.
     */
    private static int take(List<Integer> free, List<long[]> capacity, long size) {
        int best = -1;
        for (int b : free) {
            long c = capacity.get(b)[0];
            if (c >= size && (best < 0 || c < capacity.get(best)[0])) {
                best = b;
            }
        }
        if (best < 0) {
            for (int b : free) {
                if (best < 0 || capacity.get(b)[0] > capacity.get(best)[0]) {
                    best = b;
                }
            }
        }
        if (best < 0) {
            capacity.add(new long[] {size});
            return capacity.size() - 1;
        }
        free.remove(Integer.valueOf(best));
        capacity.get(best)[0] = Math.max(capacity.get(best)[0], size);
        return best;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Returns true if {@code given} has the shapes this graph was compiled for (by model input order). */
    boolean accepts(Tensor[] given) {
        if (given.length != inputs.length) {
            return false;
        }
        for (int i = 0; i < inputs.length; i++) {
            if (!sameShape(given[i], inputs[i])) {
                return false;
            }
        }
        return true;
    }

    /** Returns true if {@code a} and {@code b} have the same shape (compared without copying it). */
    static boolean sameShape(Tensor a, Tensor b) {
        if (a.rank() != b.rank()) {
            return false;
        }
        for (int d = 0; d < a.rank(); d++) {
            if (a.size(d) != b.size(d)) {
                return false;
            }
        }
        return true;
    }

    /** {@link #accepts(Tensor[])} for a graph with one input, without an array. */
    boolean accepts(Tensor given) {
        return inputs.length == 1 && sameShape(given, inputs[0]);
    }

    /** Copies {@code given} (accepted shapes) into the graph's inputs and runs every step on {@code ctx}. */
    void run(Tensor[] given, ComputeContext ctx) {
        for (int i = 0; i < inputs.length; i++) {
            copy(given[i], inputs[i]);
        }
        runSteps(ctx);
    }

    /** {@link #run(Tensor[], ComputeContext)} for a graph with one input, without an array. */
    void run(Tensor given, ComputeContext ctx) {
        copy(given, inputs[0]);
        runSteps(ctx);
    }

    private void runSteps(ComputeContext ctx) {
        for (Step step : steps) {
            step.run(ctx);
        }
    }

    /** Returns graph output {@code i} of the last run (the graph's own tensor: copy it out). */
    Tensor output(int i) {
        return outputs[i];
    }

    /** Returns the bytes of the buffers and input tensors this graph holds. */
    long bufferBytes() {
        return bufferBytes;
    }

    /** Copies {@code src} into {@code dst} of the same shape, allocating nothing when {@code src} is contiguous. */
    static void copy(Tensor src, Tensor dst) {
        if (src.isContiguous() && dst.isContiguous()) {
            Eltwise.copy(src.segment(), src.offset(), 1, dst.segment(), dst.offset(), 1, src.numel());
        } else {
            dst.copyFrom(src);
        }
    }
}
