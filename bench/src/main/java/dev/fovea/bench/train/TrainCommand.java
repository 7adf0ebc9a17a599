package dev.fovea.bench.train;

import dev.fovea.bench.JmhRuns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./fovea bench train [--threads 1,2] [--epochs 2] [--data data/mnist]}: training speed of
 * LeNet-5 on MNIST (batch 64, SGD with momentum), each thread count in a JVM of its own
 * ({@link TrainRun}); prints images per second per epoch (the first includes the JIT's warm-up)
 * and the speed-up of each thread count over the first one. Compare with
 * {@code scripts/bench/torch_train.py}, the same model, batch and optimizer in PyTorch.
 */
public final class TrainCommand {
    private TrainCommand() {}

    /** Runs the command; returns the exit code. */
    public static int run(List<String> args, PrintStream out) throws IOException, InterruptedException {
        List<Integer> threads = List.of(1, 2);
        int epochs = 2;
        String data = "data/mnist";
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String v = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (a) {
                case "--threads" -> threads = JmhRuns.positiveListOption("--threads", v, 0);
                case "--epochs" -> epochs = Integer.parseInt(require(a, v));
                case "--data" -> data = require(a, v);
                default -> throw new IllegalArgumentException("train: unknown option '" + a + "'");
            }
            i++;
        }
        if (!Files.isDirectory(Path.of(data))) {
            throw new IllegalArgumentException("train: no MNIST folder at " + Path.of(data).toAbsolutePath()
                    + " (run from the repository root or pass --data)");
        }
        Map<Integer, List<double[]>> results = new LinkedHashMap<>();
        for (int t : threads) {
            results.put(t, runOnce(t, epochs, data, out));
        }
        out.println();
        out.printf(Locale.ROOT, "%8s %6s %10s %12s %10s%n", "threads", "epoch", "seconds", "images/s", "x first");
        double[] base = null;
        for (Map.Entry<Integer, List<double[]>> e : results.entrySet()) {
            List<double[]> epochsOf = e.getValue();
            if (base == null) {
                base = epochsOf.stream().mapToDouble(r -> r[1]).toArray();
            }
            for (int i = 0; i < epochsOf.size(); i++) {
                double[] r = epochsOf.get(i);
                out.printf(Locale.ROOT, "%8d %6d %10.2f %12.0f %9.2fx%n", e.getKey(), i + 1, r[0], r[1],
                        r[1] / base[Math.min(i, base.length - 1)]);
            }
        }
        return 0;
    }

    /** Runs {@link TrainRun} in a new JVM with {@code threads} threads; returns (seconds, images/s) per epoch. */
    private static List<double[]> runOnce(int threads, int epochs, String data, PrintStream out)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Dfovea.threads=" + threads, "-cp",
                System.getProperty("java.class.path"), TrainRun.class.getName(), data, Integer.toString(epochs)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<double[]> epochsOf = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("epoch=")) {
                    out.println("  " + line);
                    epochsOf.add(new double[] {field(line, "seconds"), field(line, "images_per_second")});
                } else if (!line.startsWith("WARNING")) {
                    out.println("  " + line);
                }
            }
        }
        if (p.waitFor() != 0 || epochsOf.isEmpty()) {
            throw new IllegalStateException("train: the run with " + threads + " threads failed");
        }
        return epochsOf;
    }

    private static double field(String line, String key) {
        for (String part : line.split(" ")) {
            if (part.startsWith(key + "=")) {
                return Double.parseDouble(part.substring(key.length() + 1));
            }
        }
        throw new IllegalStateException("train: no " + key + " in '" + line + "'");
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException("train: " + option + " needs a value");
        }
        return value;
    }
}
