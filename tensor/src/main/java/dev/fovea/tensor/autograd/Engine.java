package dev.fovea.tensor.autograd;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.internal.TensorAccess;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The backward pass: walks the nodes reachable from the root in reverse topological order
 * (iteratively, so graphs of any depth work) and accumulates gradients.
 *
 * <p>Each node runs once, after every node that feeds gradient into it, so a node's incoming
 * gradients are summed first (in the order their consumers ran, which is deterministic for a
 * given graph). Backward functions run with recording off: higher-order gradients are not
 * supported.
 */
final class Engine {
    private Engine() {}

    static void run(Tensor root, Tensor gradient, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor of shape " + Shape.toString(root.shape())
                    + " does not require grad and has no grad_fn; call requiresGrad(true) on the leaves"
                    + " before computing it (and not inside Grad.off())");
        }
        if (!root.isAlive()) {
            throw new IllegalStateException("backward: tensor storage was freed when its Scope closed (shape "
                    + Shape.toString(root.shape()) + "); run backward() inside the scope that computed the graph");
        }
        try (Grad off = Grad.off()) {
            Tensor seed = seedGradient(root, gradient);
            Node rootNode = root.gradFn();
            if (rootNode == null) {
                accumulateLeaf(root, seed);
                return;
            }
            Map<Node, Integer> dependencies = countDependencies(rootNode);
            propagate(rootNode, seed, dependencies, retainGraph);
        }
    }

    private static Tensor seedGradient(Tensor root, Tensor gradient) {
        if (gradient == null) {
            if (root.numel() != 1) {
                throw new IllegalStateException("backward: without a gradient argument the tensor must have one"
                        + " element, but it has shape " + Shape.toString(root.shape())
                        + "; reduce it first (e.g. sum()) or call backward(gradient)");
            }
            return Tensor.ones(root.shape());
        }
        if (!Arrays.equals(gradient.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: gradient has shape " + Shape.toString(gradient.shape())
                    + " but the tensor has shape " + Shape.toString(root.shape()) + "; they must be equal");
        }
        return gradient.detach();
    }

    /** Counts, for every node reachable from root, how many edges from reachable nodes lead to it. */
    private static Map<Node, Integer> countDependencies(Node root) {
        Map<Node, Integer> dependencies = new IdentityHashMap<>();
        ArrayDeque<Node> stack = new ArrayDeque<>();
        dependencies.put(root, 0);
        stack.push(root);
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            if (node.isReleased()) {
                throw released(node);
            }
            for (Node.Edge e : node.edges()) {
                if (e == null || e.node() == null) {
                    continue;
                }
                Integer count = dependencies.get(e.node());
                if (count == null) {
                    stack.push(e.node());
                    dependencies.put(e.node(), 1);
                } else {
                    dependencies.put(e.node(), count + 1);
                }
            }
        }
        return dependencies;
    }

    private static void propagate(Node rootNode, Tensor seed, Map<Node, Integer> dependencies, boolean retain) {
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        pending.put(rootNode, seed);
        ArrayDeque<Node> ready = new ArrayDeque<>();
        ready.push(rootNode);
        while (!ready.isEmpty()) {
            Node node = ready.pop();
            Tensor gradOut = pending.remove(node);
            Tensor[] gradIn = gradOut == null ? null : apply(node, gradOut);
            Node.Edge[] edges = node.edges();
            for (int i = 0; i < edges.length; i++) {
                Node.Edge e = edges[i];
                if (e == null) {
                    continue;
                }
                Tensor g = gradIn == null ? null : gradIn[i];
                if (g != null) {
                    checkShape(node, i, g, e.shape());
                }
                if (e.node() == null) {
                    if (g != null) {
                        accumulateLeaf(e.leaf(), g);
                    }
                    continue;
                }
                if (g != null) {
                    pending.merge(e.node(), g, Tensor::add);
                }
                int left = dependencies.merge(e.node(), -1, Integer::sum);
                if (left == 0) {
                    ready.push(e.node());
                }
            }
            if (!retain) {
                node.release();
            }
        }
    }

    private static Tensor[] apply(Node node, Tensor gradOut) {
        Backward backward = node.backward();
        if (backward == null) {
            throw released(node);
        }
        Tensor[] gradIn = backward.apply(gradOut);
        if (gradIn == null || gradIn.length != node.edges().length) {
            throw new IllegalStateException("backward of '" + node.name() + "' returned "
                    + (gradIn == null ? "null" : gradIn.length + " gradients") + " for "
                    + node.edges().length + " inputs");
        }
        return gradIn;
    }

    private static void checkShape(Node node, int input, Tensor g, long[] expected) {
        if (!Arrays.equals(g.shape(), expected)) {
            throw new IllegalStateException("backward of '" + node.name() + "' returned a gradient of shape "
                    + Shape.toString(g.shape()) + " for input " + input + " of shape " + Shape.toString(expected));
        }
    }

    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        Tensor current = leaf.grad();
        if (current == null) {
            TensorAccess access = TensorAccess.get();
            Tensor fresh = access.zerosBeside(leaf, leaf.shape());
            fresh.copyFrom(g);
            access.setGrad(leaf, fresh);
        } else {
            current.addInPlace(g, 1f);
        }
    }

    private static IllegalStateException released(Node node) {
        return new IllegalStateException("backward: the graph through '" + node.name() + "' was freed by an earlier"
                + " backward(); pass retainGraph=true to the first backward() to go through the same graph twice");
    }
}
