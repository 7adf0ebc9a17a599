package dev.fovea.simd.norm;

/**
 * The view a normalization kernel takes of a contiguous float32 tensor: {@code (outer, channels,
 * inner)}, element {@code (o, c, i)} at {@code (o * channels + c) * inner + i}. Statistics and
 * per-channel coefficients are indexed by the channel {@code c}; each channel has
 * {@link #perChannel()} {@code = outer * inner} elements, in {@code outer} runs of {@code inner}
 * contiguous ones.
 *
 * <p>How the norms map onto it ({@code spatial} = the product of the dims after the channels):
 * <ul>
 * <li>batch norm of {@code (n, c, spatial...)}: {@code (n, c, spatial)};
 * <li>instance norm: {@code (1, n * c, spatial)};
 * <li>group norm with {@code g} groups, statistics: {@code (1, n * g, c / g * spatial)}; its
 *     per-channel affine pass: {@code (1, n * c, spatial)};
 * <li>layer norm over the last dims of size {@code m}: {@code (1, rows, m)}.
 * </ul>
 *
 * @param outer the number of runs per channel (the batch for batch norm), {@code >= 0}
 * @param channels the number of channels (statistics), {@code >= 0}
 * @param inner the run length (elements per channel and run), {@code >= 0}
 */
public record NormDims(long outer, long channels, long inner) {
    /**
     * Validates the dims.
     *
     * @throws IllegalArgumentException if a dim is negative or the element count overflows a long
     */
    public NormDims {
        if (outer < 0 || channels < 0 || inner < 0) {
            throw new IllegalArgumentException("NormDims: outer, channels and inner must be >= 0, got " + outer
                    + ", " + channels + ", " + inner);
        }
        try {
            Math.multiplyExact(Math.multiplyExact(outer, channels), inner);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("NormDims: " + outer + " * " + channels + " * " + inner
                    + " elements overflow a long", e);
        }
    }

    /** Returns the number of elements, {@code outer * channels * inner}. */
    public long elements() {
        return outer * channels * inner;
    }

    /** Returns the number of elements each channel's statistics cover, {@code outer * inner}. */
    public long perChannel() {
        return outer * inner;
    }

    /** Returns the number of contiguous runs, {@code outer * channels}. */
    public long runs() {
        return outer * channels;
    }

    @Override
    public String toString() {
        return "(outer=" + outer + ", channels=" + channels + ", inner=" + inner + ")";
    }
}
