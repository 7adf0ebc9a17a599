package dev.fovea.bench.gemm;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FP32 FMA peak of one thread: 12 independent vector accumulators (more than the FMA latency
 * times the FMA ports, so the chains never wait), 4096 steps per call. The score is in FLOP/s
 * (one FMA = 2 FLOP per lane); run it with JMH threads = N for the peak of N cores. Every GEMM
 * figure of {@code BenchMain gemm} is printed as a percentage of this, measured in the same run.
 *
 * <p>The inputs come from a {@code @State} array, not constants: with constant operands C2 once
 * compiled this loop to half the throughput (51 vs 116 GFLOP/s on Zen 4).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FmaPeakBench {
    static final int STEPS = 4096;
    static final int ACCUMULATORS = 12;
    private static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
    /** FLOP per call for 512-bit vectors. */
    static final int FLOPS_512 = STEPS * ACCUMULATORS * 16 * 2;
    /** FLOP per call for 256-bit vectors. */
    static final int FLOPS_256 = STEPS * ACCUMULATORS * 8 * 2;

    private final float[] in = new float[64];

    /** Fills the operands: acc = acc * 0.999 + 1e-7 stays finite and normal forever. */
    @Setup
    public void setup() {
        for (int i = 0; i < in.length; i++) {
            in[i] = i < 16 ? 0.999f : i < 32 ? 1e-7f : 0.5f + i;
        }
    }

    /** 512-bit FMAs. */
    @Benchmark
    @OperationsPerInvocation(FLOPS_512)
    public float peak512() {
        return run512(in);
    }

    /** 256-bit FMAs. */
    @Benchmark
    @OperationsPerInvocation(FLOPS_256)
    public float peak256() {
        return run256(in);
    }

    static float run512(float[] in) {
        FloatVector x = FloatVector.fromArray(S512, in, 0);
        FloatVector y = FloatVector.fromArray(S512, in, 16);
        FloatVector c0 = FloatVector.fromArray(S512, in, 32);
        FloatVector c1 = c0.add(1f), c2 = c0.add(2f), c3 = c0.add(3f), c4 = c0.add(4f), c5 = c0.add(5f);
        FloatVector c6 = c0.add(6f), c7 = c0.add(7f), c8 = c0.add(8f), c9 = c0.add(9f), c10 = c0.add(10f);
        FloatVector c11 = c0.add(11f);
        for (int i = 0; i < STEPS; i++) {
            c0 = x.fma(y, c0);
            c1 = x.fma(y, c1);
            c2 = x.fma(y, c2);
            c3 = x.fma(y, c3);
            c4 = x.fma(y, c4);
            c5 = x.fma(y, c5);
            c6 = x.fma(y, c6);
            c7 = x.fma(y, c7);
            c8 = x.fma(y, c8);
            c9 = x.fma(y, c9);
            c10 = x.fma(y, c10);
            c11 = x.fma(y, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    static float run256(float[] in) {
        FloatVector x = FloatVector.fromArray(S256, in, 0);
        FloatVector y = FloatVector.fromArray(S256, in, 16);
        FloatVector c0 = FloatVector.fromArray(S256, in, 32);
        FloatVector c1 = c0.add(1f), c2 = c0.add(2f), c3 = c0.add(3f), c4 = c0.add(4f), c5 = c0.add(5f);
        FloatVector c6 = c0.add(6f), c7 = c0.add(7f), c8 = c0.add(8f), c9 = c0.add(9f), c10 = c0.add(10f);
        FloatVector c11 = c0.add(11f);
        for (int i = 0; i < STEPS; i++) {
            c0 = x.fma(y, c0);
            c1 = x.fma(y, c1);
            c2 = x.fma(y, c2);
            c3 = x.fma(y, c3);
            c4 = x.fma(y, c4);
            c5 = x.fma(y, c5);
            c6 = x.fma(y, c6);
            c7 = x.fma(y, c7);
            c8 = x.fma(y, c8);
            c9 = x.fma(y, c9);
            c10 = x.fma(y, c10);
            c11 = x.fma(y, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
