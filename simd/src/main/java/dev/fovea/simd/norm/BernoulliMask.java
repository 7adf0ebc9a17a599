package dev.fovea.simd.norm;

import dev.fovea.simd.eltwise.impl.Checks;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.random.RandomGenerator;

/**
 * Random keep-masks for dropout, as bits: element {@code i}'s bit is bit {@code i % 64} of the
 * long at index {@code maskOff + i / 64} of the mask segment (native byte order). Generation is
 * scalar and sequential: it draws exactly one {@link RandomGenerator#nextDouble()} per element, in
 * element order, so a generator in a given state always gives the same mask (no global RNG, no
 * thread dependence).
 */
public final class BernoulliMask {
    private static final ValueLayout.OfLong BITS = ValueLayout.JAVA_LONG_UNALIGNED;

    private BernoulliMask() {}

    /** Returns the number of longs a mask of {@code n} bits takes. */
    public static long words(long n) {
        return (n + 63) >>> 6;
    }

    /**
     * Sets bit {@code i} of the mask, for {@code i < n}, with probability {@code keep}
     * ({@code rng.nextDouble() < keep}) and clears it otherwise; the bits of the last word beyond
     * {@code n} are cleared.
     *
     * @return the number of bits set
     * @throws IllegalArgumentException if {@code keep} is outside {@code [0, 1]}, {@code rng} is null,
     *     {@code n < 0}, or the mask segment is too small
     */
    public static long fill(RandomGenerator rng, double keep, long n, MemorySegment mask, long maskOff) {
        String k = "BernoulliMask.fill";
        if (!(keep >= 0 && keep <= 1)) {
            throw new IllegalArgumentException(k + ": keep probability must be in [0, 1], got " + keep);
        }
        if (rng == null) {
            throw new IllegalArgumentException(k + ": the random generator must not be null");
        }
        Checks.count(k, n);
        checkWords(k, mask, maskOff, n);
        long kept = 0;
        for (long w = 0; w < words(n); w++) {
            long word = 0;
            int bits = (int) Math.min(64, n - w * 64);
            for (int b = 0; b < bits; b++) {
                if (rng.nextDouble() < keep) {
                    word |= 1L << b;
                }
            }
            kept += Long.bitCount(word);
            mask.setAtIndex(BITS, maskOff + w, word);
        }
        return kept;
    }

    /** Returns bit {@code i} of the mask. */
    public static boolean get(MemorySegment mask, long maskOff, long i) {
        return (mask.getAtIndex(BITS, maskOff + (i >>> 6)) >>> (i & 63) & 1) != 0;
    }

    /** Checks that {@code words(n)} longs from {@code maskOff} lie inside {@code mask}. */
    static void checkWords(String kernel, MemorySegment mask, long maskOff, long n) {
        if (mask == null) {
            throw new IllegalArgumentException(kernel + ": mask must not be null");
        }
        long words = words(n);
        if (maskOff < 0 || maskOff > mask.byteSize() / Long.BYTES - words) {
            throw new IllegalArgumentException(kernel + ": mask needs " + words + " longs (" + n + " bits) from"
                    + " offset " + maskOff + ", but its segment holds " + mask.byteSize() / Long.BYTES + " longs");
        }
    }

    static long word(MemorySegment mask, long maskOff, long w) {
        return mask.getAtIndex(BITS, maskOff + w);
    }
}
