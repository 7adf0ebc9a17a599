package dev.fovea.simd.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.ThreadMXBean;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Steady-state GEMM calls allocate no heap at all: a call reuses its thread's job and share
 * records (it made a job and a share per call before, 216-352 B, and a batched Winograd GEMM 36
 * of each per layer, 100 KB per ResNet-18 run), and the kernels keep their vectors in registers.
 * A kernel whose vectors C2 fails to keep in registers boxes each one on the heap: packing a
 * transposed B did that (24.7 KB per 128^3 call) until its stores stopped going through a helper
 * method that C2 did not always inline; the epilogue cases cover the tile stores with a bias and
 * an activation (a helper taking and returning a vector there made 230 KB per call one run in
 * five). Whether C2 compiles a path well also depends on where it is inlined, which a small test
 * does not reproduce: the ONNX tests check whole compiled models for zero bytes per run too.
 */
class SgemmHeapTest {
    /** Calls per measurement. */
    private static final int CALLS = 200;
    /** How long the JIT gets to compile the kernels before the test gives up. */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @ParameterizedTest(name = "transA={0} transB={1} epilogue={2}")
    @CsvSource({"false,false,none", "true,false,none", "false,true,none", "true,true,none",
            "false,false,row-relu6", "false,false,column-leaky", "false,false,row-relu"})
    void steadyStateCallsAllocateNothing(boolean transA, boolean transB, String epilogueName) {
        // 100: full 8 x 32 tiles and edge tiles (4 columns, 4 rows) in every call
        int size = 100;
        try (Arena arena = Arena.ofConfined(); ComputeContext one = ComputeContext.create(1)) {
            MemorySegment a = filled(arena, size * size, 1);
            MemorySegment b = filled(arena, size * size, 2);
            MemorySegment c = arena.allocate((long) size * size * Float.BYTES);
            Epilogue epilogue = epilogue(epilogueName, filled(arena, size, 3));
            assertNoHeapPerCall(() -> Sgemm.sgemm(one, transA, transB, size, size, size, 1f, a, 0, size, b, 0, size,
                    0f, c, 0, size, epilogue), "a " + size + "^3 GEMM (transA=" + transA + ", transB=" + transB
                    + ", epilogue " + epilogueName + ")");
        }
    }

    /**
     * The pre-packed paths of convolutions and linear layers: a batch of items (Winograd's 36
     * products), and a product with few columns that runs transposed with its bias swapped to
     * the other side (ResNet-18 layer 4, 7 x 7 = 49 columns; 16 columns: whole pairs of 8-row panels).
     */
    @ParameterizedTest(name = "n={0} batch={1} epilogue={2}")
    @CsvSource({"100,4,row-relu", "12,1,row-relu6", "12,3,none", "16,2,row-relu", "49,1,none"})
    void prepackedAndTransposedCallsAllocateNothing(int n, int batch, String epilogueName) {
        int m = 64;
        int k = 300;
        try (Arena arena = Arena.ofConfined(); ComputeContext one = ComputeContext.create(1)) {
            MemorySegment a = filled(arena, m * k, 4);
            MemorySegment b = filled(arena, batch * k * n, 5);
            MemorySegment c = arena.allocate((long) batch * m * n * Float.BYTES);
            PackedMatrix packed = PackedMatrix.packA(false, m, k, a, 0, k);
            Epilogue epilogue = epilogue(epilogueName, filled(arena, m, 6));
            assertNoHeapPerCall(() -> Sgemm.sgemmBatched(one, batch, packed, false, n, 1f, b, 0, n, (long) k * n, 0f,
                    c, 0, n, (long) m * n, epilogue), "a pre-packed " + m + " x " + n + " x " + k + " GEMM, batch "
                    + batch + ", epilogue " + epilogueName);
        }
    }

    /**
     * Calls split over 2 threads allocate nothing on the caller either: a block split by columns,
     * one split by rows (A pre-packed, few columns), and a batch of pre-packed items spread whole
     * over the threads. Their parts were capturing lambdas, 40 B or more per call.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"columns", "rows", "items"})
    void threadedCallsAllocateNothing(String split) {
        try (Arena arena = Arena.ofShared(); ComputeContext two = ComputeContext.create(2)) {
            int m = split.equals("columns") ? 128 : 256;
            int n = split.equals("columns") ? 256 : split.equals("rows") ? 64 : 100;
            int k = 300;
            int batch = split.equals("items") ? 4 : 1;
            MemorySegment a = filled(arena, m * k, 10);
            MemorySegment b = filled(arena, batch * k * n, 11);
            MemorySegment c = arena.allocate((long) batch * m * n * Float.BYTES);
            PackedMatrix packed = PackedMatrix.packA(false, m, k, a, 0, k);
            Runnable call = split.equals("columns")
                    ? () -> Sgemm.sgemm(two, false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n, Epilogue.NONE)
                    : () -> Sgemm.sgemmBatched(two, batch, packed, false, n, 1f, b, 0, n, (long) k * n, 0f, c, 0, n,
                            (long) m * n, Epilogue.NONE);
            assertNoHeapPerCall(call, "a " + m + " x " + n + " x " + k + " GEMM on 2 threads, batch " + batch
                    + " (" + split + ")");
        }
    }

    /**
     * The indirect-B GEMM of implicit-GEMM convolutions (B rows from a row table), at the size of
     * ResNet-18's layer1 (64 x 3190 x 576, the shifted rows of a padded 64 x 58 x 58 image): its
     * argument checks built null-message lambdas that C2 left on the heap at this size (not at
     * small ones), 56 B per call and image; in a convolution loop they stayed after 6 s of
     * warm-up, and here they went only after 13-16 s (1-2 s without them). Vector paths only:
     * the scalar kernel takes seconds per measurement here.
     */
    @ParameterizedTest(name = "epilogue={0}")
    @CsvSource({"none", "row-relu"})
    void indirectBCallsAllocateNothing(String epilogueName) {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.fovea.simd.Simd.VECTOR, "vector path only");
        int m = 64;
        int k = 576;
        int n = 3190;
        int plane = 58 * 58;
        long[] rows = new long[k];
        for (int p = 0; p < k; p++) {
            rows[p] = (long) (p / 9) * plane + (p % 9 / 3) * 58 + p % 3;
        }
        try (Arena arena = Arena.ofConfined(); ComputeContext one = ComputeContext.create(1)) {
            MemorySegment a = filled(arena, m * k, 7);
            MemorySegment b = filled(arena, 64 * plane, 8);
            MemorySegment c = arena.allocate((long) m * n * Float.BYTES);
            PackedMatrix packed = PackedMatrix.packA(false, m, k, a, 0, k);
            Epilogue epilogue = epilogue(epilogueName, filled(arena, m, 9));
            assertNoHeapPerCall(() -> Sgemm.sgemmIndirectB(one, packed, n, 1f, b, 0, rows, 0f, c, 0, n, epilogue),
                    "an indirect-B " + m + " x " + n + " x " + k + " GEMM, epilogue " + epilogueName);
        }
    }

    private static Epilogue epilogue(String name, MemorySegment bias) {
        return switch (name) {
            case "none" -> Epilogue.NONE;
            case "row-relu6" -> new Epilogue(Epilogue.Bias.PER_ROW, bias, 0, Activation.relu6());
            case "row-relu" -> new Epilogue(Epilogue.Bias.PER_ROW, bias, 0, Activation.RELU);
            case "column-leaky" -> new Epilogue(Epilogue.Bias.PER_COLUMN, bias, 0, Activation.leakyRelu(0.1f));
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Repeats {@code call} until a batch of calls allocates nothing on this thread, or the patience runs out. */
    private static void assertNoHeapPerCall(Runnable call, String what) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        long perCall;
        do {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < CALLS; i++) {
                call.run();
            }
            perCall = (threads.getCurrentThreadAllocatedBytes() - before) / CALLS;
        } while (perCall > 0 && System.nanoTime() < deadline);
        assertEquals(0, perCall, what + ": heap bytes per call after " + PATIENCE_NANOS / 1_000_000_000
                + " s of calls");
    }

    private static MemorySegment filled(Arena arena, int count, int seed) {
        MemorySegment s = arena.allocate((long) count * Float.BYTES);
        for (int i = 0; i < count; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, ((i * 31 + seed) % 17) / 17f - 0.5f);
        }
        return s;
    }
}
