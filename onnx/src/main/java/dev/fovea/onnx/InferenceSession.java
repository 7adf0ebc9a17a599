package dev.fovea.onnx;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * own {@link Scope}. {@link #close()} waits for running calls to finish and makes later calls
 * throw {@link IllegalStateException}.
 *
 * <p><b>Compiled graphs.</b> When every node left after optimization has a step compiler (the
 * CNN vocabulary: Conv, Gemm, pooling, the common activations, same-shape Add/Sub/Mul/Div, and
 * the reshaping ops as views), the first run of an input shape also compiles the graph for it
 * ({@link CompiledGraph}): tensors fixed by a memory plan, one bound step per node. That run's
 * results and every later run of the shape come from the compiled graph, and
 * {@link #runInto(Tensor, Tensor)} then allocates nothing, heap or off-heap. Other graphs run
 * node by node as described next.
 *
 * <p><b>Memory.</b> A run's intermediate tensors come from a {@link dev.fovea.tensor.MemoryPool}
 * of its run state, and each is given back to the pool after the last node that reads it, so
 * later nodes and later runs reuse the memory: after the first run of an input shape, runs
 * allocate no off-heap memory but the outputs they return ({@link #runInto} copies into the
 * caller's tensors instead). The pools are freed by {@link #close()}. Kernels run on the session's
 * own compute context when {@link Options#withThreads} gives it one, else on the caller's
 * {@linkplain ComputeContext#current() current context} (the default one has
 * {@code -Dfovea.threads} threads); a conv or Gemm plan keeps the context it was made on.
 *
 * <p><b>Results</b> are copies the caller owns (GC-managed), never views of the session's
 * weights or of the inputs.
 */
public final class InferenceSession implements AutoCloseable {
    /**
     * How a session is built.
     *
     * @param optimize graph optimizations on (the default) or off (the graph runs as written)
     * @param threads 0 (the default): each run uses the calling thread's
     *     {@linkplain ComputeContext#current() current compute context}; {@code n > 0}: the session
     *     has a compute context of its own with {@code n} threads, closed by {@link #close()}
     */
    public record Options(boolean optimize, int threads) {
        /** @throws IllegalArgumentException if {@code threads} is negative */
        public Options {
            if (threads < 0) {
                throw new IllegalArgumentException("InferenceSession.Options: threads must be >= 0 (0 = the caller's"
                        + " compute context), got " + threads);
            }
        }

        /** The defaults: graph optimizations on, runs on the caller's compute context. */
        public static Options defaults() {
            return new Options(true, 0);
        }

        /** Returns options with graph optimizations on or off (off runs the graph as written). */
        public Options withOptimize(boolean on) {
            return new Options(on, threads);
        }

        /** Returns options whose session has its own compute context of {@code n} threads (0: none, use the caller's). */
        public Options withThreads(int n) {
            return new Options(optimize, n);
        }
    }

    private final OnnxModel model;
    private final List<Node> nodes;
    private final Map<String, OnnxValue> constants;
    private final GraphOptimizer.Result optimized;
    /** Per node, the slots of the values whose last use it is (never graph outputs, inputs or constants). */
    private final int[][] diesAfter;
    /**
     * Every value name's slot in a run's value array (see {@link RunState#values}): constants,
     * inputs, node outputs and graph outputs, numbered once so that a run indexes an array
     * instead of filling a map.
     */
    private final Map<String, Integer> slots = new HashMap<>();
    /** A run's value array before it starts: the constants at their slots, nulls elsewhere. */
    private final OnnxValue[] constantSlots;
    /** Per node, the slots of its inputs and of its outputs (-1 for an omitted one). */
    private final int[][] nodeInputs;
    private final int[][] nodeOutputs;
    /** Slots of the graph's inputs and outputs, in the model's order. */
    private final int[] inputSlots;
    private final int[] outputSlots;
    private final Map<String, ValueInfo> declaredInputs = new HashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /**
     * Run states not in use; a run takes one (or makes one) and gives it back, so each concurrent
     * run has its own. Guarded by itself; an ArrayDeque, unlike a linked queue, allocates nothing
     * per offer once it has grown.
     */
    private final ArrayDeque<RunState> idleStates = new ArrayDeque<>();
    /** The graph's layout for {@link CompiledGraph#compile}, or null when some operator has no step compiler. */
    private final CompiledGraph.Layout layout;
    private volatile boolean closed;
    /** The session's own compute context ({@link Options#threads()} > 0), else null. */
    private final ComputeContext context;

    private InferenceSession(OnnxModel model, Options options, boolean compile) {
        this.model = model;
        this.optimized = GraphOptimizer.optimize(model, options.optimize());
        this.nodes = List.copyOf(optimized.nodes());
        this.constants = Map.copyOf(optimized.constants());
        for (ValueInfo v : model.inputs()) {
            declaredInputs.put(v.name(), v);
        }
        constants.keySet().forEach(this::slot);
        model.inputs().forEach(v -> slot(v.name()));
        this.nodeInputs = new int[nodes.size()][];
        this.nodeOutputs = new int[nodes.size()][];
        for (int k = 0; k < nodes.size(); k++) {
            nodeInputs[k] = nodes.get(k).inputs.stream().mapToInt(this::slot).toArray();
            nodeOutputs[k] = nodes.get(k).outputs.stream().mapToInt(this::slot).toArray();
        }
        this.inputSlots = model.inputs().stream().mapToInt(v -> slot(v.name())).toArray();
        this.outputSlots = model.outputs().stream().mapToInt(v -> slot(v.name())).toArray();
        this.constantSlots = new OnnxValue[slots.size()];
        constants.forEach((name, value) -> constantSlots[slots.get(name)] = value);
        this.diesAfter = SessionGraph.lastUses(nodes, constants.keySet(), declaredInputs.keySet(), model.outputs()).stream()
                .map(names -> names.stream().mapToInt(slots::get).toArray()).toArray(int[][]::new);
        this.context = options.threads() > 0 ? ComputeContext.create(options.threads()) : null;
        this.layout = compile && CompiledGraph.compilable(nodes) ? new CompiledGraph.Layout(nodes, nodeInputs, nodeOutputs,
                inputSlots, outputSlots, constantSlots) : null;
    }

    /**
     * Starts a call: takes the read lock (so {@link #close()} waits for the call) and a run state
     * no other call is using. Every {@code enter} is paired with a {@link #leave} in a finally.
     *
     * @throws IllegalStateException if the session is closed (nothing taken)
     */
    private RunState enter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new IllegalStateException("InferenceSession.run: the session is closed");
        }
        RunState state;
        synchronized (idleStates) {
            state = idleStates.pollLast();
        }
        return state != null ? state : new RunState(constants.keySet());
    }

    /** Ends a call begun by {@link #enter}: gives the run state back and releases the read lock. */
    private void leave(RunState state) {
        synchronized (idleStates) {
            idleStates.addLast(state);
        }
        lock.readLock().unlock();
    }

    /** Returns the slot of a value name, numbering it if new; -1 for the empty name (an omitted value). */
    private int slot(String name) {
        return name.isEmpty() ? -1 : slots.computeIfAbsent(name, n -> slots.size());
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
        return new InferenceSession(model, options, true);
    }

    /** A session that always runs node by node, never a {@link CompiledGraph}: for tests comparing the two. */
    static InferenceSession createUncompiled(OnnxModel model, Options options) {
        return new InferenceSession(model, options, false);
    }

    /** Returns true if some run state holds a compiled graph (for tests). */
    boolean hasCompiledGraph() {
        synchronized (idleStates) {
            for (RunState s : idleStates) {
                if (s.compiled() != null) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Returns the model this session runs. */
    public OnnxModel model() {
        return model;
    }

    /** Returns the number of nodes left to run after optimization. */
    public int nodeCount() {
        return nodes.size();
    }

    /**
     * Returns each operator type left to run after optimization, with its node count, sorted by
     * name; what the optimizer fused into a node follows its type, e.g. {@code Conv+RELU}, or
     * {@code Conv+Add+RELU} for a residual block's convolution, Add and ReLU.
     */
    public Map<String, Integer> operatorCounts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Node n : nodes) {
            String op = n.opType.equals("Conv") && n.inputs.size() > 3 ? "Conv+Add" : n.opType;
            counts.merge(n.fusedActivation == null ? op : op + "+" + n.fusedActivation.kind(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Returns what optimization did, e.g. "12 nodes folded into constants, 20 batch norms folded
     * into convolutions, 9 activations fused, 8 residual adds fused into convolutions, 0 dead nodes
     * removed; 41 nodes to run".
     */
    public String optimizationSummary() {
        return optimized.folded() + " nodes folded into constants, " + optimized.bnFolded()
                + " batch norms folded into convolutions, " + optimized.fused() + " activations fused, "
                + optimized.residuals() + " residual adds fused into convolutions, " + optimized.removed() + " dead nodes removed; " + nodes.size() + " nodes to run";
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
        return withState(inputs, state -> execute(inputs, state));
    }

    /** Checks the inputs, then runs {@code body} with a run state no other call is using. */
    private <T> T withState(Map<String, OnnxValue> inputs, java.util.function.Function<RunState, T> body) {
        RunState state = enter();
        try {
            SessionGraph.checkInputs(model, declaredInputs, inputs);
            if (context == null) {
                return body.apply(state);
            }
            return ComputeContext.callWith(context, () -> body.apply(state));
        } finally {
            leave(state);
        }
    }

    private Map<String, OnnxValue> execute(Map<String, OnnxValue> inputs, RunState state) {
        Map<String, OnnxValue> result = new LinkedHashMap<>();
        execute(inputs, state, values -> {
            try (var unscoped = Scope.suspend()) {
                for (int i = 0; i < outputSlots.length; i++) {
                    OnnxValue value = output(values, i);
                    result.put(model.outputs().get(i).name(), value.isFloat() ? OnnxValue.of(value.tensor().clone())
                            : value);
                }
            }
        });
        return result;
    }

    /** The value of graph output {@code i} in a run's value array. */
    private OnnxValue output(OnnxValue[] values, int i) {
        OnnxValue v = values[outputSlots[i]];
        if (v == null) {
            throw new OnnxException("InferenceSession.run: output '" + model.outputs().get(i).name()
                    + "' is not computed by any node of the graph");
        }
        return v;
    }

    /**
     * Runs the nodes in a scope drawing on the state's memory pool, gives each intermediate
     * tensor's memory back to the pool after its last use (unless a live value views it), and
     * hands the value array (indexed by {@link #slots}) to {@code collect} before the scope closes.
     */
    private void execute(Map<String, OnnxValue> inputs, RunState state,
                         java.util.function.Consumer<OnnxValue[]> collect) {
        Tensor[] given = SessionGraph.floatInputs(model, inputs);
        CompiledGraph compiled = state.compiled();
        if (given != null && compiled != null && compiled.accepts(given)) {
            runCompiled(compiled, given, state, collect);
            return;
        }
        long[][] inputShapes = given == null ? null : SessionGraph.shapes(given);
        long[][] trace = layout != null && given != null && !state.refused(inputShapes)
                ? new long[constantSlots.length][] : null;
        runNodes(inputs, state, collect, trace);
        if (trace != null) {
            compiled = CompiledGraph.compile(layout, trace, state);
            state.compiled(compiled, inputShapes);
            if (compiled != null) {
                // The first run's results come from the compiled graph too, as every later run's.
                runCompiled(compiled, given, state, collect);
            }
        }
    }

    /** Runs a compiled graph and hands its outputs, at their slots, to {@code collect}. */
    private void runCompiled(CompiledGraph compiled, Tensor[] given, RunState state,
                             java.util.function.Consumer<OnnxValue[]> collect) {
        compiled.run(given, runContext());
        OnnxValue[] values = state.values(constantSlots.length);
        try {
            for (int i = 0; i < outputSlots.length; i++) {
                values[outputSlots[i]] = OnnxValue.of(compiled.output(i));
            }
            collect.accept(values);
        } finally {
            Arrays.fill(values, null);
        }
    }

    /** The context a compiled graph's steps run on: the session's own, else the caller's current one. */
    private ComputeContext runContext() {
        return context != null ? context : ComputeContext.current();
    }

    /**
     * Runs the nodes one by one (the dynamic path), recording each float value's shape by slot
     * in {@code trace} when it is not null.
     */
    private void runNodes(Map<String, OnnxValue> inputs, RunState state,
                          java.util.function.Consumer<OnnxValue[]> collect, long[][] trace) {
        OnnxValue[] values = state.values(constantSlots.length);
        System.arraycopy(constantSlots, 0, values, 0, constantSlots.length);
        List<OnnxValue> live = state.live();
        try (Scope scope = Scope.open(state.pool()); Grad noGrad = Grad.off()) {
            for (int i = 0; i < inputSlots.length; i++) {
                values[inputSlots[i]] = inputs.get(model.inputs().get(i).name());
                if (trace != null) {
                    trace[inputSlots[i]] = values[inputSlots[i]].shape();
                }
            }
            for (int k = 0; k < nodes.size(); k++) {
                Node n = nodes.get(k);
                int[] ins = nodeInputs[k];
                OnnxValue[] in = new OnnxValue[ins.length];
                for (int i = 0; i < in.length; i++) {
                    in[i] = ins[i] < 0 ? null : values[ins[i]];
                }
                OnnxValue[] out = Kernels.run(n, in, state);
                int[] outs = nodeOutputs[k];
                for (int i = 0; i < outs.length; i++) {
                    if (outs[i] >= 0) {
                        if (i >= out.length) {
                            throw new OnnxException(n + ": output " + i + " ('" + n.outputs.get(i) + "') is not computed");
                        }
                        values[outs[i]] = out[i];
                        live.add(out[i]);
                        if (trace != null && out[i].isFloat()) {
                            trace[outs[i]] = out[i].shape();
                        }
                    }
                }
                for (int dead : diesAfter[k]) {
                    release(scope, values[dead], live);
                    values[dead] = null;
                }
            }
            collect.accept(values);
        } finally {
            Arrays.fill(values, null);
            live.clear();
        }
    }

    /** Gives {@code dead}'s memory back to the pool unless another live value views the same storage. */
    private static void release(Scope scope, OnnxValue dead, List<OnnxValue> live) {
        if (dead == null) {
            return;
        }
        live.remove(dead);
        if (!dead.isFloat()) {
            return;
        }
        Tensor t = dead.tensor();
        for (OnnxValue v : live) {
            if (v.isFloat() && v.tensor().sharesStorageWith(t)) {
                return;
            }
        }
        scope.release(t);
    }

    /**
     * Runs the model and copies each float output into the caller's tensor of the same name, with
     * no output allocated: with the same input shapes as an earlier call, a run then allocates
     * no off-heap memory (its intermediate tensors reuse the memory of earlier runs).
     *
     * @param inputs the float inputs by name
     * @param outputs a tensor for each output to fetch, of the output's shape (outputs not named
     *     are not copied)
     * @throws OnnxException as {@link #run(Map)}, or if an output is unknown, not float32, or of
     *     another shape than its tensor
     */
    public void runInto(Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
        Map<String, OnnxValue> in = new HashMap<>();
        inputs.forEach((k, v) -> in.put(k, OnnxValue.of(v)));
        List<String> names = outputNames();
        for (String name : outputs.keySet()) {
            if (!names.contains(name)) {
                throw new OnnxException("InferenceSession.runInto: unknown output '" + name + "'; the model's outputs"
                        + " are " + model.outputs());
            }
        }
        java.util.function.Consumer<OnnxValue[]> copyOut = values -> outputs.forEach((name, target) -> {
            OnnxValue v = output(values, names.indexOf(name));
            if (!v.isFloat() || !java.util.Arrays.equals(v.shapeRef(), target.shape())) {
                throw new OnnxException("InferenceSession.runInto: output '" + name + "' is " + v.type() + " "
                        + java.util.Arrays.toString(v.shapeRef()) + ", the tensor given for it is float32 "
                        + java.util.Arrays.toString(target.shape()));
            }
            target.copyFrom(v.tensor());
        });
        withState(in, state -> {
            execute(in, state, copyOut);
            return null;
        });
    }

    /**
     * {@link #runInto(Map, Map)} for a model with one input and one output. Once the graph is
     * compiled for the input's shape (by the first run of that shape, when every node has a step
     * compiler), a call allocates nothing, heap or off-heap.
     */
    public void runInto(Tensor input, Tensor output) {
        if (model.inputs().size() != 1 || model.outputs().size() != 1) {
            throw new OnnxException("InferenceSession.runInto(Tensor, Tensor): the model has " + model.inputs().size()
                    + " inputs and " + model.outputs().size() + " outputs; use runInto(Map, Map)");
        }
        if (!runCompiledInto(input, output)) {
            runInto(Map.of(model.inputs().get(0).name(), input), Map.of(model.outputs().get(0).name(), output));
        }
    }

    /**
     * Runs a one-input, one-output model through a run state's compiled graph when it has one for
     * this input shape and the output fits; returns false (nothing done) otherwise.
     */
    private boolean runCompiledInto(Tensor input, Tensor output) {
        if (input == null || output == null || !input.isAlive() || !output.isAlive()) {
            return false;
        }
        RunState state = enter();
        try {
            CompiledGraph compiled = state.compiled();
            if (compiled == null || !compiled.accepts(input) || !CompiledGraph.sameShape(compiled.output(0), output)) {
                return false;
            }
            compiled.run(input, runContext());
            CompiledGraph.copy(compiled.output(0), output);
            return true;
        } finally {
            leave(state);
        }
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

    /**
     * Returns the threads a run uses: those of the session's own compute context, or (without one)
     * of the calling thread's current context.
     */
    public int threads() {
        return (context != null ? context : ComputeContext.current()).threads();
    }

    /**
     * Waits for running calls, then refuses new ones and frees the run states and the session's
     * own compute context. Closing twice does nothing.
     */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed && context != null) {
                context.close();
            }
            closed = true;
            synchronized (idleStates) {
                for (RunState s; (s = idleStates.poll()) != null; ) {
                    s.close();
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
