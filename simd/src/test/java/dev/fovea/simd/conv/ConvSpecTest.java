package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class ConvSpecTest {
    /** PyTorch's formula, written independently: floor((in + 2p - d(k-1) - 1) / s) + 1. */
    private static int torchOut(int in, int k, int s, int p, int d) {
        return Math.floorDiv(in + 2 * p - d * (k - 1) - 1, s) + 1;
    }

    @Test
    void explicitPaddingMatchesPytorchFormulaOverASweep() {
        int checked = 0;
        for (int in = 1; in <= 12; in++) {
            for (int k = 1; k <= 5; k++) {
                for (int s = 1; s <= 3; s++) {
                    for (int p = 0; p <= 2; p++) {
                        for (int d = 1; d <= 2; d++) {
                            int expected = torchOut(in, k, s, p, d);
                            var b = ConvSpec.builder(2).inC(1).outC(1).input(in, in + 1).kernel(k).stride(s)
                                    .padding(p).dilation(d);
                            if (expected < 1) {
                                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
                                assertTrue(e.getMessage().contains("output would be empty"), e.getMessage());
                            } else {
                                ConvSpec spec = b.build();
                                assertEquals(expected, spec.outH());
                                assertEquals(torchOut(in + 1, k, s, p, d), spec.outW());
                                checked++;
                            }
                        }
                    }
                }
            }
        }
        assertTrue(checked > 500);
    }

    @Test
    void sameGivesCeilInputOverStrideWithExtraPaddingAtTheEnd() {
        for (int in = 1; in <= 20; in++) {
            for (int k = 1; k <= 6; k++) {
                for (int s = 1; s <= 4; s++) {
                    ConvSpec spec = ConvSpec.builder(1).inC(1).outC(1).input(in).kernel(k).stride(s)
                            .padding(Padding.SAME).build();
                    assertEquals((in + s - 1) / s, spec.outW(), spec.toString());
                    int total = spec.padBegin(2) + spec.padEnd(2);
                    assertTrue(spec.padEnd(2) - spec.padBegin(2) == total % 2, spec.toString());
                }
            }
        }
    }

    @Test
    void fullGivesInputPlusDilatedKernelMinusOne() {
        ConvSpec spec = ConvSpec.builder(2).inC(2).outC(3).input(5, 7).kernel(3, 2).dilation(2, 1)
                .padding(Padding.FULL).build();
        assertEquals(5 + 2 * 2, spec.outH());
        assertEquals(7 + 1, spec.outW());
        assertArrayEquals(new long[] {1, 3, 9, 8}, spec.outputShape());
        assertArrayEquals(new long[] {3, 2, 3, 2}, spec.weightShape());
    }

    @Test
    void lowerDimensionalSpecsUseUnitOuterAxes() {
        ConvSpec s1 = ConvSpec.builder(1).n(2).inC(3).outC(4).input(10).kernel(3).build();
        assertEquals(1, s1.inD());
        assertEquals(1, s1.inH());
        assertEquals(8, s1.outW());
        assertArrayEquals(new long[] {2, 3, 10}, s1.inputShape());
        ConvSpec s3 = ConvSpec.builder(3).inC(1).outC(1).input(4, 5, 6).kernel(3).padding(1).build();
        assertArrayEquals(new long[] {1, 1, 4, 5, 6}, s3.outputShape());
        assertEquals(2.0 * 4 * 5 * 6 * 27, s3.flops());
    }

    @Test
    void invalidArgumentsNameTheProblem() {
        assertMessage("groups must divide", () -> ConvSpec.builder(2).inC(6).outC(4).groups(4).input(5, 5).kernel(3).build());
        assertMessage("kernel needs 1 or 2 values", () -> ConvSpec.builder(2).inC(1).outC(1).input(5, 5).kernel(3, 3, 3));
        assertMessage("stride", () -> ConvSpec.builder(2).inC(1).outC(1).input(5, 5).kernel(3).stride(0).build());
        assertMessage("reflect padding must be smaller than the input", () -> ConvSpec.builder(2).inC(1).outC(1)
                .input(2, 5).kernel(3).padding(2).paddingMode(PaddingMode.REFLECT).build());
        assertMessage("circular padding must not exceed", () -> ConvSpec.builder(1).inC(1).outC(1)
                .input(2).kernel(3).padding(3).paddingMode(PaddingMode.CIRCULAR).build());
        assertMessage("padding must be >= 0", () -> ConvSpec.builder(1).inC(1).outC(1).input(5).kernel(3)
                .padding(-1).build());
        assertMessage("dims must be 1, 2 or 3", () -> ConvSpec.builder(4));
        assertMessage("paddingMode must be zeros", () -> PaddingMode.fromWireName("mirror"));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), () -> "expected '" + part + "' in: " + e.getMessage());
    }

    @Test
    void paddingModesMapLikePytorch() {
        // torch.nn.functional.pad([0,1,2,3], (3,3), mode=...) on a 4-element row
        int[] reflect = {3, 2, 1, 0, 1, 2, 3, 2, 1, 0};
        int[] replicate = {0, 0, 0, 0, 1, 2, 3, 3, 3, 3};
        int[] circular = {1, 2, 3, 0, 1, 2, 3, 0, 1, 2};
        for (int i = -3; i < 7; i++) {
            assertEquals(reflect[i + 3], PaddingMode.REFLECT.sourceIndex(i, 4));
            assertEquals(replicate[i + 3], PaddingMode.REPLICATE.sourceIndex(i, 4));
            assertEquals(circular[i + 3], PaddingMode.CIRCULAR.sourceIndex(i, 4));
            assertEquals(i >= 0 && i < 4 ? i : -1, PaddingMode.ZEROS.sourceIndex(i, 4));
        }
    }

    /** A hand-computed 2-d case: 3x3 input, 2x2 kernel, stride 1, padding 1 (zeros), bias 0.5. */
    @Test
    void naiveMatchesAHandComputedExample() {
        ConvSpec spec = ConvSpec.builder(2).inC(1).outC(1).input(3, 3).kernel(2).padding(1).build();
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] w = {1, 0, 0, -1};  // out(i,j) = x(i-1,j-1) - x(i,j)
        float[] expected = new float[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                float a = i >= 1 && j >= 1 ? x[(i - 1) * 3 + j - 1] : 0;
                float b = i < 3 && j < 3 ? x[i * 3 + j] : 0;
                expected[i * 4 + j] = a - b + 0.5f;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(16 * Float.BYTES);
            ConvPlan plan = ConvNaive.INSTANCE.plan(spec, MemorySegment.ofArray(w), 0, ComputeContext.create(1));
            plan.execute(MemorySegment.ofArray(x), 0, MemorySegment.ofArray(new float[] {0.5f}), 0, out, 0);
            assertArrayEquals(expected, out.toArray(ValueLayout.JAVA_FLOAT));
        }
    }

    @Test
    void forcedAlgorithmThatCannotRunThrowsWithTheReasonAndAutoFallsBack() {
        ConvSpec spec = ConvSpec.builder(1).inC(2).outC(2).input(9).kernel(4).stride(3).build();
        assertEquals("naive", Conv.choose(spec, ConvPolicy.force("naive")).name());
        assertMessage("unknown conv algorithm 'fft'", () -> ConvPolicy.force("fft"));
        assertMessage("'auto' is the planner's choice", () -> Conv.algorithm("auto"));
        String property = System.getProperty(ConvPolicy.ALGO_PROPERTY);
        try {
            System.setProperty(ConvPolicy.ALGO_PROPERTY, "fft");
            assertMessage("-Dfovea.conv.algo=fft: unknown conv algorithm 'fft'", ConvPolicy::fromSystemProperty);
            System.setProperty(ConvPolicy.ALGO_PROPERTY, " auto ");
            assertTrue(ConvPolicy.fromSystemProperty().isAuto());
        } finally {
            if (property == null) {
                System.clearProperty(ConvPolicy.ALGO_PROPERTY);
            } else {
                System.setProperty(ConvPolicy.ALGO_PROPERTY, property);
            }
        }
        for (ConvAlgorithm a : Conv.algorithms()) {
            if (a.unsupportedReason(spec) != null) {
                assertMessage("cannot run", () -> Conv.choose(spec, ConvPolicy.force(a.name())));
            }
        }
        ConvAlgorithm auto = Conv.choose(spec, ConvPolicy.AUTO);
        assertTrue(auto.unsupportedReason(spec) == null, auto.name());
    }

    @Test
    void autoChoosesByShapeWithTheNamedCrossovers() {
        ConvSpec layer1 = ConvSpec.builder(2).inC(64).outC(64).input(56, 56).kernel(3).padding(1).build();
        ConvSpec layer4 = ConvSpec.builder(2).inC(512).outC(512).input(7, 7).kernel(3).padding(1).build();
        ConvSpec layer4b8 = ConvSpec.builder(2).n(8).inC(512).outC(512).input(7, 7).kernel(3).padding(1).build();
        ConvSpec rgb = ConvSpec.builder(2).inC(3).outC(64).input(32, 32).kernel(3).padding(1).build();
        ConvSpec pointwise = ConvSpec.builder(2).inC(32).outC(64).input(28, 28).kernel(1).build();
        ConvSpec depthwise = ConvSpec.builder(2).inC(32).outC(32).groups(32).input(28, 28).kernel(3).padding(1).build();
        assertEquals("winograd", Conv.choose(layer1, ConvPolicy.AUTO).name());
        assertEquals("winograd-f2", Conv.choose(layer4, ConvPolicy.AUTO).name(), "4 tiles of 4x4 < 16");
        assertEquals("winograd", Conv.choose(layer4b8, ConvPolicy.AUTO).name(), "32 tiles of 4x4 >= 16");
        String shifted = dev.fovea.simd.Simd.VECTOR ? "shifted" : "implicit-gemm";
        assertEquals(shifted, Conv.choose(rgb, ConvPolicy.AUTO).name(), "3 input channels < 16: no Winograd;"
                + " 64 output channels and a padded image of 3 * (34 * 34 + lanes) floats: shifted rows");
        ConvSpec lenet2 = ConvSpec.builder(2).n(64).inC(6).outC(16).input(14, 14).kernel(5).build();
        ConvSpec wideOut = ConvSpec.builder(2).inC(3).outC(65).input(32, 32).kernel(3).padding(1).build();
        ConvSpec bigImage = ConvSpec.builder(2).inC(64).outC(32).input(32, 32).kernel(5).padding(2).build();
        assertEquals(dev.fovea.simd.Simd.VECTOR ? "channel-lanes" : "implicit-gemm",
                Conv.choose(lenet2, ConvPolicy.AUTO).name(), "16 output channels fill the lanes, 150 terms >= 96,"
                + " shifted would use 100 of 136 wide columns");
        ConvSpec lenet1 = ConvSpec.builder(2).n(64).inC(1).outC(6).input(32, 32).kernel(5).build();
        assertEquals(shifted, Conv.choose(lenet1, ConvPolicy.AUTO).name(), "6 output channels fill too few lanes");
        ConvSpec fewTerms = ConvSpec.builder(2).inC(8).outC(24).input(28, 28).kernel(3).build();
        assertEquals(shifted, Conv.choose(fewTerms, ConvPolicy.AUTO).name(), "72 terms < 96");
        assertEquals("implicit-gemm", Conv.choose(wideOut, ConvPolicy.AUTO).name(), "65 output channels > 64");
        assertEquals("implicit-gemm", Conv.choose(bigImage, ConvPolicy.AUTO).name(), "64 * (36 * 36 + lanes) floats"
                + " > 256 KiB");
        ConvSpec tiny = ConvSpec.builder(2).inC(8).outC(256).input(4, 4).kernel(3).padding(1).build();
        ConvSpec tinier = ConvSpec.builder(2).inC(8).outC(256).input(3, 3).kernel(3).padding(1).build();
        ConvSpec strided = ConvSpec.builder(2).inC(64).outC(64).input(28, 28).kernel(3).stride(2).padding(1).build();
        assertEquals(22, ConvImplicitGemm.wideColumns(tiny), "3 rows of 6 padded columns + 4");
        assertEquals("implicit-gemm", Conv.choose(tiny, ConvPolicy.AUTO).name(), "22 > 16 columns, 22 / 16 <= 1.4");
        assertEquals("im2col", Conv.choose(tinier, ConvPolicy.AUTO).name(), "13 columns <= 16");
        assertEquals("implicit-gemm", Conv.choose(strided, ConvPolicy.AUTO).name(),
                "stride 2: phases of 15 x 15, 13 * 15 + 14 = 209 wide columns / 196 <= 1.4");
        ConvSpec stridedTiny = ConvSpec.builder(2).inC(64).outC(64).input(6, 6).kernel(3).stride(2).padding(1).build();
        assertEquals("im2col", Conv.choose(stridedTiny, ConvPolicy.AUTO).name(), "2 * 4 + 3 = 11 columns <= 16");
        ConvPolicy noImplicit = new ConvPolicy(null, 16, 4, 16, 1.0);
        assertEquals("im2col", Conv.choose(rgb, noImplicit).name(), "1086 / 1024 > 1.0");
        assertEquals("implicit-gemm", Conv.choose(pointwise, ConvPolicy.AUTO).name());
        assertEquals("depthwise", Conv.choose(depthwise, ConvPolicy.AUTO).name());
        ConvPolicy f4Always = new ConvPolicy(null, ConvPolicy.WINOGRAD_MIN_CHANNELS, ConvPolicy.WINOGRAD_MIN_OUTPUT, 1,
                ConvPolicy.IMPLICIT_GEMM_MAX_WIDE_RATIO);
        assertEquals("winograd", Conv.choose(layer4, f4Always).name());
        assertMessage("winogradF4MinTiles=0", () -> new ConvPolicy(null, 16, 4, 0, 1.4));
        assertMessage("implicitGemmMaxWideRatio=NaN", () -> new ConvPolicy(null, 16, 4, 16, Double.NaN));
    }
}
