package dev.fovea.bench.conv;

import dev.fovea.simd.conv.ConvBackward;
import dev.fovea.simd.conv.ConvNaive;
import dev.fovea.simd.conv.ConvSpec;
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
 * The two convolution gradients of training, per {@code @Param} method ({@link ConvBackward.Method}:
 * {@code col2im} = im2col/col2im and GEMM, {@code direct} = weighted sums of shifted dOut rows for
 * the input gradient and shifted-row dot products for the weights, {@code auto}) x named layer
 * x batch x threads. Setup checks the plan's result against {@link ConvNaive} on image 0 of a
 * batch-1 copy of the layer before any timing. The whole plan is timed as a training step runs
 * it: plan (workspace allocation) and one gradient.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
public class ConvBackwardBench {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** {@code col2im}, {@code direct} or {@code auto}. */
    @Param({"col2im", "direct"})
    public String method;

    /** {@code data} (input gradient) or {@code weight}. */
    @Param({"data", "weight"})
    public String gradient;

    /** A {@link ConvLayer} name. */
    @Param({"lenet5.conv1", "lenet5.conv2"})
    public String layer;

    /** Batch size. */
    @Param({"64"})
    public int batch;

    /** Threads of the compute context. */
    @Param({"1"})
    public int threads;

    private ConvSpec spec;
    private ConvBackward.Method m;
    private Arena arena;
    private ComputeContext ctx;
    private MemorySegment in;
    private MemorySegment w;
    private MemorySegment dOut;
    private MemorySegment result;

    /** Allocates operands and validates the method against naive. */
    @Setup(Level.Trial)
    public void setup() {
        spec = ConvLayer.named(layer).spec(batch);
        m = ConvBackward.Method.valueOf(method.toUpperCase(Locale.ROOT));
        arena = Arena.ofShared();
        ctx = ComputeContext.create(threads);
        SplittableRandom rnd = new SplittableRandom(7);
        in = random(spec.inputElements(), rnd);
        w = random(spec.weightElements(), rnd);
        dOut = random(spec.outputElements(), rnd);
        result = arena.allocate(Math.max(spec.inputElements(), spec.weightElements()) * Float.BYTES, 64);
        validate(spec.toBuilder().n(1).build());
    }

    private void validate(ConvSpec v) {
        boolean data = gradient.equals("data");
        long count = data ? v.inputElements() : v.weightElements();
        MemorySegment ref = arena.allocate(count * Float.BYTES, 64);
        if (data) {
            ConvNaive.backwardData(v, dOut, 0, w, 0, ref, 0);
        } else {
            ConvNaive.backwardWeight(v, in, 0, dOut, 0, ref, 0);
        }
        try (ConvBackward.Plan p = ConvBackward.plan(v, m)) {
            run(p);
        }
        double err = 0;
        double norm = 0;
        for (long i = 0; i < count; i++) {
            double r = ref.getAtIndex(F, i);
            double d = result.getAtIndex(F, i) - r;
            err += d * d;
            norm += r * r;
        }
        if (err > 1e-8 * norm) {
            throw new IllegalStateException(method + " " + gradient + " gradient of " + layer
                    + " differs from naive: NMSE " + err / norm);
        }
    }

    private void run(ConvBackward.Plan p) {
        if (gradient.equals("data")) {
            p.data(dOut, 0, w, 0, result, 0, ctx);
        } else {
            p.weight(in, 0, dOut, 0, result, 0, ctx);
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

    /** Plans the layer's gradients and computes one of them, as a training step does. */
    @Benchmark
    public MemorySegment gradient() {
        try (ConvBackward.Plan p = ConvBackward.plan(spec, m)) {
            run(p);
        }
        return result;
    }
}
