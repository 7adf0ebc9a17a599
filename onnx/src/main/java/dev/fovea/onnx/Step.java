package dev.fovea.onnx;

import dev.fovea.simd.parallel.ComputeContext;

/**
 * One node of a {@link CompiledGraph}: its kernel with every argument fixed at compile time
 * (input and output tensors, specs, plans), so that running it allocates nothing.
 */
@FunctionalInterface
interface Step {
    /** Computes the node's outputs from its inputs, on {@code ctx}'s threads where the kernel splits work. */
    void run(ComputeContext ctx);

    /**
     * Makes a node's step from its bound tensors (constants, or the compiled graph's own), with
     * the run state whose plans the trace made; returns null if this node cannot be compiled.
     */
    @FunctionalInterface
    interface Compiler {
        Step compile(Node node, dev.fovea.tensor.Tensor[] inputs, dev.fovea.tensor.Tensor[] outputs, RunState state);
    }
}
