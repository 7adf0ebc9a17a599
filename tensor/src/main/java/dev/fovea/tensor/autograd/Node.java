package dev.fovea.tensor.autograd;

import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One recorded op on the autograd tape: its name, its {@link Backward} function and edges to the
 * nodes (or leaf tensors) that produced its inputs. A tensor's node is {@link Tensor#gradFn()}.
 *
 * <p>After a {@code backward()} without {@code retainGraph}, the node is <em>released</em>: its
 * backward function (and the tensors it saved) is dropped, and a second backward through it
 * throws an {@link IllegalStateException} naming the op.
 */
public final class Node {
    /** Where the gradient of one input goes: its producing node, or the leaf it accumulates into. */
    record Edge(Node node, Tensor leaf, long[] shape) {}

    private final String name;
    private final Edge[] edges;
    private Backward backward;

    Node(String name, Backward backward, Edge[] edges) {
        this.name = name;
        this.backward = backward;
        this.edges = edges;
    }

    /** Returns the name of the op that made this node, e.g. {@code "matmul"}. */
    public String name() {
        return name;
    }

    /** Returns the nodes that produced this node's inputs (leaves and constants have none). */
    public List<Node> next() {
        List<Node> next = new ArrayList<>();
        for (Edge e : edges) {
            if (e != null && e.node() != null) {
                next.add(e.node());
            }
        }
        return Collections.unmodifiableList(next);
    }

    /** Returns true once a backward pass without {@code retainGraph} has gone through this node. */
    public boolean isReleased() {
        return backward == null;
    }

    Edge[] edges() {
        return edges;
    }

    Backward backward() {
        return backward;
    }

    void release() {
        backward = null;
    }

    @Override
    public String toString() {
        return "<" + name + ">";
    }
}
