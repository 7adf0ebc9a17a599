package dev.fovea.simd.resample;

import static dev.fovea.simd.resample.ResampleTester.F;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.conv.PaddingMode;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The border padding kernels: bulk-run kernels against the per-element references bit for bit,
 * the references against PyTorch's definitions written out per mode, the gradient as the adjoint
 * of the forward, thread-count identity and the mode's argument rules.
 */
class PadTest {
    private static final PaddingMode[] MODES = {PaddingMode.REFLECT, PaddingMode.REPLICATE, PaddingMode.CIRCULAR};
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

    /** A random spec the mode accepts: amounts from -in + 1 to in - 1, crops included. */
    private static PadSpec draw(SplittableRandom r, PaddingMode mode) {
        while (true) {
            int dims = 1 + r.nextInt(3);
            int[] in = new int[dims];
            int[] b = new int[dims];
            int[] e = new int[dims];
            for (int d = 0; d < dims; d++) {
                in[d] = 1 + r.nextInt(d == dims - 1 ? 30 : 6);
                b[d] = r.nextInt(2 * in[d] - 1) - in[d] + 1;
                e[d] = r.nextInt(2 * in[d] - 1) - in[d] + 1;
            }
            try {
                return PadSpec.of(mode, 1 + r.nextInt(3), in, b, e);
            } catch (IllegalArgumentException rejected) {
                // amounts this mode refuses (a crop below the wrap, an empty output): draw again
            }
        }
    }

    /** PyTorch's source index along one axis, written independently of {@link PadSpec#sourceTable}. */
    private static int source(PaddingMode mode, int o, int in, int b, int e) {
        int i = o - b;
        return switch (mode) {
            case REFLECT -> i < 0 ? -i : i >= in ? 2 * (in - 1) - i : i;
            case REPLICATE -> Math.clamp(i, 0, in - 1);
            default -> {
                int lo = Math.max(-b, 0);
                int kept = in - lo - Math.max(-e, 0);
                int j = o - Math.max(b, 0);
                yield lo + (j < 0 ? j + kept : j >= kept ? j - kept : j);
            }
        };
    }

    @Test
    void kernelsMatchTheReferencesAndPyTorchsDefinition() {
        SplittableRandom r = new SplittableRandom(0xFADL);
        for (int n = 0; n < 300; n++) {
            PadSpec s = draw(r, MODES[n % 3]);
            long inN = s.planes() * s.inPlane();
            long outN = s.planes() * s.outPlane();
            MemorySegment x = ResampleTester.random(inN, n);
            MemorySegment y = ResampleTester.floats(outN);
            MemorySegment yRef = ResampleTester.floats(outN);
            Pad.pad(s, x, 0, y, 0, n % 2 == 0 ? one : two);
            Pad.reference(s, x, 0, yRef, 0);
            assertEquals(-1, y.mismatch(yRef), s::toString);
            checkDefinition(s, x, yRef);
            MemorySegment g = ResampleTester.random(outN, n + 500);
            MemorySegment gx = ResampleTester.floats(inN);
            MemorySegment gxRef = ResampleTester.floats(inN);
            gx.fill((byte) 0x55);
            Pad.padBackward(s, g, 0, gx, 0, n % 2 == 0 ? two : one);
            Pad.referenceBackward(s, g, 0, gxRef, 0);
            assertEquals(-1, gx.mismatch(gxRef), s::toString);
            // The gradient is the adjoint of a selection: <pad(x), g> = <x, pad^T(g)> up to float sums of at most out/in terms.
            double lhs = dot(y, g, outN);
            double rhs = dot(x, gx, inN);
            assertEquals(lhs, rhs, 1e-5 * (1 + outN), s::toString);
        }
    }

    private static void checkDefinition(PadSpec s, MemorySegment x, MemorySegment y) {
        int dims = s.dims();
        int[] b = new int[3];
        int[] e = new int[3];
        String text = s.toString();
        int[] begin = parse(text, "begin=");
        int[] end = parse(text, "end=");
        for (int d = 0; d < dims; d++) {
            b[3 - dims + d] = begin[d];
            e[3 - dims + d] = end[d];
        }
        long o = 0;
        for (long p = 0; p < s.planes(); p++) {
            for (int d = 0; d < s.out(0); d++) {
                for (int h = 0; h < s.out(1); h++) {
                    for (int w = 0; w < s.out(2); w++, o++) {
                        long i = ((long) source(s.mode(), d, s.in(0), b[0], e[0]) * s.in(1)
                                + source(s.mode(), h, s.in(1), b[1], e[1])) * s.in(2)
                                + source(s.mode(), w, s.in(2), b[2], e[2]);
                        assertEquals(x.getAtIndex(F, p * s.inPlane() + i), y.getAtIndex(F, o), 0, text);
                    }
                }
            }
        }
    }

    private static int[] parse(String text, String key) {
        int at = text.indexOf(key) + key.length();
        String list = text.substring(at + 1, text.indexOf(']', at));
        return java.util.Arrays.stream(list.split(",\\s*")).mapToInt(Integer::parseInt).toArray();
    }

    private static double dot(MemorySegment a, MemorySegment b, long n) {
        double sum = 0;
        for (long i = 0; i < n; i++) {
            sum += (double) a.getAtIndex(F, i) * b.getAtIndex(F, i);
        }
        return sum;
    }

    @Test
    void twoThreadsGiveTheSameBitsAsOne() {
        for (PaddingMode mode : MODES) {
            PadSpec s = PadSpec.of(mode, 40, new int[] {30, 40}, new int[] {3, -2}, new int[] {2, 5});
            MemorySegment x = ResampleTester.random(s.planes() * s.inPlane(), 2);
            MemorySegment a = ResampleTester.floats(s.planes() * s.outPlane());
            MemorySegment c = ResampleTester.floats(s.planes() * s.outPlane());
            Pad.pad(s, x, 0, a, 0, one);
            Pad.pad(s, x, 0, c, 0, two);
            assertEquals(-1, a.mismatch(c), mode::toString);
            MemorySegment ga = ResampleTester.floats(s.planes() * s.inPlane());
            MemorySegment gc = ResampleTester.floats(s.planes() * s.inPlane());
            Pad.padBackward(s, a, 0, ga, 0, one);
            Pad.padBackward(s, a, 0, gc, 0, two);
            assertEquals(-1, ga.mismatch(gc), mode::toString);
        }
    }

    @Test
    void modeRulesAreEnforced() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PadSpec.of(PaddingMode.REFLECT, 1, new int[] {4, 5}, new int[] {4, 0}, new int[] {0, 0}));
        assertTrue(e.getMessage().contains("reflect") && e.getMessage().contains("(4, 0)"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> PadSpec.of(PaddingMode.CIRCULAR, 1, new int[] {5}, new int[] {6}, new int[] {0}));
        assertThrows(IllegalArgumentException.class,
                () -> PadSpec.of(PaddingMode.CIRCULAR, 1, new int[] {5}, new int[] {4}, new int[] {-2}));
        assertThrows(IllegalArgumentException.class,
                () -> PadSpec.of(PaddingMode.REPLICATE, 1, new int[] {3}, new int[] {-4}, new int[] {0}));
        assertThrows(IllegalArgumentException.class,
                () -> PadSpec.of(PaddingMode.ZEROS, 1, new int[] {3}, new int[] {1}, new int[] {1}));
        PadSpec s = PadSpec.of(PaddingMode.REPLICATE, 1, new int[] {3}, new int[] {1}, new int[] {1});
        assertThrows(IllegalArgumentException.class,
                () -> Pad.pad(s, ResampleTester.floats(3), 0, ResampleTester.floats(4), 0, one));
        // Crops to nothing are allowed, as in PyTorch: an empty output.
        assertEquals(0, PadSpec.of(PaddingMode.REFLECT, 1, new int[] {5}, new int[] {-5}, new int[] {0}).outPlane());
    }
}
