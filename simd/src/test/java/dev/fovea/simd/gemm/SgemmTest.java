package dev.fovea.simd.gemm;

import dev.fovea.simd.eltwise.ActivationFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential tests of every micro-kernel (512-bit, 256-bit and scalar, all in this JVM)
 * against {@link SgemmReference}; see {@link GemmTester} for the tolerance. Every case also
 * checks that C outside the m x n window (offset, ld padding, tail) is untouched, and with
 * {@code beta = 0} C starts as NaN to prove it is not read.
 */
class SgemmTest {
    /** The sizes of the issue; 257 (> 256, odd) only in the targeted cases below. */
    static final int[] SIZES = {0, 1, 2, 3, 7, 15, 16, 17, 31, 33, 64, 100};
    static final float[] SCALARS = {0f, 1f, -0.5f};

    private static ComputeContext two;

    @BeforeAll
    static void start() {
        two = ComputeContext.create(2);
    }

    @AfterAll
    static void stop() {
        two.close();
    }

    static Stream<MicroKernel> kernels() {
        return Stream.of(SgemmKernel512.INSTANCE, SgemmKernel256.INSTANCE, SgemmKernelScalar.INSTANCE);
    }

    /** All 12^3 shapes x all 4 transpose pairs; alpha, beta, padding and offset vary with the case. */
    @ParameterizedTest
    @MethodSource("kernels")
    void everyShapeAndTranspose(MicroKernel kern) {
        int index = 0;
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : SIZES) {
                    for (int t = 0; t < 4; t++, index++) {
                        new GemmTester().kernel(kern).mnk(m, n, k).trans((t & 1) != 0, (t & 2) != 0)
                                .alpha(index % 5 == 0 ? -0.5f : 1f).beta(SCALARS[index % 3])
                                .pad(index % 4 == 0 ? 0 : index % 7).off(index % 3 * 5).seed(index).check();
                    }
                }
            }
        }
    }

    /** 257 in each position and in all three, more than one k-block deep, on both thread counts. */
    @ParameterizedTest
    @MethodSource("kernels")
    void size257(MicroKernel kern) {
        int[][] shapes = {{257, 257, 257}, {257, 33, 100}, {17, 257, 64}, {31, 64, 257}, {1, 257, 257},
                {257, 1, 257}, {257, 257, 1}, {100, 100, 385}, {64, 31, SgemmDriver.KC + 129}};
        int index = 0;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++, index++) {
                new GemmTester().kernel(kern).mnk(s[0], s[1], s[2]).trans((t & 1) != 0, (t & 2) != 0)
                        .beta(SCALARS[index % 3]).ctx(index % 2 == 0 ? null : two).seed(index).check();
            }
        }
    }

    /**
     * A packed per call as it is first used (one thread, or a split by rows on two): several
     * k-blocks and B blocks, a short last A panel, each with A transposed and not.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void packsAAsItGoes(MicroKernel kern) {
        int[][] shapes = {{45, 300, SgemmDriver.KC + 77}, {300, 70, 2 * SgemmDriver.KC + 5}, {129, 600, 40}};
        int index = 0;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++, index++) {
                new GemmTester().kernel(kern).mnk(s[0], s[1], s[2]).trans((t & 1) != 0, false)
                        .beta(SCALARS[index % 3]).ctx(t < 2 ? null : two).seed(index).check();
            }
        }
    }

    /** All nine alpha x beta pairs on shapes with full and edge tiles, k beyond one k-block. */
    @ParameterizedTest
    @MethodSource("kernels")
    void alphaBeta(MicroKernel kern) {
        int[][] shapes = {{7, 33, 17}, {16, 64, SgemmDriver.KC + 100}, {33, 17, 0}};
        for (int[] s : shapes) {
            for (float alpha : SCALARS) {
                for (float beta : SCALARS) {
                    new GemmTester().kernel(kern).mnk(s[0], s[1], s[2]).trans(true, false).alpha(alpha).beta(beta)
                            .check();
                }
            }
        }
    }

    /** Every bias kind x every activation, with beta 0 and 1, k over one and several k-blocks. */
    @ParameterizedTest
    @MethodSource("kernels")
    void everyEpilogue(MicroKernel kern) {
        Activation[] acts = {Activation.IDENTITY, Activation.RELU, Activation.relu6(), Activation.clip(-0.25f, 0.5f),
                Activation.leakyRelu(0.1f), Activation.of(ActivationFunction.of(ActivationFunction.Kind.GELU)),
                Activation.of(ActivationFunction.of(ActivationFunction.Kind.HARDSWISH))};
        // 64 x 16 x 40 and 200 x 16 x 1100 run transposed, their C^T rows two A panels at a time
        int[][] shapes = {{17, 33, 31}, {9, 50, SgemmDriver.KC + 50}, {3, 5, 0}, {64, 16, 40},
                {200, 16, SgemmDriver.KC + 76}};
        assertTrue(SgemmKernel512.INSTANCE.prefersTransposed(64, 16, 40)
                && SgemmKernel512.INSTANCE.prefersTransposed(200, 16, SgemmDriver.KC + 76), "transposed shapes");
        int index = 0;
        for (Epilogue.Bias bias : Epilogue.Bias.values()) {
            for (Activation act : acts) {
                for (int[] s : shapes) {
                    for (float beta : new float[] {0f, 1f}) {
                        new GemmTester().kernel(kern).mnk(s[0], s[1], s[2]).trans(index % 2 == 1, index % 3 == 1)
                                .beta(beta).bias(bias).activation(act).seed(index++).check();
                    }
                }
            }
        }
    }

    /**
     * An addend (a residual laid out like C) with each bias kind and the activations of each
     * store path: C per call and pre-packed A, the transposed product (n = 8), B read directly
     * (m = 16), k = 0 (C only scaled), several k-blocks, edge tiles, 1 and 2 threads.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void epilogueWithAnAddend(MicroKernel kern) {
        Activation[] acts = {Activation.IDENTITY, Activation.RELU, Activation.clip(-0.25f, 0.5f),
                Activation.leakyRelu(0.1f), Activation.of(ActivationFunction.of(ActivationFunction.Kind.GELU))};
        int[][] shapes = {{17, 33, 31}, {9, 50, SgemmDriver.KC + 50}, {3, 5, 0}, {40, 8, 33}, {16, 100, 150},
                {64, 49, 4100}, {64, 16, 40}};
        int index = 0;
        for (Epilogue.Bias bias : Epilogue.Bias.values()) {
            for (Activation act : acts) {
                for (int[] s : shapes) {
                    new GemmTester().kernel(kern).mnk(s[0], s[1], s[2]).trans(index % 2 == 1, false)
                            .beta(index % 3 == 0 ? 1f : 0f).bias(bias).activation(act).addend(true)
                            .prepack(index % 4 >= 2).ctx(index % 5 == 0 ? two : null).seed(index++).check();
                }
            }
        }
    }

    /** Pre-packed A against the reference, with epilogue, over edges and several k-blocks. */
    @ParameterizedTest
    @MethodSource("kernels")
    void prepackedA(MicroKernel kern) {
        // 64 x 49 x 4100, 200 x 49 and 64 x 8 x 33 run transposed on the 512-bit kernel, 64 x 100 x 150 not.
        int[][] shapes = {{64, 100, 150}, {16, 100, 150}, {33, 49, 400}, {200, 49, SgemmDriver.KC + 300},
                {64, 1, 33}, {1, 1, 1}, {64, 49, 4100}, {64, 8, 33}, {0, 5, 3}, {5, 0, 3}, {5, 7, 0}};
        assertTrue(SgemmKernel512.INSTANCE.prefersTransposed(64, 49, 4100)
                && !SgemmKernel512.INSTANCE.prefersTransposed(64, 100, 150)
                && SgemmKernel512.INSTANCE.prefersTransposed(64, 8, 33), "the shapes above take both paths");
        int index = 0;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++, index++) {
                new GemmTester().kernel(kern).mnk(s[0], s[1], s[2]).trans((t & 1) != 0, (t & 2) != 0).prepack(true)
                        .beta(SCALARS[index % 3]).bias(Epilogue.Bias.PER_ROW).activation(Activation.RELU)
                        .ctx(index % 2 == 0 ? null : two).seed(index).check();
            }
        }
    }

    /**
     * Last B panels of 1 to 5 columns (1-4 take the 512-bit narrow kernel, 5 the 16-wide one),
     * with an odd and an even k, k over two k-blocks, a 1-row last A panel (m = 17), per-call,
     * pre-packed and indirect B, epilogues, 1 and 2 threads; then B read directly (m <= 32) from
     * a segment that ends at B's last element or a little after it.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void narrowLastPanel(MicroKernel kern) {
        int[] ms = {8, 17, 40};
        int[] ns = {1, 4, 33, 34, 35, 36, 37, 100};
        int[] ks = {1, 2, 151, SgemmDriver.KC + 51};
        int index = 0;
        for (int m : ms) {
            for (int n : ns) {
                for (int k : ks) {
                    index++;
                    new GemmTester().kernel(kern).mnk(m, n, k).trans(index % 4 == 1, index % 4 == 2)
                            .prepack(index % 3 == 1).indirect(index % 4 == 3).beta(SCALARS[index % 3])
                            .bias(index % 2 == 0 ? Epilogue.Bias.PER_ROW : Epilogue.Bias.PER_COLUMN)
                            .activation(index % 5 == 0 ? Activation.RELU : Activation.IDENTITY)
                            .ctx(index % 2 == 0 ? null : two).seed(index).check();
                }
            }
        }
        // direct B (m <= 32): the narrow panel read from B's segment, or packed when its 4-float
        // rows would leave a segment that ends at B's last element
        for (int m : new int[] {8, 16}) {
            for (int n : new int[] {1, 2, 34, 36, 100}) {
                for (int k : new int[] {1, 151}) {
                    for (int slack : new int[] {0, 3}) {
                        index++;
                        new GemmTester().kernel(kern).mnk(m, n, k).pad(0).bSlack(slack).beta(SCALARS[index % 3])
                                .prepack(index % 2 == 0).ctx(index % 3 == 0 ? two : null).seed(index).check();
                    }
                }
            }
        }
    }

    /**
     * The 512-bit narrow kernel alone against a double-precision loop, for panels packed 16 and
     * 32 wide and odd and even k; the floats after the A panel are infinite, so an odd last k
     * step that multiplied them by its zero padding would give NaN.
     */
    @Test
    void narrowKernelMatchesLoop() {
        SgemmKernel512 kern = SgemmKernel512.INSTANCE;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int w : new int[] {16, 32}) {
            for (int kc : new int[] {1, 2, 3, 150, 151}) {
                float[] a = new float[8 * kc + 16];
                float[] b = new float[w * kc + 3];
                java.util.Arrays.fill(a, Float.POSITIVE_INFINITY);
                for (int i = 0; i < 8 * kc; i++) {
                    a[i] = (float) rnd.nextDouble(-1, 1);
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) rnd.nextDouble(-1, 1);
                }
                float[] tile = new float[kern.tileFloats()];
                kern.multiplyNarrow(a, 0, b, 3, w, kc, tile);
                for (int r = 0; r < 8; r++) {
                    for (int j = 0; j < 4; j++) {
                        double want = 0;
                        double mag = 0;
                        for (int p = 0; p < kc; p++) {
                            want += (double) a[p * 8 + r] * b[3 + p * w + j];
                            mag += Math.abs((double) a[p * 8 + r] * b[3 + p * w + j]);
                        }
                        // recursive summation in float: |error| <= k u sum|a b| (u = 2^-24)
                        double tol = (kc + 1) * Math.ulp(1.0f) / 2 * mag;
                        float got = tile[r * kern.nr() + j];
                        assertTrue(Math.abs(got - want) <= tol, "w=" + w + " kc=" + kc + " C(" + r + ", " + j
                                + ") = " + got + ", expected " + want + " +- " + tol);
                    }
                }
            }
        }
    }

    /**
     * Indirect B (rows at random, overlapping offsets) against the reference: the direct-B path
     * (m <= 32), the fused packing path (m = 64), edge panels, several k-blocks, transposed A,
     * epilogues, 1 and 2 threads.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void indirectB(MicroKernel kern) {
        int[][] shapes = {{16, 100, 150}, {64, 3246, 36}, {64, 61, SgemmDriver.KC + 200}, {33, 49, 1300},
                {7, 17, 9}, {1, 1, 1}, {100, 33, 64}, {8, 32, 17}, {0, 5, 3}, {5, 0, 3}, {5, 7, 0}};
        int index = 0;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++, index++) {
                new GemmTester().kernel(kern).mnk(s[0], s[1], s[2]).trans(t == 3, false).indirect(true)
                        .alpha(t == 1 ? -0.5f : 1f).beta(SCALARS[index % 3])
                        .bias(t == 2 ? Epilogue.Bias.PER_COLUMN : Epilogue.Bias.PER_ROW)
                        .activation(t == 0 ? Activation.RELU : Activation.IDENTITY)
                        .ctx(index % 2 == 0 ? null : two).seed(index).check();
            }
        }
    }

    /**
     * Indirect B whose rows are those of an ordinary B ({@code bRows[p] = p * ldb}) gives C bit for
     * bit equal to the ordinary pre-packed product: one code path, so the indirect sweep above
     * also covers it.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void indirectBEqualsStridedB(MicroKernel kern) {
        int[][] shapes = {{64, 100, SgemmDriver.KC + 200}, {16, 33, 150}, {9, 40, 20}};
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            for (int[] s : shapes) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                int ldb = n + 5;
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(m + n + k);
                java.lang.foreign.MemorySegment a = GemmTester.random(arena, (long) m * k, rnd);
                java.lang.foreign.MemorySegment b = GemmTester.random(arena, 3 + (long) k * ldb, rnd);
                java.lang.foreign.MemorySegment c1 = arena.allocate((long) m * n * Float.BYTES);
                java.lang.foreign.MemorySegment c2 = arena.allocate((long) m * n * Float.BYTES);
                PackedMatrix pa = PackedMatrix.packA(kern, false, m, k, a, 0, k);
                long[] rows = new long[k];
                for (int p = 0; p < k; p++) {
                    rows[p] = (long) p * ldb;
                }
                Sgemm.sgemm(ComputeContext.create(1), pa, false, n, 1f, b, 3, ldb, 0f, c1, 0, n, Epilogue.NONE);
                Sgemm.sgemmIndirectB(two, pa, n, 1f, b, 3, rows, 0f, c2, 0, n, Epilogue.NONE);
                assertTrue(c1.mismatch(c2) == -1, kern.bits() + "-bit " + m + "x" + n + "x" + k
                        + ": indirect and strided B differ at byte " + c1.mismatch(c2));
            }
        }
    }
}
