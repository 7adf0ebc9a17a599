package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.simd.Simd;
import java.util.List;
import org.junit.jupiter.api.Test;

/** shifted (direct convolution from shifted rows) against the naive reference, its support set, determinism. */
class ConvShiftedTest {
    private static final ConvShifted ALGO = ConvShifted.INSTANCE;
    private static final long SEED = 0x5A1F7L;

    /** Every spec below: LeNet-5's layers, channel counts around the blocks of 6, groups, dilation, padding modes, 1-3 dims. */
    private static final List<ConvSpec> SPECS = List.of(
            ConvSpec.builder(2).n(3).inC(1).outC(6).input(32, 32).kernel(5).build(),                         // LeNet conv1
            ConvSpec.builder(2).n(3).inC(6).outC(16).input(14, 14).kernel(5).build(),                        // LeNet conv2
            ConvSpec.builder(2).n(2).inC(5).outC(13).input(9, 11).kernel(3).padding(1).build(),             // 13 = 2 * 6 + 1
            ConvSpec.builder(2).n(2).inC(6).outC(4).groups(2).input(7, 8).kernel(3, 2).dilation(2, 1)
                    .padding(Padding.of(new int[] {2, 0}, new int[] {1, 3})).build(),                        // groups, dilation
            ConvSpec.builder(2).inC(3).outC(7).input(6, 5).kernel(3).padding(1)
                    .paddingMode(PaddingMode.REFLECT).build(),                                                // reflect
            ConvSpec.builder(1).n(2).inC(4).outC(6).input(19).kernel(5).padding(Padding.SAME)
                    .paddingMode(PaddingMode.CIRCULAR).build(),                                               // 1-d circular
            ConvSpec.builder(3).inC(3).outC(4).input(4, 5, 6).kernel(2, 3, 2).padding(1)
                    .paddingMode(PaddingMode.REPLICATE).build(),                                              // 3-d
            ConvSpec.builder(2).inC(2).outC(3).input(1, 40).kernel(1, 3).build(),                           // one output row
            ConvSpec.builder(2).inC(2).outC(3).input(3, 3).kernel(3).build());                              // one output

    @Test
    void sweepMatchesNaive() {
        assumeTrue(Simd.VECTOR, "the vector path only");
        double worst = ConvIm2colTest.sweep(ALGO, SEED);
        System.out.println("shifted: worst NMSE over the sweep " + worst);
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
        ConvSpec strided = ConvSpec.builder(2).inC(8).outC(8).input(9, 9).kernel(3).stride(2).build();
        assertNotNull(ALGO.unsupportedReason(strided));
        assertNotNull(ALGO.unsupportedReason(ConvSpec.builder(2).inC(8).outC(8).input(9, 9).kernel(3, 1).stride(1, 2)
                .build()));
        if (!Simd.VECTOR) {
            assertEquals("needs the vector path", ALGO.unsupportedReason(SPECS.get(0)));
            return;
        }
        // LeNet conv2: 6 padded channels of 14 x 14 plus a vector each, then the row of ones and 6 wide rows
        // (Nw = 9 * 14 + 10 = 136 columns, rounded up to whole vectors)
        int lanes = Simd.floatLanes();
        long wide = (136 + lanes - 1) / lanes * lanes;
        ConvSpec lenet2 = SPECS.get(1);
        ConvPlan plan = ConvIm2colTest.planWithRandomWeights(ALGO, lenet2);
        assertEquals((6L * (196 + lanes) + 7 * wide) * Float.BYTES, plan.workspaceBytes());
        assertEquals("shifted", plan.algorithm());
        ConvIm2colTest.assertTooSmallSegmentsThrow(ALGO, lenet2);
    }
}
