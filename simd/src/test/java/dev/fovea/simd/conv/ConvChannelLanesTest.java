package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.simd.Simd;
import java.util.List;
import org.junit.jupiter.api.Test;

/** channel-lanes (output channels across the lanes, runs of a row in registers) against the naive reference. */
class ConvChannelLanesTest {
    private static final ConvChannelLanes ALGO = ConvChannelLanes.INSTANCE;
    private static final long SEED = 0xC4A77L;

    /**
     * LeNet-5's second layer; every generated kernel width; rows of one run, of several runs and of
     * runs with discarded positions (widths 1, 11, 30); output channels in two vectors, the second
     * nearly empty; groups; stride and dilation along depth and height; every padding mode; 1-3 dims.
     */
    private static final List<ConvSpec> SPECS = List.of(
            ConvSpec.builder(2).n(3).inC(6).outC(16).input(14, 14).kernel(5).build(),                        // LeNet conv2
            ConvSpec.builder(2).n(2).inC(3).outC(17).input(9, 32).kernel(3).padding(1).build(),             // 17 channels, 32 wide
            ConvSpec.builder(2).n(2).inC(4).outC(8).input(6, 12).kernel(2).build(),                          // 11 wide
            ConvSpec.builder(2).n(2).inC(2).outC(5).input(7, 10).kernel(4, 4).stride(2, 1).dilation(2, 1).build(),
            ConvSpec.builder(2).n(2).inC(6).outC(40).groups(2).input(8, 9).kernel(3, 6)
                    .padding(Padding.of(new int[] {1, 2}, new int[] {0, 3})).build(),                         // groups, width 6
            ConvSpec.builder(2).inC(3).outC(7).input(6, 7).kernel(3, 7).padding(1, 3)
                    .paddingMode(PaddingMode.REFLECT).build(),                                                // width 7, reflect
            ConvSpec.builder(1).n(2).inC(4).outC(6).input(40).kernel(5).padding(Padding.SAME)
                    .paddingMode(PaddingMode.CIRCULAR).build(),                                               // 1-d circular
            ConvSpec.builder(3).inC(3).outC(4).input(5, 5, 6).kernel(2, 3, 2).stride(2, 1, 1).padding(1)
                    .paddingMode(PaddingMode.REPLICATE).build(),                                              // 3-d
            ConvSpec.builder(2).inC(2).outC(3).input(4, 3).kernel(3).build());                               // 1 wide

    @Test
    void sweepMatchesNaive() {
        assumeTrue(Simd.VECTOR, "the vector path only");
        double worst = ConvIm2colTest.sweep(ALGO, SEED);
        System.out.println("channel-lanes: worst NMSE over the sweep " + worst);
    }

    @Test
    void eachCaseMatchesNaiveWithAndWithoutBias() {
        assumeTrue(Simd.VECTOR, "the vector path only");
        ConvIm2colTest.checkCases(ALGO, SPECS, SEED);
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        assumeTrue(Simd.VECTOR, "the vector path only");
        ConvIm2colTest.assertThreadInvariant(ALGO, SPECS);
    }

    @Test
    void supportSetWorkspaceAndChecks() {
        ConvSpec.Builder base = ConvSpec.builder(2).inC(8).outC(8).input(9, 9);
        assertEquals("needs stride 1 and dilation 1 along the width",
                ALGO.unsupportedReason(base.kernel(3).stride(1, 2).build()));
        assertEquals("needs stride 1 and dilation 1 along the width",
                ALGO.unsupportedReason(base.kernel(3).stride(1).dilation(1, 2).build()));
        if (!Simd.VECTOR) {
            assertEquals("needs the vector path", ALGO.unsupportedReason(SPECS.get(0)));
            return;
        }
        assertEquals("has kernels 2 to 7 wide only, got 1",
                ALGO.unsupportedReason(base.kernel(3, 1).dilation(1).build()));
        assertEquals("has kernels 2 to 7 wide only, got 8", ALGO.unsupportedReason(base.kernel(1, 8).build()));
        // LeNet conv2: 6 channels of 14 x 14 and a run's slack, then 16 output channels of 10 x 10 twice and a
        // run's slack
        int lanes = Simd.floatLanes();
        ConvPlan plan = ConvIm2colTest.planWithRandomWeights(ALGO, SPECS.get(0));
        assertEquals((6L * 196 + 12 + 2L * lanes * 100 + 12L * lanes) * Float.BYTES, plan.workspaceBytes());
        assertEquals("channel-lanes", plan.algorithm());
        ConvIm2colTest.assertTooSmallSegmentsThrow(ALGO, SPECS.get(0));
    }
}
