package dev.fovea.simd.gemm;

import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Builds one GEMM case (XNNPACK GemmMicrokernelTester style), runs it on a kernel and on
 * {@link SgemmReference}, and checks every element of C inside the m x n window against the
 * reference and every element outside it (offset gap, ld padding, tail) for being untouched.
 *
 * <p>Tolerance: a float FMA chain over k terms, restarted every KC steps and added to C, has an
 * error of at most about {@code (k + 1) * u * sum_p |a_ip b_pj|} (u = 2^-24, the classic
 * {@code gamma_k} bound of Higham, "Accuracy and Stability of Numerical Algorithms", 3.1), plus one
 * rounding each for alpha, beta * C, the bias and the addend, relative to their magnitudes. The activations
 * are 1-Lipschitz (leaky ReLU: |slope|-Lipschitz, with |slope| <= 1 here), so they do not grow it;
 * GELU (Lipschitz 1.13) and hardswish (1.5), and their own few-ulp rounding, stay inside the slack.
 * The reference is exact up to its final cast, so {@code |got - ref| <= 2 (k + 4) u * mag}, where
 * {@code mag = |alpha| sum_p |a_ip b_pj| + |beta c_ij| + |bias| + |addend|}, with a factor 2 of slack.
 */
final class GemmTester {
    /** Raw bits stored around the C window: a quiet NaN with a payload no kernel produces. */
    static final int SENTINEL = 0x7fc0_5a5a;
    /** The addend's element index minus C's ({@link Epilogue#addendShift}). */
    static final long ADDEND_SHIFT = 9;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;

    MicroKernel kern = Sgemm.KERNEL;
    ComputeContext ctx = null;
    boolean transA;
    boolean transB;
    int m;
    int n;
    int k;
    float alpha = 1f;
    float beta;
    int pad = 3;
    long off = 5;
    Epilogue.Bias bias = Epilogue.Bias.NONE;
    Activation activation = Activation.IDENTITY;
    boolean prepack;
    boolean indirect;
    boolean addend;
    int bSlack = 7;
    long seed = 42;

    GemmTester kernel(MicroKernel value) { kern = value; return this; }
    GemmTester ctx(ComputeContext value) { ctx = value; return this; }
    GemmTester trans(boolean a, boolean b) { transA = a; transB = b; return this; }
    GemmTester mnk(int mm, int nn, int kk) { m = mm; n = nn; k = kk; return this; }
    GemmTester alpha(float value) { alpha = value; return this; }
    GemmTester beta(float value) { beta = value; return this; }
    GemmTester pad(int value) { pad = value; return this; }
    GemmTester off(long value) { off = value; return this; }
    GemmTester bias(Epilogue.Bias value) { bias = value; return this; }
    GemmTester activation(Activation value) { activation = value; return this; }
    GemmTester prepack(boolean value) { prepack = value; return this; }
    /** An epilogue addend laid out like C, {@link #ADDEND_SHIFT} elements on in its own segment. */
    GemmTester addend(boolean value) { addend = value; return this; }
    /** B's rows at random, overlapping places of its segment ({@link Sgemm#sgemmIndirectB}; A pre-packed). */
    GemmTester indirect(boolean value) { indirect = value; prepack |= value; return this; }
    /** Floats of B's segment after its last row (0 with pad 0: B ends at its last element). */
    GemmTester bSlack(int value) { bSlack = value; return this; }
    GemmTester seed(long value) { seed = value; return this; }

    @Override
    public String toString() {
        return kern.bits() + "-bit m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB
                + " alpha=" + alpha + " beta=" + beta + " pad=" + pad + " off=" + off + " bias=" + bias
                + " act=" + activation + (addend ? " addend" : "") + (prepack ? " prepacked" : "") + (indirect ? " indirect-B" : "")
                + (ctx == null ? "" : " " + ctx);
    }

    /** The operands of one case, in one arena. */
    final class Operands {
        final int lda = (transA ? m : k) + pad;
        final int ldb = (transB ? k : n) + pad;
        final int ldc = n + pad;
        final MemorySegment a;
        final MemorySegment b;
        final MemorySegment c;
        final MemorySegment biasSeg;
        /** The addend (C's layout, shifted by ADDEND_SHIFT), or null. */
        final MemorySegment addendSeg;
        /** Indirect B: row p at {@code off + bRows[p]}; else null. */
        final long[] bRows;
        /** B as the reference reads it, at {@code off} with {@code refLdb}: b itself, or the gathered rows. */
        final MemorySegment refB;
        final int refLdb;

        Operands(Arena arena) {
            SplittableRandom rnd = new SplittableRandom(seed);
            a = random(arena, off + (long) lda * (transA ? k : m) + 7, rnd);
            b = random(arena, off + (long) ldb * (transB ? n : k) + bSlack, rnd);
            c = arena.allocate((off + (long) ldc * m + 7) * Float.BYTES, 64);
            c.elements(I).forEach(e -> e.set(I, 0, SENTINEL));
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c.setAtIndex(F, cIndex(i, j), beta == 0f ? Float.NaN : (float) rnd.nextDouble(-1, 1));
                }
            }
            biasSeg = bias == Epilogue.Bias.NONE ? null : random(arena, 3 + Math.max(m, n), rnd);
            addendSeg = addend ? random(arena, ADDEND_SHIFT + c.byteSize() / Float.BYTES, rnd) : null;
            if (indirect) {
                long room = b.byteSize() / Float.BYTES - off - n;
                bRows = new long[k];
                refLdb = n;
                refB = arena.allocate((off + (long) k * n + 1) * Float.BYTES, 64);
                for (int p = 0; p < k; p++) {
                    bRows[p] = rnd.nextLong(room + 1);
                    MemorySegment.copy(b, (off + bRows[p]) * Float.BYTES, refB, (off + (long) p * n) * Float.BYTES,
                            (long) n * Float.BYTES);
                }
            } else {
                bRows = null;
                refB = b;
                refLdb = ldb;
            }
        }

        long cIndex(int i, int j) {
            return off + (long) i * ldc + j;
        }

        Epilogue epilogue() {
            Epilogue e = bias == Epilogue.Bias.NONE ? Epilogue.of(activation)
                    : new Epilogue(bias, biasSeg, 3, activation);
            return addend ? e.withAddend(addendSeg, ADDEND_SHIFT) : e;
        }

        /** Runs the kernel under test on C. */
        void runKernel(ComputeContext context) {
            if (indirect) {
                PackedMatrix pa = PackedMatrix.packA(kern, transA, m, k, a, off, lda);
                Sgemm.sgemmIndirectB(context, pa, n, alpha, b, off, bRows, beta, c, off, ldc, epilogue());
            } else if (prepack) {
                PackedMatrix pa = PackedMatrix.packA(kern, transA, m, k, a, off, lda);
                Sgemm.sgemm(context, pa, transB, n, alpha, b, off, ldb, beta, c, off, ldc, epilogue());
            } else {
                Sgemm.sgemmBatched(kern, context, 1, transA, transB, m, n, k, alpha, a, off, lda, 0, b, off, ldb, 0,
                        beta, c, off, ldc, 0, epilogue());
            }
        }
    }

    static MemorySegment random(Arena arena, long floats, SplittableRandom rnd) {
        MemorySegment s = arena.allocate(floats * Float.BYTES, 64);
        for (long i = 0; i < floats; i++) {
            s.setAtIndex(F, i, (float) rnd.nextDouble(-1, 1));
        }
        return s;
    }

    /** Runs the case and checks it against the reference; fails with the case in the message. */
    void check() {
        try (Arena arena = Arena.ofShared()) {
            Operands ops = new Operands(arena);
            MemorySegment c0 = arena.allocate(ops.c.byteSize(), 64).copyFrom(ops.c);
            MemorySegment expected = arena.allocate(ops.c.byteSize(), 64).copyFrom(ops.c);
            SgemmReference.sgemm(transA, transB, m, n, k, alpha, ops.a, off, ops.lda, ops.refB, off, ops.refLdb, beta,
                    expected, off, ops.ldc, ops.epilogue());
            MemorySegment mag = magnitudes(arena, ops, c0);
            ops.runKernel(ctx == null ? ComputeContext.create(1) : ctx);
            compare(ops, expected, mag);
        }
    }

    /** Returns |alpha| sum|a||b| + |beta c| + |bias| per element, by the reference on absolute values. */
    private MemorySegment magnitudes(Arena arena, Operands ops, MemorySegment c0) {
        MemorySegment absA = abs(arena, ops.a);
        MemorySegment absB = abs(arena, ops.refB);
        MemorySegment absC = abs(arena, c0);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                if (beta == 0f) {
                    absC.setAtIndex(F, ops.cIndex(i, j), 0f);
                }
            }
        }
        Epilogue absBias = bias == Epilogue.Bias.NONE ? Epilogue.NONE
                : new Epilogue(bias, abs(arena, ops.biasSeg), 3, Activation.IDENTITY);
        if (addend) {
            absBias = absBias.withAddend(abs(arena, ops.addendSeg), ADDEND_SHIFT);
        }
        SgemmReference.sgemm(transA, transB, m, n, k, Math.abs(alpha), absA, off, ops.lda, absB, off, ops.refLdb,
                Math.abs(beta), absC, off, ops.ldc, absBias);
        return absC;
    }

    private static MemorySegment abs(Arena arena, MemorySegment s) {
        MemorySegment r = arena.allocate(s.byteSize(), 64);
        for (long i = 0; i < s.byteSize() / Float.BYTES; i++) {
            r.setAtIndex(F, i, Math.abs(s.getAtIndex(F, i)));
        }
        return r;
    }

    private void compare(Operands ops, MemorySegment expected, MemorySegment mag) {
        double u = Math.ulp(1.0f) / 2;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long at = ops.cIndex(i, j);
                float want = expected.getAtIndex(F, at);
                float got = ops.c.getAtIndex(F, at);
                double tol = 2.0 * (k + 4) * u * mag.getAtIndex(F, at) + Float.MIN_NORMAL;
                if (!(Math.abs(got - want) <= tol) && !(Float.isNaN(want) && Float.isNaN(got))) {
                    fail(this + ": C(" + i + ", " + j + ") = " + got + ", expected " + want + " +- " + tol);
                }
            }
        }
        long total = ops.c.byteSize() / Float.BYTES;
        for (long e = 0; e < total; e++) {
            long rel = e - off;
            boolean inside = rel >= 0 && ops.ldc > 0 && rel / ops.ldc < m && rel % ops.ldc < n;
            if (!inside && ops.c.getAtIndex(I, e) != SENTINEL) {
                fail(this + ": C element " + e + " outside the window was written");
            }
        }
    }

    /** Runs the case on the kernel and returns C's window, for exact comparisons between runs. */
    float[] result(ComputeContext context) {
        try (Arena arena = Arena.ofShared()) {
            Operands ops = new Operands(arena);
            ops.runKernel(context);
            float[] out = new float[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    out[i * n + j] = ops.c.getAtIndex(F, ops.cIndex(i, j));
                }
            }
            return out;
        }
    }
}
