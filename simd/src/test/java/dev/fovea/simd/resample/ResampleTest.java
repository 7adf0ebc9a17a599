package dev.fovea.simd.resample;

import static dev.fovea.simd.resample.ResampleTester.F;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The resampling kernels: the kernel of this run's vector width (or the scalar path) against the
 * scalar reference bit for bit, both against the double-precision oracle of
 * {@link ResampleTester} (PyTorch's definitions), the gradient against the oracle's transpose,
 * thread-count identity, offsets at the ends of segments, and argument errors.
 */
class ResampleTest {
    private static ComputeContext one;
    private static ComputeContext two;

    @BeforeAll
    static void contexts() {
        one = ComputeContext.create(1);
        two = ComputeContext.create(2);
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
    }

    /** Equal values, +0 and -0 counted equal (a zero's sign depends on which partial sum came first). */
    private static void assertSameValues(MemorySegment expected, MemorySegment actual, long off, long n, Object what) {
        for (long i = 0; i < n; i++) {
            float e = expected.getAtIndex(F, off + i);
            float a = actual.getAtIndex(F, off + i);
            long at = i;
            assertTrue(Float.compare(e, a) == 0 || e == a, () -> what + ": element " + at + " is " + a + ", expected " + e);
        }
    }

    /**
     * Within the oracle's bound: rounding of the float sums (at most 4 taps per axis, 3 axes, two
     * roundings per FMA-chained term: 24 units of the terms' absolute sum) plus the weights'
     * perturbation from float source coordinates ({@link ResampleTester#weightError}), plus one ulp.
     */
    private static void assertNearOracle(double[][] oracle, MemorySegment actual, long off, ResampleSpec s, String what) {
        double weightError = ResampleTester.weightError(s);
        for (int i = 0; i < oracle[0].length; i++) {
            double got = actual.getAtIndex(F, off + i);
            double tol = 24 * 0x1p-24 * oracle[1][i] + weightError * oracle[2][i] + Math.ulp((float) oracle[0][i]);
            int at = i;
            assertEquals(oracle[0][i], got, tol, () -> what + " element " + at + " of " + s);
        }
    }

    @Test
    void sweepMatchesTheReferenceAndTheOracle() {
        int checked = 0;
        for (ResampleSpec s : ResampleTester.sweep(300, 0x5A3L)) {
            MemorySegment x = ResampleTester.random(s.inputElements(), checked);
            MemorySegment y = ResampleTester.floats(s.outputElements());
            MemorySegment yRef = ResampleTester.floats(s.outputElements());
            Resample.forward(s, x, 0, y, 0, checked % 2 == 0 ? one : two);
            Resample.reference(s, x, 0, yRef, 0);
            assertSameValues(yRef, y, 0, s.outputElements(), s);
            assertNearOracle(ResampleTester.apply(s, x, 0, false), yRef, 0, s, "forward");
            checked++;
        }
    }

    @Test
    void nearestModesCopyExactly() {
        for (ResampleSpec s : ResampleTester.sweep(200, 0x7E57L)) {
            if (s.mode().interpolates()) {
                continue;
            }
            MemorySegment x = ResampleTester.random(s.inputElements(), 3);
            MemorySegment y = ResampleTester.floats(s.outputElements());
            Resample.forward(s, x, 0, y, 0, one);
            double[] oracle = ResampleTester.apply(s, x, 0, false)[0];
            for (int i = 0; i < oracle.length; i++) {
                assertEquals(oracle[i], y.getAtIndex(F, i), 0, s::toString);
            }
        }
    }

    @Test
    void gradientsMatchTheReferenceAndTheTransposedOracle() {
        int checked = 0;
        for (ResampleSpec s : ResampleTester.sweep(300, 0xB4C4L)) {
            MemorySegment g = ResampleTester.random(s.outputElements(), 1000 + checked);
            MemorySegment gx = ResampleTester.floats(s.inputElements());
            MemorySegment gxRef = ResampleTester.floats(s.inputElements());
            gx.fill((byte) 0x7f);
            Resample.backward(s, g, 0, gx, 0, checked % 2 == 0 ? one : two);
            Resample.referenceBackward(s, g, 0, gxRef, 0);
            assertSameValues(gxRef, gx, 0, s.inputElements(), s);
            assertNearOracle(ResampleTester.apply(s, g, 0, true), gxRef, 0, s, "backward");
            checked++;
        }
    }

    @Test
    void twoThreadsGiveTheSameBitsAsOne() {
        for (ResampleMode mode : ResampleMode.values()) {
            ResampleSpec s = ResampleSpec.of(mode, 24, new int[] {37, 45}, new int[] {70, 91}, mode.interpolates(),
                    null);
            MemorySegment x = ResampleTester.random(s.inputElements(), 5);
            MemorySegment a = ResampleTester.floats(s.outputElements());
            MemorySegment b = ResampleTester.floats(s.outputElements());
            Resample.forward(s, x, 0, a, 0, one);
            Resample.forward(s, x, 0, b, 0, two);
            assertEquals(-1, a.mismatch(b), mode::toString);
            MemorySegment ga = ResampleTester.floats(s.inputElements());
            MemorySegment gb = ResampleTester.floats(s.inputElements());
            Resample.backward(s, a, 0, ga, 0, one);
            Resample.backward(s, a, 0, gb, 0, two);
            assertEquals(-1, ga.mismatch(gb), mode::toString);
        }
    }

    @Test
    void offsetsAndTheLastElementOfTheSegment() {
        for (ResampleMode mode : ResampleMode.values()) {
            ResampleSpec s = ResampleSpec.of(mode, 2, new int[] {3, 5, 19}, new int[] {4, 9, 37}, false, null);
            long inOff = 7;
            long outOff = 11;
            MemorySegment x = ResampleTester.random(inOff + s.inputElements(), 9);
            MemorySegment y = Arena.ofAuto().allocate((outOff + s.outputElements()) * Float.BYTES, 4);
            Resample.forward(s, x, inOff, y, outOff, one);
            assertNearOracle(ResampleTester.apply(s, x, inOff, false), y, outOff, s, "forward at an offset");
            MemorySegment gx = Arena.ofAuto().allocate((inOff + s.inputElements()) * Float.BYTES, 4);
            Resample.backward(s, y, outOff, gx, inOff, two);
            assertNearOracle(ResampleTester.apply(s, y, outOff, true), gx, inOff, s, "backward at an offset");
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyWork() {
        ResampleSpec s = ResampleSpec.of(ResampleMode.LINEAR, 2, new int[] {4, 4}, new int[] {8, 8}, true, null);
        MemorySegment small = ResampleTester.floats(s.outputElements() - 1);
        MemorySegment x = ResampleTester.random(s.inputElements(), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Resample.forward(s, x, 0, small, 0, one));
        assertTrue(e.getMessage().contains("output") && e.getMessage().contains("127"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Resample.backward(s, small, 0, x, 0, one));
        assertThrows(IllegalArgumentException.class, () -> Resample.forward(s, x, 1, ResampleTester.floats(128), 0, one));
        assertThrows(IllegalArgumentException.class, () -> ResampleSpec.of(ResampleMode.NEAREST, 1, new int[] {4},
                new int[] {8}, true, null));
        assertThrows(IllegalArgumentException.class, () -> ResampleSpec.of(ResampleMode.CUBIC, 1, new int[] {0, 4},
                new int[] {8, 8}, false, null));
        assertThrows(IllegalArgumentException.class, () -> ResampleSpec.of(ResampleMode.CUBIC, 1, new int[] {4},
                new int[] {8}, false, new double[] {-2}));
        assertThrows(IllegalArgumentException.class, () -> ResampleSpec.of(ResampleMode.CUBIC, 1, new int[] {1, 1, 1, 1},
                new int[] {1, 1, 1, 1}, false, null));
    }
}
