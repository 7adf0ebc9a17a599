package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ConvDepthwise} against the naive reference, thread-count identity and its unsupported reasons. */
class ConvDepthwiseTest {
    private static final ConvDepthwise DW = ConvDepthwise.INSTANCE;
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

    @Test
    void sweepSpecsItSupports() {
        int checked = 0;
        double worst = 0;
        for (ConvSpec spec : ConvTester.sweep(300, 0xD3L)) {
            if (DW.unsupportedReason(spec) == null) {
                worst = Math.max(worst, ConvTester.check(DW, spec, one, checked % 2 == 0, checked));
                checked++;
            }
        }
        assertTrue(checked >= 20, "too few depthwise specs in the sweep: " + checked);
        System.out.printf("ConvDepthwise: %d sweep specs, worst NMSE %.2e%n", checked, worst);
    }

    @Test
    void explicitLayers() {
        List<ConvSpec> specs = List.of(
                ConvSpec.builder(2).n(2).inC(32).outC(32).groups(32).input(37, 45).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(32).outC(32).groups(32).input(38, 41).kernel(3).stride(2).padding(1).build(),
                ConvSpec.builder(2).inC(8).outC(16).groups(8).input(20, 70).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(4).outC(8).groups(4).input(19, 53).kernel(5, 7).dilation(2, 3)
                        .padding(Padding.of(new int[] {1, 4}, new int[] {3, 0})).build(),
                ConvSpec.builder(2).inC(3).outC(3).groups(3).input(2, 3).kernel(5).padding(2).build(),
                ConvSpec.builder(2).inC(2).outC(4).groups(2).input(9, 100).kernel(3).stride(2).padding(1).build(),
                ConvSpec.builder(2).inC(2).outC(2).groups(2).input(7, 151).kernel(3, 5).stride(1, 2).dilation(1, 2)
                        .padding(Padding.of(new int[] {1, 3}, new int[] {0, 1})).build(),
                ConvSpec.builder(1).n(3).inC(5).outC(10).groups(5).input(100).kernel(7).padding(Padding.SAME).build(),
                // 3x3 stride 1 four-row blocks: leftover rows, widths below a vector, masked border
                // and tail blocks, asymmetric and valid padding, a channel multiplier.
                ConvSpec.builder(2).inC(3).outC(6).groups(3).input(7, 5).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(4).outC(4).groups(4).input(14, 14).kernel(3).padding(1).build(),
                ConvSpec.builder(2).n(2).inC(2).outC(2).groups(2).input(10, 33).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(2).outC(2).groups(2).input(11, 35).kernel(3)
                        .padding(Padding.of(new int[] {0, 2}, new int[] {2, 0})).build(),
                ConvSpec.builder(2).inC(2).outC(4).groups(2).input(9, 18).kernel(3).build(),
                ConvSpec.builder(2).inC(2).outC(2).groups(2).input(6, 1).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(2).outC(2).groups(2).input(12, 40).kernel(3).padding(3).build(),
                ConvSpec.builder(2).inC(2).outC(2).groups(2).input(13, 70).kernel(3).stride(2)
                        .padding(Padding.of(new int[] {0, 0}, new int[] {1, 1})).build(),
                // stride 2 rows narrower than a vector and vector tails: masked blocks reading
                // past both ends of the row (MobileNetV2's 28 -> 14 and 14 -> 7), dilated and
                // wide kernels, odd widths, a right tail of 4 to 15 columns
                ConvSpec.builder(2).inC(3).outC(3).groups(3).input(28, 28).kernel(3).stride(2).padding(1).build(),
                ConvSpec.builder(2).n(2).inC(2).outC(2).groups(2).input(14, 14).kernel(3).stride(2).padding(1).build(),
                ConvSpec.builder(2).inC(2).outC(4).groups(2).input(9, 9).kernel(5).stride(2).padding(2).build(),
                ConvSpec.builder(2).inC(2).outC(2).groups(2).input(11, 45).kernel(3, 5).stride(2).dilation(1, 3)
                        .padding(Padding.of(new int[] {1, 5}, new int[] {1, 2})).build(),
                ConvSpec.builder(2).inC(2).outC(2).groups(2).input(5, 58).kernel(3).stride(2).build(),
                // the flattened small-plane kernel (stride 1, output as wide as the input): MobileNetV2's
                // 7x7 to 56x56 maps, its size limit and one past it, partial last vectors, a 5x5 and a
                // 1x1 kernel (the generic tap loop), dilation, asymmetric padding, a channel multiplier
                ConvSpec.builder(2).n(2).inC(5).outC(5).groups(5).input(7, 7).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(3).outC(3).groups(3).input(28, 28).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(3).outC(3).groups(3).input(56, 56).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(2).outC(2).groups(2).input(64, 64).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(2).outC(2).groups(2).input(65, 64).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(3).outC(6).groups(3).input(9, 11).kernel(5).padding(2).build(),
                ConvSpec.builder(2).inC(3).outC(3).groups(3).input(6, 13).kernel(1).build(),
                ConvSpec.builder(2).inC(2).outC(2).groups(2).input(10, 12).kernel(3).dilation(2).padding(2).build(),
                ConvSpec.builder(2).inC(2).outC(4).groups(2).input(11, 9).kernel(3)
                        .padding(Padding.of(new int[] {1, 0}, new int[] {0, 2})).build());
        for (int i = 0; i < specs.size(); i++) {
            ConvTester.check(DW, specs.get(i), one, true, i);
            ConvTester.check(DW, specs.get(i), two, false, i);
        }
    }

    @Test
    void oneAndTwoThreadsAreIdentical() {
        ConvSpec spec = ConvSpec.builder(2).n(2).inC(16).outC(32).groups(16).input(30, 33).kernel(3).padding(1).build();
        SplittableRandom rnd = new SplittableRandom(5);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = ConvTester.random(arena, spec.inputElements(), rnd);
            MemorySegment w = ConvTester.random(arena, spec.weightElements(), rnd);
            MemorySegment bias = ConvTester.random(arena, spec.outC(), rnd);
            MemorySegment a = arena.allocate(spec.outputElements() * Float.BYTES);
            MemorySegment b = arena.allocate(spec.outputElements() * Float.BYTES);
            DW.plan(spec, w, 0, one).execute(in, 0, bias, 0, a, 0);
            DW.plan(spec, w, 0, two).execute(in, 0, bias, 0, b, 0);
            assertEquals(-1, a.mismatch(b), "1 and 2 threads differ");
        }
    }

    /**
     * The plane kernels ({@link ConvDepthwiseFlat}, {@link ConvDepthwiseStride2}) against the scalar
     * loop, bit for bit, on data with zeros of both signs,
     * infinities and NaN: masked lanes must add exactly -0 (a bias of -0 over zero inputs stays -0)
     * and NaN and infinities must reach only the outputs whose taps read them.
     */
    @Test
    void planeKernelsHaveTheBitsOfTheScalarLoop() {
        List<ConvSpec> specs = List.of(
                ConvSpec.builder(2).inC(4).outC(4).groups(4).input(7, 7).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(4).outC(4).groups(4).input(14, 14).kernel(3).padding(1).build(),
                ConvSpec.builder(2).inC(4).outC(4).groups(4).input(9, 10).kernel(5).padding(2).build(),
                ConvSpec.builder(2).inC(4).outC(4).groups(4).input(14, 14).kernel(3).stride(2).padding(1).build(),
                ConvSpec.builder(2).inC(4).outC(4).groups(4).input(13, 13).kernel(3).stride(2).padding(1).build(),
                ConvSpec.builder(2).inC(4).outC(4).groups(4).input(21, 47).kernel(3).stride(2)
                        .padding(Padding.of(new int[] {0, 1}, new int[] {1, 0})).build());
        for (ConvSpec spec : specs) {
            assertNotNull(DepthwisePlanes.of(spec), spec.toString());
            SplittableRandom rnd = new SplittableRandom(11);
            try (Arena arena = Arena.ofConfined()) {
                // the planes sit inside larger segments, so that every one of them runs flattened
                long pad = 64;
                MemorySegment in = ConvTester.random(arena, spec.inputElements() + 2 * pad, rnd);
                long plane = spec.inSpatial();
                for (long i = 0; i < plane; i++) {
                    // channel 0: inputs -0 under positive weights, so every tap inside adds -0 to a -0 bias
                    // and a tap outside that added +0 * w = +0 would turn the border outputs into +0
                    in.setAtIndex(ValueLayout.JAVA_FLOAT, pad + i, -0f);
                }
                // channel 1: NaN and infinities that must reach only the outputs reading them (a vector
                // reading past channel 0's last row, unless zeroed, takes the NaN into channel 0)
                in.setAtIndex(ValueLayout.JAVA_FLOAT, pad + plane, Float.NaN);
                in.setAtIndex(ValueLayout.JAVA_FLOAT, pad + plane + 3, Float.NaN);
                in.setAtIndex(ValueLayout.JAVA_FLOAT, pad + plane + plane / 2, Float.POSITIVE_INFINITY);
                in.setAtIndex(ValueLayout.JAVA_FLOAT, pad + plane + plane - 1, Float.NEGATIVE_INFINITY);
                MemorySegment w = ConvTester.random(arena, spec.weightElements(), rnd);
                for (int t = 0; t < spec.kernelVolume(); t++) {
                    w.setAtIndex(ValueLayout.JAVA_FLOAT, t, Math.abs(w.getAtIndex(ValueLayout.JAVA_FLOAT, t)) + 0.5f);
                }
                MemorySegment bias = ConvTester.random(arena, spec.outC(), rnd);
                bias.setAtIndex(ValueLayout.JAVA_FLOAT, 0, -0f);
                MemorySegment out = arena.allocate((spec.outputElements() + 2 * pad) * Float.BYTES);
                MemorySegment ref = arena.allocate(spec.outputElements() * Float.BYTES);
                DW.plan(spec, w, 0, one).execute(in, pad, bias, 0, out, pad);
                float[] wa = w.asSlice(0, spec.weightElements() * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
                for (int c = 0; c < spec.outC(); c++) {
                    for (int oh = 0; oh < spec.outH(); oh++) {
                        ConvDepthwise.border(spec, in, pad + (long) c * plane, wa, c * spec.kernelVolume(),
                                bias.getAtIndex(ValueLayout.JAVA_FLOAT, c), ref,
                                ((long) c * spec.outH() + oh) * spec.outW(), oh, 0, spec.outW());
                    }
                }
                assertEquals(-1, ref.mismatch(out.asSlice(pad * Float.BYTES, ref.byteSize())), spec.toString());
                assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(ref.getAtIndex(ValueLayout.JAVA_FLOAT, 0)),
                        "channel 0's corner output must be -0 in this check");
            }
        }
    }

    @Test
    void unsupportedSpecsSayWhy() {
        ConvSpec dense = ConvSpec.builder(2).inC(4).outC(4).input(5, 5).kernel(3).build();
        ConvSpec reflect = ConvSpec.builder(2).inC(4).outC(4).groups(4).input(5, 5).kernel(3).padding(1)
                .paddingMode(PaddingMode.REFLECT).build();
        ConvSpec threeD = ConvSpec.builder(3).inC(4).outC(4).groups(4).input(3, 5, 5).kernel(3).build();
        assertTrue(DW.unsupportedReason(dense).contains("groups == inC"));
        assertTrue(DW.unsupportedReason(reflect).contains("zeros"));
        assertNotNull(DW.unsupportedReason(threeD));
        assertNull(DW.unsupportedReason(ConvSpec.builder(3).inC(4).outC(4).groups(4).input(1, 5, 5).kernel(1, 3, 3)
                .build()));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(dense.weightElements() * Float.BYTES);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DW.plan(dense, w, 0, one));
            assertTrue(e.getMessage().contains("depthwise") && e.getMessage().contains("groups == inC"), e.getMessage());
            MemorySegment w2 = arena.allocate(reflect.weightElements() * Float.BYTES);
            e = assertThrows(IllegalArgumentException.class, () -> DW.plan(reflect, w2, 0, one));
            assertTrue(e.getMessage().contains("reflect"), e.getMessage());
        }
        assertEquals("depthwise", DW.name());
    }
}
