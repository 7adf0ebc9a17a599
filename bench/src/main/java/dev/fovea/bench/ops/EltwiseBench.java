package dev.fovea.bench.ops;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.BinaryOp;
import dev.fovea.simd.eltwise.UnaryOp;
import dev.fovea.simd.eltwise.impl.EltwiseScalar;
import dev.fovea.simd.eltwise.impl.EltwiseVector;
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
 * One vectorized elementwise op against its scalar path: {@code y = a + b} and {@code y = relu(x)}
 * (memory bound) and {@code y = exp(x)} (compute bound), on 1K (L1), 64K (L2) and 4M (DRAM) floats, native 64-byte
 * aligned segments, calling {@link EltwiseVector} and {@link EltwiseScalar} directly.
 *
 * <p>Primary metric: calls per second. The secondary metric {@code bytes} is the memory traffic
 * per second counted as the bytes the op reads and writes (ADD: 12 per element, EXP and RELU: 8); divide
 * by 1e9 for GB/s and compare with the roofline in PERFORMANCE-NOTES.md. {@code @Setup} checks
 * that both paths agree before anything is timed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class EltwiseBench {
    /** Kernel path: {@code vector} (EltwiseVector) or {@code scalar} (EltwiseScalar). */
    @Param({"vector", "scalar"})
    public String path;

    /** The op: {@code add} (binary, contiguous), {@code exp} or {@code relu} (unary). */
    @Param({"add", "exp", "relu"})
    public String op;

    /** Elements per call. */
    @Param({"1024", "65536", "4194304"})
    public int n;

    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment y;
    private boolean vector;
    private boolean add;
    private UnaryOp unary;
    private long bytesPerCall;

    /** Memory traffic of the measured calls, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Traffic {
        /** Bytes read and written. */
        public long bytes;
    }

    /** Allocates and fills the operands, then checks vector against scalar. */
    @Setup(Level.Trial)
    public void setUp() {
        vector = path.equals("vector");
        add = op.equals("add");
        unary = op.equals("relu") ? UnaryOp.RELU : UnaryOp.EXP;
        if (vector && !Simd.VECTOR) {
            throw new IllegalStateException("vector path requested but the Vector API is off: " + Simd.reason());
        }
        Arena arena = Arena.ofAuto();
        a = arena.allocate((long) n * Float.BYTES, 64);
        b = arena.allocate((long) n * Float.BYTES, 64);
        y = arena.allocate((long) n * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(42);
        for (long i = 0; i < n; i++) {
            a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextDouble() * 20 - 10));
            b.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextDouble() * 20 - 10));
        }
        bytesPerCall = (long) n * Float.BYTES * (add ? 3 : 2);
        if (Simd.VECTOR) {
            validate();
        }
    }

    /** Vector and scalar must agree: bit for bit for ADD and RELU, within 4 ulp for EXP (SVML vs Math.exp). */
    private void validate() {
        MemorySegment ref = Arena.ofAuto().allocate((long) n * Float.BYTES, 64);
        call(true, y);
        call(false, ref);
        for (long i = 0; i < n; i++) {
            float v = y.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            float s = ref.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            boolean exact = add || unary == UnaryOp.RELU;
            if (exact ? Float.floatToIntBits(v) != Float.floatToIntBits(s) : Math.abs(v - s) > 4 * Math.ulp(s)) {
                throw new IllegalStateException(op + " vector " + v + " != scalar " + s + " at " + i);
            }
        }
    }

    private void call(boolean vec, MemorySegment out) {
        if (vec) {
            if (add) {
                EltwiseVector.binary(BinaryOp.ADD, a, 0, 1, b, 0, 1, out, 0, 1, n);
            } else {
                EltwiseVector.unary(unary, a, 0, 1, out, 0, 1, n);
            }
        } else if (add) {
            EltwiseScalar.binary(BinaryOp.ADD, a, 0, 1, b, 0, 1, out, 0, 1, n);
        } else {
            EltwiseScalar.unary(unary, a, 0, 1, out, 0, 1, n);
        }
    }

    /** One call over {@code n} elements. */
    @Benchmark
    public void run(Traffic t) {
        call(vector, y);
        t.bytes += bytesPerCall;
    }
}
