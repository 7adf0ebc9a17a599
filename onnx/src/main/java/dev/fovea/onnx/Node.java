package dev.fovea.onnx;

import dev.fovea.onnx.proto.OnnxProtos.AttributeProto;
import dev.fovea.onnx.proto.OnnxProtos.AttributeProto.AttributeType;
import dev.fovea.simd.eltwise.ActivationFunction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One operator application of a graph: its type, input and output value names (an empty name is
 * an omitted optional input) and attributes, with typed attribute getters that name the node in
 * their errors.
 */
final class Node {
    final String opType;
    final String name;
    final List<String> inputs;
    final List<String> outputs;
    final int opset;
    private final Map<String, AttributeProto> attributes;
    private final Map<String, OnnxValue> tensorAttributes;
    /** An activation the graph optimizer fused into this (Conv) node's epilogue, or null. */
    final ActivationFunction fusedActivation;

    Node(String opType, String name, List<String> inputs, List<String> outputs, int opset,
         Map<String, AttributeProto> attributes, Map<String, OnnxValue> tensorAttributes) {
        this(opType, name, inputs, outputs, opset, attributes, tensorAttributes, null);
    }

    private Node(String opType, String name, List<String> inputs, List<String> outputs, int opset,
                 Map<String, AttributeProto> attributes, Map<String, OnnxValue> tensorAttributes,
                 ActivationFunction fusedActivation) {
        this.fusedActivation = fusedActivation;
        this.opType = opType;
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.opset = opset;
        this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        this.tensorAttributes = Map.copyOf(tensorAttributes);
    }

    /** A copy of this node with other inputs and outputs (graph rewrites). */
    Node with(List<String> newInputs, List<String> newOutputs) {
        return new Node(opType, name, newInputs, newOutputs, opset, attributes, tensorAttributes, fusedActivation);
    }

    /** A copy of this node that applies {@code activation} to its output. */
    Node withActivation(ActivationFunction activation) {
        return new Node(opType, name, inputs, outputs, opset, attributes, tensorAttributes, activation);
    }

    boolean has(String attribute) {
        return attributes.containsKey(attribute);
    }

    Map<String, AttributeProto> attributes() {
        return attributes;
    }

    Map<String, OnnxValue> tensorAttributes() {
        return tensorAttributes;
    }

    /** Returns input {@code i}'s name, or "" when the input is omitted. */
    String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    private AttributeProto get(String attribute, AttributeType type) {
        AttributeProto a = attributes.get(attribute);
        if (a == null) {
            return null;
        }
        if (a.hasType() && a.getType() != type) {
            throw new OnnxException(this + ": attribute '" + attribute + "' must be " + type + ", got " + a.getType());
        }
        return a;
    }

    long getInt(String attribute, long fallback) {
        AttributeProto a = get(attribute, AttributeType.INT);
        return a == null ? fallback : a.getI();
    }

    float getFloat(String attribute, float fallback) {
        AttributeProto a = get(attribute, AttributeType.FLOAT);
        return a == null ? fallback : a.getF();
    }

    String getString(String attribute, String fallback) {
        AttributeProto a = get(attribute, AttributeType.STRING);
        return a == null ? fallback : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** Returns the ints attribute, or null when absent. */
    long[] getInts(String attribute) {
        AttributeProto a = get(attribute, AttributeType.INTS);
        if (a == null) {
            return null;
        }
        long[] out = new long[a.getIntsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getInts(i);
        }
        return out;
    }

    /** Returns the floats attribute, or null when absent. */
    float[] getFloats(String attribute) {
        AttributeProto a = get(attribute, AttributeType.FLOATS);
        if (a == null) {
            return null;
        }
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getFloats(i);
        }
        return out;
    }

    /** Returns the tensor attribute, decoded at load time, or null when absent. */
    OnnxValue getTensor(String attribute) {
        return tensorAttributes.get(attribute);
    }

    /**
     * Returns a required attribute's ints.
     *
     * @throws OnnxException naming the node when it is missing
     */
    long[] requireInts(String attribute) {
        long[] v = getInts(attribute);
        if (v == null) {
            throw new OnnxException(this + ": required attribute '" + attribute + "' is missing");
        }
        return v;
    }

    @Override
    public String toString() {
        return opType + " node '" + (name.isEmpty() ? outputs.isEmpty() ? "?" : outputs.get(0) : name) + "'";
    }
}
