package dev.fovea.tensor.functional;

import dev.fovea.simd.norm.BernoulliMask;
import dev.fovea.simd.norm.MaskedAffine;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.ops.Checks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.random.RandomGenerator;

/**
 * The dropout ops behind {@link Dropout}: one Bernoulli bit per element (or per channel plane)
 * drawn from the caller's generator ({@link BernoulliMask}), then the masked affine map of
 * {@link MaskedAffine}; the backward applies the same mask to the gradient.
 */
final class DropoutOp {
    /** SELU's {@code scale * alpha}: alpha dropout's value for dropped units is {@code -ALPHA}. */
    static final double ALPHA = 1.7580993408473766;

    private DropoutOp() {}

    /**
     * Dropout or alpha dropout of {@code input}; {@code planes} (for channel-wise dropout) is the
     * number of {@code (n, c)} planes, 0 for element-wise.
     */
    static Tensor run(String op, Tensor input, double p, boolean training, RandomGenerator rng, boolean alpha,
                      long planes) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(op + ": dropout probability p must be in [0, 1], got " + p);
        }
        if (!training || p == 0) {
            return input;
        }
        if (rng == null && p < 1) {
            throw new IllegalArgumentException(op + ": the random generator must not be null in training with p="
                    + p);
        }
        long n = input.numel();
        long bits = planes > 0 ? planes : n;
        long inner = planes > 0 ? n / planes : 1;
        MemorySegment mask = Arena.ofAuto().allocate(Math.max(1, BernoulliMask.words(bits)) * Long.BYTES, 8);
        if (p < 1) {
            BernoulliMask.fill(rng, 1 - p, bits, mask, 0);
        }
        float keepScale;
        float keepShift;
        float dropShift;
        if (p == 1) {
            keepScale = 0f;
            keepShift = 0f;
            dropShift = 0f;
        } else if (alpha) {
            double a = 1 / Math.sqrt((ALPHA * ALPHA * p + 1) * (1 - p));
            keepScale = (float) a;
            keepShift = (float) (ALPHA * a * p);
            dropShift = (float) (ALPHA * a * (p - 1));
        } else {
            keepScale = (float) (1 / (1 - p));
            keepShift = 0f;
            dropShift = 0f;
        }
        Tensor xc = NormSupport.contiguous(input);
        Tensor y = Tensor.empty(input.shape());
        apply(planes, inner, bits, xc, y, mask, keepScale, keepShift, dropShift);
        return Autograd.record(op, y, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(input.shape());
            apply(planes, inner, bits, gc, dx, mask, keepScale, 0f, 0f);
            return new Tensor[] {dx};
        }, input);
    }

    private static void apply(long planes, long inner, long bits, Tensor x, Tensor y, MemorySegment mask,
                              float keepScale, float keepShift, float dropShift) {
        if (planes > 0) {
            MaskedAffine.applyPlanes(bits, inner, x.segment(), x.offset(), y.segment(), y.offset(), mask, 0, keepScale,
                    keepShift, 0f, dropShift, NormSupport.ctx());
        } else {
            MaskedAffine.apply(bits, x.segment(), x.offset(), y.segment(), y.offset(), mask, 0, keepScale, keepShift,
                    0f, dropShift, NormSupport.ctx());
        }
    }

    /**
     * The number of channel planes of a channel-wise dropout over {@code spatial} dims: input
     * {@code (n, c, spatial...)} or unbatched {@code (c, spatial...)}.
     */
    static long channelPlanes(String op, Tensor input, int spatial) {
        Checks.live(op, "input", input);
        int rank = input.rank();
        if (rank != spatial + 1 && rank != spatial + 2) {
            throw new IllegalArgumentException(op + ": input must be (n, c" + ", *".repeat(spatial) + ") or unbatched"
                    + " (c" + ", *".repeat(spatial) + "), i.e. " + (spatial + 1) + " or " + (spatial + 2)
                    + " dims, got shape " + Shape.toString(input.shape()));
        }
        long[] s = input.shape();
        return rank == spatial + 2 ? s[0] * s[1] : s[0];
    }

    /** The {@code (n, c)} planes of feature alpha dropout: input {@code (n, c, ...)} of rank >= 2. */
    static long featurePlanes(String op, Tensor input) {
        Checks.live(op, "input", input);
        if (input.rank() < 2) {
            throw new IllegalArgumentException(op + ": input must be (n, c, ...) with at least 2 dims, got shape "
                    + Shape.toString(input.shape()));
        }
        return input.shape()[0] * input.shape()[1];
    }
}
