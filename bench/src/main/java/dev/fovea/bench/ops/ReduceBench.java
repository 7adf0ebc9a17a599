package dev.fovea.bench.ops;

import dev.fovea.simd.Simd;
import dev.fovea.simd.reduce.impl.ReduceScalar;
import dev.fovea.simd.reduce.impl.ReduceVector;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The blocked float sum on its vector path against its scalar path ({@link ReduceVector#sum} vs
 * {@link ReduceScalar#sum}) on 1K, 64K and 4M contiguous floats. Primary metric: calls per
 * second; {@code bytes} is the bytes read per second (4 per element; divide by 1e9 for GB/s).
 * {@code @Setup} checks that both sums are within the documented bound of the exact sum.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ReduceBench {
    /** Kernel path: {@code vector} (ReduceVector) or {@code scalar} (ReduceScalar). */
    @Param({"vector", "scalar"})
    public String path;

    /** Elements per call. */
    @Param({"1024", "65536", "4194304"})
    public int n;

    private MemorySegment x;
    private boolean vector;

    /** Bytes read, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Traffic {
        /** Bytes read. */
        public long bytes;
    }

    /** Fills the input and checks both paths against the exact sum. */
    @Setup(Level.Trial)
    public void setUp() {
        vector = path.equals("vector");
        if (vector && !Simd.VECTOR) {
            throw new IllegalStateException("vector path requested but the Vector API is off: " + Simd.reason());
        }
        x = Arena.ofAuto().allocate((long) n * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(7);
        double exact = 0;
        double abs = 0;
        for (long i = 0; i < n; i++) {
            float v = (float) (r.nextDouble() * 2 - 1);
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
            exact += v;
            abs += Math.abs(v);
        }
        double bound = 68 * Math.ulp(1f) / 2 * abs; // Reduce's documented bound, 66 u sum|x|, plus margin
        float s = ReduceScalar.sum(x, 0, 1, n);
        float v = Simd.VECTOR ? ReduceVector.sum(x, 0, 1, n) : s;
        if (Math.abs(s - exact) > bound || Math.abs(v - exact) > bound) {
            throw new IllegalStateException("sum check failed: scalar " + s + ", vector " + v + ", exact " + exact);
        }
    }

    /** One sum over {@code n} elements. */
    @Benchmark
    public float sum(Traffic t) {
        t.bytes += (long) n * Float.BYTES;
        return vector ? ReduceVector.sum(x, 0, 1, n) : ReduceScalar.sum(x, 0, 1, n);
    }
}
