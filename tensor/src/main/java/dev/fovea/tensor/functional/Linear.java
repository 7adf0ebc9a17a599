package dev.fovea.tensor.functional;

import dev.fovea.tensor.Tensor;

/**
 * Fully connected maps, as PyTorch's {@code F.linear} and {@code F.bilinear}; differentiable in
 * every tensor argument.
 *
 * <pre>{@code
 * Tensor y = Linear.linear(x, w, b);   // x (*, in), w (out, in), b (out) or null -> (*, out)
 * }</pre>
 */
public final class Linear {
    private Linear() {}

    /**
     * {@code F.linear}: {@code y = x W^T + b} over the last dim of {@code input} {@code (*, in)}, with
     * {@code weight} {@code (out, in)} and {@code bias} {@code (out)} or null; output {@code (*, out)}.
     * One GEMM with the bias added in its epilogue; weight views (e.g. a transpose) are read in place.
     *
     * @throws IllegalArgumentException if the weight is not 2-d, the input's last dim is not
     *     {@code in}, or the bias is not {@code (out)}
     */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return LinearOp.linear(input, weight, bias);
    }

    /**
     * {@code F.bilinear}: {@code y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]}
     * with {@code input1} {@code (*, in1)}, {@code input2} {@code (*, in2)} (same leading dims),
     * {@code weight} {@code (out, in1, in2)} and {@code bias} {@code (out)} or null; output
     * {@code (*, out)}. Composed of a GEMM ({@code input2} against the weight flattened to
     * {@code (out * in1, in2)}) and a batched matmul with {@code input1}; memory {@code n * out * in1}.
     *
     * @throws IllegalArgumentException if the weight is not 3-d, the inputs' last dims or leading
     *     dims do not fit, or the bias is not {@code (out)}
     */
    public static Tensor bilinear(Tensor input1, Tensor input2, Tensor weight, Tensor bias) {
        return LinearOp.bilinear(input1, input2, weight, bias);
    }
}
