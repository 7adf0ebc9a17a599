package dev.fovea.bench.gemm;

import dev.fovea.simd.gemm.Epilogue;
import dev.fovea.simd.gemm.PackedMatrix;
import dev.fovea.simd.gemm.Sgemm;
import dev.fovea.simd.parallel.ComputeContext;
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
 * {@link Sgemm} on the squares and convolution shapes ({@link GemmShape}), row-major,
 * A (m x k) times B (k x n), beta = 0, native 64-byte aligned segments of a shared arena.
 * {@code packing}: {@code percall} packs A in every call (the plain {@code sgemm}),
 * {@code prepacked} multiplies with a {@link PackedMatrix} made once in {@code @Setup}, as
 * inference does with weights. {@code threads}: the {@link ComputeContext}'s thread count.
 *
 * <p>Score: milliseconds per multiply; GFLOP/s = {@code 2 m n k / time}. {@code @Setup} runs one
 * multiply and checks 64 sampled elements of C against double-precision dot products before
 * anything is timed; {@code @TearDown} records the micro-kernel's JIT tier ({@link JitCheck}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SgemmBench {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** A {@link GemmShape} name. */
    @Param({"square64", "square128", "square256", "square512", "square1024", "square2048", "resnet18.layer1",
            "resnet18.layer4", "vgg16.conv1_2", "lenet5.conv2"})
    public String shape;

    /** {@code percall} or {@code prepacked} (A packed once). */
    @Param({"percall", "prepacked"})
    public String packing;

    /** Threads of the compute context. */
    @Param({"1", "2"})
    public int threads;

    private GemmShape s;
    private Arena arena;
    private ComputeContext ctx;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;
    private PackedMatrix packed;

    /** Allocates and fills the operands, packs A if asked, and validates one multiply. */
    @Setup(Level.Trial)
    public void setup() {
        s = GemmShape.named(shape);
        arena = Arena.ofShared();
        SplittableRandom rnd = new SplittableRandom(42);
        a = random(arena, (long) s.m() * s.k(), rnd);
        b = random(arena, (long) s.k() * s.n(), rnd);
        c = arena.allocate((long) s.m() * s.n() * Float.BYTES, 64);
        ctx = ComputeContext.create(threads);
        if (packing.equals("prepacked")) {
            packed = PackedMatrix.packA(false, s.m(), s.k(), a, 0, s.k());
        } else if (!packing.equals("percall")) {
            throw new IllegalArgumentException("packing must be percall or prepacked, got " + packing);
        }
        sgemm();
        validate(s, a, b, c);
    }

    /** One multiply. */
    @Benchmark
    public void sgemm() {
        if (packed != null) {
            Sgemm.sgemm(ctx, packed, false, s.n(), 1f, b, 0, s.n(), 0f, c, 0, s.n(), Epilogue.NONE);
        } else {
            Sgemm.sgemm(ctx, false, false, s.m(), s.n(), s.k(), 1f, a, 0, s.k(), b, 0, s.n(), 0f, c, 0, s.n(),
                    Epilogue.NONE);
        }
    }

    /** Records the kernel's JIT tier and frees everything. */
    @TearDown(Level.Trial)
    public void tearDown() {
        JitCheck.record("sgemm " + shape + " " + packing + " threads=" + threads);
        ctx.close();
        arena.close();
    }

    static MemorySegment random(Arena arena, long floats, SplittableRandom rnd) {
        MemorySegment seg = arena.allocate(floats * Float.BYTES, 64);
        for (long i = 0; i < floats; i++) {
            seg.setAtIndex(F, i, (float) rnd.nextDouble(-1, 1));
        }
        return seg;
    }

    /**
     * Checks 64 sampled elements of C = A B against double dot products, within
     * {@code 2 (k + 4) 2^-24 sum_p |a b|} (the float FMA chain's error bound, see SgemmTest).
     */
    static void validate(GemmShape s, MemorySegment a, MemorySegment b, MemorySegment c) {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int t = 0; t < 64; t++) {
            int i = rnd.nextInt(s.m());
            int j = rnd.nextInt(s.n());
            double sum = 0;
            double mag = 0;
            for (int p = 0; p < s.k(); p++) {
                double prod = (double) a.getAtIndex(F, (long) i * s.k() + p) * b.getAtIndex(F, (long) p * s.n() + j);
                sum += prod;
                mag += Math.abs(prod);
            }
            float got = c.getAtIndex(F, (long) i * s.n() + j);
            double tol = 2.0 * (s.k() + 4) * Math.ulp(1f) / 2 * mag + Float.MIN_NORMAL;
            if (!(Math.abs(got - sum) <= tol)) {
                throw new IllegalStateException("SgemmBench " + s + ": C(" + i + ", " + j + ") = " + got
                        + ", expected " + sum + " +- " + tol);
            }
        }
    }
}
