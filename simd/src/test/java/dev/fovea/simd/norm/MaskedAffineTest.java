package dev.fovea.simd.norm;

import static dev.fovea.simd.norm.NormTester.F;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dropout kernels: Bernoulli masks (reproducible, binomially distributed) and the masked affine map. */
class MaskedAffineTest {
    private static ComputeContext two;

    @BeforeAll
    static void contexts() {
        two = ComputeContext.create(2);
    }

    @AfterAll
    static void close() {
        two.close();
    }

    private static MemorySegment longs(long n) {
        return Arena.ofAuto().allocate(Math.max(1, n) * Long.BYTES, 64);
    }

    private static boolean bit(MemorySegment mask, long i) {
        return (mask.getAtIndex(ValueLayout.JAVA_LONG, i / 64) >>> (i % 64) & 1) == 1;
    }

    /**
     * The kept count of n = 200000 draws at keep = 0.3 is binomial: mean 60000, deviation
     * sqrt(n keep (1 - keep)) = 205; 5 deviations (a false failure once in 1.7 million) bound it.
     */
    @Test
    void masksAreBinomialAndReproducible() {
        long n = 200_000;
        MemorySegment a = longs(BernoulliMask.words(n));
        MemorySegment b = longs(BernoulliMask.words(n));
        long keptA = BernoulliMask.fill(new SplittableRandom(5), 0.3, n, a, 0);
        long keptB = BernoulliMask.fill(new SplittableRandom(5), 0.3, n, b, 0);
        assertEquals(keptA, keptB);
        assertEquals(-1, a.mismatch(b), "same seed, same mask");
        double sd = Math.sqrt(n * 0.3 * 0.7);
        assertTrue(Math.abs(keptA - 0.3 * n) <= 5 * sd, "kept " + keptA + " of " + n);
        long counted = 0;
        for (long i = 0; i < n; i++) {
            counted += bit(a, i) ? 1 : 0;
        }
        assertEquals(keptA, counted);
        long other = BernoulliMask.fill(new SplittableRandom(6), 0.3, n, b, 0);
        assertTrue(a.mismatch(b) >= 0 && Math.abs(other - 0.3 * n) <= 5 * sd, "another seed, another mask");
    }

    @Test
    void extremeProbabilitiesAndTheLastWord() {
        MemorySegment m = longs(2);
        m.setAtIndex(ValueLayout.JAVA_LONG, 1, -1L);
        assertEquals(70, BernoulliMask.fill(new SplittableRandom(1), 1.0, 70, m, 0));
        assertEquals(-1L, m.getAtIndex(ValueLayout.JAVA_LONG, 0));
        assertEquals((1L << 6) - 1, m.getAtIndex(ValueLayout.JAVA_LONG, 1), "bits beyond n cleared");
        assertEquals(0, BernoulliMask.fill(new SplittableRandom(1), 0.0, 70, m, 0));
        assertEquals(0L, m.getAtIndex(ValueLayout.JAVA_LONG, 0) | m.getAtIndex(ValueLayout.JAVA_LONG, 1));
    }

    /** Every element is fma(x, s, t) with the coefficients its bit selects, exactly; tails and offsets included. */
    @Test
    void applyIsTheMaskedAffineMap() {
        for (long n : new long[] {1, 15, 64, 65, 200, 1031}) {
            MemorySegment x = NormTester.random(5, n, 0, 2, n);
            x.setAtIndex(F, 5, Float.NaN);
            MemorySegment mask = longs(1 + BernoulliMask.words(n));
            BernoulliMask.fill(new SplittableRandom(n), 0.6, n, mask, 1);
            MemorySegment y = NormTester.floats(n + 2);
            float ks = 1.7f;
            float kt = 0.25f;
            float ds = 0f;
            float dt = -0.5f;
            MaskedAffine.apply(n, x, 5, y, 2, mask, 1, ks, kt, ds, dt, two);
            for (long i = 0; i < n; i++) {
                boolean keep = (mask.getAtIndex(ValueLayout.JAVA_LONG, 1 + i / 64) >>> (i % 64) & 1) == 1;
                float xi = x.getAtIndex(F, 5 + i);
                float want = keep ? Math.fma(xi, ks, kt) : Math.fma(xi, ds, dt);
                assertEquals(want, y.getAtIndex(F, 2 + i), 0f, "n=" + n + " element " + i);
            }
            assertTrue(Float.isNaN(y.getAtIndex(F, 2)), "a NaN stays NaN, kept or dropped");
        }
    }

    @Test
    void applyPlanesKeepsOrDropsWholePlanes() {
        long planes = 13;
        long inner = 37;
        MemorySegment x = NormTester.random(0, planes * inner, 1, 1, 3);
        MemorySegment mask = longs(1);
        BernoulliMask.fill(new SplittableRandom(9), 0.5, planes, mask, 0);
        MemorySegment y = NormTester.floats(planes * inner);
        MaskedAffine.applyPlanes(planes, inner, x, 0, y, 0, mask, 0, 2f, 0f, 0f, 0f, two);
        float[] want = new float[(int) (planes * inner)];
        for (int i = 0; i < want.length; i++) {
            want[i] = bit(mask, i / inner) ? x.getAtIndex(F, i) * 2f : 0f;
        }
        assertArrayEquals(want, NormTester.read(y, 0, planes * inner));
    }

    @Test
    void badArgumentsAreRejected() {
        MemorySegment x = NormTester.floats(100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskedAffine.apply(100, x, 0, x, 0, longs(1), 0, 1, 0, 0, 0, two));
        assertTrue(e.getMessage().contains("MaskedAffine.apply: mask needs 2 longs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BernoulliMask.fill(new SplittableRandom(1), 1.5, 10, longs(1), 0));
        assertTrue(e.getMessage().contains("keep probability"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BernoulliMask.fill(null, 0.5, 10, longs(1), 0));
        assertTrue(e.getMessage().contains("random generator"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MaskedAffine.applyPlanes(3, 40, x, 0, x, 0, longs(1), 0, 1, 0, 0, 0, two));
        assertTrue(e.getMessage().contains("MaskedAffine.applyPlanes: x"), e.getMessage());
    }
}
