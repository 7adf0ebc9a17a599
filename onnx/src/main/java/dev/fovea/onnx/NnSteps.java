package dev.fovea.onnx;

import dev.fovea.simd.pool.AdaptivePoolSpec;
import dev.fovea.simd.pool.Pool;
import dev.fovea.simd.pool.PoolSpec;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.PoolOptions;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The step compilers of the network layers ({@link Step.Compiler}): Conv and Gemm bound to the
 * plans their kernels made in the run state, pooling straight on {@link Pool} with a spec built
 * once. Each returns null for a node it cannot compile, and the session then runs the graph
 * node by node.
 */
final class NnSteps {
    private NnSteps() {
    }

    /**
     * Conv as a compiled step: the plan this run state made for the traced input shape, bound to
     * the step's tensors (and to the residual a fused Add gave the node); null if the node was not
     * planned (weights that are not constants).
     */
    static Step convStep(Node n, Tensor[] in, Tensor[] out, RunState state) {
        if (state.get(n) instanceof NnKernels.CachedConv c && c.fits(in[1], in.length > 2 ? in[2] : null, in[0])) {
            // a fused residual (input 3) must have the output's shape: a broadcasting one runs node by node
            Tensor residual = in.length > 3 ? in[3] : null;
            if (residual != null && !CompiledGraph.sameShape(residual, out[0])) {
                return null;
            }
            Runnable task = c.plan().bind(in[0], residual, out[0]);
            return ctx -> task.run();
        }
        return null;
    }

    /** Gemm as a compiled step: the packed fully connected form only (else null). */
    static Step gemmStep(Node n, Tensor[] in, Tensor[] out, RunState state) {
        if (state.get(n) instanceof NnKernels.CachedLinear cl && cl.weight() == in[1]
                && cl.bias() == (in.length > 2 ? in[2] : null) && in[0].rank() == 2) {
            Runnable task = cl.plan().bind(in[0], out[0]);
            return ctx -> task.run();
        }
        return null;
    }

    /** MaxPool (values only) and AveragePool as compiled steps; null where the kernel pads the input first. */
    static Step poolStep(Node n, Tensor[] in, Tensor[] out, RunState state) {
        Tensor x = in[0];
        boolean max = n.opType.equals("MaxPool");
        if (x.rank() < 3 || x.rank() > 5 || (max && n.outputs.size() > 1 && !n.outputs.get(1).isEmpty())) {
            return null;
        }
        NnKernels.Pool p = NnKernels.pool(n, x, !max || n.opset >= 19);
        if (p.prePad()) {
            return null;
        }
        PoolOptions o = max ? p.options() : p.options().countIncludePad(n.getInt("count_include_pad", 0) != 0);
        PoolSpec spec = o.spec(x.rank() - 2, (int) x.size(0), (int) x.size(1), spatial(x));
        if (!Arrays.equals(spec.outputShape(), out[0].shape())) {
            return null;
        }
        MemorySegment xs = x.segment();
        long xOff = x.offset();
        MemorySegment ys = out[0].segment();
        long yOff = out[0].offset();
        if (max) {
            return ctx -> Pool.maxPool(spec, xs, xOff, ys, yOff, null, 0, ctx);
        }
        return ctx -> Pool.avgPool(spec, xs, xOff, ys, yOff, ctx);
    }

    /** GlobalAveragePool and GlobalMaxPool as compiled steps. */
    static Step globalPoolStep(Node n, Tensor[] in, Tensor[] out, RunState state) {
        Tensor x = in[0];
        if (x.rank() < 3 || x.rank() > 5) {
            return null;
        }
        int dims = x.rank() - 2;
        int[] ones = new int[dims];
        Arrays.fill(ones, 1);
        AdaptivePoolSpec spec = new AdaptivePoolSpec(dims, (int) x.size(0), (int) x.size(1), spatial(x), ones);
        boolean max = n.opType.equals("GlobalMaxPool");
        MemorySegment xs = x.segment();
        long xOff = x.offset();
        MemorySegment ys = out[0].segment();
        long yOff = out[0].offset();
        // The fixed-window form adaptivePool would derive on every call, derived once.
        PoolSpec fixed = spec.asFixedWindows();
        if (fixed != null && fixed.kernelVolume() > 1) {
            return max ? ctx -> Pool.maxPool(fixed, xs, xOff, ys, yOff, null, 0, ctx)
                    : ctx -> Pool.avgPool(fixed, xs, xOff, ys, yOff, ctx);
        }
        return ctx -> Pool.adaptivePool(spec, max, xs, xOff, ys, yOff, null, 0, ctx);
    }

    private static int[] spatial(Tensor x) {
        int[] size = new int[x.rank() - 2];
        for (int i = 0; i < size.length; i++) {
            size[i] = Math.toIntExact(x.size(i + 2));
        }
        return size;
    }
}
