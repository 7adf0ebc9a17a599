package dev.fovea.onnx;

import com.google.protobuf.CodedInputStream;
import dev.fovea.onnx.proto.OnnxProtos.AttributeProto;
import dev.fovea.onnx.proto.OnnxProtos.GraphProto;
import dev.fovea.onnx.proto.OnnxProtos.ModelProto;
import dev.fovea.onnx.proto.OnnxProtos.NodeProto;
import dev.fovea.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.fovea.onnx.proto.OnnxProtos.TensorProto;
import dev.fovea.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.fovea.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An ONNX model read from a file: its graph of operators, its weights, and its declared inputs
 * and outputs. Run it with an {@link InferenceSession}.
 *
 * <pre>{@code
 * OnnxModel model = OnnxModel.load(Path.of("resnet18.onnx"));
 * try (InferenceSession session = InferenceSession.create(model)) {
 *     Tensor logits = session.run(image);
 * }
 * }</pre>
 *
 * <p>Files are untrusted. Loading checks, before allocating anything from the file's numbers,
 * that every tensor's data matches its dims; that external data stays inside the model's folder;
 * that every node only uses values defined before it (which also rules out cycles); and that
 * every operator is one Fovea runs, listing all the unsupported ones in one message otherwise.
 * Every failure is an {@link OnnxException}.
 */
public final class OnnxModel {
    /**
     * The oldest default-domain opset accepted. Before opset 7 some operators had other forms
     * (Add, Sub, Mul, Div and PRelu with {@code broadcast}/{@code axis} attributes, Pad with
     * {@code paddings}); the kernels read both forms.
     */
    public static final int MIN_OPSET = 1;
    /** The newest default-domain opset accepted. */
    public static final int MAX_OPSET = 22;
    /** Files larger than protobuf's 2 GiB message limit are refused; bigger weights go in external data. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE;
    /** Nesting limit for the protobuf parser (subgraphs inside attributes). */
    static final int RECURSION_LIMIT = 64;

    private final int opset;
    private final long irVersion;
    private final String producer;
    private final List<Node> nodes;
    private final Map<String, OnnxValue> initializers;
    private final List<ValueInfo> inputs;
    private final List<ValueInfo> outputs;

    private OnnxModel(int opset, long irVersion, String producer, List<Node> nodes,
                      Map<String, OnnxValue> initializers, List<ValueInfo> inputs, List<ValueInfo> outputs) {
        this.opset = opset;
        this.irVersion = irVersion;
        this.producer = producer;
        this.nodes = List.copyOf(nodes);
        this.initializers = Collections.unmodifiableMap(initializers);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
    }

    /**
     * Reads a model file; external data is resolved against the file's folder.
     *
     * @throws OnnxException if the file cannot be read, is not a valid ONNX model, or uses operators
     *     Fovea does not run
     */
    public static OnnxModel load(Path file) {
        long size;
        byte[] bytes;
        try {
            size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new OnnxException("OnnxModel.load: " + file + " has " + size + " bytes, more than protobuf's"
                        + " 2 GiB limit; store the weights as external data");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new OnnxException("OnnxModel.load: cannot read " + file + ": " + e, e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(bytes, dir, file.toString());
    }

    /**
     * Reads a model from its serialized bytes. A model with external data needs its folder: use
     * {@link #load(Path)}.
     *
     * @throws OnnxException as {@link #load(Path)}
     */
    public static OnnxModel parse(byte[] bytes) {
        return parse(bytes, null, "model bytes");
    }

    static OnnxModel parse(byte[] bytes, Path baseDir, String source) {
        ModelProto proto;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(RECURSION_LIMIT);
            proto = ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new OnnxException("OnnxModel: " + source + " is not a valid ONNX model (protobuf: "
                    + e.getMessage() + ")", e);
        }
        return fromProto(proto, baseDir, source);
    }

    private static OnnxModel fromProto(ModelProto proto, Path baseDir, String source) {
        if (!proto.hasGraph()) {
            throw new OnnxException("OnnxModel: " + source + " has no graph (is it an ONNX model?)");
        }
        int opset = -1;
        for (OperatorSetIdProto id : proto.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                opset = (int) Math.min(Integer.MAX_VALUE, id.getVersion());
            }
        }
        if (opset < 0 && proto.getIrVersion() < 3) {
            opset = 1; // IR 1 and 2 had no opset_import: opset 1 is implied
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new OnnxException("OnnxModel: " + source + " uses opset " + opset + " of the default domain;"
                    + " Fovea runs opsets " + MIN_OPSET + " to " + MAX_OPSET
                    + (opset < MIN_OPSET ? " (convert it with onnx.version_converter)" : ""));
        }
        GraphProto g = proto.getGraph();
        Map<String, OnnxValue> initializers = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            String what = "initializer '" + t.getName() + "'";
            if (t.getName().isEmpty()) {
                throw new OnnxException("OnnxModel: " + source + " has an initializer without a name");
            }
            if (initializers.put(t.getName(), TensorDecoder.decode(t, baseDir, what)) != null) {
                throw new OnnxException("OnnxModel: " + source + " defines " + what + " twice");
            }
        }
        Set<String> defined = new HashSet<>(initializers.keySet());
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfoProto vi : g.getInputList()) {
            if (initializers.containsKey(vi.getName())) {
                continue; // an initializer listed as an input (old exporters): a constant, not a model input
            }
            if (!defined.add(vi.getName())) {
                throw new OnnxException("OnnxModel: " + source + " declares input '" + vi.getName() + "' twice");
            }
            inputs.add(valueInfo(vi, "input", source));
        }
        List<Node> nodes = new ArrayList<>();
        Map<String, List<String>> unsupported = new TreeMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto np = g.getNode(i);
            Node node = node(np, opset, baseDir, i);
            String domain = np.getDomain();
            boolean defaultDomain = domain.isEmpty() || domain.equals("ai.onnx");
            if (!defaultDomain || !Kernels.supports(node.opType)) {
                String key = defaultDomain ? node.opType : domain + "." + node.opType;
                unsupported.computeIfAbsent(key, k -> new ArrayList<>()).add(node.toString());
            }
            for (String in : node.inputs) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new OnnxException("OnnxModel: " + source + ": " + node + " uses '" + in
                            + "' before any node defines it: the graph is not in topological order, has a cycle,"
                            + " or refers to a missing value");
                }
            }
            for (String out : node.outputs) {
                if (!out.isEmpty() && !defined.add(out)) {
                    throw new OnnxException("OnnxModel: " + source + ": " + node + " defines '" + out
                            + "', which is already defined (ONNX values are assigned once)");
                }
            }
            nodes.add(node);
        }
        if (!unsupported.isEmpty()) {
            StringBuilder sb = new StringBuilder("OnnxModel: " + source + " uses " + unsupported.size()
                    + " operator(s) Fovea does not run:");
            unsupported.forEach((op, users) -> sb.append("\n  ").append(op).append(" (").append(users.size())
                    .append(users.size() == 1 ? " node: " : " nodes: ")
                    .append(String.join(", ", users.subList(0, Math.min(5, users.size()))))
                    .append(users.size() > 5 ? ", ..." : "").append(')'));
            throw new OnnxException(sb.toString());
        }
        List<ValueInfo> outputs = new ArrayList<>();
        for (ValueInfoProto vi : g.getOutputList()) {
            if (!defined.contains(vi.getName())) {
                throw new OnnxException("OnnxModel: " + source + ": output '" + vi.getName() + "' is never defined");
            }
            outputs.add(valueInfo(vi, "output", source));
        }
        if (outputs.isEmpty()) {
            throw new OnnxException("OnnxModel: " + source + " declares no outputs");
        }
        return new OnnxModel(opset, proto.getIrVersion(), proto.getProducerName() + " "
                + proto.getProducerVersion(), nodes, initializers, inputs, outputs);
    }

    private static Node node(NodeProto np, int opset, Path baseDir, int index) {
        Map<String, AttributeProto> attributes = new LinkedHashMap<>();
        Map<String, OnnxValue> tensors = new HashMap<>();
        String label = np.getOpType() + " node '" + (np.getName().isEmpty() ? "#" + index : np.getName()) + "'";
        for (AttributeProto a : np.getAttributeList()) {
            if (attributes.put(a.getName(), a) != null) {
                throw new OnnxException("OnnxModel: " + label + " has attribute '" + a.getName() + "' twice");
            }
            if (a.hasT()) {
                tensors.put(a.getName(), TensorDecoder.decode(a.getT(), baseDir,
                        label + " attribute '" + a.getName() + "'"));
            }
        }
        String name = np.getName().isEmpty() ? "#" + index : np.getName();
        return new Node(np.getOpType(), name, np.getInputList(), np.getOutputList(), opset, attributes, tensors);
    }

    private static ValueInfo valueInfo(ValueInfoProto vi, String role, String source) {
        if (!vi.hasType() || !vi.getType().hasTensorType()) {
            throw new OnnxException("OnnxModel: " + source + ": " + role + " '" + vi.getName()
                    + "' is not a tensor (sequences, maps and optionals are not supported)");
        }
        var tt = vi.getType().getTensorType();
        ElementType type = ElementType.fromOnnx(tt.getElemType());
        if (type == null) {
            throw new OnnxException("OnnxModel: " + source + ": " + role + " '" + vi.getName() + "' is "
                    + ElementType.onnxName(tt.getElemType()) + ", which Fovea does not compute with");
        }
        List<TensorShapeProto.Dimension> dimList = tt.getShape().getDimList();
        long[] dims = new long[dimList.size()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension d = dimList.get(i);
            dims[i] = d.hasDimValue() && d.getDimValue() >= 0 ? d.getDimValue() : -1;
            names.add(d.hasDimParam() ? d.getDimParam() : "");
        }
        return new ValueInfo(vi.getName(), type, dims, names);
    }

    /** Returns the default domain's opset version the model was written against. */
    public int opsetVersion() {
        return opset;
    }

    /** Returns the ONNX IR version of the file. */
    public long irVersion() {
        return irVersion;
    }

    /** Returns the producer's name and version, as the file records them (e.g. "pytorch 1.13.1"). */
    public String producer() {
        return producer.trim();
    }

    /** Returns the inputs the caller feeds (graph inputs that are not initializers). */
    public List<ValueInfo> inputs() {
        return inputs;
    }

    /** Returns the outputs a run produces, in the model's order. */
    public List<ValueInfo> outputs() {
        return outputs;
    }

    /** Returns the number of nodes. */
    public int nodeCount() {
        return nodes.size();
    }

    /** Returns each operator type with the number of nodes using it, sorted by name. */
    public Map<String, Integer> operatorCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Node n : nodes) {
            counts.merge(n.opType, 1, Integer::sum);
        }
        return counts;
    }

    /** Returns the names of the weights and constants stored in the file. */
    public Set<String> initializerNames() {
        return initializers.keySet();
    }

    List<Node> nodes() {
        return nodes;
    }

    Map<String, OnnxValue> initializers() {
        return initializers;
    }

    @Override
    public String toString() {
        return "OnnxModel(opset " + opset + ", " + nodes.size() + " nodes, inputs " + inputs + ", outputs " + outputs
                + ")";
    }
}
