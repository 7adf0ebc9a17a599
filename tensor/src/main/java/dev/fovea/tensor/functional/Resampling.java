package dev.fovea.tensor.functional;

import dev.fovea.tensor.Tensor;

/**
 * Padding, resizing and pixel shuffling of tensors, as PyTorch's {@code F.pad},
 * {@code F.interpolate} (and {@code nn.Upsample}), {@code F.pixel_shuffle} and
 * {@code F.pixel_unshuffle}; each is differentiable (it records an autograd node when grad mode
 * is on and the input requires grad). Splitting, chunking, flattening, unflattening and
 * concatenation are methods of {@link Tensor} ({@code split}, {@code chunk}, {@code flatten},
 * {@code unflatten}, {@link Tensor#cat}); they return views where PyTorch does.
 *
 * <pre>{@code
 * Tensor p = Resampling.pad(x, new long[] {1, 1, 2, 0}, "reflect");            // W by (1, 1), H by (2, 0)
 * Tensor u = Resampling.interpolate(x, InterpolateOptions.mode("bilinear").scaleFactor(2));
 * Tensor s = Resampling.pixelShuffle(x, 3);                                      // (n, 9c, h, w) -> (n, c, 3h, 3w)
 * }</pre>
 *
 * <p>Results do not depend on the thread count. Bad arguments throw
 * {@link IllegalArgumentException} naming the op, the argument and the shapes.
 */
public final class Resampling {
    private Resampling() {}

    /**
     * {@code F.pad(input, pad)}: pads with zeros. {@code pad} holds (begin, end) pairs from the last
     * dim backwards, {@code (left, right, top, bottom, front, back, ...)}, for up to every dim;
     * negative amounts crop.
     *
     * @throws IllegalArgumentException for an odd number of values, more pairs than dims, or a negative output size
     */
    public static Tensor pad(Tensor input, long... pad) {
        return PadOp.pad(input, pad, "constant", null);
    }

    /**
     * {@code F.pad(input, pad, mode)}. Modes: {@code constant} (zeros; any number of dims),
     * {@code reflect} (mirror without repeating the edge; each amount below the input size),
     * {@code replicate} (repeat the edge) and {@code circular} (wrap around once: each amount at
     * most the input size). The border modes pad the last 1, 2 or 3 dims of an input with one or
     * two more dims (unbatched or batched); negative amounts crop in every mode (circular wraps what
     * is left after cropping, as PyTorch).
     *
     * @throws IllegalArgumentException naming the mode, dim and amounts when the mode does not allow them
     */
    public static Tensor pad(Tensor input, long[] pad, String mode) {
        return PadOp.pad(input, pad, mode, null);
    }

    /**
     * {@code F.pad(input, pad, mode='constant', value=value)}: pads with {@code value}; only the
     * constant mode takes a value.
     *
     * @throws IllegalArgumentException if {@code mode} is not {@code constant}, or as {@link #pad(Tensor, long...)}
     */
    public static Tensor pad(Tensor input, long[] pad, String mode, float value) {
        return PadOp.pad(input, pad, mode, value);
    }

    /**
     * {@code F.interpolate}: resizes the spatial dims of {@code (n, c, w)}, {@code (n, c, h, w)} or
     * {@code (n, c, d, h, w)} input; see {@link InterpolateOptions} for the modes and PyTorch's
     * rules. Vectorized separable kernels over the {@code n * c} planes; the gradient scatters each
     * output's gradient back with the same weights.
     *
     * @throws IllegalArgumentException if the mode does not fit the input's rank (bicubic needs 4-d
     *     input), both or neither of size and scale factor are given, {@code alignCorners} is set for
     *     a nearest or area mode, or a size is empty
     */
    public static Tensor interpolate(Tensor input, InterpolateOptions options) {
        return InterpolateOp.interpolate(input, options);
    }

    /**
     * {@code F.pixel_shuffle}: {@code (*, c * r^2, h, w) -> (*, c, h * r, w * r)} with PyTorch's
     * channel order: output {@code [c][h * r + i][w * r + j]} is input {@code [c * r^2 + i * r + j][h][w]}.
     *
     * @throws IllegalArgumentException if the input has fewer than 3 dims, {@code upscaleFactor < 1},
     *     or the channels are not divisible by {@code upscaleFactor^2}
     */
    public static Tensor pixelShuffle(Tensor input, int upscaleFactor) {
        return PixelShuffleOp.shuffle(input, upscaleFactor);
    }

    /**
     * {@code F.pixel_unshuffle}, the inverse of {@link #pixelShuffle}:
     * {@code (*, c, h * r, w * r) -> (*, c * r^2, h, w)}.
     *
     * @throws IllegalArgumentException if the input has fewer than 3 dims, {@code downscaleFactor < 1},
     *     or the height or width is not divisible by {@code downscaleFactor}
     */
    public static Tensor pixelUnshuffle(Tensor input, int downscaleFactor) {
        return PixelShuffleOp.unshuffle(input, downscaleFactor);
    }
}
