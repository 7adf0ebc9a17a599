package dev.fovea.bench.ops;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.pool.Pool;
import dev.fovea.simd.pool.PoolSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One forward pooling of a named real layer ({@link PoolLayer}) per call, through
 * {@link Pool#maxPool}/{@link Pool#avgPool} ({@code path=vector}) or the reference loops
 * ({@code path=reference}), on native 64-byte aligned segments. Time per call in ms; the
 * {@code bench ops} command turns it into GB/s with {@link PoolLayer#bytes()}. {@code @Setup}
 * checks the kernel against the reference before anything is timed (max exact, average within
 * 1e-5 relative).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class PoolBench {
    /** A {@link PoolLayer} name. */
    @Param({"maxpool2x2.64x112", "avgpool3x3s1.64x56"})
    public String layer;

    /** {@code vector} (the library's kernels) or {@code reference} (the scalar loops). */
    @Param({"vector", "reference"})
    public String path;

    /** Threads of the compute context. */
    @Param({"1"})
    public int threads;

    /**
     * Max pooling only: {@code true} also writes the argmax indices (the forward of training);
     * with {@code path=reference} the reference loops then write them too.
     */
    @Param({"false"})
    public boolean indices;

    private PoolLayer pool;
    private PoolSpec spec;
    private MemorySegment in;
    private MemorySegment out;
    private MemorySegment idx;
    private ComputeContext ctx;
    private boolean reference;

    /** Allocates and fills the input, then checks the kernel against the reference. */
    @Setup(Level.Trial)
    public void setUp() {
        pool = PoolLayer.named(layer);
        spec = pool.spec();
        reference = path.equals("reference");
        ctx = ComputeContext.create(threads);
        in = Arena.ofAuto().allocate(spec.inputElements() * Float.BYTES, 64);
        out = Arena.ofAuto().allocate(spec.outputElements() * Float.BYTES, 64);
        idx = indices ? Arena.ofAuto().allocate(spec.outputElements() * Integer.BYTES, 64) : null;
        SplittableRandom r = new SplittableRandom(7);
        for (long i = 0; i < spec.inputElements(); i++) {
            in.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextDouble() * 4 - 2));
        }
        MemorySegment ref = Arena.ofAuto().allocate(spec.outputElements() * Float.BYTES, 64);
        Pool.reference(spec, pool.max(), in, 0, ref, 0);
        run();
        for (long i = 0; i < spec.outputElements(); i++) {
            float a = out.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            float e = ref.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            if (!(Math.abs(a - e) <= (pool.max() ? 0 : 1e-5 * Math.max(1, Math.abs(e))))) {
                throw new IllegalStateException(layer + ": kernel " + a + " != reference " + e + " at " + i);
            }
        }
    }

    /** Stops the context's threads. */
    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.close();
    }

    /** One pooling call. */
    @Benchmark
    public void run() {
        if (reference && idx != null) {
            Pool.maxPoolReference(spec, in, 0, out, 0, idx, 0);
        } else if (reference) {
            Pool.reference(spec, pool.max(), in, 0, out, 0);
        } else if (pool.max()) {
            Pool.maxPool(spec, in, 0, out, 0, idx, 0, ctx);
        } else {
            Pool.avgPool(spec, in, 0, out, 0, ctx);
        }
    }
}
