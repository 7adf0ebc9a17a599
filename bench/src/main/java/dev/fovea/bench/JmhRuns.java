package dev.fovea.bench;

import dev.fovea.bench.gemm.FmaPeakBench;
import dev.fovea.simd.CpuFeatures;
import dev.fovea.simd.Simd;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** What the {@code bench} commands share: JMH options, the median score, the FMA peak, JSON and file names. */
public final class JmhRuns {
    /** JVM flags of every fork (the annotations' flags are replaced when the runner sets any). */
    public static final String[] FORK_FLAGS = {"--add-modules=jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"};

    private JmhRuns() {}

    /**
     * One fork running {@code include}; quick: 4 x 0.5 s warm-up and 3 x 0.5 s measurement, else
     * 5 x 1 s and 5 x 1 s. Quick still warms up 2 s: cold, a tiny GEMM runs 500x slower
     * (interpreted Vector API) and C2 needs 1-2 s to compile the kernels of a new shape.
     */
    public static ChainedOptionsBuilder options(String include, boolean quick) {
        int warm = quick ? 4 : 5;
        int meas = quick ? 3 : 5;
        TimeValue time = quick ? TimeValue.milliseconds(500) : TimeValue.seconds(1);
        return new OptionsBuilder().include(include).forks(1).warmupIterations(warm).warmupTime(time)
                .measurementIterations(meas).measurementTime(time).jvmArgsAppend(FORK_FLAGS)
                .verbosity(VerboseMode.SILENT).shouldFailOnError(true);
    }

    /** {@code flags} of every fork plus {@code extra}. */
    public static String[] forkFlags(String... extra) {
        String[] all = java.util.Arrays.copyOf(FORK_FLAGS, FORK_FLAGS.length + extra.length);
        System.arraycopy(extra, 0, all, FORK_FLAGS.length, extra.length);
        return all;
    }

    /**
     * Runs the benchmark and returns the median of its measurement iterations' scores rather than
     * JMH's mean: on a shared machine one disturbed iteration would otherwise move the figure.
     */
    public static double median(ChainedOptionsBuilder options) throws RunnerException {
        return medianScore(runOne(options));
    }

    /**
     * Runs the benchmark with JMH's GC profiler and returns the median score ({@link #median}) and
     * the bytes allocated per operation ({@code gc.alloc.rate.norm}, NaN if JMH did not report it).
     */
    public static double[] medianAndAllocation(ChainedOptionsBuilder options) throws RunnerException {
        RunResult run = runOne(options.addProfiler(GCProfiler.class));
        double alloc = Double.NaN;
        for (var e : run.getSecondaryResults().entrySet()) {
            if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                alloc = e.getValue().getScore();
            }
        }
        return new double[] {medianScore(run), alloc};
    }

    /**
     * Runs a sample-time benchmark with JMH's GC profiler and returns the given percentiles of
     * all its samples (in the benchmark's time unit), then the bytes allocated per operation
     * ({@code gc.alloc.rate.norm}, NaN if JMH did not report it).
     */
    public static double[] percentilesAndAllocation(ChainedOptionsBuilder options, double... percentiles)
            throws RunnerException {
        RunResult run = runOne(options.addProfiler(GCProfiler.class));
        double[] out = new double[percentiles.length + 1];
        for (int i = 0; i < percentiles.length; i++) {
            out[i] = run.getPrimaryResult().getStatistics().getPercentile(percentiles[i]);
        }
        out[percentiles.length] = Double.NaN;
        for (var e : run.getSecondaryResults().entrySet()) {
            if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                out[percentiles.length] = e.getValue().getScore();
            }
        }
        return out;
    }

    /** Runs the options and returns the (first) benchmark's result. */
    private static RunResult runOne(ChainedOptionsBuilder options) throws RunnerException {
        Collection<RunResult> results = new Runner(options.build()).run();
        if (results.isEmpty()) {
            throw new IllegalStateException("JMH ran nothing: is the benchmark list in the jar?");
        }
        return results.iterator().next();
    }

    /** The median of the measurement iterations' scores, or JMH's score if it kept none. */
    private static double medianScore(RunResult run) {
        List<Double> scores = new ArrayList<>();
        for (BenchmarkResult b : run.getBenchmarkResults()) {
            for (IterationResult it : b.getIterationResults()) {
                scores.add(it.getPrimaryResult().getScore());
            }
        }
        if (scores.isEmpty()) {
            return run.getPrimaryResult().getScore();
        }
        scores.sort(null);
        int n = scores.size();
        return n % 2 == 1 ? scores.get(n / 2) : (scores.get(n / 2 - 1) + scores.get(n / 2)) / 2;
    }

    /** The FMA peak in GFLOP/s of {@code threads} threads at this machine's vector width. */
    public static double peakGflops(int threads, boolean quick) throws RunnerException {
        int bits = Simd.BITS >= 512 ? 512 : 256;
        progress("FMA peak (" + bits + "-bit, " + threads + " thread(s))");
        return median(options(FmaPeakBench.class.getName() + ".peak" + bits + "$", quick).threads(threads)) / 1e9;
    }

    /** A report file name: {@code <what>-<cpu>-<bits>bit-t<threads>-jdk<N>.json}. */
    public static String fileName(String what, int threads) {
        String cpu = CpuFeatures.detected().model().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "");
        return String.format(Locale.ROOT, "%s-%s-%dbit-t%d-jdk%d.json", what, cpu, Simd.BITS, threads,
                Runtime.version().feature());
    }

    /**
     * The value {@code v} of a command-line option that must be a whole number >= 1 (the third
     * argument is the caller's advanced index, ignored: it lets the caller write {@code ++i} inline).
     *
     * @throws IllegalArgumentException naming the option if it is not
     */
    public static int positiveOption(String option, String v, int ignored) {
        try {
            int t = Integer.parseInt(v);
            if (t >= 1) {
                return t;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a whole number >= 1, got " + v);
    }

    /**
     * The value {@code v} of a command-line option that is a comma-separated list of whole numbers
     * {@code >= 1}, e.g. {@code --threads 1,2} (the third argument as in {@link #positiveOption}).
     *
     * @throws IllegalArgumentException naming the option if it is missing or an entry is not such a number
     */
    public static List<Integer> positiveListOption(String option, String v, int ignored) {
        if (v == null) {
            throw new IllegalArgumentException(option + " needs a comma-separated list of whole numbers >= 1");
        }
        List<Integer> list = new ArrayList<>();
        for (String s : v.split(",")) {
            list.add(positiveOption(option, s.strip(), 0));
        }
        return List.copyOf(list);
    }

    /**
     * The value {@code v} of a {@code --json FILE|DIR} option (the third argument as in {@link #positiveOption}).
     *
     * @throws IllegalArgumentException naming the option if it is missing
     */
    public static Path pathOption(String option, String v, int ignored) {
        if (v == null) {
            throw new IllegalArgumentException(option + " needs a file or directory name");
        }
        return Path.of(v);
    }

    /**
     * The value {@code v} of a command-line option that is a comma-separated list of names from {@code known}.
     *
     * @throws IllegalArgumentException naming the option and the known names if one is unknown
     */
    public static List<String> namesOption(String option, String v, int ignored, List<String> known) {
        if (v == null) {
            throw new IllegalArgumentException(option + " needs a comma-separated list, one of " + known);
        }
        List<String> list = List.of(v.split(","));
        for (String s : list) {
            if (!known.contains(s)) {
                throw new IllegalArgumentException(option + ": unknown '" + s + "'; known: " + known);
            }
        }
        return list;
    }

    /** A JSON number, {@code null} for NaN. */
    public static String num(double v) {
        return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** A JSON string literal. */
    public static String str(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Prints a timestamped progress line to stderr. */
    public static void progress(String what) {
        System.err.println("[" + OffsetDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + what);
    }
}
