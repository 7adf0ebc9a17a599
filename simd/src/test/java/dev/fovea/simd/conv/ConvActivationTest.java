package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.ActivationFunction.Kind;
import dev.fovea.simd.eltwise.ActivationKernels;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The activation fused into {@link ConvPlan#execute(MemorySegment, long, MemorySegment, long,
 * MemorySegment, long, ActivationFunction)}: for every algorithm on shapes that take each of its
 * paths (Winograd tile rows with a partial last row, the 1x1 direct GEMM, implicit GEMM on a
 * padded input, depthwise planes, 3-d im2col), the fused output has the same bits as the
 * convolution followed by {@link ActivationKernels#forward}, with and without bias, on 1 and 2
 * threads.
 */
class ConvActivationTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private static final List<ActivationFunction> FUNCTIONS = List.of(
            ActivationFunction.of(Kind.RELU), ActivationFunction.relu6(), ActivationFunction.leakyRelu(0.1f),
            ActivationFunction.of(Kind.GELU), ActivationFunction.of(Kind.SILU), ActivationFunction.of(Kind.SIGMOID),
            ActivationFunction.of(Kind.HARDSWISH), ActivationFunction.elu(1f));

    private static final List<ConvSpec> SPECS = List.of(
            ConvSpec.builder(2).n(2).inC(16).outC(24).input(13, 11).kernel(3).padding(1).build(),
            ConvSpec.builder(2).n(1).inC(17).outC(9).input(7, 9).kernel(1).build(),
            ConvSpec.builder(2).n(1).inC(8).outC(12).input(12, 10).kernel(5).padding(2).build(),
            ConvSpec.builder(2).n(1).inC(6).outC(10).input(15, 15).kernel(3).stride(2).build(),
            ConvSpec.builder(2).n(2).inC(16).outC(16).groups(16).input(9, 20).kernel(3).padding(1).build(),
            ConvSpec.builder(3).n(1).inC(3).outC(5).input(4, 6, 5).kernel(2, 3, 3).padding(1).build());

    @Test
    void fusedActivationHasTheBitsOfConvolutionThenActivation() {
        ConvTester.everySupported(SPECS, ConvActivationTest::check);
    }

    private static void check(ConvAlgorithm algorithm, ConvSpec spec, ComputeContext ctx, long seed) {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(seed);
            MemorySegment in = random(arena, spec.inputElements(), rnd);
            MemorySegment w = random(arena, spec.weightElements(), rnd);
            MemorySegment bias = random(arena, spec.outC(), rnd);
            long n = spec.outputElements();
            MemorySegment plain = arena.allocate(n * Float.BYTES, 64);
            MemorySegment fused = arena.allocate(n * Float.BYTES, 64);
            ConvPlan plan = algorithm.plan(spec, w, 0, ctx);
            for (ActivationFunction f : FUNCTIONS) {
                for (MemorySegment b : new MemorySegment[] {bias, null}) {
                    plan.execute(in, 0, b, 0, plain, 0);
                    boolean negative = false;
                    for (long i = 0; i < n && !negative; i++) {
                        negative = plain.getAtIndex(F, i) < 0;
                    }
                    assertTrue(negative, "the activation must have negative inputs to change");
                    ActivationKernels.forward(f, plain, 0, plain, 0, n);
                    plan.execute(in, 0, b, 0, fused, 0, f);
                    assertEquals(-1, plain.mismatch(fused), () -> algorithm.name() + " " + f + " bias="
                            + (b != null) + " threads=" + ctx.threads() + " " + spec);
                }
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
