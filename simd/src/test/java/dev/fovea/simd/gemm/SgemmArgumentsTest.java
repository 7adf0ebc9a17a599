package dev.fovea.simd.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad arguments are rejected with an {@link IllegalArgumentException} naming the argument, its
 * value and what was expected, before any element of C is written.
 */
class SgemmArgumentsTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final float MARK = 7f;

    private Arena arena;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;
    private final ComputeContext ctx = ComputeContext.create(1);

    @BeforeEach
    void allocate() {
        arena = Arena.ofConfined();
        a = arena.allocate(21 * Float.BYTES);   // m=3, k=7
        b = arena.allocate(35 * Float.BYTES);   // k=7, n=5
        c = arena.allocate(15 * Float.BYTES);   // m=3, n=5
        c.elements(F).forEach(e -> e.set(F, 0, MARK));
    }

    @AfterEach
    void free() {
        arena.close();
    }

    /** Runs the call, expects the exception, checks its message mentions every fragment, and C untouched. */
    private void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        for (long i = 0; i < 15; i++) {
            assertEquals(MARK, c.getAtIndex(F, i), "C was written before the arguments were checked");
        }
    }

    private void gemm(boolean ta, boolean tb, int m, int n, int k, long aOff, int lda, long bOff, int ldb, long cOff,
                      int ldc) {
        Sgemm.sgemm(ctx, ta, tb, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc, Epilogue.NONE);
    }

    @Test
    void validCallComputes() {
        gemm(false, false, 3, 5, 7, 0, 7, 0, 5, 0, 5);
        assertEquals(0f, c.getAtIndex(F, 14), "zero inputs give a zero product");
    }

    @Test
    void negativeSizes() {
        rejects(() -> gemm(false, false, -1, 5, 7, 0, 7, 0, 5, 0, 5), "m=-1", ">= 0");
        rejects(() -> gemm(false, false, 3, -2, 7, 0, 7, 0, 5, 0, 5), "n=-2");
        rejects(() -> gemm(false, false, 3, 5, -3, 0, 7, 0, 5, 0, 5), "k=-3");
    }

    @Test
    void leadingDimensionBelowRowLength() {
        rejects(() -> gemm(false, false, 3, 5, 7, 0, 5, 0, 5, 0, 5),
                "lda=5 is less than the row length 7 of A (m=3, k=7, transA=false)");
        rejects(() -> gemm(true, false, 3, 5, 7, 0, 2, 0, 5, 0, 5), "lda=2", "row length 3", "transA=true");
        rejects(() -> gemm(false, false, 3, 5, 7, 0, 7, 0, 4, 0, 5), "ldb=4", "row length 5", "transB=false");
        rejects(() -> gemm(false, true, 3, 5, 7, 0, 7, 0, 6, 0, 5), "ldb=6", "row length 7", "transB=true");
        rejects(() -> gemm(false, false, 3, 5, 7, 0, 7, 0, 5, 0, 4), "ldc=4", "row length 5 of C");
    }

    @Test
    void segmentTooSmall() {
        rejects(() -> gemm(false, false, 3, 5, 7, 1, 7, 0, 5, 0, 5), "A (", "up to index 21", "holds 21 floats");
        rejects(() -> gemm(false, false, 3, 5, 7, 0, 8, 0, 5, 0, 5), "lda=8", "up to index 22");
        rejects(() -> gemm(false, false, 3, 5, 7, 0, 7, 0, 6, 0, 5), "B (", "up to index 40", "holds 35 floats");
        rejects(() -> gemm(false, false, 3, 5, 7, 0, 7, 0, 5, 1, 5), "C (", "up to index 15", "holds 15 floats");
        rejects(() -> gemm(false, false, 4, 5, 7, 0, 7, 0, 5, 0, 5), "A (m=4", "up to index 27");
    }

    @Test
    void negativeOffsets() {
        rejects(() -> gemm(false, false, 3, 5, 7, -1, 7, 0, 5, 0, 5), "offset of A is -1");
        rejects(() -> gemm(false, false, 3, 5, 7, 0, 7, -2, 5, 0, 5), "offset of B is -2");
        rejects(() -> gemm(false, false, 3, 5, 7, 0, 7, 0, 5, -3, 5), "offset of C is -3");
    }

    @Test
    void hugeOffsetDoesNotOverflow() {
        rejects(() -> gemm(false, false, 3, 5, 7, Long.MAX_VALUE - 2, 7, 0, 5, 0, 5), "A (", "up to index");
    }

    @Test
    void readOnlyC() {
        MemorySegment ro = c.asReadOnly();
        rejects(() -> Sgemm.sgemm(ctx, false, false, 3, 5, 7, 1f, a, 0, 7, b, 0, 5, 0f, ro, 0, 5, Epilogue.NONE),
                "read-only");
    }

    @Test
    void biasTooShort() {
        MemorySegment bias = arena.allocate(4 * Float.BYTES);
        rejects(() -> Sgemm.sgemm(ctx, false, false, 3, 5, 7, 1f, a, 0, 7, b, 0, 5, 0f, c, 0, 5,
                Epilogue.columnBias(bias, 0)), "PER_COLUMN bias needs 5 floats", "holds 4");
        rejects(() -> Sgemm.sgemm(ctx, false, false, 3, 5, 7, 1f, a, 0, 7, b, 0, 5, 0f, c, 0, 5,
                Epilogue.rowBias(bias, 2)), "PER_ROW bias needs 3 floats from offset 2");
    }

    @Test
    void addendTooShortOrOverlappingC() {
        // C is 3 x 5 with ldc 5: elements 0..14; shifted by 2 they need 17 floats
        MemorySegment addend = arena.allocate(16 * Float.BYTES);
        rejects(() -> Sgemm.sgemm(ctx, false, false, 3, 5, 7, 1f, a, 0, 7, b, 0, 5, 0f, c, 0, 5,
                Epilogue.NONE.withAddend(addend, 2)), "the addend needs C's 15-float span", "from element 2",
                "holds 16 floats");
        rejects(() -> Sgemm.sgemm(ctx, false, false, 3, 5, 7, 1f, a, 0, 7, b, 0, 5, 0f, c, 0, 5,
                Epilogue.NONE.withAddend(addend, -1)), "from element -1");
        MemorySegment twoCs = arena.allocate(30 * Float.BYTES);
        rejects(() -> Sgemm.sgemm(ctx, false, false, 3, 5, 7, 1f, a, 0, 7, b, 0, 5, 0f, twoCs, 0, 5,
                Epilogue.NONE.withAddend(twoCs, 3)), "the addend must not overlap C");
        rejects(() -> Sgemm.sgemmBatched(ctx, 2, false, false, 3, 5, 7, 1f, a, 0, 7, 0, b, 0, 5, 0, 0f, twoCs, 0, 5,
                15, Epilogue.NONE.withAddend(arena.allocate(29 * Float.BYTES), 0)), "30-float span",
                "batch=2, strideC=15");
    }

    @Test
    void batchArguments() {
        rejects(() -> Sgemm.sgemmBatched(ctx, -1, false, false, 3, 5, 7, 1f, a, 0, 7, 0, b, 0, 5, 0, 0f, c, 0, 5, 0,
                Epilogue.NONE), "batch=-1");
        rejects(() -> Sgemm.sgemmBatched(ctx, 2, false, false, 1, 5, 7, 1f, a, 0, 7, -7, b, 0, 5, 0, 0f, c, 0, 5, 5,
                Epilogue.NONE), "stride of A is -7");
        rejects(() -> Sgemm.sgemmBatched(ctx, 2, false, false, 3, 5, 7, 1f, a, 0, 7, 0, b, 0, 5, 0, 0f, c, 0, 5, 0,
                Epilogue.NONE), "strideC=0 with batch=2");
        rejects(() -> Sgemm.sgemmBatched(ctx, 2, false, false, 3, 5, 7, 1f, a, 0, 7, 0, b, 0, 5, 0, 0f, c, 0, 5, 15,
                Epilogue.NONE), "C (", "batch=2, stride=15", "up to index 29");
    }

    @Test
    void packedMatrixArguments() {
        rejects(() -> PackedMatrix.packA(false, 3, 7, a, 0, 6), "PackedMatrix.packA", "lda=6");
        rejects(() -> PackedMatrix.packA(true, 8, 7, a, 0, 8), "up to index 55");
        PackedMatrix pa = PackedMatrix.packA(false, 3, 7, a, 0, 7);
        rejects(() -> Sgemm.sgemm(ctx, pa, false, 5, 1f, b, 0, 4, 0f, c, 0, 5, Epilogue.NONE), "ldb=4");
        rejects(() -> Sgemm.sgemm(ctx, pa, false, 5, 1f, b, 0, 5, 0f, c, 0, 4, Epilogue.NONE), "ldc=4");
    }

    @Test
    void indirectBArguments() {
        PackedMatrix pa = PackedMatrix.packA(false, 3, 7, a, 0, 7);
        long[] rows = {0, 5, 10, 15, 20, 25, 30};
        rejects(() -> Sgemm.sgemmIndirectB(ctx, pa, 5, 1f, b, 0, new long[6], 0f, c, 0, 5, Epilogue.NONE),
                "bRows has 6 entries, expected k=7");
        long[] past = rows.clone();
        past[6] = 31;
        rejects(() -> Sgemm.sgemmIndirectB(ctx, pa, 5, 1f, b, 0, past, 0f, c, 0, 5, Epilogue.NONE),
                "row 6 of B", "bRows[6]=31", "n=5", "35 floats");
        rejects(() -> Sgemm.sgemmIndirectB(ctx, pa, 5, 1f, b, 1, rows, 0f, c, 0, 5, Epilogue.NONE),
                "row 6 of B", "offset=1");
        long[] negative = rows.clone();
        negative[2] = -1;
        rejects(() -> Sgemm.sgemmIndirectB(ctx, pa, 5, 1f, b, 0, negative, 0f, c, 0, 5, Epilogue.NONE),
                "bRows[2]=-1");
        long[] huge = rows.clone();
        huge[3] = Long.MAX_VALUE;
        rejects(() -> Sgemm.sgemmIndirectB(ctx, pa, 5, 1f, b, 4, huge, 0f, c, 0, 5, Epilogue.NONE),
                "bRows[3]=" + Long.MAX_VALUE);
        rejects(() -> Sgemm.sgemmIndirectB(ctx, pa, 5, 1f, b, -1, rows, 0f, c, 0, 5, Epilogue.NONE),
                "offset of B is -1");
        rejects(() -> Sgemm.sgemmIndirectB(ctx, pa, -1, 1f, b, 0, rows, 0f, c, 0, 5, Epilogue.NONE), "n=-1");
        rejects(() -> Sgemm.sgemmIndirectB(ctx, pa, 5, 1f, b, 0, rows, 0f, c, 0, 4, Epilogue.NONE), "ldc=4");
        for (int i = 0; i < 35; i++) {
            b.setAtIndex(F, i, i % 7 - 3f);
        }
        long[] shuffled = {30, 0, 12, 12, 3, 25, 7};
        PackedMatrix ramp = PackedMatrix.packA(false, 3, 7, a.fill((byte) 0x3f), 0, 7); // every a = 0.746...
        Sgemm.sgemmIndirectB(ctx, ramp, 5, 1f, b, 0, shuffled, 0f, c, 0, 5, Epilogue.NONE);
        double want = 0;
        for (int p = 0; p < 7; p++) {
            want += (double) a.getAtIndex(F, 14 + p) * b.getAtIndex(F, shuffled[p] + 4);
        }
        assertEquals(want, c.getAtIndex(F, 14), 1e-5, "a valid indirect call computes C(2, 4)");
    }

    @Test
    void activationAndEpilogueArguments() {
        assertThrows(IllegalArgumentException.class, () -> Activation.clip(2f, 1f));
        assertThrows(IllegalArgumentException.class, () -> Activation.clip(Float.NaN, 1f));
        assertThrows(IllegalArgumentException.class, () -> Activation.leakyRelu(Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new Epilogue(Epilogue.Bias.PER_ROW, null, 0,
                Activation.IDENTITY));
        assertThrows(IllegalArgumentException.class, () -> Epilogue.rowBias(c, -1));
        assertThrows(NullPointerException.class, () -> Sgemm.sgemm(ctx, false, false, 3, 5, 7, 1f, a, 0, 7, b, 0, 5,
                0f, c, 0, 5, null));
    }

    @Test
    void emptyMatricesNeedNoMemory() {
        MemorySegment none = MemorySegment.NULL;
        Sgemm.sgemm(ctx, false, false, 0, 0, 0, 1f, none, 0, 0, none, 0, 0, 0f, none, 0, 0, Epilogue.NONE);
        Sgemm.sgemm(ctx, false, false, 3, 5, 0, 1f, none, 0, 0, none, 0, 5, 0f, c, 0, 5, Epilogue.NONE);
        assertEquals(0f, c.getAtIndex(F, 7), "k = 0 with beta = 0 writes zeros");
    }

    /** Non-finite alpha and beta are legal (BLAS semantics) and propagate as IEEE arithmetic does. */
    @Test
    void nonFiniteScalarsFollowIeee() {
        a.elements(F).forEach(e -> e.set(F, 0, 1f));
        b.elements(F).forEach(e -> e.set(F, 0, 1f));
        Sgemm.sgemm(ctx, false, false, 3, 5, 7, Float.NaN, a, 0, 7, b, 0, 5, 0f, c, 0, 5, Epilogue.NONE);
        assertTrue(Float.isNaN(c.getAtIndex(F, 4)), "alpha = NaN gives NaN");
        c.elements(F).forEach(e -> e.set(F, 0, 2f));
        Sgemm.sgemm(ctx, false, false, 3, 5, 7, 1f, a, 0, 7, b, 0, 5, Float.POSITIVE_INFINITY, c, 0, 5, Epilogue.NONE);
        assertEquals(Float.POSITIVE_INFINITY, c.getAtIndex(F, 4), "beta = +inf with C = 2 gives +inf");
        c.elements(F).forEach(e -> e.set(F, 0, 2f));
        Sgemm.sgemm(ctx, false, false, 3, 5, 0, Float.POSITIVE_INFINITY, a, 0, 7, b, 0, 5, 0.5f, c, 0, 5,
                Epilogue.NONE);
        assertEquals(1f, c.getAtIndex(F, 4), "k = 0: C = beta C, alpha unused even when infinite");
        c.elements(F).forEach(e -> e.set(F, 0, Float.NaN));
        Sgemm.sgemm(ctx, false, false, 3, 5, 7, 0f, a, 0, 7, b, 0, 5, 0f, c, 0, 5, Epilogue.of(Activation.relu6()));
        assertEquals(0f, c.getAtIndex(F, 4), "alpha = beta = 0 never reads C (NaN) and writes act(0)");
    }
}
