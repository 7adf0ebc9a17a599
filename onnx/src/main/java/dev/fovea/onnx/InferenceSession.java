package dev.fovea.onnx;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Runs an {@link OnnxModel}: the graph is optimized once at creation (constant folding, batch
 * norm folded into convolutions, activations fused into their epilogues, dead nodes removed), then
 * every {@link #run} executes the remaining nodes in order.
 *
 * <p><b>Plans.</b> The first run for an input shape plans each convolution (algorithm chosen,
 * weights packed or Winograd-transformed, workspace allocated); later runs of that shape reuse
 * the plans. {@link #warmUp} makes the first run happen before the real ones.
 *
 * <p><b>Threads.</b> {@code run} may be called from several threads at once: each concurrent call
 * takes its own set of plans (made on first need, then kept for later calls), and works in its
 * own {@link Scope}, whose memory is freed when the call returns. {@link #close()} waits for running calls to finish and makes later calls
 * throw {@link IllegalStateException}. Kernels use the default compute context
 * ({@code -Dfovea.threads}).
 *
 * <p><b>Results</b> are copies the caller owns (GC-managed), never views of the session's
 * weights or of the inputs.
 */
public final class InferenceSession implements AutoCloseable {
    /** How a session is built. */
    public record Options(boolean optimize) {
        /** The defaults: graph optimizations on. */
        public static Options defaults() {
            return new Options(true);
        }

        /** Returns options with graph optimizations on or off (off runs the graph as written). */
        public Options withOptimize(boolean on) {
            return new Options(on);
        }
    }

    private final OnnxModel model;
    private final List<Node> nodes;
    private final Map<String, OnnxValue> constants;
    private final GraphOptimizer.Result optimized;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Run states not in use; a run takes one (or makes one) and gives it back, so each concurrent run has its own. */
    private final ConcurrentLinkedQueue<RunState> idleStates = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    private InferenceSession(OnnxModel model, Options options) {
        this.model = model;
        this.optimized = GraphOptimizer.optimize(model, options.optimize());
        this.nodes = List.copyOf(optimized.nodes());
        this.constants = Map.copyOf(optimized.constants());
    }

    /** Creates a session with the default options. */
    public static InferenceSession create(OnnxModel model) {
        return create(model, Options.defaults());
    }

    /**
     * Creates a session.
     *
     * @throws OnnxException if constant folding finds an invalid node (the message names it)
     */
    public static InferenceSession create(OnnxModel model, Options options) {
        return new InferenceSession(model, options);
    }

    /** Returns the model this session runs. */
    public OnnxModel model() {
        return model;
    }

    /** Returns the number of nodes left to run after optimization. */
    public int nodeCount() {
        return nodes.size();
    }

    /** Returns each operator type left to run after optimization, with its node count, sorted by name. */
    public Map<String, Integer> operatorCounts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Node n : nodes) {
            counts.merge(n.fusedActivation == null ? n.opType : n.opType + "+" + n.fusedActivation.kind(), 1,
                    Integer::sum);
        }
        return counts;
    }

    /**
     * Returns what optimization did, e.g. "12 nodes folded into constants, 20 batch norms folded,
     * 17 activations fused, 0 dead nodes removed; 41 nodes to run".
     */
    public String optimizationSummary() {
        return optimized.folded() + " nodes folded into constants, " + optimized.bnFolded()
                + " batch norms folded into convolutions, " + optimized.fused() + " activations fused, "
                + optimized.removed() + " dead nodes removed; " + nodes.size() + " nodes to run";
    }

    /**
     * Runs a model with one float input and one output.
     *
     * @throws OnnxException if the model has several inputs or outputs, or the input does not fit
     */
    public Tensor run(Tensor input) {
        if (model.inputs().size() != 1 || model.outputs().size() != 1) {
            throw new OnnxException("InferenceSession.run(Tensor): the model has " + model.inputs().size()
                    + " inputs and " + model.outputs().size() + " outputs; use run(Map)");
        }
        return run(Map.of(model.inputs().get(0).name(), OnnxValue.of(input))).values().iterator().next().tensor();
    }

    /**
     * Runs the model on named float inputs and returns the float outputs by name, in the model's
     * order.
     *
     * @throws OnnxException as {@link #run(Map)}, or if an output is not float32
     */
    public Map<String, Tensor> runTensors(Map<String, Tensor> inputs) {
        Map<String, OnnxValue> in = new LinkedHashMap<>();
        inputs.forEach((k, v) -> in.put(k, OnnxValue.of(v)));
        Map<String, Tensor> out = new LinkedHashMap<>();
        run(in).forEach((k, v) -> {
            if (!v.isFloat()) {
                throw new OnnxException("InferenceSession.runTensors: output '" + k + "' is " + v.type()
                        + "; use run(Map)");
            }
            out.put(k, v.tensor());
        });
        return out;
    }

    /**
     * Runs the model and returns every output by name, in the model's order.
     *
     * @throws OnnxException if an input is missing or unknown, or its type, rank or a fixed dim
     *     differs from the model's declaration; or a node fails (the message names it)
     * @throws IllegalStateException if the session is closed
     */
    public Map<String, OnnxValue> run(Map<String, OnnxValue> inputs) {
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            if (closed) {
                throw new IllegalStateException("InferenceSession.run: the session is closed");
            }
            checkInputs(inputs);
            RunState state = idleStates.poll();
            if (state == null) {
                state = new RunState(constants.keySet());
            }
            try {
                return execute(inputs, state);
            } finally {
                idleStates.offer(state);
            }
        } finally {
            read.unlock();
        }
    }

    private void checkInputs(Map<String, OnnxValue> inputs) {
        Map<String, ValueInfo> declared = new HashMap<>();
        for (ValueInfo v : model.inputs()) {
            declared.put(v.name(), v);
        }
        for (String name : inputs.keySet()) {
            if (!declared.containsKey(name)) {
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

    private Map<String, OnnxValue> execute(Map<String, OnnxValue> inputs, RunState state) {
        Map<String, OnnxValue> env = new HashMap<>(constants);
        Map<String, OnnxValue> result = new LinkedHashMap<>();
        try (Scope scope = Scope.open(); Grad noGrad = Grad.off()) {
            env.putAll(inputs);
            for (Node n : nodes) {
                OnnxValue[] in = new OnnxValue[n.inputs.size()];
                for (int i = 0; i < in.length; i++) {
                    String name = n.inputs.get(i);
                    in[i] = name.isEmpty() ? null : env.get(name);
                }
                OnnxValue[] out = Kernels.run(n, in, state);
                for (int i = 0; i < n.outputs.size(); i++) {
                    String name = n.outputs.get(i);
                    if (!name.isEmpty()) {
                        if (i >= out.length) {
                            throw new OnnxException(n + ": output " + i + " ('" + name + "') is not computed");
                        }
                        env.put(name, out[i]);
                    }
                }
            }
            try (var unscoped = Scope.suspend()) {
                for (ValueInfo v : model.outputs()) {
                    OnnxValue value = env.get(v.name());
                    result.put(v.name(), value.isFloat() ? OnnxValue.of(value.tensor().contiguous().clone()) : value);
                }
            }
        }
        return result;
    }

    /**
     * Runs the model {@code runs} times on zeros of the declared input shapes (open dims taken as
     * 1), so that the kernels are compiled before the first real call.
     */
    public void warmUp(int runs) {
        Map<String, OnnxValue> zeros = new LinkedHashMap<>();
        for (ValueInfo v : model.inputs()) {
            long[] dims = v.dims();
            for (int i = 0; i < dims.length; i++) {
                dims[i] = Math.max(dims[i], 1);
            }
            zeros.put(v.name(), v.type() == ElementType.FLOAT ? OnnxValue.of(Tensor.zeros(dims))
                    : OnnxValue.wrapLongs(v.type(), new long[(int) Shapes.numel(dims)], dims));
        }
        for (int i = 0; i < runs; i++) {
            run(zeros);
        }
    }

    /** Returns the names of the model's inputs, in order. */
    public List<String> inputNames() {
        List<String> names = new ArrayList<>();
        model.inputs().forEach(v -> names.add(v.name()));
        return names;
    }

    /** Returns the names of the model's outputs, in order. */
    public List<String> outputNames() {
        List<String> names = new ArrayList<>();
        model.outputs().forEach(v -> names.add(v.name()));
        return names;
    }

    /** Waits for running calls, then refuses new ones. Closing twice does nothing. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
