package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** implicit-gemm against the naive reference over the supported part of the sweep, its support set, determinism, checks. */
class ConvImplicitGemmTest {
    private static final ConvImplicitGemm ALGO = ConvImplicitGemm.INSTANCE;
    private static final long SEED = 0x1B1C17L;

    @Test
    void sweepMatchesNaive() {
        double worst = ConvIm2colTest.sweep(ALGO, SEED);
        System.out.println("implicit-gemm: worst NMSE over the sweep " + worst);
    }

    @Test
    void eachPathMatchesNaive() {
        // One spec per path and layout case, checked with a shared context so the GEMMs and copies may thread.
        List<ConvSpec> specs = List.of(
                ConvSpec.builder(2).n(2).inC(6).outC(4).groups(2).input(5, 7).kernel(1).build(),         // direct
                ConvSpec.builder(2).inC(5).outC(3).input(9, 8).kernel(1).stride(2, 3).padding(1)
                        .paddingMode(PaddingMode.REFLECT).build(),                                          // gather
                ConvSpec.builder(2).inC(4).outC(5).input(9, 11).kernel(3, 2).dilation(2, 1)
                        .padding(Padding.of(new int[] {2, 0}, new int[] {1, 3})).build(),                  // taps, wide
                ConvSpec.builder(2).inC(3).outC(4).input(6, 7).kernel(3).build(),                           // taps, unpadded
                ConvSpec.builder(1).n(2).inC(4).outC(6).input(19).kernel(5).padding(Padding.SAME)
                        .paddingMode(PaddingMode.CIRCULAR).build(),                                         // taps, 1-d direct
                ConvSpec.builder(2).inC(3).outC(2).input(1, 9).kernel(1, 3).build(),                        // one output row
                ConvSpec.builder(2).inC(3).outC(2).input(8, 5).kernel(3, 1).padding(1).build(),             // kW = 1: direct
                ConvSpec.builder(3).inC(3).outC(4).input(4, 5, 6).kernel(2, 3, 2).padding(1)
                        .paddingMode(PaddingMode.REPLICATE).build(),                                        // taps, 3-d
                ConvSpec.builder(2).n(2).inC(5).outC(7).input(12, 13).kernel(3).stride(2).padding(1).build(), // phases
                ConvSpec.builder(2).inC(3).outC(8).input(23, 22).kernel(7).stride(2).padding(3).build(),    // stem-like
                ConvSpec.builder(2).inC(2).outC(3).input(10, 9).kernel(3).stride(2).build(),                // phases, unpadded
                ConvSpec.builder(2).inC(2).outC(3).input(7, 16).kernel(2, 3).stride(2)
                        .padding(Padding.of(new int[] {0, 2}, new int[] {1, 0})).build(),                  // phases, uneven pads
                ConvSpec.builder(2).inC(3).outC(4).input(5, 75).kernel(3).stride(2).padding(1).build(),     // phases, long rows
                ConvSpec.builder(2).inC(2).outC(3).input(9, 20).kernel(3).stride(2).padding(1)
                        .paddingMode(PaddingMode.REFLECT).build(),                                          // phases of a padded copy
                ConvSpec.builder(2).inC(4).outC(3).input(11, 10).kernel(3, 5).stride(3, 2).dilation(2, 1)
                        .padding(Padding.SAME).paddingMode(PaddingMode.REFLECT).build(),                    // phases, reflect
                ConvSpec.builder(2).inC(3).outC(5).input(9, 12).kernel(2, 4).stride(4, 3)
                        .paddingMode(PaddingMode.CIRCULAR).padding(Padding.of(new int[] {1, 0}, new int[] {2, 3}))
                        .build(),                                                                           // s > k
                ConvSpec.builder(1).n(2).inC(4).outC(6).input(31).kernel(5).stride(2).padding(2).build(),   // 1-d direct
                ConvSpec.builder(3).inC(2).outC(3).input(5, 6, 7).kernel(3).stride(2, 1, 2).padding(1)
                        .paddingMode(PaddingMode.REPLICATE).build());                                       // phases, 3-d
        try (ComputeContext two = ComputeContext.create(2)) {
            for (ConvSpec spec : specs) {
                assertNull(ALGO.unsupportedReason(spec), spec.toString());
                double nmse = ConvIm2colTest.nmseVsNaive(spec, (w, ctx) -> ALGO.plan(spec, w, 0, ctx), two, 11);
                assertTrue(nmse <= ALGO.maxNmse(), spec + ": NMSE " + nmse);
            }
        }
    }

    @Test
    void supportSet() {
        assertNull(ALGO.unsupportedReason(ConvSpec.builder(2).inC(8).outC(8).input(9, 9).kernel(1).stride(2).build()));
        assertNull(ALGO.unsupportedReason(ConvSpec.builder(2).inC(8).outC(8).groups(8).input(9, 9).kernel(3)
                .dilation(2).padding(Padding.SAME).paddingMode(PaddingMode.REFLECT).build()));
        assertNull(ALGO.unsupportedReason(ConvSpec.builder(2).inC(8).outC(8).input(9, 9).kernel(3).stride(2).build()));
        assertNull(ALGO.unsupportedReason(ConvSpec.builder(2).inC(8).outC(8).input(9, 9).kernel(3, 1).stride(1, 2)
                .build()));
        assertNotNull(ALGO.unsupportedReason(HUGE));
    }

    /** A padded channel of 2050^3 floats, more than an int can index. */
    private static final ConvSpec HUGE = ConvSpec.builder(3).inC(1).outC(1).input(2048, 2048, 2048).kernel(3).stride(2)
            .padding(1).build();

    @Test
    void unsupportedSpecThrowsWithReason() {
        MemorySegment w = MemorySegment.ofArray(new float[(int) HUGE.weightElements()]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ALGO.plan(HUGE, w, 0, ComputeContext.defaultContext()));
        assertTrue(e.getMessage().contains(ALGO.unsupportedReason(HUGE)), e.getMessage());
        IllegalArgumentException forced = assertThrows(IllegalArgumentException.class,
                () -> Conv.choose(HUGE, ConvPolicy.force("implicit-gemm")));
        assertTrue(forced.getMessage().contains("exceeds " + Integer.MAX_VALUE + " floats"), forced.getMessage());
    }

    /**
     * The stride-phase layout: a 7 x 9 input padded by 1 at stride (2, 3) has phases of
     * ceil(9 / 2) x ceil(11 / 3) = 5 x 4, 6 per channel; the wide columns run over the phase width.
     */
    @Test
    void stridePhaseGeometry() {
        ConvSpec s = ConvSpec.builder(2).inC(2).outC(3).input(7, 9).kernel(3).stride(2, 3).padding(1).build();
        assertEquals(5, ConvImplicitGemm.phaseExtent(s, 1));
        assertEquals(4, ConvImplicitGemm.phaseExtent(s, 2));
        assertEquals(6, ConvImplicitGemm.phases(s));
        assertEquals((s.outH() - 1) * 4 + s.outW(), ConvImplicitGemm.wideColumns(s));
        ConvSpec split = ConvImplicitGemm.phaseSpec(s, false);
        assertEquals(5, split.outH());
        assertEquals(4, split.outW());
        assertEquals(2 * 6, split.inC() * split.kernelVolume(), "one im2col row per channel and phase");
        // zero padding: phases only, no padded copy; wide 3 x 4 > 3 x 3 output: a wide workspace
        assertEquals((2L * 6 * 20 + 3L * ConvImplicitGemm.wideColumns(s)) * Float.BYTES,
                ConvIm2colTest.planWithRandomWeights(ALGO, s).workspaceBytes());
        // reflect: the padded copy (9 x 11) first
        ConvSpec reflect = s.toBuilder().paddingMode(PaddingMode.REFLECT).build();
        assertEquals((2L * 9 * 11 + 2L * 6 * 20 + 3L * ConvImplicitGemm.wideColumns(s)) * Float.BYTES,
                ConvIm2colTest.planWithRandomWeights(ALGO, reflect).workspaceBytes());
    }

    @Test
    void oneAndTwoThreadsAreBitIdentical() {
        ConvIm2colTest.assertThreadInvariant(ALGO, List.of(
                ConvSpec.builder(2).n(2).inC(64).outC(64).input(24, 24).kernel(1).build(),
                ConvSpec.builder(2).inC(64).outC(96).input(29, 31).kernel(1).stride(2).build(),
                ConvSpec.builder(2).inC(32).outC(64).input(40, 40).kernel(3).padding(1).build(),
                ConvSpec.builder(2).n(2).inC(16).outC(32).groups(2).input(33, 35).kernel(5).dilation(2)
                        .padding(Padding.SAME).paddingMode(PaddingMode.REFLECT).build(),
                ConvSpec.builder(1).inC(32).outC(32).input(2000).kernel(7).padding(3).build(),
                IMAGE_SPLIT, TAP_SPLIT_STRIDED, TAP_SPLIT_REFLECT, TAP_SPLIT_PADDED));
    }

    /** Tap-path batches that 2 threads split by images: phases only, padded copy and phases, padded copy. */
    private static final ConvSpec TAP_SPLIT_STRIDED = ConvSpec.builder(2).n(4).inC(16).outC(32).input(48, 48)
            .kernel(3).stride(2).padding(1).build();
    private static final ConvSpec TAP_SPLIT_REFLECT = ConvSpec.builder(2).n(3).inC(32).outC(64).groups(2)
            .input(60, 60).kernel(3).stride(2).padding(Padding.SAME).paddingMode(PaddingMode.REFLECT).build();
    private static final ConvSpec TAP_SPLIT_PADDED = ConvSpec.builder(2).n(2).inC(32).outC(32).input(30, 30).kernel(3)
            .padding(1).build();

    /**
     * The tap path split by images: each thread's own slice of all three workspaces, results
     * against naive (the bit-identity with one thread is {@link #oneAndTwoThreadsAreBitIdentical}).
     */
    @Test
    void tapPathSplitsTheBatchByImages() {
        assertEquals(2, ConvImplicitGemm.imageThreads(TAP_SPLIT_STRIDED, 2));
        assertEquals(2, ConvImplicitGemm.imageThreads(TAP_SPLIT_REFLECT, 2));
        assertEquals(2, ConvImplicitGemm.imageThreads(TAP_SPLIT_PADDED, 2));
        try (ComputeContext one = ComputeContext.create(1); ComputeContext two = ComputeContext.create(2)) {
            for (ConvSpec spec : List.of(TAP_SPLIT_STRIDED, TAP_SPLIT_REFLECT, TAP_SPLIT_PADDED)) {
                double nmse = ConvIm2colTest.nmseVsNaive(spec, (w, ctx) -> ALGO.plan(spec, w, 0, ctx), two, 17);
                assertTrue(nmse <= ALGO.maxNmse(), spec + ": NMSE " + nmse);
                MemorySegment w = MemorySegment.ofArray(new float[(int) spec.weightElements()]);
                assertEquals(2 * ALGO.plan(spec, w, 0, one).workspaceBytes(), ALGO.plan(spec, w, 0, two).workspaceBytes(),
                        spec + ": one workspace slice per thread");
            }
        }
    }

    /** A gathered 1x1 batch of small images that 2 threads split by images, 3 + 2. */
    private static final ConvSpec IMAGE_SPLIT = ConvSpec.builder(2).n(5).inC(64).outC(128).groups(2).input(55, 57)
            .kernel(1).stride(2).padding(1).build();

    @Test
    void smallImagesSplitOverThreadsAndMatchNaive() {
        assertEquals(2, ConvImplicitGemm.imageThreads(IMAGE_SPLIT, 2));
        assertEquals(1, ConvImplicitGemm.imageThreads(IMAGE_SPLIT, 1));
        ConvSpec down2 = ConvSpec.builder(2).n(8).inC(64).outC(128).input(56, 56).kernel(1).stride(2).build();
        assertEquals(2, ConvImplicitGemm.imageThreads(down2, 2));
        assertEquals(1, ConvImplicitGemm.imageThreads(ConvSpec.builder(2).n(1).inC(64).outC(128).input(56, 56)
                .kernel(1).stride(2).build(), 2), "one image: threads inside its GEMM");
        assertEquals(1, ConvImplicitGemm.imageThreads(ConvSpec.builder(2).n(3).inC(512).outC(512).input(64, 64)
                .kernel(1).stride(2).build(), 2), "3 large images: threads inside each GEMM");
        assertEquals(1, ConvImplicitGemm.imageThreads(ConvSpec.builder(2).n(4).inC(8).outC(8).input(16, 16)
                .kernel(1).stride(2).build(), 2), "too little work for a fork");
        try (ComputeContext two = ComputeContext.create(2)) {
            double nmse = ConvIm2colTest.nmseVsNaive(IMAGE_SPLIT, (w, ctx) -> ALGO.plan(IMAGE_SPLIT, w, 0, ctx), two,
                    13);
            assertTrue(nmse <= ALGO.maxNmse(), "NMSE " + nmse);
            assertEquals(2L * 32 * 29 * 30 * Float.BYTES,
                    ALGO.plan(IMAGE_SPLIT, MemorySegment.ofArray(new float[(int) IMAGE_SPLIT.weightElements()]), 0, two)
                            .workspaceBytes(), "one workspace slice per thread");
        }
    }

    /**
     * The indirect-B GEMM multiplies the same weights by the same rows in the same k order as
     * im2col's GEMM, so the outputs are bit for bit im2col's: a stronger check than the NMSE bound
     * (a wrong shift or row order would differ in the last bits even where NMSE hides it). The
     * shapes keep both GEMMs' last column panels off the 1-4 column kernel, which adds even and odd
     * k steps in separate lanes (another order); strided specs have wide columns of their own.
     */
    @Test
    void equalsIm2colBitForBit() {
        List<ConvSpec> specs = List.of(
                ConvSpec.builder(2).n(2).inC(17).outC(9).input(13, 11).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(120).outC(33).input(9, 10).kernel(3).padding(1).build(), // k = 1080: 2 blocks
                ConvSpec.builder(2).inC(8).outC(12).groups(4).input(10, 9).kernel(5, 3).dilation(1, 2)
                        .padding(Padding.SAME).paddingMode(PaddingMode.REFLECT).build(),
                ConvSpec.builder(1).n(3).inC(6).outC(5).input(40).kernel(7).padding(3).build(),
                ConvSpec.builder(3).inC(4).outC(4).input(5, 6, 7).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(3).outC(40).input(30, 30).kernel(3).build(),              // unpadded
                ConvSpec.builder(2).n(2).inC(16).outC(24).input(24, 23).kernel(3).stride(2).padding(1).build(),
                ConvSpec.builder(2).inC(3).outC(16).input(40, 40).kernel(7).stride(2).padding(3).build(),
                ConvSpec.builder(2).inC(6).outC(10).input(19, 19).kernel(5).stride(3).dilation(2)
                        .padding(Padding.SAME).paddingMode(PaddingMode.REFLECT).build());
        try (ComputeContext one = ComputeContext.create(1)) {
            for (ConvSpec spec : specs) {
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(spec.hashCode());
                try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                    MemorySegment in = ConvTester.random(arena, spec.inputElements(), rnd);
                    MemorySegment w = ConvTester.random(arena, spec.weightElements(), rnd);
                    MemorySegment bias = ConvTester.random(arena, spec.outC(), rnd);
                    MemorySegment want = arena.allocate(spec.outputElements() * Float.BYTES, 64);
                    MemorySegment got = arena.allocate(spec.outputElements() * Float.BYTES, 64);
                    ConvIm2col.INSTANCE.plan(spec, w, 0, one).execute(in, 0, bias, 0, want, 0);
                    ALGO.plan(spec, w, 0, one).execute(in, 0, bias, 0, got, 0);
                    assertEquals(-1, want.mismatch(got), spec + ": implicit-gemm differs from im2col");
                }
            }
        }
    }

    @Test
    void reportsWorkspace() {
        ConvSpec direct = ConvSpec.builder(2).inC(3).outC(4).input(10, 12).kernel(1).build();
        assertEquals(0, ConvIm2colTest.planWithRandomWeights(ALGO, direct).workspaceBytes());
        ConvSpec gather = ConvSpec.builder(2).inC(3).outC(4).input(10, 12).kernel(1).stride(2).build();
        assertEquals(3L * 5 * 6 * Float.BYTES, ConvIm2colTest.planWithRandomWeights(ALGO, gather).workspaceBytes());
        // padded 12 x 14, wide columns (10 - 1) * 14 + 12 = 138
        ConvSpec taps = ConvSpec.builder(2).inC(3).outC(4).input(10, 12).kernel(3).padding(1).build();
        assertEquals((3L * 12 * 14 + 4L * 138) * Float.BYTES,
                ConvIm2colTest.planWithRandomWeights(ALGO, taps).workspaceBytes());
    }

    @Test
    void tooSmallSegmentsThrowBeforeWork() {
        ConvIm2colTest.assertTooSmallSegmentsThrow(ALGO,
                ConvSpec.builder(2).n(2).inC(3).outC(4).input(6, 7).kernel(3).padding(1).build());
        ConvIm2colTest.assertTooSmallSegmentsThrow(ALGO,
                ConvSpec.builder(2).n(2).inC(3).outC(4).input(6, 7).kernel(1).build());
    }
}
