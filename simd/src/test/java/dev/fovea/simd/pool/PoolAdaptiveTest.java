package dev.fovea.simd.pool;

import static dev.fovea.simd.pool.PoolTester.F;
import static dev.fovea.simd.pool.PoolTester.I;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Adaptive pooling against a double-precision oracle, its gradients as adjoints, and max unpooling. */
class PoolAdaptiveTest {
    private static final ComputeContext CTX = ComputeContext.defaultContext();

    /** Output {@code o} of {@code out} over {@code in}: PyTorch's floor/ceil window, as a [start, end) pair. */
    private static int[] window(int in, int out, int o) {
        return new int[] {(int) Math.floor((double) o * in / out), (int) Math.ceil((double) (o + 1) * in / out)};
    }

    @Test
    void sweepMatchesTheOracle() {
        SplittableRandom r = new SplittableRandom(0xADA);
        for (int t = 0; t < 120; t++) {
            int dims = 1 + r.nextInt(3);
            int[] in = new int[dims];
            int[] out = new int[dims];
            for (int d = 0; d < dims; d++) {
                in[d] = 1 + r.nextInt(dims == 3 ? 6 : 13);
                // Sometimes a divisor of the input (the fixed-window route), sometimes larger than it.
                out[d] = r.nextInt(3) == 0 ? in[d] / Math.max(1, in[d] / 2) : 1 + r.nextInt(in[d] + 2);
            }
            AdaptivePoolSpec s = new AdaptivePoolSpec(dims, 1 + r.nextInt(2), 1 + r.nextInt(3), in, out);
            long nIn = s.planes() * s.inPlane();
            long nOut = s.planes() * s.outPlane();
            MemorySegment x = PoolTester.random(nIn, t);
            MemorySegment y = PoolTester.floats(nOut);
            MemorySegment idx = PoolTester.ints(nOut);
            int[] i3 = s.in();
            int[] o3 = s.out();
            for (boolean max : new boolean[] {true, false}) {
                Pool.adaptivePool(s, max, x, 0, y, 0, max ? idx : null, 0, CTX);
                int o = 0;
                for (int p = 0; p < s.planes(); p++) {
                    for (int od = 0; od < o3[0]; od++) {
                        for (int oh = 0; oh < o3[1]; oh++) {
                            for (int ow = 0; ow < o3[2]; ow++, o++) {
                                int[] wd = window(i3[0], o3[0], od);
                                int[] wh = window(i3[1], o3[1], oh);
                                int[] ww = window(i3[2], o3[2], ow);
                                double acc = max ? Double.NEGATIVE_INFINITY : 0;
                                double abs = 0;
                                for (int id = wd[0]; id < wd[1]; id++) {
                                    for (int ih = wh[0]; ih < wh[1]; ih++) {
                                        for (int iw = ww[0]; iw < ww[1]; iw++) {
                                            double v = x.getAtIndex(F, p * s.inPlane() + ((long) id * i3[1] + ih) * i3[2] + iw);
                                            acc = max ? Math.max(acc, v) : acc + v;
                                            abs += Math.abs(v);
                                        }
                                    }
                                }
                                double size = (double) (wd[1] - wd[0]) * (wh[1] - wh[0]) * (ww[1] - ww[0]);
                                double want = max ? acc : acc / size;
                                double tol = max ? 0 : (size + 1) * 0x1p-24 * abs / size + Math.ulp((float) want);
                                assertEquals(want, y.getAtIndex(F, o), tol, s + " max=" + max + " at " + o);
                                if (max) {
                                    assertEquals(want, x.getAtIndex(F, p * s.inPlane() + idx.getAtIndex(I, o)), 0);
                                }
                            }
                        }
                    }
                }
            }
            // Adjoints: <avg(x), g> = <x, avg^T(g)>; <max(x), g> = <x, scatter(g)>.
            MemorySegment g = PoolTester.random(nOut, t + 500);
            MemorySegment gx = PoolTester.floats(nIn);
            Pool.adaptivePool(s, false, x, 0, y, 0, null, 0, CTX);
            Pool.adaptiveAvgPoolBackward(s, g, 0, gx, 0, CTX);
            assertEquals(dot(y, g, nOut), dot(x, gx, nIn), 1e-5 * (1 + nIn), s::toString);
            Pool.adaptivePool(s, true, x, 0, y, 0, idx, 0, CTX);
            Pool.scatterAdd(s.planes(), s.outPlane(), s.inPlane(), g, 0, idx, 0, gx, 0, CTX);
            assertEquals(dot(y, g, nOut), dot(x, gx, nIn), 1e-5 * (1 + nOut), s::toString);
        }
    }

    @Test
    void maxUnpoolInvertsMaxPoolWhereTheMaximaAre() {
        PoolSpec s = PoolSpec.builder(2).n(2).c(3).input(6, 7).kernel(2).build();
        MemorySegment x = PoolTester.random(s.inputElements(), 11);
        MemorySegment y = PoolTester.floats(s.outputElements());
        MemorySegment idx = PoolTester.ints(s.outputElements());
        Pool.maxPool(s, x, 0, y, 0, idx, 0, CTX);
        MemorySegment u = PoolTester.floats(s.inputElements());
        Pool.maxUnpool(s.planes(), s.outPlane(), s.inPlane(), y, 0, idx, 0, u, 0, CTX);
        int kept = 0;
        for (long i = 0; i < s.inputElements(); i++) {
            float v = u.getAtIndex(F, i);
            if (v != 0) {
                assertEquals(x.getAtIndex(F, i), v, 0);
                kept++;
            }
        }
        assertEquals(s.outputElements(), kept, "one nonzero per window (windows do not overlap)");
        // The gradient of unpooling gathers: <unpool(y), h> = <y, gather(h)>.
        MemorySegment h = PoolTester.random(s.inputElements(), 12);
        MemorySegment gy = PoolTester.floats(s.outputElements());
        Pool.gather(s.planes(), s.inPlane(), s.outPlane(), h, 0, idx, 0, gy, 0, CTX);
        assertEquals(dot(u, h, s.inputElements()), dot(y, gy, s.outputElements()), 1e-5);
    }

    private static double dot(MemorySegment a, MemorySegment b, long n) {
        double sum = 0;
        for (long i = 0; i < n; i++) {
            sum += (double) a.getAtIndex(F, i) * b.getAtIndex(F, i);
        }
        return sum;
    }
}
