package dev.fovea.bench.conv;

import dev.fovea.simd.conv.Conv;
import dev.fovea.simd.conv.ConvAlgorithm;
import dev.fovea.simd.conv.ConvNaive;
import dev.fovea.simd.conv.ConvPlan;
import dev.fovea.simd.conv.ConvPolicy;
import dev.fovea.simd.conv.ConvSpec;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.ActivationKernels;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
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
 * One planned 2-d convolution per trial: {@code @Param} algorithm x named layer x batch x threads.
 * Setup plans once and checks the algorithm against {@link ConvNaive} on the layer's
 * {@link ConvLayer#validationSpec()} (image 0, first channels) before any timing; a combination
 * the algorithm cannot run fails the trial with the reason. {@link #plan} times planning alone
 * (weight packing or transforms, workspace allocation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
public class Conv2dBench {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** Algorithm wire name, or {@code auto}: what {@link Conv#choose} picks for the layer at this batch. */
    @Param({"naive", "im2col", "implicit-gemm", "winograd", "winograd-f2", "depthwise", "shifted", "channel-lanes"})
    public String algo;

    /** A {@link ConvLayer} name. */
    @Param({"resnet18.layer1"})
    public String layer;

    /** Batch size. */
    @Param({"1"})
    public int batch;

    /** Threads of the compute context. */
    @Param({"1"})
    public int threads;

    /**
     * {@code none}, or an activation ({@code relu}, {@code gelu}, {@code silu}) fused into the plan
     * ({@code fused-relu}) or run afterwards over the whole output by {@link ActivationKernels}
     * ({@code after-relu}).
     */
    @Param({"none"})
    public String activation;

    private ConvSpec spec;
    private Arena arena;
    private ComputeContext ctx;
    private ConvAlgorithm algorithm;
    private MemorySegment in;
    private MemorySegment w;
    private MemorySegment bias;
    private MemorySegment out;
    private ConvPlan plan;
    private ActivationFunction fn;
    private boolean fused;

    /** Allocates operands, validates the algorithm against naive and plans the layer. */
    @Setup(Level.Trial)
    public void setup() {
        ConvLayer l = ConvLayer.named(layer);
        spec = l.spec(batch);
        algorithm = algo.equals("auto") ? Conv.choose(spec, ConvPolicy.AUTO) : Conv.algorithm(algo);
        String why = algorithm.unsupportedReason(spec);
        if (why != null) {
            throw new IllegalStateException(algo + " cannot run " + layer + ": " + why);
        }
        arena = Arena.ofShared();
        ctx = ComputeContext.create(threads);
        SplittableRandom rnd = new SplittableRandom(7);
        in = random(spec.inputElements(), rnd);
        w = random(spec.weightElements(), rnd);
        bias = random(spec.outC(), rnd);
        out = arena.allocate(spec.outputElements() * Float.BYTES, 64);
        validate(l.validationSpec());
        plan = algorithm.plan(spec, w, 0, ctx);
        if (!activation.equals("none")) {
            String[] parts = activation.split("-", 2);
            if (parts.length != 2 || !(parts[0].equals("fused") || parts[0].equals("after"))) {
                throw new IllegalArgumentException("activation: none, fused-NAME or after-NAME, got " + activation);
            }
            fused = parts[0].equals("fused");
            fn = ActivationFunction.of(ActivationFunction.Kind.valueOf(parts[1].toUpperCase(Locale.ROOT)));
        }
    }

    private void validate(ConvSpec v) {
        MemorySegment ref = arena.allocate(v.outputElements() * Float.BYTES, 64);
        MemorySegment got = arena.allocate(v.outputElements() * Float.BYTES, 64);
        ConvNaive.forward(v, in, 0, w, 0, bias, 0, ref, 0);
        algorithm.plan(v, w, 0, ctx).execute(in, 0, bias, 0, got, 0);
        double err = 0;
        double norm = 0;
        for (long i = 0; i < v.outputElements(); i++) {
            double r = ref.getAtIndex(F, i);
            double d = got.getAtIndex(F, i) - r;
            err += d * d;
            norm += r * r;
        }
        if (err > algorithm.maxNmse() * norm) {
            throw new IllegalStateException(algo + " on " + layer + " differs from naive: NMSE " + err / norm);
        }
    }

    private MemorySegment random(long elements, SplittableRandom rnd) {
        MemorySegment s = arena.allocate(elements * Float.BYTES, 64);
        for (long i = 0; i < elements; i++) {
            s.setAtIndex(F, i, (float) (rnd.nextDouble() * 2 - 1));
        }
        return s;
    }

    /** Frees the operands and the context's threads. */
    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.close();
        arena.close();
    }

    /** One forward convolution with the planned algorithm. */
    @Benchmark
    public MemorySegment conv() {
        plan.execute(in, 0, bias, 0, out, 0, fused ? fn : null);
        if (fn != null && !fused) {
            ActivationKernels.forward(fn, out, 0, out, 0, spec.outputElements(), ctx);
        }
        return out;
    }

    /** Planning alone: weight packing or transforms and workspace allocation. */
    @Benchmark
    public ConvPlan plan() {
        return algorithm.plan(spec, w, 0, ctx);
    }
}
