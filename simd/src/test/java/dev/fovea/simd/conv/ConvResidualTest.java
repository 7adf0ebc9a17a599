package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.ActivationFunction.Kind;
import dev.fovea.simd.eltwise.ActivationKernels;
import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.simd.eltwise.Eltwise;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The residual of {@link ConvPlan#execute(MemorySegment, long, MemorySegment, long, MemorySegment,
 * long, MemorySegment, long, ActivationFunction)}: for every algorithm on shapes that take each of
 * its paths (Winograd tile rows whose width is not a whole number of vectors, a partial last tile
 * row, the 1x1 GEMM, depthwise planes, 3-d), the fused output has the same bits as the
 * unfused sequence (convolution with bias, then the Add, then the activation), with the residual
 * and the output at different offsets into larger segments, on 1 and 2 threads.
 */
class ConvResidualTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** Null is no activation; ReLU and hardtanh run in Winograd's row merge, GELU in a pass after. */
    private static final List<ActivationFunction> FUNCTIONS = Arrays.asList(null,
            ActivationFunction.of(Kind.RELU), ActivationFunction.relu6(), ActivationFunction.of(Kind.GELU));

    private static final List<ConvSpec> SPECS = List.of(
            ConvSpec.builder(2).n(2).inC(16).outC(24).input(13, 11).kernel(3).padding(1).build(),
            ConvSpec.builder(2).n(1).inC(32).outC(16).input(9, 37).kernel(3).padding(1).build(),
            ConvSpec.builder(2).n(1).inC(17).outC(9).input(7, 9).kernel(1).build(),
            ConvSpec.builder(2).n(1).inC(6).outC(10).input(15, 15).kernel(3).stride(2).build(),
            ConvSpec.builder(2).n(2).inC(16).outC(16).groups(16).input(9, 20).kernel(3).padding(1).build(),
            ConvSpec.builder(3).n(1).inC(3).outC(5).input(4, 6, 5).kernel(2, 3, 3).padding(1).build());

    private static final long OUT_OFF = 5;
    private static final long RESIDUAL_OFF = 11;

    @Test
    void fusedResidualHasTheBitsOfConvolutionThenAddThenActivation() {
        ConvTester.everySupported(SPECS, ConvResidualTest::check);
    }

    private static void check(ConvAlgorithm algorithm, ConvSpec spec, ComputeContext ctx, long seed) {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(seed);
            MemorySegment in = random(arena, spec.inputElements(), rnd);
            MemorySegment w = random(arena, spec.weightElements(), rnd);
            MemorySegment bias = random(arena, spec.outC(), rnd);
            long n = spec.outputElements();
            MemorySegment residual = random(arena, RESIDUAL_OFF + n + 3, rnd);
            MemorySegment plain = arena.allocate(n * Float.BYTES, 64);
            MemorySegment fused = arena.allocate((OUT_OFF + n + 7) * Float.BYTES, 64);
            ConvPlan plan = algorithm.plan(spec, w, 0, ctx);
            for (ActivationFunction f : FUNCTIONS) {
                for (MemorySegment b : new MemorySegment[] {bias, null}) {
                    plan.execute(in, 0, b, 0, plain, 0);
                    Eltwise.binary(BinaryOp.ADD, plain, 0, 1, residual, RESIDUAL_OFF, 1, plain, 0, 1, n);
                    if (f != null) {
                        ActivationKernels.forward(f, plain, 0, plain, 0, n);
                    }
                    fused.fill((byte) 0x7f);
                    plan.execute(in, 0, b, 0, residual, RESIDUAL_OFF, fused, OUT_OFF, f);
                    String what = algorithm.name() + " " + f + " bias=" + (b != null) + " threads=" + ctx.threads()
                            + " " + spec;
                    assertEquals(-1, MemorySegment.mismatch(plain, 0, n * Float.BYTES, fused, OUT_OFF * Float.BYTES,
                            (OUT_OFF + n) * Float.BYTES), what);
                    // the floats around the output are not written
                    assertEquals(0x7f7f7f7f, fused.getAtIndex(ValueLayout.JAVA_INT, OUT_OFF - 1), what);
                    assertEquals(0x7f7f7f7f, fused.getAtIndex(ValueLayout.JAVA_INT, OUT_OFF + n), what);
                }
            }
        }
    }

    @Test
    void aNullResidualIsThePlainConvolution() {
        ConvSpec spec = SPECS.get(0);
        try (Arena arena = Arena.ofShared(); ComputeContext ctx = ComputeContext.create(1)) {
            SplittableRandom rnd = new SplittableRandom(7);
            MemorySegment in = random(arena, spec.inputElements(), rnd);
            MemorySegment w = random(arena, spec.weightElements(), rnd);
            long n = spec.outputElements();
            MemorySegment plain = arena.allocate(n * Float.BYTES, 64);
            MemorySegment viaResidualForm = arena.allocate(n * Float.BYTES, 64);
            ActivationFunction relu = ActivationFunction.of(Kind.RELU);
            for (ConvAlgorithm algorithm : List.of(ConvWinograd.F4X4, ConvImplicitGemm.INSTANCE)) {
                ConvPlan plan = algorithm.plan(spec, w, 0, ctx);
                plan.execute(in, 0, null, 0, plain, 0, relu);
                plan.execute(in, 0, null, 0, null, 0, viaResidualForm, 0, relu);
                assertEquals(-1, plain.mismatch(viaResidualForm), algorithm.name());
            }
        }
    }

    @Test
    void aResidualOverlappingTheOutputOrTooShortIsRefused() {
        ConvSpec spec = SPECS.get(0);
        try (Arena arena = Arena.ofShared(); ComputeContext ctx = ComputeContext.create(1)) {
            SplittableRandom rnd = new SplittableRandom(3);
            MemorySegment in = random(arena, spec.inputElements(), rnd);
            MemorySegment w = random(arena, spec.weightElements(), rnd);
            long n = spec.outputElements();
            MemorySegment out = arena.allocate((n + 8) * Float.BYTES, 64);
            MemorySegment shortResidual = arena.allocate((n - 1) * Float.BYTES, 64);
            for (ConvAlgorithm algorithm : List.of(ConvWinograd.F4X4, ConvIm2col.INSTANCE)) {
                ConvPlan plan = algorithm.plan(spec, w, 0, ctx);
                IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                        () -> plan.execute(in, 0, null, 0, out, 8, out, 0, null));
                assertTrue(overlap.getMessage().contains("residual must not overlap the output"), overlap.getMessage());
                IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
                        () -> plan.execute(in, 0, null, 0, shortResidual, 0, out, 0, null));
                assertTrue(tooShort.getMessage().startsWith("residual needs " + n + " floats"), tooShort.getMessage());
            }
        }
    }

    private static MemorySegment random(Arena arena, long n, SplittableRandom rnd) {
        MemorySegment m = arena.allocate(n * Float.BYTES, 64);
        for (long i = 0; i < n; i++) {
            m.setAtIndex(F, i, (float) (rnd.nextDouble() * 2 - 1));
        }
        return m;
    }
}
