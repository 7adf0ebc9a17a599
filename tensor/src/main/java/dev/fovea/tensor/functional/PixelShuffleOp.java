package dev.fovea.tensor.functional;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.ops.Checks;
import java.util.Arrays;

/**
 * Pixel shuffle and unshuffle (Shi et al., "Real-Time Single Image and Video Super-Resolution
 * Using an Efficient Sub-Pixel Convolutional Neural Network", arXiv:1609.05158), as PyTorch:
 * {@code out[..., c, h * r + i, w * r + j] = in[..., c * r * r + i * r + j, h, w]}. Pure data
 * movement: a view that splits the channels, a permutation, and one strided copy into the result,
 * each recorded by autograd (so the gradient is the inverse permutation).
 */
final class PixelShuffleOp {
    private PixelShuffleOp() {}

    /** {@code (*, c * r^2, h, w) -> (*, c, h * r, w * r)}. */
    static Tensor shuffle(Tensor input, int r) {
        long[] s = check("pixel_shuffle", "upscale_factor", input, r);
        int lead = s.length - 3;
        long c = s[lead];
        long rr = (long) r * r;
        if (c % rr != 0) {
            throw new IllegalArgumentException("pixel_shuffle: the channel dim (-3) of input shape " + Shape.toString(s)
                    + " must be divisible by upscale_factor^2 = " + rr + ", got " + c + " channels");
        }
        long h = s[lead + 1];
        long w = s[lead + 2];
        long[] split = concat(Arrays.copyOf(s, lead), c / rr, r, r, h, w);
        long[] merged = concat(Arrays.copyOf(s, lead), c / rr, h * r, w * r);
        return input.reshape(split).permute(order(lead, 0, 3, 1, 4, 2)).reshape(merged);
    }

    /** {@code (*, c, h * r, w * r) -> (*, c * r^2, h, w)}. */
    static Tensor unshuffle(Tensor input, int r) {
        long[] s = check("pixel_unshuffle", "downscale_factor", input, r);
        int lead = s.length - 3;
        long c = s[lead];
        for (int d = 1; d <= 2; d++) {
            if (s[lead + d] % r != 0) {
                throw new IllegalArgumentException("pixel_unshuffle: the " + (d == 1 ? "height (dim -2)" : "width (dim -1)")
                        + " of input shape " + Shape.toString(s) + " must be divisible by downscale_factor " + r);
            }
        }
        long h = s[lead + 1] / r;
        long w = s[lead + 2] / r;
        long[] split = concat(Arrays.copyOf(s, lead), c, h, r, w, r);
        long[] merged = concat(Arrays.copyOf(s, lead), c * r * r, h, w);
        return input.reshape(split).permute(order(lead, 0, 2, 4, 1, 3)).reshape(merged);
    }

    private static long[] check(String op, String arg, Tensor input, int r) {
        Checks.live(op, "input", input);
        long[] s = input.shape();
        if (s.length < 3) {
            throw new IllegalArgumentException(op + ": input needs at least 3 dims (*, c, h, w), got shape "
                    + Shape.toString(s));
        }
        if (r < 1) {
            throw new IllegalArgumentException(op + ": " + arg + " must be >= 1, got " + r);
        }
        return s;
    }

    private static long[] concat(long[] head, long... tail) {
        long[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    /** The permutation keeping the {@code lead} leading dims and then taking {@code lead + tail[i]}. */
    private static int[] order(int lead, int... tail) {
        int[] p = new int[lead + tail.length];
        for (int i = 0; i < lead; i++) {
            p[i] = i;
        }
        for (int i = 0; i < tail.length; i++) {
            p[lead + i] = lead + tail[i];
        }
        return p;
    }
}
