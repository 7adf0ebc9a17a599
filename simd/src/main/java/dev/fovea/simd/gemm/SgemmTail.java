package dev.fovea.simd.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The scalar ends of the vector kernels' rows: the last {@code cols % lanes} columns of a C tile
 * and the columns of a narrow B panel. Scalar code here instead of masked vector accesses,
 * because a masked access that would reach past the end of its segment (the last row of C or B)
 * leaves the Vector API intrinsic for a per-lane fallback, and the deoptimizations this causes
 * made the N = 49 GEMM run at 50% or 67% of peak from one JVM to the next. The arithmetic
 * matches the vector path exactly (one FMA for {@code beta * C + alpha * acc}).
 */
final class SgemmTail {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private SgemmTail() {}

    /** Stores columns {@code [q0, cols)} of the tile row at {@code tile[ti..]} to C row element {@code cRow}. */
    static void store(float[] tile, int ti, int q0, int cols, MemorySegment c, long cRow, float alpha, float beta,
                      Epilogue epilogue, int row, int col0) {
        int bias = TileEpilogue.bias(epilogue);
        int act = TileEpilogue.activation(epilogue);
        float lo = TileEpilogue.lo(epilogue);
        float hi = TileEpilogue.hi(epilogue);
        float slope = TileEpilogue.slope(epilogue);
        Activation other = act == TileEpilogue.ACT_OTHER ? epilogue.activation() : null;
        float rowBias = bias == TileEpilogue.BIAS_ROW ? epilogue.biasSegment().getAtIndex(F, epilogue.biasOffset() + row)
                : 0f;
        for (int q = q0; q < cols; q++) {
            long at = cRow + q;
            float x = tile[ti + q] * alpha;
            if (beta != 0f) {
                x = Math.fma(c.getAtIndex(F, at), beta, x);
            }
            if (epilogue != null) {
                float b = bias == TileEpilogue.BIAS_COLUMN
                        ? epilogue.biasSegment().getAtIndex(F, epilogue.biasOffset() + col0 + q) : rowBias;
                x = activate(act, lo, hi, slope, other, addend(epilogue, at, x + b));
            }
            c.setAtIndex(F, at, x);
        }
    }

    /**
     * Stores a {@code rows x cols} tile (at {@code tile[ti..]}, row stride {@code nr}) transposed:
     * tile element (r, q) goes to C element {@code cIdx + q * ldc + r}, for a job computing C^T. Bias indexes
     * {@code (row0 + r, col0 + q)} are in the transposed frame (the job swapped the bias kind).
     */
    static void storeTransposed(float[] tile, int ti, int nr, int rows, int cols, MemorySegment c, long cIdx, int ldc,
                                float alpha, float beta, Epilogue epilogue, int row0, int col0) {
        int bias = TileEpilogue.bias(epilogue);
        int act = TileEpilogue.activation(epilogue);
        float lo = TileEpilogue.lo(epilogue);
        float hi = TileEpilogue.hi(epilogue);
        float slope = TileEpilogue.slope(epilogue);
        Activation other = act == TileEpilogue.ACT_OTHER ? epilogue.activation() : null;
        for (int q = 0; q < cols; q++) {
            long at = cIdx + (long) q * ldc;
            float colBias = bias == TileEpilogue.BIAS_COLUMN
                    ? epilogue.biasSegment().getAtIndex(F, epilogue.biasOffset() + col0 + q) : 0f;
            for (int r = 0; r < rows; r++, at++) {
                float x = tile[ti + r * nr + q] * alpha;
                if (beta != 0f) {
                    x = Math.fma(c.getAtIndex(F, at), beta, x);
                }
                if (epilogue != null) {
                    float b = bias == TileEpilogue.BIAS_ROW
                            ? epilogue.biasSegment().getAtIndex(F, epilogue.biasOffset() + row0 + r) : colBias;
                    x = activate(act, lo, hi, slope, other, addend(epilogue, at, x + b));
                }
                c.setAtIndex(F, at, x);
            }
        }
    }

    /** {@code x} plus the epilogue's addend for C element {@code at} (x when it has none). */
    private static float addend(Epilogue epilogue, long at, float x) {
        MemorySegment addend = epilogue.addendSegment();
        return addend == null ? x : x + addend.getAtIndex(F, at + epilogue.addendShift());
    }

    /**
     * {@code epilogue.activation().apply(x)} with the register kinds decoded once per call
     * ({@link TileEpilogue}: per tile, or per row of a tile's tail) and written out: that call site sees every kind of a network's
     * layers, and a virtual call per element cost more than the arithmetic. The same operations
     * as each kind's {@code apply}, so results are identical.
     */
    private static float activate(int act, float lo, float hi, float slope, Activation other, float x) {
        return switch (act) {
            case TileEpilogue.ACT_NONE -> x;
            case TileEpilogue.ACT_RELU -> Math.max(x, 0f);
            case TileEpilogue.ACT_CLIP -> Math.min(Math.max(x, lo), hi);
            case TileEpilogue.ACT_LEAKY -> x >= 0f ? x : x * slope;
            default -> other.apply(x);
        };
    }

    /** Copies {@code rest} floats from element {@code src} to {@code dst[di..]} and zeros up to {@code width}. */
    static void packRow(MemorySegment b, long src, int rest, int width, float[] dst, int di) {
        for (int q = 0; q < rest; q++) {
            dst[di + q] = b.getAtIndex(F, src + q);
        }
        for (int q = rest; q < width; q++) {
            dst[di + q] = 0f;
        }
    }

    /** {@code acc[off..off+len) = tile[0..len)} when {@code first}, else {@code +=}; the scalar kernel's. */
    static void accumulate(float[] tile, float[] acc, int off, int len, boolean first) {
        for (int i = 0; i < len; i++) {
            acc[off + i] = first ? tile[i] : acc[off + i] + tile[i];
        }
    }
}
