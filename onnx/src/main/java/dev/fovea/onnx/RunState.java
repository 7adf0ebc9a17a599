package dev.fovea.onnx;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a session keeps from one run to the next on the same thread: per node, the state a kernel
 * planned (a conv plan with its packed weights and workspace). A run takes a state from the
 * session's idle pool and gives it back at the end, so no two runs use one state at once; it is
 * not thread-safe itself.
 */
final class RunState {
    private final Set<String> constants;
    private final Map<Node, Object> perNode = new IdentityHashMap<>();

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
}
