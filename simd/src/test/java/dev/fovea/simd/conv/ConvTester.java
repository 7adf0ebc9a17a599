package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Differential tester: runs an algorithm's plan on seeded random operands placed at offsets
 * inside larger segments, and compares with {@link ConvNaive#forward} (double accumulation) by
 * the normalised mean squared error {@code sum (y - ref)^2 / sum ref^2 <= algorithm.maxNmse()}.
 * It also checks that the plan leaves the guard floats around the output untouched.
 *
 * <p>{@link #sweep} is the shared spec sweep of every algorithm test: batch 1-3; channels 1, 3, 4,
 * 16, 17, 64; sizes with tails; kernels 1-7 and 11; strides 1-4; dilations 1-3; groups including
 * depthwise and channel multipliers; explicit, asymmetric, valid, same and full padding; all
 * padding modes; 1-, 2- and 3-d.
 */
final class ConvTester {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final int GUARD = 7;

    private ConvTester() {}

    /** One check of a sweep: an algorithm on a spec it supports, on a context, with a seed. */
    interface SpecCheck {
        void run(ConvAlgorithm algorithm, ConvSpec spec, ComputeContext ctx, long seed);
    }

    /**
     * Runs {@code check} for every algorithm that supports each spec, on 1 and then 2 threads,
     * with the run's index as its seed, and asserts that every algorithm ran at least once per
     * thread count (by count: specs must give each one something to run).
     */
    static void everySupported(List<ConvSpec> specs, SpecCheck check) {
        int runs = 0;
        for (int threads : new int[] {1, 2}) {
            try (ComputeContext ctx = ComputeContext.create(threads)) {
                for (ConvSpec spec : specs) {
                    for (ConvAlgorithm algorithm : Conv.algorithms()) {
                        if (algorithm.unsupportedReason(spec) == null) {
                            check.run(algorithm, spec, ctx, runs);
                            runs++;
                        }
                    }
                }
            }
        }
        assertTrue(runs >= 2 * Conv.algorithms().size(), "runs: " + runs);
    }

    /** Fills a fresh segment of {@code elements + 2 * GUARD} floats; the operand starts at element GUARD. */
    static MemorySegment random(Arena arena, long elements, SplittableRandom rnd) {
        MemorySegment s = arena.allocate((elements + 2 * GUARD) * Float.BYTES, 64);
        for (long i = 0; i < elements + 2 * GUARD; i++) {
            s.setAtIndex(F, i, (float) (rnd.nextDouble() * 2 - 1));
        }
        return s;
    }

    /** Checks {@code algorithm} against the naive reference on {@code spec}; returns the NMSE. */
    static double check(ConvAlgorithm algorithm, ConvSpec spec, ComputeContext ctx, boolean withBias, long seed) {
        return check(algorithm, spec, ctx, withBias, seed, algorithm::plan);
    }

    /** Makes a plan: {@link ConvAlgorithm#plan}, or a package-private plan constructor with test settings. */
    interface Planner {
        /** Plans {@code spec} with the weights at element {@code weightOff} of {@code weights}. */
        ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ComputeContext ctx);
    }

    /** Like {@link #check(ConvAlgorithm, ConvSpec, ComputeContext, boolean, long)}, planning with {@code planner}. */
    static double check(ConvAlgorithm algorithm, ConvSpec spec, ComputeContext ctx, boolean withBias, long seed,
                        Planner planner) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = random(arena, spec.inputElements(), rnd);
            MemorySegment w = random(arena, spec.weightElements(), rnd);
            MemorySegment bias = withBias ? random(arena, spec.outC(), rnd) : null;
            MemorySegment ref = arena.allocate(Math.max(1, spec.outputElements()) * Float.BYTES);
            ConvNaive.forward(spec, in, GUARD, w, GUARD, bias, GUARD, ref, 0);
            MemorySegment out = random(arena, spec.outputElements(), rnd);
            float[] guards = guards(out, spec.outputElements());
            ConvPlan plan = planner.plan(spec, w, GUARD, ctx);
            assertEquals(algorithm.name(), plan.algorithm(), "plan reports its algorithm");
            plan.execute(in, GUARD, bias, GUARD, out, GUARD);
            double err = 0;
            double norm = 0;
            for (long i = 0; i < spec.outputElements(); i++) {
                double r = ref.getAtIndex(F, i);
                double d = out.getAtIndex(F, GUARD + i) - r;
                err += d * d;
                norm += r * r;
            }
            double nmse = norm == 0 ? err : err / norm;
            assertTrue(nmse <= algorithm.maxNmse(), () -> algorithm.name() + " on " + spec + (withBias ? " with bias" : "")
                    + ": NMSE " + nmse + " > " + algorithm.maxNmse());
            assertTrue(java.util.Arrays.equals(guards, guards(out, spec.outputElements())),
                    () -> algorithm.name() + " wrote outside the output on " + spec);
            return nmse;
        }
    }

    private static float[] guards(MemorySegment s, long elements) {
        float[] g = new float[2 * GUARD];
        for (int i = 0; i < GUARD; i++) {
            g[i] = s.getAtIndex(F, i);
            g[GUARD + i] = s.getAtIndex(F, GUARD + elements + i);
        }
        return g;
    }

    /**
     * The shared sweep: hand-picked specs of real layers and edge cases, then {@code randomCount}
     * seeded random draws from the parameter space (draws that give an invalid spec are skipped).
     */
    static List<ConvSpec> sweep(int randomCount, long seed) {
        List<ConvSpec> specs = new ArrayList<>();
        // Real layers (batch 1) and edge cases.
        specs.add(ConvSpec.builder(2).inC(1).outC(6).input(32, 32).kernel(5).build());           // LeNet conv1
        specs.add(ConvSpec.builder(2).inC(6).outC(16).input(14, 14).kernel(5).build());          // LeNet conv2
        specs.add(ConvSpec.builder(2).inC(3).outC(8).input(35, 35).kernel(11).stride(4).padding(2).build());
        specs.add(ConvSpec.builder(2).inC(16).outC(16).input(9, 11).kernel(3).padding(1).build());
        specs.add(ConvSpec.builder(2).inC(64).outC(64).input(8, 8).kernel(3).padding(1).build());
        specs.add(ConvSpec.builder(2).n(2).inC(17).outC(17).input(7, 6).kernel(3).padding(Padding.SAME).build());
        specs.add(ConvSpec.builder(2).inC(16).outC(32).input(9, 9).kernel(1).stride(2).build());
        specs.add(ConvSpec.builder(2).inC(16).outC(16).groups(16).input(10, 13).kernel(3).padding(1).build());
        specs.add(ConvSpec.builder(2).inC(4).outC(8).groups(4).input(7, 7).kernel(3).stride(2).padding(1).build());
        specs.add(ConvSpec.builder(2).inC(3).outC(4).input(1, 1).kernel(1).build());
        specs.add(ConvSpec.builder(2).inC(3).outC(4).input(5, 6).kernel(3).padding(Padding.FULL).build());
        specs.add(ConvSpec.builder(2).inC(3).outC(5).input(6, 7).kernel(3).dilation(2).padding(Padding.SAME)
                .paddingMode(PaddingMode.REFLECT).build());
        specs.add(ConvSpec.builder(1).n(3).inC(4).outC(3).input(17).kernel(5).stride(2).padding(2)
                .paddingMode(PaddingMode.CIRCULAR).build());
        specs.add(ConvSpec.builder(3).n(1).inC(3).outC(4).input(5, 6, 7).kernel(3).padding(1)
                .paddingMode(PaddingMode.REPLICATE).build());
        specs.add(ConvSpec.builder(2).inC(3).outC(4).input(8, 9).kernel(3, 2).stride(1, 2)
                .padding(Padding.of(new int[] {0, 2}, new int[] {1, 0})).build());
        // Stride 2 along rows wide enough for the vector gather of im2col (16 and more outputs
        // per row, with tails): a ResNet-like 7x7 stem, and reflect / circular padding with dilation.
        specs.add(ConvSpec.builder(2).inC(3).outC(4).input(9, 71).kernel(7).stride(2).padding(3).build());
        specs.add(ConvSpec.builder(1).n(2).inC(2).outC(3).input(100).kernel(3).stride(2).padding(1)
                .paddingMode(PaddingMode.REFLECT).build());
        specs.add(ConvSpec.builder(2).inC(2).outC(2).input(5, 67).kernel(3).stride(2).dilation(2).padding(2)
                .paddingMode(PaddingMode.CIRCULAR).build());
        // 3x3 stride-1 zeros-padded 2-d specs, the Winograd shape, which random draws rarely give.
        specs.add(ConvSpec.builder(2).inC(32).outC(32).input(13, 17).kernel(3).padding(1).build());
        specs.add(ConvSpec.builder(2).n(2).inC(8).outC(6).groups(2).input(6, 5).kernel(3).padding(Padding.FULL).build());
        specs.add(ConvSpec.builder(2).inC(5).outC(7).input(4, 9).kernel(3).build());
        int fixed = specs.size();
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] channels = {1, 3, 4, 16, 17, 64};
        int[] kernels = {1, 2, 3, 4, 5, 6, 7, 11};
        PaddingMode[] modes = PaddingMode.values();
        while (specs.size() < fixed + randomCount) {
            int dims = 1 + pick(rnd, new int[] {1, 1, 1, 1, 0, 0, 2, 2, 1, 1});
            int inC = pick(rnd, channels);
            int groupsKind = rnd.nextInt(4);
            int outC = pick(rnd, channels);
            int groups = 1;
            if (groupsKind == 1) {
                groups = inC;                                  // depthwise
                outC = inC * (1 + rnd.nextInt(2));             // channel multiplier 1 or 2
            } else if (groupsKind == 2 && inC % 2 == 0) {
                groups = 2;
                outC = 2 * (1 + rnd.nextInt(4));
            }
            int maxSide = dims == 3 ? 7 : dims == 2 ? 15 : 40;
            int[] in = new int[dims];
            int[] k = new int[dims];
            int[] st = new int[dims];
            int[] dl = new int[dims];
            for (int d = 0; d < dims; d++) {
                in[d] = 1 + rnd.nextInt(maxSide);
                k[d] = dims == 3 ? 1 + rnd.nextInt(3) : pick(rnd, kernels);
                st[d] = 1 + (rnd.nextInt(3) == 0 ? rnd.nextInt(4) : 0);
                dl[d] = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(3) : 0);
            }
            Padding pad = switch (rnd.nextInt(6)) {
                case 0 -> Padding.VALID;
                case 1 -> Padding.SAME;
                case 2 -> Padding.FULL;
                case 3 -> Padding.of(new int[] {rnd.nextInt(3)}, new int[] {rnd.nextInt(4)});
                default -> Padding.of(rnd.nextInt(3));
            };
            try {
                specs.add(ConvSpec.builder(dims).n(1 + rnd.nextInt(3)).inC(inC).outC(outC).groups(groups).input(in)
                        .kernel(k).stride(st).dilation(dl).padding(pad).paddingMode(modes[rnd.nextInt(modes.length)])
                        .build());
            } catch (IllegalArgumentException invalid) {
                // an empty output or padding too large for the mode: draw again
            }
        }
        return specs;
    }

    private static int pick(SplittableRandom rnd, int[] values) {
        return values[rnd.nextInt(values.length)];
    }
}
