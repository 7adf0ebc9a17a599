package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvBackward} against {@link ConvNaive}'s gradients on the shared sweep, with 1 and 2
 * threads (bit-identical), and a finite-difference check of the reference gradients themselves.
 *
 * <p>NMSE bound {@value #MAX_NMSE}: each gradient element is a float sum of K' terms of random
 * sign (K' = og * kVol for dIn, n * P for dW, n * P for dBias; at most a few thousand in the sweep),
 * whose rounding errors add like a random walk: relative RMS error about {@code sqrt(K') * 2^-24}
 * ~ 4e-6 for K' = 5000, NMSE ~ 2e-11; 1e-9 leaves a 50x margin while any indexing mistake (a
 * missing or misplaced term) gives NMSE above 1e-4.
 */
class ConvBackwardTest {
    static final double MAX_NMSE = 1e-9;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Operands start here inside segments from {@link ConvTester#random} (within its guard). */
    private static final int OFF = 3;
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
    void sweepMatchesReferenceWithOneAndTwoThreads() {
        List<ConvSpec> specs = ConvTester.sweep(80, 0xB4C4L);
        double[] worst = new double[3];
        int direct = 0;
        for (int i = 0; i < specs.size(); i++) {
            ConvSpec spec = specs.get(i);
            List<ConvBackward.Method> methods = directSupported(spec)
                    ? List.of(ConvBackward.Method.COL2IM, ConvBackward.Method.DIRECT, ConvBackward.Method.AUTO)
                    : List.of(ConvBackward.Method.COL2IM, ConvBackward.Method.AUTO);
            direct += methods.size() == 3 ? 1 : 0;
            for (ConvBackward.Method m : methods) {
                double[] nmse = checkAll(spec, m, 1000 + i);
                for (int j = 0; j < 3; j++) {
                    worst[j] = Math.max(worst[j], nmse[j]);
                }
            }
        }
        System.out.printf("ConvBackward worst NMSE over %d specs (%d with direct methods): data %.2e weight %.2e"
                + " bias %.2e%n", specs.size(), direct, worst[0], worst[1], worst[2]);
        if (dev.fovea.simd.Simd.VECTOR) {
            assertTrue(direct >= 10, "the sweep should exercise the direct methods, ran them on " + direct + " specs");
        }
    }

    /** The direct methods on the shapes they were written for (LeNet-5's convolutions) and on every padding mode. */
    @Test
    void directMethodsOnLeNetShapesAndPaddingModes() {
        assumeTrue(dev.fovea.simd.Simd.VECTOR, "the direct weight gradient runs on the vector path");
        List<ConvSpec> specs = List.of(
                ConvSpec.builder(2).n(5).inC(1).outC(6).input(32, 32).kernel(5).build(),
                ConvSpec.builder(2).n(5).inC(6).outC(16).input(14, 14).kernel(5).build(),
                // more images than image groups, several chunks per group
                ConvSpec.builder(2).n(21).inC(1).outC(6).input(32, 32).kernel(5).build(),
                ConvSpec.builder(2).n(3).inC(3).outC(7).input(9, 11).kernel(3).padding(1).dilation(2, 1).build(),
                ConvSpec.builder(2).n(2).inC(4).outC(13).groups(1).input(6, 7).kernel(3, 2)
                        .padding(Padding.of(new int[] {2, 0}, new int[] {0, 1})).build(),
                ConvSpec.builder(3).n(2).inC(2).outC(5).input(4, 5, 6).kernel(2, 3, 3).padding(1).build(),
                ConvSpec.builder(1).n(3).inC(6).outC(4).groups(2).input(37).kernel(7).padding(3).build());
        for (int i = 0; i < specs.size(); i++) {
            checkAll(specs.get(i), ConvBackward.Method.DIRECT, 50 + i);
        }
        for (PaddingMode mode : PaddingMode.values()) {
            ConvSpec spec = ConvSpec.builder(2).n(2).inC(3).outC(8).input(7, 6).kernel(3).padding(1)
                    .paddingMode(mode).build();
            try (ConvBackward.Plan p = ConvBackward.plan(spec)) {
                assertEquals(ConvChannelLanesWeightGrad.prefers(spec) ? "channel-lanes" : "shifted-rows",
                        p.weightMethod());
                assertEquals(mode == PaddingMode.ZEROS ? "shifted-rows" : "col2im", p.dataMethod());
            }
            checkAll(spec, ConvBackward.Method.AUTO, 70 + mode.ordinal());
        }
    }

    /**
     * The channel-lanes weight gradient, run directly, on every sweep spec (it supports every
     * stride, dilation, padding mode, group count and 1-3 dims) and on shapes that cover its
     * edges: output channels across two vectors with one lane used in the second, a short last tap
     * block, groups, padding, stride 2, more images than one chunk holds.
     */
    @Test
    void channelLanesWeightGradientOnTheSweepAndItsEdges() {
        assumeTrue(dev.fovea.simd.Simd.VECTOR, "the channel-lanes weight gradient runs on the vector path");
        List<ConvSpec> specs = new java.util.ArrayList<>(ConvTester.sweep(80, 0xB4C4L));
        specs.add(ConvSpec.builder(2).n(5).inC(6).outC(16).input(14, 14).kernel(5).build());
        specs.add(ConvSpec.builder(2).n(3).inC(2).outC(17).input(9, 8).kernel(3).padding(1).build());
        specs.add(ConvSpec.builder(2).n(2).inC(6).outC(40).groups(2).input(7, 9).kernel(3, 2).stride(2, 1)
                .dilation(1, 2).padding(Padding.of(new int[] {1, 0}, new int[] {0, 2}))
                .paddingMode(PaddingMode.REFLECT).build());
        specs.add(ConvSpec.builder(3).n(2).inC(3).outC(5).input(4, 5, 6).kernel(2, 3, 3).stride(2).padding(1)
                .paddingMode(PaddingMode.CIRCULAR).build());
        specs.add(ConvSpec.builder(1).n(70).inC(8).outC(24).input(300).kernel(5).padding(2).build());
        double worst = 0;
        for (int i = 0; i < specs.size(); i++) {
            ConvSpec spec = specs.get(i);
            SplittableRandom rnd = new SplittableRandom(3000 + i);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment in = ConvTester.random(arena, spec.inputElements(), rnd);
                MemorySegment dOut = ConvTester.random(arena, spec.outputElements(), rnd);
                MemorySegment ref = arena.allocate(spec.weightElements() * Float.BYTES);
                ConvNaive.backwardWeight(spec, in, OFF, dOut, OFF, ref, 0);
                ConvChannelLanesWeightGrad kernel = new ConvChannelLanesWeightGrad(spec);
                worst = Math.max(worst, compare("channel-lanes weight", spec, ref, spec.weightElements(), arena, rnd,
                        (out, ctx) -> kernel.weight(in, OFF, dOut, OFF, out, OFF, ctx)));
            }
        }
        System.out.printf("channel-lanes weight gradient: worst NMSE %.2e over %d specs%n", worst, specs.size());
    }

    /** AUTO picks the weight kernel by its cost model: rows for LeNet-5's 1 -> 6 layer and large images, lanes for 6 -> 16. */
    @Test
    void weightKernelChoice() {
        assumeTrue(dev.fovea.simd.Simd.VECTOR && dev.fovea.simd.Simd.floatLanes() == 16,
                "the cost model was fitted to 16 lanes");
        ConvSpec conv1 = ConvSpec.builder(2).n(64).inC(1).outC(6).input(32, 32).kernel(5).build();
        ConvSpec conv2 = ConvSpec.builder(2).n(64).inC(6).outC(16).input(14, 14).kernel(5).build();
        ConvSpec wide = ConvSpec.builder(2).n(8).inC(64).outC(64).input(56, 56).kernel(3).padding(1).build();
        assertEquals("shifted-rows", weightMethod(conv1));
        assertEquals("channel-lanes", weightMethod(conv2));
        assertEquals("shifted-rows", weightMethod(wide));
        assertEquals("channel-lanes", weightMethod(conv2.toBuilder().n(1).build()));
    }

    private static String weightMethod(ConvSpec spec) {
        try (ConvBackward.Plan p = ConvBackward.plan(spec, ConvBackward.Method.DIRECT)) {
            return p.weightMethod();
        }
    }

    @Test
    void forcedDirectMethodNamesWhatItCannotRun() {
        ConvSpec strided = ConvSpec.builder(2).inC(3).outC(4).input(8, 8).kernel(3).stride(2).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvBackward.plan(strided, ConvBackward.Method.DIRECT));
        assertTrue(e.getMessage().contains("input gradient needs stride 1"), e.getMessage());
        ConvSpec reflect = ConvSpec.builder(2).inC(3).outC(4).input(8, 8).kernel(3).padding(1)
                .paddingMode(PaddingMode.REFLECT).build();
        e = assertThrows(IllegalArgumentException.class, () -> ConvBackward.plan(reflect, ConvBackward.Method.DIRECT));
        assertTrue(e.getMessage().contains("input gradient needs zeros padding"), e.getMessage());
        try (ConvBackward.Plan p = ConvBackward.plan(strided)) {
            assertEquals("col2im", p.dataMethod());
            assertEquals("im2col", p.weightMethod());
        }
    }

    private static boolean directSupported(ConvSpec spec) {
        return ConvShiftedDataGrad.unsupportedReason(spec) == null && ConvShiftedWeightGrad.unsupportedReason(spec) == null;
    }

    @Test
    void identityColumnsAndEmptyBatch() {
        checkAll(ConvSpec.builder(2).n(2).inC(8).outC(6).input(9, 7).kernel(1).build(), 1);
        checkAll(ConvSpec.builder(2).n(2).inC(8).outC(6).groups(2).input(9, 7).kernel(1).build(), 2);
        checkAll(ConvSpec.builder(1).n(3).inC(4).outC(4).groups(4).input(300).kernel(3).padding(1).build(), 3);
        ConvSpec empty = ConvSpec.builder(2).n(0).inC(3).outC(2).input(4, 4).kernel(3).build();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment dW = ConvTester.random(arena, empty.weightElements(), new SplittableRandom(1));
            MemorySegment none = arena.allocate(16);
            ConvBackward.weight(empty, none, 0, none, 0, dW, OFF, two);
            for (long i = 0; i < empty.weightElements(); i++) {
                assertEquals(0f, dW.getAtIndex(F, OFF + i));
            }
        }
    }

    @Test
    void planReportsWorkspace() {
        ConvSpec spec = ConvSpec.builder(2).inC(3).outC(4).input(6, 5).kernel(3).padding(1).build();
        try (ConvBackward.Plan p = ConvBackward.plan(spec, ConvBackward.Method.COL2IM)) {
            assertEquals(3L * 9 * 30 * Float.BYTES, p.workspaceBytes());
            assertEquals(spec, p.spec());
        }
        try (ConvBackward.Plan p = ConvBackward.plan(spec.toBuilder().kernel(1).padding(0).build(),
                ConvBackward.Method.COL2IM)) {
            assertEquals(0, p.workspaceBytes());
        }
        if (dev.fovea.simd.Simd.VECTOR) {
            // Direct weight gradient: padded input (3 channels of 8x7 plus a vector) and wide dOut (one block of
            // 6 rows; Nw = 5 * 7 + 5 = 40 columns rounded up to whole vectors), each rounded up to 64 bytes, and
            // the accumulators of its 7 blocks (27 taps in blocks of 4), 24 vectors each. Direct data gradient:
            // 4 guarded dOut rows (a lead of the largest tap shift, 2 * 7 + 2, in whole vectors, then the 56
            // padded positions in whole vectors) and 6 padded channels.
            int lanes = dev.fovea.simd.Simd.floatLanes();
            long wide = (40 + lanes - 1) / lanes * lanes;
            long padded = (56L + lanes - 1) / lanes * lanes;
            long lead = (16L + lanes - 1) / lanes * lanes;
            long weight = roundUp64(3L * (56 + lanes) * Float.BYTES) + roundUp64(6 * wide * Float.BYTES)
                    + 7L * 24 * lanes * Float.BYTES;
            if (ConvChannelLanesWeightGrad.prefers(spec)) {
                // Channel-lanes weight gradient instead (chosen at 8 lanes): the accumulators of its 3 blocks (27 taps in
                // blocks of 12), 12 vectors each, the padded input (168 floats) in the array and in the native buffer,
                // and the transposed dOut (30 positions of a vector).
                weight = (3L * 12 * lanes + 2 * 168 + 30L * lanes) * Float.BYTES;
            }
            long data = (4 * (lead + padded) + 6 * padded) * Float.BYTES;
            try (ConvBackward.Plan p = ConvBackward.plan(spec, ConvBackward.Method.DIRECT)) {
                assertEquals(weight + data, p.workspaceBytes());
            }
        }
    }

    private static long roundUp64(long bytes) {
        return (bytes + 63) / 64 * 64;
    }

    /**
     * Proves the reference: {@link ConvNaive#backwardData} and {@link ConvNaive#backwardWeight}
     * against central differences of {@code f = sum(out * dOut)}, out from {@link ConvNaive#forward},
     * for every input and weight element of tiny specs covering all padding modes, stride,
     * dilation, groups and 1-3 dims. f is linear in each element, so the difference quotient has no
     * truncation error; its only error is the float rounding of each output ({@code <= 2^-24 |out|})
     * in the two evaluations, so {@code |fd - grad| <= 2 * 2^-24 * sum|out * dOut| / h}, which is
     * the tolerance used (times 2 for the perturbed outputs, plus 1e-9).
     */
    @Test
    void referenceGradientsMatchFiniteDifferences() {
        List<ConvSpec> specs = List.of(
                ConvSpec.builder(1).n(2).inC(2).outC(3).input(6).kernel(3).stride(2).padding(2)
                        .paddingMode(PaddingMode.REFLECT).build(),
                ConvSpec.builder(2).inC(4).outC(2).groups(2).input(4, 5).kernel(2, 3).dilation(2, 1).padding(1)
                        .paddingMode(PaddingMode.CIRCULAR).build(),
                ConvSpec.builder(3).inC(1).outC(2).input(3, 3, 4).kernel(2).stride(2).padding(1)
                        .paddingMode(PaddingMode.REPLICATE).build(),
                ConvSpec.builder(2).inC(2).outC(2).groups(2).input(5, 4).kernel(3)
                        .padding(Padding.of(new int[] {0, 2}, new int[] {1, 0})).build());
        for (ConvSpec spec : specs) {
            finiteDifferences(spec);
        }
    }

    private static void finiteDifferences(ConvSpec spec) {
        SplittableRandom rnd = new SplittableRandom(spec.hashCode());
        double h = 0.5;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = ConvTester.random(arena, spec.inputElements(), rnd);
            MemorySegment w = ConvTester.random(arena, spec.weightElements(), rnd);
            MemorySegment dOut = ConvTester.random(arena, spec.outputElements(), rnd);
            MemorySegment out = arena.allocate(spec.outputElements() * Float.BYTES);
            MemorySegment dIn = arena.allocate(spec.inputElements() * Float.BYTES);
            MemorySegment dW = arena.allocate(spec.weightElements() * Float.BYTES);
            ConvNaive.backwardData(spec, dOut, OFF, w, OFF, dIn, 0);
            ConvNaive.backwardWeight(spec, in, OFF, dOut, OFF, dW, 0);
            double[] abs = new double[1];
            objective(spec, in, w, dOut, out, abs);
            double tol = 2 * 2 * Math.scalb(1.0, -24) * abs[0] / h + 1e-9;
            for (int which = 0; which < 2; which++) {
                MemorySegment x = which == 0 ? in : w;
                MemorySegment grad = which == 0 ? dIn : dW;
                long count = which == 0 ? spec.inputElements() : spec.weightElements();
                for (long i = 0; i < count; i++) {
                    float orig = x.getAtIndex(F, OFF + i);
                    float plus = (float) (orig + h / 2);
                    float minus = (float) (orig - h / 2);
                    x.setAtIndex(F, OFF + i, plus);
                    double fPlus = objective(spec, in, w, dOut, out, null);
                    x.setAtIndex(F, OFF + i, minus);
                    double fMinus = objective(spec, in, w, dOut, out, null);
                    x.setAtIndex(F, OFF + i, orig);
                    double fd = (fPlus - fMinus) / ((double) plus - minus);
                    double g = grad.getAtIndex(F, i);
                    String name = which == 0 ? "dIn" : "dW";
                    long at = i;
                    assertTrue(Math.abs(fd - g) <= tol + 1e-6 * Math.abs(g), () -> "reference " + name + "[" + at
                            + "] = " + g + " but finite difference gives " + fd + " on " + spec);
                }
            }
        }
    }

    /** {@code sum(out * dOut)} in double, out by the reference forward; {@code abs[0] = sum|out * dOut|}. */
    private static double objective(ConvSpec spec, MemorySegment in, MemorySegment w, MemorySegment dOut,
                                    MemorySegment out, double[] abs) {
        ConvNaive.forward(spec, in, OFF, w, OFF, null, 0, out, 0);
        double f = 0;
        for (long i = 0; i < spec.outputElements(); i++) {
            double t = (double) out.getAtIndex(F, i) * dOut.getAtIndex(F, OFF + i);
            f += t;
            if (abs != null) {
                abs[0] += Math.abs(t);
            }
        }
        return f;
    }

    private static double[] checkAll(ConvSpec spec, long seed) {
        return checkAll(spec, ConvBackward.Method.AUTO, seed);
    }

    /**
     * Checks dIn, dW (through a plan of {@code method}) and dBias of {@code spec}; returns their
     * NMSEs. The direct methods sum the same terms in another order (dIn: og * kVol terms per
     * element, dW: n * P), so the same bound holds.
     */
    private static double[] checkAll(ConvSpec spec, ConvBackward.Method method, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = ConvTester.random(arena, spec.inputElements(), rnd);
            MemorySegment w = ConvTester.random(arena, spec.weightElements(), rnd);
            MemorySegment dOut = ConvTester.random(arena, spec.outputElements(), rnd);
            MemorySegment ref = arena.allocate(Math.max(1, spec.inputElements()) * Float.BYTES);
            ConvNaive.backwardData(spec, dOut, OFF, w, OFF, ref, 0);
            try (ConvBackward.Plan plan = ConvBackward.plan(spec, method)) {
                String what = method + " " + plan.dataMethod() + "/" + plan.weightMethod();
                double dataErr = compare(what + " data", spec, ref, spec.inputElements(), arena, rnd, MAX_NMSE,
                        (out, ctx) -> plan.data(dOut, OFF, w, OFF, out, OFF, ctx));
                ref = arena.allocate(spec.weightElements() * Float.BYTES);
                ConvNaive.backwardWeight(spec, in, OFF, dOut, OFF, ref, 0);
                double weightErr = compare(what + " weight", spec, ref, spec.weightElements(), arena, rnd, MAX_NMSE,
                        (out, ctx) -> plan.weight(in, OFF, dOut, OFF, out, OFF, ctx));
                ref = arena.allocate(spec.outC() * Float.BYTES);
                ConvNaive.backwardBias(spec, dOut, OFF, ref, 0);
                double biasErr = compare("bias", spec, ref, spec.outC(), arena, rnd,
                        (out, ctx) -> ConvBackward.bias(spec, dOut, OFF, out, OFF));
                return new double[] {dataErr, weightErr, biasErr};
            }
        }
    }

    interface Gradient {
        void compute(MemorySegment out, ComputeContext ctx);
    }

    /** Runs {@code g} with 1 and 2 threads into garbage-filled segments; checks NMSE, identity, guards. */
    static double compare(String what, Object spec, MemorySegment ref, long elements, Arena arena,
                          SplittableRandom rnd, Gradient g) {
        return compare(what, spec, ref, elements, arena, rnd, MAX_NMSE, g);
    }

    /** As {@link #compare(String, Object, MemorySegment, long, Arena, SplittableRandom, Gradient)} with an NMSE bound. */
    static double compare(String what, Object spec, MemorySegment ref, long elements, Arena arena,
                          SplittableRandom rnd, double maxNmse, Gradient g) {
        MemorySegment a = ConvTester.random(arena, elements, rnd);
        MemorySegment b = ConvTester.random(arena, elements, rnd);
        float[] guardsBefore = guards(a, elements);
        g.compute(a, one);
        g.compute(b, two);
        assertArrayEquals(guardsBefore, guards(a, elements), () -> what + " wrote outside its result on " + spec);
        double nmse = nmse(ref, 0, a, OFF, elements);
        assertTrue(nmse <= maxNmse, () -> what + " gradient on " + spec + ": NMSE " + nmse + " > " + maxNmse);
        for (long i = 0; i < elements; i++) {
            if (Float.floatToRawIntBits(a.getAtIndex(F, OFF + i)) != Float.floatToRawIntBits(b.getAtIndex(F, OFF + i))) {
                throw new AssertionError(what + " gradient differs between 1 and 2 threads at " + i + " on " + spec);
            }
        }
        return nmse;
    }

    static double nmse(MemorySegment ref, long refOff, MemorySegment y, long yOff, long elements) {
        double err = 0;
        double norm = 0;
        for (long i = 0; i < elements; i++) {
            double r = ref.getAtIndex(F, refOff + i);
            double d = y.getAtIndex(F, yOff + i) - r;
            err += d * d;
            norm += r * r;
        }
        return norm == 0 ? err : err / norm;
    }

    private static float[] guards(MemorySegment s, long elements) {
        float[] g = new float[2 * OFF];
        for (int i = 0; i < OFF; i++) {
            g[i] = s.getAtIndex(F, i);
            g[OFF + i] = s.getAtIndex(F, OFF + elements + i);
        }
        return g;
    }
}
