package dev.fovea.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.ModelSummary;
import dev.fovea.nn.Module;
import dev.fovea.nn.init.Init;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link UNet} against the PyTorch definition of {@code scripts/fixtures/unet_fixtures.py}: the
 * state dicts are in {@link ZooTest}'s table (unet, unet_padded, unet_padded_bn, unet_w16_d3);
 * here the forward passes, the sizes the valid network takes, and the errors for those it does not.
 */
class UNetTest {
    @Test
    void parameterCountsAreTheReferences() {
        // Counted by the PyTorch definition (unet.txt etc.); the paper does not state the number.
        assertEquals(31_030_658L, UNet.paper(1, 2).parameterCount());
        assertEquals(31_031_810L, UNet.padded(3, 2, false).parameterCount());
        assertEquals(31_037_698L, UNet.padded(3, 2, true).parameterCount());
    }

    @Test
    void paperNetworkTakes572To388AndSizes16Apart() {
        UNet paper = UNet.paper(1, 2);
        assertEquals(388, paper.outputSize(572));
        assertEquals(4, paper.outputSize(188));
        assertEquals(20, paper.outputSize(204));
        assertEquals(256, UNet.padded(3, 2, true).outputSize(256));
        UNet shallow = new UNet(UNet.Options.paper(1, 2).width(4).depth(2));
        // Depth 2: input 4 s + 12 and output 4 s - 28 for a pooled size s >= 8 at the bottom.
        assertEquals(4, shallow.outputSize(44));
        assertEquals(8, shallow.outputSize(48));
    }

    @Test
    void paperNetworkForwardOnItsSmallestTile() {
        // 188 x 188 is the smallest input of the full-width paper network: 4 x 4 out.
        ModelSummary s = Zoo.create("unet").summary(1, 1, 188, 188);
        List<ModelSummary.Row> rows = s.rows();
        assertArrayEquals(new long[] {1, 2, 4, 4}, rows.getLast().outputShape());
        assertEquals("outc.conv", rows.getLast().name());
        assertEquals(31_030_658L, s.parameters());
        assertArrayEquals(new long[] {1, 1, 572, 572}, Zoo.defaultInput("unet"));
        assertArrayEquals(new long[] {1, 3, 256, 256}, Zoo.defaultInput("unet_padded_bn"));
    }

    @Test
    void paperNetworkForwardMatchesTheReference() throws IOException {
        // Width 8, depth 4, 1 x 1 x 188 x 204 in, 2 x 4 x 20 out: checks the centre crop of each skip,
        // the order [skip, upsampled] of the concatenation and height against width.
        ZooTest.checkForward(new UNet(UNet.Options.paper(1, 2).width(8)), "unet");
    }

    @Test
    void paddedNetworkWithBatchNormForwardMatchesTheReference() throws IOException {
        // Full width, 1 x 3 x 32 x 48 in and out, batch norm on its running statistics (eval mode).
        ZooTest.checkForward(UNet.padded(3, 2, true), "unet_padded_bn");
    }

    @Test
    void paddedNetworkKeepsTheSizeAndTakesABatch() {
        UNet net = new UNet(UNet.Options.padded(2, 3, false).width(4).depth(3));
        try (Grad off = Grad.off()) {
            assertArrayEquals(new long[] {2, 3, 16, 40}, net.eval().call(Tensor.randn(1, 2, 2, 16, 40)).shape());
        }
    }

    @Test
    void sizesThatDoNotPoolEvenlyAreRejectedWithTheNearestValidOnes() {
        UNet paper = UNet.paper(1, 2);
        String m = assertThrows(IllegalArgumentException.class, () -> paper.outputSize(570)).getMessage();
        assertTrue(m.contains("570 -conv-> 566 -pool-> 283 -conv-> 279 is odd for the 2x2 max pool of down2")
                && m.contains("nearest valid sizes are 556 (output 372) and 572 (output 388)"), m);
        m = assertThrows(IllegalArgumentException.class, () -> paper.outputSize(100)).getMessage();
        assertTrue(m.contains("smallest valid size is 188 (output 4)"), m);
        m = assertThrows(IllegalArgumentException.class, () -> paper.outputSize(172)).getMessage();
        assertTrue(m.contains("too small for the valid convolutions of the expanding path")
                && m.contains("smallest valid size is 188"), m);
        UNet padded = UNet.padded(3, 2, true);
        m = assertThrows(IllegalArgumentException.class, () -> padded.outputSize(250)).getMessage();
        assertTrue(m.contains("250 -pool-> 125 is odd for the 2x2 max pool of down2")
                && m.contains("nearest valid sizes are 240 (output 240) and 256 (output 256)"), m);
    }

    @Test
    void forwardChecksTheInputBeforeComputing() {
        UNet small = new UNet(UNet.Options.paper(1, 2).width(2));
        String m = assertThrows(IllegalArgumentException.class,
                () -> small.call(Tensor.zeros(1, 1, 188, 190))).getMessage();
        assertTrue(m.contains("input width 190 does not fit") && m.contains("188 (output 4) and 204 (output 20)"), m);
        m = assertThrows(IllegalArgumentException.class, () -> small.call(Tensor.zeros(1, 3, 188, 188))).getMessage();
        assertTrue(m.contains("(n, 1, h, w)"), m);
        assertThrows(IllegalArgumentException.class, () -> new UNet(UNet.Options.paper(1, 2).depth(0)));
        assertThrows(IllegalArgumentException.class, () -> new UNet(UNet.Options.paper(1, 0)));
        assertThrows(IllegalArgumentException.class, () -> new UNet(UNet.Options.paper(1, 2).width(1 << 20).depth(12)));
    }

    @Test
    void paperNetworkIsInitialisedAsThePaperSays() {
        Init.manualSeed(21);
        UNet a = UNet.paper(1, 2);
        Init.manualSeed(21);
        UNet b = UNet.paper(1, 2);
        // std sqrt(2 / N), N = inputs of one unit: 1024 * 9 for down4's second convolution, 1024 for up1.
        checkStd(a.namedParameters().get("down4.maxpool_conv.1.double_conv.2.weight"), Math.sqrt(2.0 / 9216));
        checkStd(a.namedParameters().get("up1.up.weight"), Math.sqrt(2.0 / 1024));
        assertArrayEquals(new float[64], a.namedParameters().get("inc.double_conv.0.bias").toArray());
        assertArrayEquals(a.namedParameters().get("up2.conv.double_conv.0.weight").toArray(),
                b.namedParameters().get("up2.conv.double_conv.0.weight").toArray());
    }

    /** Sample std within 1% of {@code std}: over 1e6+ normal draws its standard error is 0.07%. */
    private static void checkStd(Tensor t, double std) {
        double ss = 0;
        for (float v : t.toArray()) {
            ss += (double) v * v;
        }
        assertEquals(std, Math.sqrt(ss / t.numel()), 0.01 * std);
    }

    @Test
    void stateDictNamesFollowMilesialsUNet() {
        Module net = new UNet(UNet.Options.padded(3, 1, true).width(4).depth(1));
        assertEquals(List.of("inc.double_conv.0.weight", "inc.double_conv.1.weight", "inc.double_conv.1.bias",
                "inc.double_conv.1.running_mean", "inc.double_conv.1.running_var",
                "inc.double_conv.1.num_batches_tracked", "inc.double_conv.3.weight"),
                net.stateDict().keySet().stream().limit(7).toList());
        assertTrue(net.stateDict().containsKey("down1.maxpool_conv.1.double_conv.4.running_var"));
        assertTrue(net.stateDict().containsKey("up1.up.bias"));
        assertTrue(net.toString().startsWith("UNet(in_channels=3, classes=1, width=4, depth=1, padding=same,"
                + " batch_norm=True"), net.toString());
    }
}
