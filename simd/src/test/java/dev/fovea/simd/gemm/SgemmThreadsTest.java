package dev.fovea.simd.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Results must not depend on how the work is spread: 1 and 2 (and 3) threads, batched against
 * one call per item, pre-packed against packed per call, all compared bit for bit.
 */
class SgemmThreadsTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static ComputeContext one;
    private static ComputeContext two;
    private static ComputeContext three;

    @BeforeAll
    static void start() {
        one = ComputeContext.create(1);
        two = ComputeContext.create(2);
        three = ComputeContext.create(3);
    }

    @AfterAll
    static void stop() {
        two.close();
        three.close();
    }

    static Stream<MicroKernel> kernels() {
        return SgemmTest.kernels();
    }

    /**
     * Shapes above the parallel threshold that split over N (wide, and N = 40), over M (N = 70),
     * with several A blocks (m x k beyond A_BLOCK_FLOATS) and several k-blocks.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void bitIdenticalForAnyThreadCount(MicroKernel kern) {
        int[][] shapes = {{200, 300, 100}, {520, 40, 300}, {64, 2000, 64}, {300, 70, SgemmDriver.KC + 200},
                {2200, 33, SgemmDriver.KC + 100}};
        int index = 0;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++, index++) {
                GemmTester tester = new GemmTester().kernel(kern).mnk(s[0], s[1], s[2]).trans((t & 1) != 0,
                        (t & 2) != 0).beta(index % 2 == 0 ? 0f : 1f).bias(Epilogue.Bias.PER_COLUMN)
                        .activation(Activation.leakyRelu(0.25f)).prepack(index % 3 == 0).seed(index);
                float[] serial = tester.result(one);
                assertArrayEquals(serial, tester.result(two), () -> tester + ": 2 threads differ from 1");
                assertArrayEquals(serial, tester.result(three), () -> tester + ": 3 threads differ from 1");
            }
        }
    }

    /**
     * Two threads split by columns when the B panels divide evenly (512^3: 16 B panels, 64 A
     * panels; ResNet-18 layer2 implicit GEMM, 27 B panels over 16 A panels), by rows when a
     * column split would leave one thread a whole panel column more (layer3, 7 B panels over 32).
     */
    @Test
    void splitFollowsTheBusiestThread() {
        assertTrue(SgemmDriver.splitsOverN(64, 16, 2));
        assertTrue(SgemmDriver.splitsOverN(16, 27, 2));
        assertFalse(SgemmDriver.splitsOverN(32, 7, 2));
        assertFalse(SgemmDriver.splitsOverN(38, 3, 2));
    }

    /** The parallel runs above are also correct, not just consistent. */
    @Test
    void parallelRunMatchesReference() {
        new GemmTester().mnk(300, 70, 800).ctx(two).beta(-0.5f).bias(Epilogue.Bias.PER_ROW)
                .activation(Activation.RELU).check();
        new GemmTester().mnk(64, 2000, 64).ctx(two).trans(true, true).check();
    }

    /** Pre-packing A changes when A is packed, not the arithmetic. */
    @ParameterizedTest
    @MethodSource("kernels")
    void prepackedEqualsPackedPerCall(MicroKernel kern) {
        for (int[] s : new int[][] {{33, 100, 150}, {64, 49, 1000}}) {
            GemmTester tester = new GemmTester().kernel(kern).mnk(s[0], s[1], s[2]).beta(1f);
            float[] perCall = tester.result(one);
            assertArrayEquals(perCall, tester.prepack(true).result(one), tester::toString);
        }
    }

    /** Batched runs (item-parallel and inner-parallel) equal one call per item, bit for bit. */
    @ParameterizedTest
    @MethodSource("kernels")
    void batchedEqualsOneCallPerItem(MicroKernel kern) {
        checkBatch(kern, 16, 4, 4, 36, two);     // Winograd-like: many small items, spread over threads
        checkBatch(kern, 3, 200, 150, 120, two);  // few large items, each threaded inside
        checkBatch(kern, 5, 7, 9, 3, one);
    }

    private static void checkBatch(MicroKernel kern, int batch, int m, int n, int k, ComputeContext ctx) {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(batch * 31L + m);
            long strideA = (long) m * k + 3;
            long strideB = (long) k * n + 5;
            long strideC = (long) m * n + 2;
            MemorySegment a = GemmTester.random(arena, strideA * batch, rnd);
            MemorySegment b = GemmTester.random(arena, strideB * batch, rnd);
            MemorySegment bias = GemmTester.random(arena, m, rnd);
            MemorySegment c1 = GemmTester.random(arena, strideC * batch, rnd);
            MemorySegment c2 = arena.allocate(c1.byteSize()).copyFrom(c1);
            Epilogue ep = Epilogue.rowBias(bias, 0).withActivation(Activation.relu6());
            Sgemm.sgemmBatched(kern, ctx, batch, false, true, m, n, k, 0.5f, a, 0, k, strideA, b, 0, k, strideB, 1f,
                    c1, 0, n, strideC, ep);
            for (int t = 0; t < batch; t++) {
                Sgemm.sgemmBatched(kern, one, 1, false, true, m, n, k, 0.5f, a, t * strideA, k, 0, b, t * strideB, k,
                        0, 1f, c2, t * strideC, n, 0, ep);
            }
            assertArrayEquals(c2.toArray(F), c1.toArray(F), "batch of " + batch + " " + m + "x" + n + "x" + k);
        }
    }

    /** A batch sharing one pre-packed A (a convolution over several images) equals one call per item. */
    @Test
    void batchedWithPackedA() {
        int batch = 4;
        int m = 24;
        int n = 300;
        int k = 70;
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(5);
            MemorySegment a = GemmTester.random(arena, (long) m * k, rnd);
            MemorySegment b = GemmTester.random(arena, (long) k * n * batch, rnd);
            MemorySegment c1 = arena.allocate((long) m * n * batch * Float.BYTES);
            MemorySegment c2 = arena.allocate(c1.byteSize());
            PackedMatrix pa = PackedMatrix.packA(false, m, k, a, 0, k);
            Sgemm.sgemmBatched(two, batch, pa, false, n, 1f, b, 0, n, (long) k * n, 0f, c1, 0, n, (long) m * n,
                    Epilogue.NONE);
            for (int t = 0; t < batch; t++) {
                Sgemm.sgemm(one, false, false, m, n, k, 1f, a, 0, k, b, (long) t * k * n, n, 0f, c2, (long) t * m * n,
                        n, Epilogue.NONE);
            }
            assertArrayEquals(c2.toArray(F), c1.toArray(F));
        }
    }

    /** Operands in a confined arena cannot be read by pool threads: the call runs on the caller instead. */
    @Test
    void confinedSegmentsRunOnTheCaller() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom rnd = new SplittableRandom(9);
            int m = 256;
            MemorySegment a = GemmTester.random(arena, (long) m * m, rnd);
            MemorySegment c = arena.allocate((long) m * m * Float.BYTES);
            Sgemm.sgemm(two, false, false, m, m, m, 1f, a, 0, m, a, 0, m, 0f, c, 0, m, Epilogue.NONE);
            MemorySegment want = arena.allocate(c.byteSize());
            SgemmReference.sgemm(false, false, m, m, m, 1f, a, 0, m, a, 0, m, 0f, want, 0, m, Epilogue.NONE);
            for (long i = 0; i < (long) m * m; i++) {
                float got = c.getAtIndex(F, i);
                float exp = want.getAtIndex(F, i);
                assertTrue(Math.abs(got - exp) <= 1e-4f * m, "element " + i + ": " + got + " vs " + exp);
            }
        }
    }
}
