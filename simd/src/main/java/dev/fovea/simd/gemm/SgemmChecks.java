package dev.fovea.simd.gemm;

import dev.fovea.simd.internal.NativeRanges;
import java.lang.foreign.MemorySegment;

/**
 * Argument checks shared by the SGEMM entry points: every check runs before any work, and every
 * failure is an {@link IllegalArgumentException} naming the argument, its value and what was
 * expected.
 */
final class SgemmChecks {
    private SgemmChecks() {}

    /** Checks that m, n, k (and batch, when {@code batch >= 0} is given) are non-negative. */
    static void dims(String op, int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(op + ": sizes must be >= 0, got m=" + m + ", n=" + n + ", k=" + k);
        }
    }

    /**
     * Checks operand A, B or C of a GEMM of logical size m x n x k: stored as {@code rows x cols}
     * floats (rows and cols follow from the operand and its transpose flag), row {@code r} at
     * {@code off + r * ld}, repeated {@code batch} times {@code stride} elements apart. Messages
     * are built only on failure: this runs on every call.
     *
     * @param name "A", "B" or "C"
     * @param trans the operand's transpose flag (false for C)
     */
    static void operand(String op, String name, MemorySegment seg, long off, int ld, int batch, long stride,
                        int m, int n, int k, boolean trans) {
        if (seg == null) {
            throw new NullPointerException(op + ": segment of " + name + " is null");
        }
        int rows;
        int cols;
        switch (name) {
            case "A" -> { rows = trans ? k : m; cols = trans ? m : k; }
            case "B" -> { rows = trans ? n : k; cols = trans ? k : n; }
            default -> { rows = m; cols = n; }
        }
        if (ld < cols) {
            throw new IllegalArgumentException(op + ": " + ldName(name) + "=" + ld + " is less than the row length "
                    + cols + " of " + name + " (" + shape(name, m, n, k, trans) + ")");
        }
        if (off < 0) {
            throw new IllegalArgumentException(op + ": offset of " + name + " is " + off + ", expected >= 0");
        }
        if (stride < 0) {
            throw new IllegalArgumentException(op + ": stride of " + name + " is " + stride + ", expected >= 0");
        }
        if (rows == 0 || cols == 0 || batch == 0) {
            return;
        }
        long floats = seg.byteSize() / Float.BYTES;
        long last;
        try {
            long inMatrix = Math.addExact(Math.multiplyExact((long) rows - 1, ld), cols - 1L);
            last = Math.addExact(Math.addExact(off, Math.multiplyExact((long) batch - 1, stride)), inMatrix);
        } catch (ArithmeticException e) {
            last = Long.MAX_VALUE;
        }
        if (last >= floats) {
            throw new IllegalArgumentException(op + ": " + name + " (" + shape(name, m, n, k, trans) + ", "
                    + ldName(name) + "=" + ld + ", offset=" + off
                    + (batch > 1 ? ", batch=" + batch + ", stride=" + stride : "")
                    + ") touches float elements up to index " + last + " but its segment holds " + floats
                    + " floats");
        }
    }

    /**
     * Checks an indirect B: {@code rows} has exactly k entries and each row of n floats,
     * {@code [off + rows[p], off + rows[p] + n)}, lies inside {@code seg}. O(k), before any work.
     */
    static void rows(String op, MemorySegment seg, long off, long[] rows, int k, int n) {
        if (seg == null) {
            throw new NullPointerException(op + ": segment of B is null");
        }
        if (off < 0) {
            throw new IllegalArgumentException(op + ": offset of B is " + off + ", expected >= 0");
        }
        if (rows.length != k) {
            throw new IllegalArgumentException(op + ": bRows has " + rows.length + " entries, expected k=" + k);
        }
        if (n == 0) {
            return;
        }
        long floats = seg.byteSize() / Float.BYTES;
        for (int p = 0; p < k; p++) {
            if (rows[p] < -off || rows[p] > floats - n - off) { // off >= 0: neither side overflows
                throw new IllegalArgumentException(op + ": row " + p + " of B (offset=" + off + ", bRows[" + p + "]="
                        + rows[p] + ", n=" + n + ") is not inside its segment of " + floats + " floats");
            }
        }
    }

    private static String ldName(String name) {
        return "ld" + name.toLowerCase(java.util.Locale.ROOT);
    }

    private static String shape(String name, int m, int n, int k, boolean trans) {
        return switch (name) {
            case "A" -> "m=" + m + ", k=" + k + ", transA=" + trans;
            case "B" -> "k=" + k + ", n=" + n + ", transB=" + trans;
            default -> "m=" + m + ", n=" + n;
        };
    }

    /** Checks that C can be written. */
    static void writable(String op, MemorySegment c) {
        if (c.isReadOnly()) {
            throw new IllegalArgumentException(op + ": the segment of C is read-only");
        }
    }

    /** Checks the bias of {@code epilogue} covers the m rows or n columns it is broadcast along. */
    static void epilogue(String op, Epilogue epilogue, int m, int n) {
        if (epilogue == null) {
            throw new NullPointerException(op + ": epilogue is null (use Epilogue.NONE)");
        }
        int need = switch (epilogue.bias()) {
            case NONE -> 0;
            case PER_ROW -> m;
            case PER_COLUMN -> n;
        };
        if (need == 0) {
            return;
        }
        long floats = epilogue.biasSegment().byteSize() / Float.BYTES;
        if (epilogue.biasOffset() > floats - need) {
            throw new IllegalArgumentException(op + ": the " + epilogue.bias() + " bias needs " + need
                    + " floats from offset " + epilogue.biasOffset() + " but its segment holds " + floats + " floats");
        }
    }

    /**
     * Checks the addend of {@code epilogue} (if any): C's elements ({@code m x n} from {@code cOff},
     * rows {@code ldc} apart, {@code batch} items {@code strideC} apart), shifted by its
     * {@code addendShift}, must lie inside the addend's segment, and where both are native memory
     * the addend must not overlap C (C is written before every addend element is read).
     */
    static void addend(String op, Epilogue epilogue, MemorySegment c, long cOff, int ldc, int batch, long strideC,
                       int m, int n) {
        MemorySegment addend = epilogue.addendSegment();
        if (addend == null || m == 0 || n == 0 || batch == 0) {
            return;
        }
        long span;
        try {
            span = Math.addExact(Math.addExact(Math.multiplyExact((long) batch - 1, strideC),
                    Math.multiplyExact((long) m - 1, ldc)), n);
        } catch (ArithmeticException e) {
            span = Long.MAX_VALUE;
        }
        long first = cOff + epilogue.addendShift();
        long floats = addend.byteSize() / Float.BYTES;
        if (first < 0 || span > floats - first) {
            throw new IllegalArgumentException(op + ": the addend needs C's " + span + "-float span (m=" + m + ", n="
                    + n + ", ldc=" + ldc + (batch > 1 ? ", batch=" + batch + ", strideC=" + strideC : "")
                    + ") from element " + first + " (C's offset " + cOff + " + addendShift " + epilogue.addendShift()
                    + ") but its segment holds " + floats + " floats");
        }
        if (NativeRanges.overlap(addend, first, c, cOff, span)) {
            throw new IllegalArgumentException(op + ": the addend must not overlap C (addend from element " + first
                    + ", C from element " + cOff + ", " + span + " floats each)");
        }
    }

    /** Checks that an A block of at least one panel of depth k fits a Java array. */
    static void bufferFits(String op, MicroKernel kern, int m, int k) {
        long size = (long) SgemmPack.paddedRows(kern, Math.min(m, SgemmDriver.blockRows(kern, m, k))) * k;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(op + ": k=" + k + " is too large for the packing buffers ("
                    + size + " floats for one block of A)");
        }
    }
}
