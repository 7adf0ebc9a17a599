package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.Simd;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ConvWinograd} F(4x4,3x3) and F(2x2,3x3) against the naive reference (NMSE within each
 * variant's documented bound, guards untouched), on the shared sweep's supported specs, random
 * 3x3 specs, and explicit edge cases; unsupported specs; bit-identical results for 1 and 2 threads.
 */
class ConvWinogradTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static ComputeContext one;
    private static ComputeContext two;

    @BeforeAll
    static void start() {
        one = ComputeContext.create(1);
        two = ComputeContext.create(2);
    }

    @AfterAll
    static void stop() {
        one.close();
        two.close();
    }

    static Stream<ConvWinograd> variants() {
        return Stream.of(ConvWinograd.F4X4, ConvWinograd.F2X2);
    }

    private static ConvSpec.Builder conv(int n, int inC, int outC, int inH, int inW) {
        return ConvSpec.builder(2).n(n).inC(inC).outC(outC).input(inH, inW).kernel(3);
    }

    /** Random supported specs: 3x3 stride 1, channels 1..64, groups, sizes 1..15, every padding kind. */
    static List<ConvSpec> randomSupported(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] channels = {1, 3, 4, 16, 17, 64};
        List<ConvSpec> specs = new ArrayList<>();
        while (specs.size() < count) {
            int inC = channels[rnd.nextInt(channels.length)];
            int outC = channels[rnd.nextInt(channels.length)];
            int groups = 1;
            int kind = rnd.nextInt(4);
            if (kind == 1) {
                groups = inC;
                outC = inC * (1 + rnd.nextInt(2));
            } else if (kind == 2 && inC % 2 == 0) {
                groups = 2;
                outC = 2 * (1 + rnd.nextInt(4));
            }
            Padding pad = switch (rnd.nextInt(5)) {
                case 0 -> Padding.VALID;
                case 1 -> Padding.SAME;
                case 2 -> Padding.FULL;
                case 3 -> Padding.of(new int[] {rnd.nextInt(3), rnd.nextInt(3)}, new int[] {rnd.nextInt(3), rnd.nextInt(3)});
                default -> Padding.of(rnd.nextInt(3));
            };
            try {
                specs.add(conv(1 + rnd.nextInt(3), inC, outC, 1 + rnd.nextInt(15), 1 + rnd.nextInt(15))
                        .groups(groups).padding(pad).build());
            } catch (IllegalArgumentException invalid) {
                // empty output: draw again
            }
        }
        return specs;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void sweepAndRandomSpecs(ConvWinograd algo) {
        List<ConvSpec> specs = new ArrayList<>(ConvTester.sweep(100, 11).stream()
                .filter(s -> algo.unsupportedReason(s) == null).toList());
        assertTrue(specs.size() >= 4, "the shared sweep has supported specs");
        specs.addAll(randomSupported(40, 5));
        int i = 0;
        double worst = 0;
        for (ConvSpec s : specs) {
            worst = Math.max(worst, ConvTester.check(algo, s, one, i % 2 == 0, 100 + i));
            worst = Math.max(worst, ConvTester.check(algo, s, two, i % 2 != 0, 200 + i));
            i++;
        }
        System.out.printf(Locale.ROOT, "%s: %d sweep and random specs, worst NMSE %.2e%n", algo.name(), specs.size(),
                worst);
    }

    static List<ConvSpec> explicitSpecs() {
        List<ConvSpec> s = new ArrayList<>();
        s.add(conv(1, 64, 64, 14, 14).padding(1).build());                      // ResNet-like, 1 block
        s.add(conv(1, 64, 64, 34, 34).padding(1).build());                      // several tile blocks
        for (int p = 0; p <= 2; p++) {
            s.add(conv(1, 5, 7, 7, 9).padding(p).build());
            s.add(conv(2, 4, 3, 5, 5).padding(p).build());
        }
        s.add(conv(1, 3, 4, 7, 9).padding(Padding.of(new int[] {0, 2}, new int[] {1, 0})).build());
        s.add(conv(1, 3, 4, 5, 5).padding(Padding.of(new int[] {2, 1}, new int[] {0, 2})).build());
        s.add(conv(1, 3, 4, 6, 7).padding(Padding.SAME).build());
        s.add(conv(1, 3, 4, 6, 7).padding(Padding.FULL).build());
        s.add(conv(1, 8, 6, 9, 10).groups(2).padding(1).build());               // groups 2
        s.add(conv(1, 16, 16, 10, 13).groups(16).padding(1).build());           // depthwise
        s.add(conv(2, 4, 8, 7, 7).groups(4).padding(1).build());                // depthwise, multiplier 2
        s.add(conv(3, 17, 9, 11, 6).padding(1).build());                        // n = 3
        s.add(conv(1, 3, 4, 3, 3).build());                                     // 1x1 output
        s.add(conv(1, 3, 4, 4, 4).build());                                     // 2x2 output
        s.add(conv(1, 3, 4, 1, 1).padding(1).build());                          // 1x1 output from 1x1 input
        s.add(conv(2, 3, 4, 2, 2).padding(1).build());                          // 2x2 output
        s.add(conv(1, 2, 2, 3, 12).build());                                    // one row of tiles
        return s;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void explicitCases(ConvWinograd algo) {
        int i = 0;
        for (ConvSpec s : explicitSpecs()) {
            assertNull(algo.unsupportedReason(s), s::toString);
            ConvTester.check(algo, s, one, true, 300 + i);
            ConvTester.check(algo, s, two, false, 400 + i);
            i++;
        }
    }

    /**
     * Small block limits give many blocks of whole tile rows, blocks that start and end inside an
     * image and blocks that span two images, with batch, groups, bias and tails: the paths the
     * default limit only takes on large layers.
     */
    @ParameterizedTest
    @MethodSource("variants")
    void smallBlocksSpanImages(ConvWinograd algo) {
        ConvSpec[] specs = {
            conv(3, 5, 6, 10, 11).padding(1).build(),
            conv(2, 8, 6, 9, 7).groups(2).padding(Padding.SAME).build(),
            conv(4, 3, 4, 5, 5).build(),
            conv(2, 4, 4, 3, 30).padding(Padding.FULL).build(),
        };
        int seed = 900;
        for (ConvSpec s : specs) {
            for (int limit : new int[] {1, 5, 7, 13}) {
                ConvTester.Planner planner = (spec, w, off, ctx) ->
                        new ConvWinogradPlan(spec, algo.name(), algo == ConvWinograd.F4X4, w, off, ctx, limit);
                ConvTester.check(algo, s, one, true, seed++, planner);
                ConvTester.check(algo, s, two, false, seed++, planner);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void unsupportedSpecsThrowWithTheParameter(ConvWinograd algo) {
        Object[][] cases = {
            {ConvSpec.builder(2).inC(2).outC(2).input(8, 8).kernel(5).build(), "kH=5"},
            {ConvSpec.builder(2).inC(2).outC(2).input(8, 8).kernel(3, 1).build(), "kW=1"},
            {conv(1, 2, 2, 8, 8).stride(2).build(), "stride"},
            {conv(1, 2, 2, 8, 8).dilation(2).build(), "dilH=2"},
            {ConvSpec.builder(1).inC(2).outC(2).input(8).kernel(3).build(), "dims=1"},
            {ConvSpec.builder(3).inC(2).outC(2).input(5, 5, 5).kernel(3).build(), "dims=3"},
            {conv(1, 2, 2, 8, 8).padding(1).paddingMode(PaddingMode.REFLECT).build(), "paddingMode=REFLECT"},
        };
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(4 * 125 * Float.BYTES);
            for (Object[] c : cases) {
                ConvSpec spec = (ConvSpec) c[0];
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> algo.plan(spec, w, 0, one), spec::toString);
                assertTrue(e.getMessage().contains((String) c[1]), e::getMessage);
                assertTrue(e.getMessage().contains(algo.name()), e::getMessage);
            }
            ConvSpec ok = conv(1, 2, 2, 8, 8).build();
            assertThrows(IllegalArgumentException.class, () -> algo.plan(ok, w, 490, one), "weights too small");
        }
    }

    /**
     * 1 and 2 threads give the same bits, on shared segments (so the pool's threads really run):
     * one unit split inside (64 channels, one block), whole units per thread (batch 3, 2 groups),
     * and several tile blocks.
     */
    @ParameterizedTest
    @MethodSource("variants")
    void bitIdenticalForOneAndTwoThreads(ConvWinograd algo) {
        ConvSpec[] specs = {
            conv(1, 64, 64, 14, 14).padding(1).build(),
            conv(3, 8, 6, 9, 10).groups(2).padding(1).build(),
            conv(1, 32, 16, 40, 37).padding(Padding.SAME).build(),
        };
        long seed = 7;
        for (ConvSpec s : specs) {
            SplittableRandom rnd = new SplittableRandom(seed++);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment in = ConvTester.random(arena, s.inputElements(), rnd);
                MemorySegment w = ConvTester.random(arena, s.weightElements(), rnd);
                MemorySegment bias = ConvTester.random(arena, s.outC(), rnd);
                MemorySegment out1 = arena.allocate(s.outputElements() * Float.BYTES);
                MemorySegment out2 = arena.allocate(s.outputElements() * Float.BYTES);
                algo.plan(s, w, 3, one).execute(in, 5, bias, 1, out1, 0);
                ConvPlan plan2 = algo.plan(s, w, 3, two);
                if (s == specs[0]) {
                    // 1 unit over 2 threads: one V/M slot, two staging slots (formula in ConvWinograd)
                    long a2 = algo == ConvWinograd.F4X4 ? 36 : 16;
                    int tilesW = algo == ConvWinograd.F4X4 ? 4 : 7;   // 14 / m; as many tile rows, one block
                    int lanes = Simd.VECTOR ? Simd.floatLanes() : 1;
                    int align = Math.max(16, Simd.floatLanes());
                    int written = (tilesW - 1) * tilesW + (tilesW + lanes - 1) / lanes * lanes;
                    int gemmColumns = (tilesW * tilesW + 15) / 16 * 16;
                    long ld = (Math.max(written, gemmColumns) + align - 1) / align * align;
                    assertEquals(4 * (a2 * 128 * ld + 2 * 2 * a2 * ld), plan2.workspaceBytes());
                }
                plan2.execute(in, 5, bias, 1, out2, 0);
                assertEquals(-1, out1.mismatch(out2), () -> algo.name() + ": 2 threads differ from 1 on " + s);
                plan2.execute(in, 5, bias, 1, out2, 0);                 // a plan runs again with the same result
                assertEquals(-1, out1.mismatch(out2), () -> algo.name() + ": second run differs on " + s);
            }
        }
    }

    /**
     * Measures the worst NMSE and max relative error ({@code max |y - ref| / max |ref|}) of each
     * variant over the random specs and a 64 -> 64 layer, and prints them: the figures behind
     * the documented bound in {@link ConvWinograd#maxNmse()}.
     */
    @ParameterizedTest
    @MethodSource("variants")
    void documentedErrorBound(ConvWinograd algo) {
        List<ConvSpec> specs = new ArrayList<>(randomSupported(40, 99));
        specs.add(conv(1, 64, 64, 28, 28).padding(1).build());
        double worstNmse = 0;
        double worstRel = 0;
        int i = 0;
        for (ConvSpec s : specs) {
            double[] e = errors(algo, s, 900 + i++);
            worstNmse = Math.max(worstNmse, e[0]);
            worstRel = Math.max(worstRel, e[1]);
        }
        System.out.printf(Locale.ROOT, "%s: worst NMSE %.2e, max relative error %.2e (bound %.1e)%n", algo.name(),
                worstNmse, worstRel, algo.maxNmse());
        assertTrue(worstNmse <= algo.maxNmse());
    }

    /** Returns {NMSE, max |y - ref| / max |ref|} of one run with bias. */
    private static double[] errors(ConvAlgorithm algo, ConvSpec s, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = ConvTester.random(arena, s.inputElements(), rnd);
            MemorySegment w = ConvTester.random(arena, s.weightElements(), rnd);
            MemorySegment bias = ConvTester.random(arena, s.outC(), rnd);
            MemorySegment ref = arena.allocate(s.outputElements() * Float.BYTES);
            MemorySegment out = arena.allocate(s.outputElements() * Float.BYTES);
            ConvNaive.forward(s, in, 0, w, 0, bias, 0, ref, 0);
            algo.plan(s, w, 0, one).execute(in, 0, bias, 0, out, 0);
            double err = 0;
            double norm = 0;
            double maxErr = 0;
            double maxRef = 0;
            for (long k = 0; k < s.outputElements(); k++) {
                double r = ref.getAtIndex(F, k);
                double d = Math.abs(out.getAtIndex(F, k) - r);
                err += d * d;
                norm += r * r;
                maxErr = Math.max(maxErr, d);
                maxRef = Math.max(maxRef, Math.abs(r));
            }
            return new double[] {norm == 0 ? err : err / norm, maxRef == 0 ? maxErr : maxErr / maxRef};
        }
    }
}
