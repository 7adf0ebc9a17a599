package dev.fovea.tensor.autograd;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.internal.TensorAccess;

/**
 * Records ops on the autograd tape and runs backward passes; the extension point for new
 * differentiable ops (for example convolution in {@code nn}).
 *
 * <p>An op computes its output with recording off or on (it does not matter: kernels record
 * nothing), then calls {@link #record} with a {@link Backward} closure that captures what the
 * backward pass needs. Ops may call {@link #isRecording} first to avoid saving tensors when no
 * node will be recorded.
 */
public final class Autograd {
    private Autograd() {}

    /** Returns true when grad mode is on and at least one of {@code inputs} requires grad. */
    public static boolean isRecording(Tensor... inputs) {
        if (!Grad.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records that {@code output} was computed by op {@code op} from {@code inputs}, when
     * {@link #isRecording} is true for them; otherwise does nothing.
     *
     * @param op the op's name, used in error messages and {@code toString}
     * @param output the freshly made result (a new tensor object, never one of the inputs)
     * @param backward computes the inputs' gradients from the output's
     * @param inputs the op's tensor inputs, in the order {@code backward} returns gradients
     * @return {@code output}
     */
    public static Tensor record(String op, Tensor output, Backward backward, Tensor... inputs) {
        if (!isRecording(inputs)) {
            return output;
        }
        Node.Edge[] edges = new Node.Edge[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in != null && in.requiresGrad()) {
                Node producer = in.gradFn();
                edges[i] = new Node.Edge(producer, producer == null ? in : null, in.shape());
            }
        }
        TensorAccess.get().attachNode(output, new Node(op, backward, edges));
        return output;
    }

    /**
     * Runs a backward pass from {@code root}, accumulating into the {@code grad()} of every leaf
     * that requires grad; this is what {@link Tensor#backward(Tensor, boolean)} calls.
     *
     * @param gradient the gradient of the loss with respect to {@code root}, or null for a
     *     single-element {@code root} (then 1)
     * @param retainGraph keep the graph's nodes so that backward can run through them again
     * @throws IllegalStateException if {@code root} does not require grad, if {@code gradient} is
     *     null and {@code root} has more than one element, or if the graph was released
     * @throws IllegalArgumentException if {@code gradient}'s shape differs from {@code root}'s
     */
    public static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
        Engine.run(root, gradient, retainGraph);
    }
}
