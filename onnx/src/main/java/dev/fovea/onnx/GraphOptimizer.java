package dev.fovea.onnx;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a model's graph for inference, once, when a session is created:
 * <ol>
 *   <li>constant folding: a node whose inputs are all constants runs now, its outputs become
 *       constants (this reduces the shape-computing subgraphs exporters emit);</li>
 *   <li>batch normalization after a convolution folds into the convolution's weights and bias;</li>
 *   <li>Relu, Clip, LeakyRelu and HardSwish after a convolution or a Gemm fuse into its epilogue,
 *       and after an Add of a float result (a residual block's sum) into the Add's step, so
 *       the activation costs no extra pass over memory;</li>
 *   <li>a residual Add of a convolution's output (and the activation fused into it) fuses into
 *       the convolution, which adds the other input before the activation in its output pass;</li>
 *   <li>nodes whose outputs nothing uses are removed.</li>
 * </ol>
 * A rewrite only applies where the intermediate value has no other consumer and is not a graph
 * output, so the results are those of the original graph up to float rounding.
 */
final class GraphOptimizer {
    /** What optimizing produced: the nodes left to run and every constant value. */
    record Result(List<Node> nodes, Map<String, OnnxValue> constants, int folded, int bnFolded, int fused,
                  int residuals, int removed) {
    }

    private GraphOptimizer() {
    }

    static Result optimize(OnnxModel model, boolean enabled) {
        Map<String, OnnxValue> constants = new LinkedHashMap<>(model.initializers());
        List<Node> nodes = new ArrayList<>(model.nodes());
        Set<String> outputs = new HashSet<>();
        for (ValueInfo v : model.outputs()) {
            outputs.add(v.name());
        }
        if (!enabled) {
            return new Result(nodes, constants, 0, 0, 0, 0, 0);
        }
        int folded;
        int bn;
        int fused;
        int residuals;
        try (var unscoped = Scope.suspend(); var noGrad = Grad.off()) {
            folded = foldConstants(nodes, constants, outputs);
            bn = foldBatchNorm(nodes, constants, outputs);
            fused = fuseActivations(nodes, constants, outputs);
            residuals = fuseResiduals(nodes, constants, outputs);
        }
        int removed = removeDead(nodes, outputs);
        return new Result(nodes, constants, folded, bn, fused, residuals, removed);
    }

    private static int foldConstants(List<Node> nodes, Map<String, OnnxValue> constants, Set<String> outputs) {
        int folded = 0;
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            boolean allConstant = true;
            for (String in : n.inputs) {
                allConstant &= in.isEmpty() || constants.containsKey(in);
            }
            if (!allConstant) {
                continue;
            }
            OnnxValue[] in = new OnnxValue[n.inputs.size()];
            for (int j = 0; j < in.length; j++) {
                in[j] = n.inputs.get(j).isEmpty() ? null : constants.get(n.inputs.get(j));
            }
            OnnxValue[] out = Kernels.run(n, in);
            for (int j = 0; j < n.outputs.size(); j++) {
                if (!n.outputs.get(j).isEmpty() && j < out.length) {
                    constants.put(n.outputs.get(j), out[j]);
                }
            }
            nodes.remove(i--);
            folded++;
        }
        return folded;
    }

    /** Counts how many nodes read each value. */
    private static Map<String, Integer> consumers(List<Node> nodes) {
        Map<String, Integer> uses = new HashMap<>();
        for (Node n : nodes) {
            for (String in : n.inputs) {
                if (!in.isEmpty()) {
                    uses.merge(in, 1, Integer::sum);
                }
            }
        }
        return uses;
    }

    /** Returns the only node reading {@code value} right after it is made, or null. */
    private static int soleConsumer(List<Node> nodes, int producer, String value, Map<String, Integer> uses,
                                    Set<String> outputs) {
        if (outputs.contains(value) || uses.getOrDefault(value, 0) != 1) {
            return -1;
        }
        for (int j = producer + 1; j < nodes.size(); j++) {
            if (nodes.get(j).inputs.contains(value)) {
                return j;
            }
        }
        return -1;
    }

    private static boolean constant(Map<String, OnnxValue> constants, Node n, int i) {
        String name = n.input(i);
        return !name.isEmpty() && constants.containsKey(name) && constants.get(name).isFloat();
    }

    private static int foldBatchNorm(List<Node> nodes, Map<String, OnnxValue> constants, Set<String> outputs) {
        int folded = 0;
        Map<String, Integer> uses = consumers(nodes);
        for (int i = 0; i < nodes.size(); i++) {
            Node conv = nodes.get(i);
            if (!conv.opType.equals("Conv") || !constant(constants, conv, 1)
                    || (!conv.input(2).isEmpty() && !constant(constants, conv, 2)) || conv.outputs.size() != 1) {
                continue;
            }
            int j = soleConsumer(nodes, i, conv.outputs.get(0), uses, outputs);
            if (j < 0) {
                continue;
            }
            Node bn = nodes.get(j);
            if (!bn.opType.equals("BatchNormalization") || !bn.input(0).equals(conv.outputs.get(0))
                    || bn.getInt("training_mode", 0) != 0 || (bn.outputs.size() > 1 && hasUsed(bn, uses))) {
                continue;
            }
            boolean params = true;
            for (int k = 1; k <= 4; k++) {
                params &= constant(constants, bn, k);
            }
            if (!params) {
                continue;
            }
            Tensor w = constants.get(conv.input(1)).tensor();
            long outC = w.size(0);
            Tensor scale = constants.get(bn.input(1)).tensor();
            Tensor shift = constants.get(bn.input(2)).tensor();
            Tensor mean = constants.get(bn.input(3)).tensor();
            Tensor var = constants.get(bn.input(4)).tensor();
            Tensor bias = conv.input(2).isEmpty() ? null : constants.get(conv.input(2)).tensor();
            if (w.rank() < 3 || !perChannel(outC, scale, shift, mean, var) || (bias != null && !perChannel(outC, bias))) {
                continue; // shapes the kernels will refuse, with the node's name, when the graph runs
            }
            float eps = bn.getFloat("epsilon", 1e-5f);
            // y = (conv(x) + b - mean) * scale / sqrt(var + eps) + shift, folded per output channel
            Tensor factor = scale.div(var.add(eps).sqrt());
            long[] bshape = w.shape();
            for (int k = 1; k < bshape.length; k++) {
                bshape[k] = 1;
            }
            bshape[0] = outC;
            Tensor newW = w.mul(factor.reshape(bshape)).contiguous();
            Tensor b = bias == null ? Tensor.zeros(outC) : bias;
            Tensor newB = b.sub(mean).mul(factor).add(shift).contiguous();
            String wName = conv.name + "::folded_weight";
            String bName = conv.name + "::folded_bias";
            constants.put(wName, OnnxValue.of(newW));
            constants.put(bName, OnnxValue.of(newB));
            nodes.set(i, conv.with(List.of(conv.input(0), wName, bName), List.of(bn.outputs.get(0))));
            nodes.remove(j);
            folded++;
        }
        return folded;
    }

    private static boolean perChannel(long channels, Tensor... vectors) {
        for (Tensor v : vectors) {
            if (v.rank() != 1 || v.size(0) != channels) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasUsed(Node n, Map<String, Integer> uses) {
        for (int k = 1; k < n.outputs.size(); k++) {
            if (!n.outputs.get(k).isEmpty() && uses.getOrDefault(n.outputs.get(k), 0) > 0) {
                return true;
            }
        }
        return false;
    }

    private static int fuseActivations(List<Node> nodes, Map<String, OnnxValue> constants, Set<String> outputs) {
        int fused = 0;
        Map<String, Integer> uses = consumers(nodes);
        Map<String, String> producers = new HashMap<>();
        for (Node n : nodes) {
            for (String out : n.outputs) {
                producers.put(out, n.opType);
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            Node conv = nodes.get(i);
            if (!fusesActivation(conv, producers) || conv.fusedActivation != null || conv.outputs.size() != 1) {
                continue;
            }
            int j = soleConsumer(nodes, i, conv.outputs.get(0), uses, outputs);
            if (j < 0) {
                continue;
            }
            Node act = nodes.get(j);
            if (!act.input(0).equals(conv.outputs.get(0))) {
                continue;
            }
            ActivationFunction f = activation(act, constants);
            if (f == null) {
                continue;
            }
            nodes.set(i, conv.with(conv.inputs, List.of(act.outputs.get(0))).withActivation(f));
            nodes.remove(j);
            fused++;
        }
        return fused;
    }

    /**
     * Fuses a residual Add into the convolution that computes one of its inputs: {@code Conv(x)
     * -> c; Add(c, r) [+ activation] -> y} becomes one Conv node with inputs {@code (x, w, b, r)}
     * and output {@code y}, the Add's fused activation applied after the sum
     * ({@link dev.fovea.tensor.functional.PlannedConv#applyInto(Tensor, Tensor, Tensor)}: Winograd
     * adds {@code r} in its output transform, a 1x1 convolution in its GEMM epilogue, the other
     * algorithms in one pass with the activation). Applies where {@code c} has no other consumer and is not a graph output, the
     * Conv has no activation of its own, and {@code r} is not a constant (a node's output or a
     * graph input) and not {@code c};
     * the fused node takes the Add's place in the order, where {@code r} has been computed.
     * Returns the number of Adds fused.
     */
    private static int fuseResiduals(List<Node> nodes, Map<String, OnnxValue> constants, Set<String> outputs) {
        int fused = 0;
        Map<String, Integer> uses = consumers(nodes);
        Map<String, Integer> producer = producerIndexes(nodes);
        for (int j = 0; j < nodes.size(); j++) {
            Node add = nodes.get(j);
            if (!add.opType.equals("Add") || add.inputs.size() != 2 || add.outputs.size() != 1) {
                continue;
            }
            for (int side = 0; side < 2; side++) {
                String c = add.input(side);
                String r = add.input(1 - side);
                Integer i = producer.get(c);
                // r is computed before the Add: by a node, or a graph input
                if (i == null || r.equals(c) || r.isEmpty() || constants.containsKey(r)) {
                    continue;
                }
                Node conv = nodes.get(i);
                if (!conv.opType.equals("Conv") || conv.fusedActivation != null || conv.inputs.size() > 3
                        || conv.outputs.size() != 1 || soleConsumer(nodes, i, c, uses, outputs) != j) {
                    continue;
                }
                List<String> inputs = List.of(conv.input(0), conv.input(1), conv.input(2), r);
                Node fusedConv = conv.with(inputs, List.of(add.outputs.get(0))).withActivation(add.fusedActivation);
                nodes.set(j, fusedConv);
                nodes.remove((int) i);
                fused++;
                producer = producerIndexes(nodes); // indexes from i on moved down by one
                j--;
                break;
            }
        }
        return fused;
    }

    /** Returns the index in {@code nodes} of the node computing each value. */
    private static Map<String, Integer> producerIndexes(List<Node> nodes) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).outputs) {
                producer.put(out, i);
            }
        }
        return producer;
    }

    /**
     * Returns true if an activation after {@code n} can run inside it: a Conv or Gemm (in the
     * epilogue), or an Add with an input made by one of the float-only ops (a residual sum; an
     * Add of shape integers must not take a float activation).
     */
    private static boolean fusesActivation(Node n, Map<String, String> producers) {
        if (n.opType.equals("Conv") || n.opType.equals("Gemm")) {
            return true;
        }
        if (!n.opType.equals("Add")) {
            return false;
        }
        for (String in : n.inputs) {
            String producer = producers.get(in); // null for graph inputs and constants
            if (producer != null && FLOAT_PRODUCERS.contains(producer)) {
                return true;
            }
        }
        return false;
    }

    /** Operators whose outputs are always float tensors. */
    private static final Set<String> FLOAT_PRODUCERS = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul",
            "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool");

    private static ActivationFunction activation(Node act, Map<String, OnnxValue> constants) {
        switch (act.opType) {
            case "Relu":
                return ActivationFunction.of(ActivationFunction.Kind.RELU);
            case "LeakyRelu":
                return ActivationFunction.leakyRelu(act.getFloat("alpha", 0.01f));
            case "HardSwish":
                return ActivationFunction.of(ActivationFunction.Kind.HARDSWISH);
            case "Clip": {
                float lo;
                float hi;
                if (act.opset < 11) {
                    lo = act.getFloat("min", -Float.MAX_VALUE);
                    hi = act.getFloat("max", Float.MAX_VALUE);
                } else {
                    Float l = scalarConstant(act, 1, constants, Float.NEGATIVE_INFINITY);
                    Float h = scalarConstant(act, 2, constants, Float.POSITIVE_INFINITY);
                    if (l == null || h == null) {
                        return null;
                    }
                    lo = l;
                    hi = h;
                }
                return lo <= hi && !Float.isNaN(lo) && !Float.isNaN(hi) ? ActivationFunction.hardtanh(lo, hi) : null;
            }
            default:
                return null;
        }
    }

    private static Float scalarConstant(Node n, int i, Map<String, OnnxValue> constants, float fallback) {
        String name = n.input(i);
        if (name.isEmpty()) {
            return fallback;
        }
        OnnxValue v = constants.get(name);
        if (v == null || !v.isFloat() || v.numel() != 1) {
            return null;
        }
        return v.tensor().contiguous().toArray()[0];
    }

    private static int removeDead(List<Node> nodes, Set<String> outputs) {
        Set<String> live = new HashSet<>(outputs);
        int removed = 0;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            boolean used = false;
            for (String out : n.outputs) {
                used |= live.contains(out);
            }
            if (!used) {
                nodes.remove(i);
                removed++;
                continue;
            }
            for (String in : n.inputs) {
                if (!in.isEmpty()) {
                    live.add(in);
                }
            }
        }
        return removed;
    }
}
