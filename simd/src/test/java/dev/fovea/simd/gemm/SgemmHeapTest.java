package dev.fovea.simd.gemm;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Steady-state GEMM calls allocate no heap that grows with the work: only the call's few fixed
 * objects (the job, one thread's share), a few hundred bytes. A kernel whose vectors C2 fails to
 * keep in registers boxes each one on the heap: packing a transposed B did that (24.7 KB per
 * 128^3 call, 98 KB per 256^3) until its stores stopped going through a helper method that C2
 * did not always inline; this test failed on that code. The epilogue cases cover the tile
 * stores with a bias and an activation: with a helper taking and returning a vector there, the
 * 256-bit run failed one time in five (230 KB per call after relu6, leaky, relu in a row). Whether C2 compiles a path well also depends on where
 * it is inlined, which a small test does not reproduce: {@code OnnxModelsTest} bounds the heap
 * of whole MobileNetV2 runs as well.
 */
class SgemmHeapTest {
    /** Bytes per call allowed: the fixed objects measure 216-352 B; one boxed vector is 80 B. */
    private static final long MAX_BYTES_PER_CALL = 1024;
    /** Calls per measurement. */
    private static final int CALLS = 200;
    /** How long the JIT gets to compile the kernels before the test gives up. */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @ParameterizedTest(name = "transA={0} transB={1} epilogue={2}")
    @CsvSource({"false,false,none", "true,false,none", "false,true,none", "true,true,none",
            "false,false,row-relu6", "false,false,column-leaky", "false,false,row-relu"})
    void steadyStateCallsAllocateOnlyFixedObjects(boolean transA, boolean transB, String epilogueName) {
        // 100: full 8 x 32 tiles and edge tiles (4 columns, 4 rows) in every call
        int size = 100;
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined(); ComputeContext one = ComputeContext.create(1)) {
            MemorySegment a = filled(arena, size * size, 1);
            MemorySegment b = filled(arena, size * size, 2);
            MemorySegment c = arena.allocate((long) size * size * Float.BYTES);
            MemorySegment bias = filled(arena, size, 3);
            Epilogue epilogue = switch (epilogueName) {
                case "none" -> Epilogue.NONE;
                case "row-relu6" -> new Epilogue(Epilogue.Bias.PER_ROW, bias, 0, Activation.relu6());
                case "row-relu" -> new Epilogue(Epilogue.Bias.PER_ROW, bias, 0, Activation.RELU);
                case "column-leaky" -> new Epilogue(Epilogue.Bias.PER_COLUMN, bias, 0, Activation.leakyRelu(0.1f));
                default -> throw new IllegalArgumentException(epilogueName);
            };
            long deadline = System.nanoTime() + PATIENCE_NANOS;
            long perCall;
            do {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < CALLS; i++) {
                    Sgemm.sgemm(one, transA, transB, size, size, size, 1f, a, 0, size, b, 0, size, 0f, c, 0, size,
                            epilogue);
                }
                perCall = (threads.getCurrentThreadAllocatedBytes() - before) / CALLS;
            } while (perCall > MAX_BYTES_PER_CALL && System.nanoTime() < deadline);
            assertTrue(perCall <= MAX_BYTES_PER_CALL, "a " + size + "^3 GEMM (transA=" + transA + ", transB="
                    + transB + ", epilogue " + epilogueName + ") still allocates " + perCall + " heap bytes per call after "
                    + PATIENCE_NANOS / 1_000_000_000 + " s of calls; expected at most " + MAX_BYTES_PER_CALL);
        }
    }

    private static MemorySegment filled(Arena arena, int count, int seed) {
        MemorySegment s = arena.allocate((long) count * Float.BYTES);
        for (int i = 0; i < count; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, ((i * 31 + seed) % 17) / 17f - 0.5f);
        }
        return s;
    }
}
