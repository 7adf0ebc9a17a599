package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** im2col against the naive reference over the shared sweep, thread-count determinism and argument checks. */
class ConvIm2colTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final long SEED = 0x1A2C01L;

    @Test
    void sweepMatchesNaive() {
        double worst = sweep(ConvIm2col.INSTANCE, SEED);
        System.out.println("im2col: worst NMSE over the sweep " + worst);
    }

    @Test
    void columnBlockingMatchesNaive() {
        // A tiny column-block bound forces blocks of a few columns, with a ragged last block.
        List<ConvSpec> specs = List.of(
                ConvSpec.builder(2).n(2).inC(4).outC(5).input(9, 11).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(4).outC(6).groups(2).input(8, 7).kernel(3, 2).stride(2, 1)
                        .padding(Padding.SAME).paddingMode(PaddingMode.REFLECT).build(),
                ConvSpec.builder(3).inC(2).outC(3).input(4, 5, 6).kernel(2).padding(1)
                        .paddingMode(PaddingMode.CIRCULAR).build());
        try (ComputeContext two = ComputeContext.create(2)) {
            for (ConvSpec spec : specs) {
                for (long maxColFloats : new long[] {1, 100, 333}) {
                    double nmse = nmseVsNaive(spec, (w, ctx) -> ConvIm2col.INSTANCE.plan(spec, w, 0, ctx, maxColFloats),
                            two, 7);
                    assertTrue(nmse <= ConvIm2col.INSTANCE.maxNmse(), spec + " blocked by " + maxColFloats + ": " + nmse);
                }
            }
        }
    }

    @Test
    void oneAndTwoThreadsAreBitIdentical() {
        assertThreadInvariant(ConvIm2col.INSTANCE, List.of(
                // big enough that the GEMM and the column copy both run on two threads
                ConvSpec.builder(2).inC(32).outC(64).input(40, 40).kernel(3).padding(1).build(),
                ConvSpec.builder(2).n(2).inC(16).outC(24).groups(2).input(33, 31).kernel(5).stride(2).padding(2)
                        .paddingMode(PaddingMode.REPLICATE).build(),
                ConvSpec.builder(1).n(3).inC(64).outC(64).input(300).kernel(1).build(),
                ConvSpec.builder(3).inC(8).outC(16).input(12, 13, 14).kernel(3).dilation(2).padding(Padding.SAME)
                        .build()));
    }

    @Test
    void reportsWorkspace() {
        ConvSpec spec = ConvSpec.builder(2).inC(3).outC(4).input(10, 12).kernel(3).build();
        ConvPlan plan = planWithRandomWeights(ConvIm2col.INSTANCE, spec);
        assertEquals(3L * 9 * 8 * 10 * Float.BYTES, plan.workspaceBytes());
        ConvSpec oneByOne = ConvSpec.builder(2).inC(3).outC(4).input(10, 12).kernel(1).build();
        assertEquals(0, planWithRandomWeights(ConvIm2col.INSTANCE, oneByOne).workspaceBytes());
    }

    @Test
    void tooSmallSegmentsThrowBeforeWork() {
        assertTooSmallSegmentsThrow(ConvIm2col.INSTANCE,
                ConvSpec.builder(2).n(2).inC(3).outC(4).input(6, 7).kernel(3).padding(1).build());
    }

    // ---- helpers shared with ConvImplicitGemmTest ----

    /** Runs the shared sweep on the specs {@code algorithm} supports: bias on/off, 1 and 2 threads; returns the worst NMSE. */
    static double sweep(ConvAlgorithm algorithm, long seed) {
        double worst = 0;
        int checked = 0;
        ComputeContext one = ComputeContext.create(1);
        try (ComputeContext two = ComputeContext.create(2)) {
            List<ConvSpec> specs = ConvTester.sweep(150, seed);
            for (int i = 0; i < specs.size(); i++) {
                ConvSpec spec = specs.get(i);
                if (algorithm.unsupportedReason(spec) != null) {
                    continue;
                }
                // Every spec runs both ways of the bias; threads alternate to keep the naive cost down.
                ComputeContext ctx = i % 2 == 0 ? one : two;
                worst = Math.max(worst, ConvTester.check(algorithm, spec, ctx, true, seed + i));
                worst = Math.max(worst, ConvTester.check(algorithm, spec, i % 2 == 0 ? two : one, false, seed + i));
                checked++;
            }
        } finally {
            one.close();
        }
        assertTrue(checked >= 20, algorithm.name() + " ran only " + checked + " sweep specs");
        System.out.println(algorithm.name() + ": " + checked + " sweep specs checked");
        return worst;
    }

    /**
     * Each spec: supported by {@code algo}, equal to naive with a bias and without on one thread
     * and on two (one of them in a confined arena), and within the algorithm's NMSE bound.
     */
    static void checkCases(ConvAlgorithm algo, List<ConvSpec> specs, long seed) {
        ComputeContext one = ComputeContext.create(1);
        try (ComputeContext two = ComputeContext.create(2)) {
            for (int i = 0; i < specs.size(); i++) {
                ConvSpec spec = specs.get(i);
                assertNull(algo.unsupportedReason(spec), spec.toString());
                ConvTester.check(algo, spec, i % 2 == 0 ? one : two, true, seed + i);
                ConvTester.check(algo, spec, i % 2 == 0 ? two : one, false, seed + i);
                double nmse = nmseVsNaive(spec, (w, ctx) -> algo.plan(spec, w, 0, ctx), two, seed + i);
                assertTrue(nmse <= algo.maxNmse(), spec + ": NMSE " + nmse);
            }
        } finally {
            one.close();
        }
    }

    /** Plans a spec on random weights with the default context. */
    static ConvPlan planWithRandomWeights(ConvAlgorithm algorithm, ConvSpec spec) {
        MemorySegment w = ConvTester.random(Arena.ofAuto(), spec.weightElements(), new SplittableRandom(1));
        return algorithm.plan(spec, w, 0, ComputeContext.defaultContext());
    }

    /** Makes a plan from weights (at offset 0) on a context. */
    interface Planner {
        ConvPlan plan(MemorySegment weights, ComputeContext ctx);
    }

    /** NMSE of a plan's output against {@link ConvNaive#forward}, with a bias, shared segments. */
    static double nmseVsNaive(ConvSpec spec, Planner planner, ComputeContext ctx, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Arena arena = Arena.ofAuto();
        MemorySegment in = ConvTester.random(arena, spec.inputElements(), rnd);
        MemorySegment w = ConvTester.random(arena, spec.weightElements(), rnd);
        MemorySegment bias = ConvTester.random(arena, spec.outC(), rnd);
        MemorySegment ref = arena.allocate(spec.outputElements() * Float.BYTES);
        MemorySegment out = arena.allocate(spec.outputElements() * Float.BYTES);
        ConvNaive.forward(spec, in, 0, w, 0, bias, 0, ref, 0);
        planner.plan(w, ctx).execute(in, 0, bias, 0, out, 0);
        double err = 0;
        double norm = 0;
        for (long i = 0; i < spec.outputElements(); i++) {
            double r = ref.getAtIndex(F, i);
            double d = out.getAtIndex(F, i) - r;
            err += d * d;
            norm += r * r;
        }
        return norm == 0 ? err : err / norm;
    }

    /** Asserts that plans on 1 and 2 threads give bit-identical outputs (segments shared, so threads do run). */
    static void assertThreadInvariant(ConvAlgorithm algorithm, List<ConvSpec> specs) {
        try (ComputeContext one = ComputeContext.create(1); ComputeContext two = ComputeContext.create(2)) {
            for (ConvSpec spec : specs) {
                SplittableRandom rnd = new SplittableRandom(spec.hashCode());
                Arena arena = Arena.ofShared();
                try {
                    MemorySegment in = ConvTester.random(arena, spec.inputElements(), rnd);
                    MemorySegment w = ConvTester.random(arena, spec.weightElements(), rnd);
                    MemorySegment bias = ConvTester.random(arena, spec.outC(), rnd);
                    float[][] outs = new float[2][];
                    ComputeContext[] ctxs = {one, two};
                    for (int t = 0; t < 2; t++) {
                        MemorySegment out = arena.allocate(spec.outputElements() * Float.BYTES, 64);
                        algorithm.plan(spec, w, 0, ctxs[t]).execute(in, 0, bias, 0, out, 0);
                        outs[t] = out.toArray(F);
                    }
                    assertArrayEquals(outs[0], outs[1], algorithm.name() + " differs between 1 and 2 threads on " + spec);
                } finally {
                    arena.close();
                }
            }
        }
    }

    /** Asserts that an input or output segment one float short throws before the output is touched. */
    static void assertTooSmallSegmentsThrow(ConvAlgorithm algorithm, ConvSpec spec) {
        ConvPlan plan = planWithRandomWeights(algorithm, spec);
        Arena arena = Arena.ofAuto();
        MemorySegment in = ConvTester.random(arena, spec.inputElements(), new SplittableRandom(2))
                .asSlice(0, spec.inputElements() * Float.BYTES);
        MemorySegment out = arena.allocate(spec.outputElements() * Float.BYTES);
        MemorySegment shortIn = in.asSlice(0, (spec.inputElements() - 1) * Float.BYTES);
        MemorySegment shortOut = arena.allocate((spec.outputElements() - 1) * Float.BYTES);
        MemorySegment shortBias = arena.allocate((spec.outC() - 1) * Float.BYTES);
        assertThrows(IllegalArgumentException.class, () -> plan.execute(shortIn, 0, null, 0, out, 0));
        assertThrows(IllegalArgumentException.class, () -> plan.execute(in, 1, null, 0, out, 0));
        assertThrows(IllegalArgumentException.class, () -> plan.execute(in, 0, shortBias, 0, out, 0));
        assertTrue(java.util.Arrays.equals(new float[(int) spec.outputElements()], out.toArray(F)),
                "the output was written before the check failed");
        assertThrows(IllegalArgumentException.class, () -> plan.execute(in, 0, null, 0, shortOut, 0));
        assertTrue(java.util.Arrays.equals(new float[(int) spec.outputElements() - 1], shortOut.toArray(F)),
                "the short output was written before the check failed");
        MemorySegment shortW = arena.allocate((spec.weightElements() - 1) * Float.BYTES);
        assertThrows(IllegalArgumentException.class,
                () -> algorithm.plan(spec, shortW, 0, ComputeContext.defaultContext()));
    }
}
