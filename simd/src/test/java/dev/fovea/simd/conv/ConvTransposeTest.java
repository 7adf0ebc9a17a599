package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvTransposeSpec} sizes and errors, and {@link ConvTranspose} against a direct scatter
 * loop in double written here (forward and its adjoints, NMSE bound {@link ConvBackwardTest#MAX_NMSE},
 * same float-sum reasoning), 1 vs 2 threads bit-identical, and gradients against central
 * differences of that double forward.
 */
class ConvTransposeTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
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
    void outputSizes() {
        // PyTorch: ConvTranspose2d(k=3, stride=2, padding=1, output_padding=1) on 7x7 gives 14x14.
        ConvTransposeSpec s = ConvTransposeSpec.builder(2).inC(2).outC(3).input(7, 7).kernel(3).stride(2).padding(1)
                .outputPadding(1).build();
        assertEquals(14, s.out(1));
        assertEquals(14, s.out(2));
        assertEquals(1, s.out(0));
        // asymmetric padding: (4 - 1) * 1 - 0 - 2 + 2 + 0 + 1 = 4
        s = ConvTransposeSpec.builder(1).inC(1).outC(1).input(4).kernel(3).padding(new int[] {0}, new int[] {2}).build();
        assertEquals(4, s.out(2));
        // dilation 3 > stride 1 allows output padding 2: (5 - 1) + 3 * 2 + 2 + 1 = 13
        s = ConvTransposeSpec.builder(1).inC(1).outC(1).input(5).kernel(3).dilation(3).outputPadding(2).build();
        assertEquals(13, s.out(2));
        // 3-d per axis: D (2-1)*1+1*(2-1)+1 = 3; H (3-1)*2-1-1+1+1+1 = 5; W (4-1)*3+2*(1-1)+0+1 = 10
        s = ConvTransposeSpec.builder(3).inC(2).outC(4).groups(2).input(2, 3, 4).kernel(2, 2, 1).stride(1, 2, 3)
                .padding(0, 1, 0).outputPadding(0, 1, 0).build();
        assertEquals(List.of(3, 5, 10), List.of(s.out(0), s.out(1), s.out(2)));
        assertEquals(2L * 2 * 2 * 2, s.weightElements());
    }

    @Test
    void errors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvTransposeSpec.builder(2)
                .inC(1).outC(1).input(4, 4).kernel(3).stride(2).outputPadding(2).build());
        assertTrue(e.getMessage().contains("smaller than either stride or dilation"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvTransposeSpec.builder(1)
                .inC(1).outC(1).input(1).kernel(1).padding(1).build());
        assertTrue(e.getMessage().contains("output size along axis 0 would be -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvTransposeSpec.builder(2)
                .inC(3).outC(4).groups(2).input(4, 4).kernel(3).build());
        assertTrue(e.getMessage().contains("groups"), e.getMessage());
        ConvTransposeSpec s = ConvTransposeSpec.builder(1).inC(2).outC(2).input(4).kernel(2).build();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = arena.allocate(4 * Float.BYTES);
            e = assertThrows(IllegalArgumentException.class,
                    () -> ConvTranspose.forward(s, small, 0, small, 0, null, 0, small, 0, one));
            assertTrue(e.getMessage().contains("input needs 8 floats"), e.getMessage());
        }
    }

    @Test
    void matchesScatterLoop() {
        double worst = 0;
        for (ConvTransposeSpec s : specs()) {
            worst = Math.max(worst, check(s, s.hashCode()));
        }
        System.out.printf("ConvTranspose worst NMSE: %.2e%n", worst);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        List<ConvTransposeSpec> tiny = List.of(
                ConvTransposeSpec.builder(1).n(2).inC(2).outC(3).input(3).kernel(3).stride(2).padding(1)
                        .outputPadding(1).build(),
                ConvTransposeSpec.builder(1).inC(1).outC(2).input(3).kernel(2).dilation(3).outputPadding(2).build(),
                ConvTransposeSpec.builder(2).inC(2).outC(4).groups(2).input(2, 3).kernel(2, 3).stride(2, 1)
                        .padding(new int[] {1, 0}, new int[] {0, 2}).build());
        for (ConvTransposeSpec s : tiny) {
            finiteDifferences(s);
        }
    }

    private static List<ConvTransposeSpec> specs() {
        List<ConvTransposeSpec> list = new ArrayList<>();
        list.add(ConvTransposeSpec.builder(2).n(2).inC(16).outC(8).input(9, 9).kernel(4).stride(2).padding(1).build());
        list.add(ConvTransposeSpec.builder(2).inC(4).outC(6).groups(2).input(7, 6).kernel(3).stride(2).padding(1)
                .outputPadding(1).build());
        list.add(ConvTransposeSpec.builder(2).inC(8).outC(8).input(12, 10).kernel(1).build());
        list.add(ConvTransposeSpec.builder(1).n(3).inC(3).outC(5).input(40).kernel(5).stride(3).dilation(2)
                .padding(new int[] {4}, new int[] {0}).outputPadding(2).build());
        list.add(ConvTransposeSpec.builder(1).inC(2).outC(2).input(9).kernel(3).dilation(4).outputPadding(3).build());
        list.add(ConvTransposeSpec.builder(3).n(2).inC(3).outC(4).input(3, 4, 5).kernel(2, 3, 3).stride(2, 1, 2)
                .padding(0, 1, 1).outputPadding(1, 0, 1).build());
        list.add(ConvTransposeSpec.builder(2).inC(17).outC(17).groups(17).input(11, 13).kernel(3).stride(2).build());
        list.add(ConvTransposeSpec.builder(2).inC(64).outC(32).input(14, 14).kernel(2).stride(2).build());
        return list;
    }

    /** Runs forward and the three gradients with 1 and 2 threads against the scatter loop; returns the worst NMSE. */
    private static double check(ConvTransposeSpec s, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = ConvTester.random(arena, s.inputElements(), rnd);
            MemorySegment w = ConvTester.random(arena, s.weightElements(), rnd);
            MemorySegment bias = ConvTester.random(arena, s.outC(), rnd);
            MemorySegment dOut = ConvTester.random(arena, s.outputElements(), rnd);
            double[] out = new double[(int) s.outputElements()];
            double[] dIn = new double[(int) s.inputElements()];
            double[] dW = new double[(int) s.weightElements()];
            double[] dBias = new double[s.outC()];
            visit(s, (i, wi, o, oc) -> {
                out[(int) o] += (double) in.getAtIndex(F, OFF + i) * w.getAtIndex(F, OFF + wi);
                dIn[(int) i] += (double) dOut.getAtIndex(F, OFF + o) * w.getAtIndex(F, OFF + wi);
                dW[(int) wi] += (double) dOut.getAtIndex(F, OFF + o) * in.getAtIndex(F, OFF + i);
            });
            for (int o = 0; o < out.length; o++) {
                int oc = (int) (o / s.outSpatial() % s.outC());
                out[o] += bias.getAtIndex(F, OFF + oc);
                dBias[oc] += dOut.getAtIndex(F, OFF + o);
            }
            double worst = compare("forward", s, out, arena, rnd,
                    (r, ctx) -> ConvTranspose.forward(s, in, OFF, w, OFF, bias, OFF, r, OFF, ctx));
            worst = Math.max(worst, compare("backwardData", s, dIn, arena, rnd,
                    (r, ctx) -> ConvTranspose.backwardData(s, dOut, OFF, w, OFF, r, OFF, ctx)));
            worst = Math.max(worst, compare("backwardWeight", s, dW, arena, rnd,
                    (r, ctx) -> ConvTranspose.backwardWeight(s, in, OFF, dOut, OFF, r, OFF, ctx)));
            return Math.max(worst, compare("backwardBias", s, dBias, arena, rnd,
                    (r, ctx) -> ConvTranspose.backwardBias(s, dOut, OFF, r, OFF)));
        }
    }

    private static double compare(String what, ConvTransposeSpec s, double[] ref, Arena arena, SplittableRandom rnd,
                                  ConvBackwardTest.Gradient g) {
        MemorySegment refSeg = arena.allocate(Math.max(1, ref.length) * (long) Float.BYTES);
        for (int i = 0; i < ref.length; i++) {
            refSeg.setAtIndex(F, i, (float) ref[i]);
        }
        MemorySegment a = ConvTester.random(arena, ref.length, rnd);
        MemorySegment b = ConvTester.random(arena, ref.length, rnd);
        float before = a.getAtIndex(F, OFF - 1);
        float after = a.getAtIndex(F, OFF + ref.length);
        g.compute(a, one);
        g.compute(b, two);
        assertTrue(before == a.getAtIndex(F, OFF - 1) && after == a.getAtIndex(F, OFF + ref.length),
                () -> what + " wrote outside its result on " + s);
        double nmse = ConvBackwardTest.nmse(refSeg, 0, a, OFF, ref.length);
        assertTrue(nmse <= ConvBackwardTest.MAX_NMSE, () -> what + " on " + s + ": NMSE " + nmse);
        for (int i = 0; i < ref.length; i++) {
            assertEquals(Float.floatToRawIntBits(a.getAtIndex(F, OFF + i)), Float.floatToRawIntBits(b.getAtIndex(F, OFF + i)),
                    what + " differs between 1 and 2 threads at " + i + " on " + s);
        }
        return nmse;
    }

    /** One product of the transposed convolution: input, weight and output element indices, output channel. */
    private interface Term {
        void accept(long inIdx, long wIdx, long outIdx, int oc);
    }

    /** The definition: input (b, ic, i) times weight (ic, ocg, t) adds to output i * stride + t * dil - padBegin. */
    private static void visit(ConvTransposeSpec s, Term term) {
        int icg = s.inC() / s.groups();
        int ocg = s.outC() / s.groups();
        for (int b = 0; b < s.n(); b++) {
            for (int ic = 0; ic < s.inC(); ic++) {
                int grp = ic / icg;
                for (int id = 0; id < s.in(0); id++) {
                    for (int ih = 0; ih < s.in(1); ih++) {
                        for (int iw = 0; iw < s.in(2); iw++) {
                            long inIdx = (((long) b * s.inC() + ic) * s.in(0) + id) * s.in(1) * s.in(2)
                                    + (long) ih * s.in(2) + iw;
                            for (int oc = 0; oc < ocg; oc++) {
                                for (int kd = 0; kd < s.kernel(0); kd++) {
                                    int od = id * s.stride(0) + kd * s.dilation(0) - s.padBegin(0);
                                    for (int kh = 0; kh < s.kernel(1); kh++) {
                                        int oh = ih * s.stride(1) + kh * s.dilation(1) - s.padBegin(1);
                                        for (int kw = 0; kw < s.kernel(2); kw++) {
                                            int ow = iw * s.stride(2) + kw * s.dilation(2) - s.padBegin(2);
                                            if (od < 0 || od >= s.out(0) || oh < 0 || oh >= s.out(1) || ow < 0
                                                    || ow >= s.out(2)) {
                                                continue;
                                            }
                                            int outC = grp * ocg + oc;
                                            long outIdx = (((long) b * s.outC() + outC) * s.out(0) + od) * s.out(1)
                                                    * s.out(2) + (long) oh * s.out(2) + ow;
                                            long wIdx = (((long) ic * ocg + oc) * s.kernel(0) + kd) * s.kernel(1)
                                                    * s.kernel(2) + (long) kh * s.kernel(2) + kw;
                                            term.accept(inIdx, wIdx, outIdx, outC);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Gradients against central differences of {@code f = sum(out * dOut)} with out from the double
     * scatter loop (plus bias): f is linear in each element, so the quotient is exact up to double
     * rounding (~1e-15); the gradients are float GEMM sums of at most 12 terms of magnitude < 1,
     * error < 12 * 12 * 2^-24 ~ 1e-5, so 1e-4 is a safe absolute tolerance.
     */
    private static void finiteDifferences(ConvTransposeSpec s) {
        SplittableRandom rnd = new SplittableRandom(s.hashCode());
        double h = 0.5;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = ConvTester.random(arena, s.inputElements(), rnd);
            MemorySegment w = ConvTester.random(arena, s.weightElements(), rnd);
            MemorySegment bias = ConvTester.random(arena, s.outC(), rnd);
            MemorySegment dOut = ConvTester.random(arena, s.outputElements(), rnd);
            MemorySegment dIn = arena.allocate(s.inputElements() * Float.BYTES);
            MemorySegment dW = arena.allocate(s.weightElements() * Float.BYTES);
            MemorySegment dBias = arena.allocate(s.outC() * Float.BYTES);
            ConvTranspose.backwardData(s, dOut, OFF, w, OFF, dIn, 0, one);
            ConvTranspose.backwardWeight(s, in, OFF, dOut, OFF, dW, 0, one);
            ConvTranspose.backwardBias(s, dOut, OFF, dBias, 0);
            MemorySegment[] xs = {in, w, bias};
            MemorySegment[] grads = {dIn, dW, dBias};
            long[] counts = {s.inputElements(), s.weightElements(), s.outC()};
            for (int which = 0; which < 3; which++) {
                for (long i = 0; i < counts[which]; i++) {
                    MemorySegment x = xs[which];
                    float orig = x.getAtIndex(F, OFF + i);
                    float plus = (float) (orig + h / 2);
                    float minus = (float) (orig - h / 2);
                    x.setAtIndex(F, OFF + i, plus);
                    double fPlus = objective(s, in, w, bias, dOut);
                    x.setAtIndex(F, OFF + i, minus);
                    double fMinus = objective(s, in, w, bias, dOut);
                    x.setAtIndex(F, OFF + i, orig);
                    double fd = (fPlus - fMinus) / ((double) plus - minus);
                    double g = grads[which].getAtIndex(F, i);
                    int kind = which;
                    long at = i;
                    assertTrue(Math.abs(fd - g) <= 1e-4, () -> new String[] {"dIn", "dW", "dBias"}[kind] + "[" + at
                            + "] = " + g + " but finite difference gives " + fd + " on " + s);
                }
            }
        }
    }

    private static double objective(ConvTransposeSpec s, MemorySegment in, MemorySegment w, MemorySegment bias,
                                    MemorySegment dOut) {
        double[] out = new double[(int) s.outputElements()];
        visit(s, (i, wi, o, oc) -> out[(int) o] += (double) in.getAtIndex(F, OFF + i) * w.getAtIndex(F, OFF + wi));
        double f = 0;
        for (int o = 0; o < out.length; o++) {
            int oc = (int) (o / s.outSpatial() % s.outC());
            f += (out[o] + bias.getAtIndex(F, OFF + oc)) * dOut.getAtIndex(F, OFF + o);
        }
        return f;
    }
}
