package dev.fovea.tensor.functional;

import dev.fovea.tensor.Tensor;

/**
 * The result of max pooling with indices (PyTorch's {@code return_indices=True}).
 *
 * @param values the pooled maxima, {@code (n, c, out...)}
 * @param indices per output element, the flat position {@code (d * inH + h) * inW + w} of its
 *                maximum inside its input plane; stored as float32 holding exact integers (Fovea's
 *                tensors are float32), for {@link F#maxUnpool2d} and friends
 */
public record MaxPoolResult(Tensor values, Tensor indices) {}
