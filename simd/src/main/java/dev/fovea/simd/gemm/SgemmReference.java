package dev.fovea.simd.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The naive SGEMM: three loops, sums accumulated in {@code double}, one rounding per output
 * element. It is the oracle the optimized kernels are tested against and is deliberately simple;
 * it computes exactly what {@link Sgemm}'s contract states (same argument meanings, same
 * "{@code beta == 0} never reads C" rule, same {@link Epilogue}), single-threaded, without
 * argument checks beyond the segment bounds the JDK enforces.
 *
 * <p>Per element: {@code C[i][j] = act((float) (alpha * sum + beta * C[i][j] + bias + addend))}, where
 * {@code sum} is the double sum over {@code k} of {@code op(A)[i][k] * op(B)[k][j]} and every
 * operation before the final cast is in double.
 */
public final class SgemmReference {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private SgemmReference() {}

    /** Computes the GEMM described in the class comment; arguments as in {@link Sgemm}. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                             float beta, MemorySegment c, long cOff, int ldc, Epilogue epilogue) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                if (alpha != 0) {
                    for (int p = 0; p < k; p++) {
                        float av = a.getAtIndex(F, transA ? aOff + (long) p * lda + i : aOff + (long) i * lda + p);
                        float bv = b.getAtIndex(F, transB ? bOff + (long) j * ldb + p : bOff + (long) p * ldb + j);
                        sum += (double) av * bv;
                    }
                }
                long ci = cOff + (long) i * ldc + j;
                double v = (double) alpha * sum;
                if (beta != 0) {
                    v += (double) beta * c.getAtIndex(F, ci);
                }
                v += bias(epilogue, i, j);
                if (epilogue.addendSegment() != null) {
                    v += epilogue.addendSegment().getAtIndex(F, ci + epilogue.addendShift());
                }
                c.setAtIndex(F, ci, epilogue.activation().apply((float) v));
            }
        }
    }

    /** Returns the bias the epilogue adds to element (i, j), 0 when it has none. */
    static float bias(Epilogue epilogue, int i, int j) {
        return switch (epilogue.bias()) {
            case NONE -> 0f;
            case PER_ROW -> epilogue.biasSegment().getAtIndex(F, epilogue.biasOffset() + i);
            case PER_COLUMN -> epilogue.biasSegment().getAtIndex(F, epilogue.biasOffset() + j);
        };
    }
}
