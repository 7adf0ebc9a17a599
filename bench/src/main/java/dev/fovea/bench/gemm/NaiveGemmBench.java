package dev.fovea.bench.gemm;

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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The baseline the speed-ups are quoted against: the textbook triple loop (i, j, then a float
 * dot product over p) on heap {@code float[]} arrays, one thread, what a first Java version
 * of a matrix multiply looks like. Only shapes that finish in reasonable time are listed; the
 * big ones are not run (and nothing is extrapolated).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class NaiveGemmBench {
    /** Largest 2 m n k the naive baseline is run for (the 512 cube, ~0.3 s per multiply naively). */
    public static final double MAX_FLOPS = 3e8;

    /** A {@link GemmShape} name. */
    @Param({"square64", "square128", "square256", "square512", "resnet18.layer1", "resnet18.layer4",
            "lenet5.conv2"})
    public String shape;

    private GemmShape s;
    private float[] a;
    private float[] b;
    private float[] c;

    /** Fills the operands. */
    @Setup(Level.Trial)
    public void setup() {
        s = GemmShape.named(shape);
        SplittableRandom rnd = new SplittableRandom(42);
        a = new float[s.m() * s.k()];
        b = new float[s.k() * s.n()];
        c = new float[s.m() * s.n()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rnd.nextDouble(-1, 1);
        }
    }

    /** One naive multiply. */
    @Benchmark
    public float[] naive() {
        multiply(s.m(), s.n(), s.k(), a, b, c);
        return c;
    }

    /** C = A B with the textbook loops. */
    static void multiply(int m, int n, int k, float[] a, float[] b, float[] c) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = sum;
            }
        }
    }
}
