package dev.fovea.onnx;

import dev.fovea.tensor.MemoryPool;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a session keeps from one run to the next: per node, the state a kernel planned (a conv
 * plan with its packed weights and workspace), the memory pool the run's tensors come from, and
 * the graph compiled for the last input shapes ({@link CompiledGraph}).
 * A run takes a state from the session's idle states and gives it back at the end, so no two runs
 * use one state at once; it is not thread-safe itself.
 */
final class RunState implements AutoCloseable {
    private final Set<String> constants;
    private final Map<Node, Object> perNode = new IdentityHashMap<>();
    private MemoryPool pool = MemoryPool.create();
    /** The graph compiled for the input shapes of an earlier run, or null. */
    private CompiledGraph compiled;
    /** Input shapes for which compiling failed (not tried again for them), or null. */
    private long[][] refusedShapes;
    /** The run's values by slot, and the node outputs still alive; reused by every run of this state. */
    private OnnxValue[] values = new OnnxValue[0];
    private final List<OnnxValue> live = new ArrayList<>();

    /** Makes an empty state for a graph whose constant values have these names. */
    RunState(Set<String> constants) {
        this.constants = constants;
    }

    /** Returns true if the value named {@code name} is a constant of the graph (the same in every run). */
    boolean isConstant(String name) {
        return constants.contains(name);
    }

    /** Returns what the kernel of {@code node} stored, or null. */
    Object get(Node node) {
        return perNode.get(node);
    }

    /** Stores what the kernel of {@code node} planned, replacing what it stored before. */
    void put(Node node, Object state) {
        perNode.put(node, state);
    }

    /** The pool the run's intermediate tensors are allocated from; its blocks are reused run after run. */
    MemoryPool pool() {
        return pool;
    }

    /** Returns this state's value array of at least {@code slots} entries (all null between runs). */
    OnnxValue[] values(int slots) {
        if (values.length < slots) {
            values = new OnnxValue[slots];
        }
        return values;
    }

    /** Returns this state's list of live node outputs (empty between runs). */
    List<OnnxValue> live() {
        return live;
    }

    /** Returns the graph compiled for an earlier run's input shapes, or null. */
    CompiledGraph compiled() {
        return compiled;
    }

    /**
     * Keeps {@code graph} (compiled for these input shapes; null if compiling failed, which is
     * then not tried again for them). A compiled graph owns its tensors, so the pool's blocks of
     * the traced run are freed: later runs of these shapes never draw on it.
     */
    void compiled(CompiledGraph graph, long[][] inputShapes) {
        compiled = graph;
        refusedShapes = graph == null ? inputShapes : null;
        if (graph != null) {
            pool.close();
            pool = MemoryPool.create();
        }
    }

    /** Returns true if compiling failed for exactly these input shapes before. */
    boolean refused(long[][] inputShapes) {
        return refusedShapes != null && java.util.Arrays.deepEquals(refusedShapes, inputShapes);
    }

    /** Frees the pool's memory; the state must not be used afterwards. */
    @Override
    public void close() {
        pool.close();
        perNode.clear();
        compiled = null;
    }
}
