package dev.fovea.bench.ops;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.impl.ActivationScalar;
import dev.fovea.simd.eltwise.impl.generated.ActivationVectorOps;
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
 * The activation kernels forward ({@code y = f(x)}) and backward ({@code dx = g f'(x)}), vector
 * path against the scalar definitions, on 64K floats (L2-resident), calling the generated loops
 * and {@code ActivationScalar} directly. Primary metric: calls per second; the secondary metric
 * {@code elements} counts elements per second (divide by 1e9 for Gelem/s; times 8 or 12 bytes for
 * the memory traffic of forward and backward). {@code @Setup} checks that the two paths agree bit
 * for bit before anything is timed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ActivationBench {
    /** Kernel path: {@code vector} or {@code scalar}. */
    @Param({"vector", "scalar"})
    public String path;

    /** The function, as a {@link ActivationFunction.Kind} name (parameters: PyTorch's defaults). */
    @Param({"RELU", "LEAKY_RELU", "ELU", "GELU", "GELU_TANH", "SILU", "MISH", "HARDSWISH", "SOFTPLUS", "SIGMOID", "TANH"})
    public String kind;

    /** {@code forward} or {@code backward}. */
    @Param({"forward", "backward"})
    public String direction;

    /** Elements per call. */
    @Param({"65536"})
    public int n;

    private ActivationFunction f;
    private MemorySegment x;
    private MemorySegment g;
    private MemorySegment y;
    private boolean vector;
    private boolean forward;

    /** Elements processed, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Work {
        /** Elements computed. */
        public long elements;
    }

    /** Allocates and fills the operands, then checks vector against scalar. */
    @Setup(Level.Trial)
    public void setUp() {
        f = switch (ActivationFunction.Kind.valueOf(kind)) {
            case LEAKY_RELU -> ActivationFunction.leakyRelu(0.01f);
            case ELU -> ActivationFunction.elu(1f);
            case CELU -> ActivationFunction.celu(1f);
            case HARDTANH -> ActivationFunction.relu6();
            case SOFTPLUS -> ActivationFunction.softplus(1f, 20f);
            default -> ActivationFunction.of(ActivationFunction.Kind.valueOf(kind));
        };
        vector = path.equals("vector");
        forward = direction.equals("forward");
        if (vector && !Simd.VECTOR) {
            throw new IllegalStateException("vector path requested but the Vector API is off: " + Simd.reason());
        }
        Arena arena = Arena.ofAuto();
        x = arena.allocate((long) n * Float.BYTES, 64);
        g = arena.allocate((long) n * Float.BYTES, 64);
        y = arena.allocate((long) n * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(42);
        for (long i = 0; i < n; i++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextGaussian() * 3));
            g.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        }
        if (Simd.VECTOR) {
            MemorySegment ref = arena.allocate((long) n * Float.BYTES, 64);
            call(true, y);
            call(false, ref);
            long at = y.mismatch(ref);
            if (at >= 0) {
                throw new IllegalStateException(kind + " " + direction + ": vector and scalar differ at byte " + at);
            }
        }
    }

    private void call(boolean vec, MemorySegment out) {
        if (forward) {
            if (vec) {
                ActivationVectorOps.forward(f.kind(), f.alpha(), f.beta(), x, 0, out, 0, n);
            } else {
                ActivationScalar.forward(f.kind(), f.alpha(), f.beta(), x, 0, out, 0, n);
            }
        } else if (vec) {
            ActivationVectorOps.backward(f.kind(), f.alpha(), f.beta(), x, 0, g, 0, out, 0, n);
        } else {
            ActivationScalar.backward(f.kind(), f.alpha(), f.beta(), x, 0, g, 0, out, 0, n);
        }
    }

    /** One call over {@code n} elements. */
    @Benchmark
    public void run(Work w) {
        call(vector, y);
        w.elements += n;
    }
}
