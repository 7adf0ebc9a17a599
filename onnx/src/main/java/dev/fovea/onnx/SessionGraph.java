package dev.fovea.onnx;

import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an {@link InferenceSession} works out about its graph and a run's inputs: the values each
 * node reads for the last time (so their memory can be reused), and the checks and conversions
 * of the inputs a caller passes.
 */
final class SessionGraph {
    private SessionGraph() {
    }

    /** For each node, the intermediate values read or written for the last time by it. */
    static List<List<String>> lastUses(List<Node> nodes, java.util.Set<String> constants,
                                               java.util.Set<String> inputs, List<ValueInfo> outputs) {
        Map<String, Integer> last = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String name : nodes.get(i).inputs) {
                last.put(name, i);
            }
            for (String name : nodes.get(i).outputs) {
                last.put(name, i);
            }
        }
        for (ValueInfo v : outputs) {
            last.remove(v.name());
        }
        List<List<String>> dies = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            dies.add(new ArrayList<>());
        }
        last.forEach((name, i) -> {
            if (!name.isEmpty() && !constants.contains(name) && !inputs.contains(name)) {
                dies.get(i).add(name);
            }
        });
        return dies.stream().map(List::copyOf).toList();
    }

    /**
     * Checks run inputs against the model's declaration: every input given, none unknown, each of
     * the declared type (integer types interchangeable), rank and fixed dims.
     *
     * @throws OnnxException naming the input, what it is and what the model expects
     */
    static void checkInputs(OnnxModel model, Map<String, ValueInfo> declaredInputs, Map<String, OnnxValue> inputs) {
        for (String name : inputs.keySet()) {
            if (!declaredInputs.containsKey(name)) {
                throw new OnnxException("InferenceSession.run: unknown input '" + name + "'; the model's inputs are "
                        + model.inputs());
            }
        }
        for (ValueInfo v : model.inputs()) {
            OnnxValue x = inputs.get(v.name());
            if (x == null) {
                throw new OnnxException("InferenceSession.run: input '" + v.name() + "' is missing; the model's"
                        + " inputs are " + model.inputs());
            }
            boolean typeOk = x.type() == v.type() || (x.type().isInteger() && v.type().isInteger()
                    && v.type() != ElementType.BOOL && x.type() != ElementType.BOOL);
            long[] dims = v.dims();
            long[] shape = x.shapeRef();
            boolean shapeOk = dims.length == shape.length;
            for (int i = 0; shapeOk && i < dims.length; i++) {
                shapeOk = dims[i] < 0 || dims[i] == shape[i];
            }
            if (!typeOk || !shapeOk) {
                throw new OnnxException("InferenceSession.run: input '" + v.name() + "' is " + x.type() + " "
                        + Arrays.toString(shape) + ", the model expects " + v);
            }
        }
    }

    /** Returns the model's inputs as float tensors in the model's order, or null if one is not float. */
    static Tensor[] floatInputs(OnnxModel model, Map<String, OnnxValue> inputs) {
        Tensor[] given = new Tensor[model.inputs().size()];
        for (int i = 0; i < given.length; i++) {
            OnnxValue v = inputs.get(model.inputs().get(i).name());
            if (v == null || !v.isFloat()) {
                return null;
            }
            given[i] = v.tensor();
        }
        return given;
    }

    /** Returns a copy of each tensor's shape. */
    static long[][] shapes(Tensor[] tensors) {
        long[][] shapes = new long[tensors.length][];
        for (int i = 0; i < tensors.length; i++) {
            shapes[i] = tensors[i].shape();
        }
        return shapes;
    }
}
