package dev.fovea.bench;

import dev.fovea.bench.conv.ConvCommand;
import dev.fovea.bench.gemm.GemmCommand;
import dev.fovea.bench.infer.InferCommand;
import dev.fovea.bench.ops.OpsCommand;
import dev.fovea.bench.train.TrainCommand;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code ./fovea bench ...}: runs a family of JMH benchmarks programmatically and
 * prints a summary. Commands:
 * <pre>
 *   gemm [--threads N] [--quick] [--json FILE]   FMA peak + SGEMM points, % of peak, x naive
 *   conv [--threads N] [--batch N] [--quick] ...  FMA peak + conv layers x algorithms, x naive, x im2col
 *   ops [--threads N] [--quick] [--layers a,b]    pooling layers, ReLU, ADD: ms, GB/s, % of the cache level
 *   train [--threads 1,2] [--epochs N]            LeNet-5 on MNIST: images/s per epoch, one JVM per thread count
 *   infer [--threads 1,2] [--models a,b] [--engines x,y] [--quick] [--json FILE|DIR]
 *                                                 ONNX models, batch 1: Fovea against ONNX Runtime, p50/p99, heap
 * </pre>
 * Run as {@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.fovea.bench.BenchMain gemm ...}. For any other JMH run, use {@code org.openjdk.jmh.Main}
 * (the jar's main class) directly.
 */
public final class BenchMain {
    private BenchMain() {}

    /** Runs the command in {@code args[0]}; exits with 2 on a usage error. */
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            usage();
            System.exit(args.length == 0 ? 2 : 0);
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            int code = switch (args[0]) {
                case "gemm" -> GemmCommand.run(rest, System.out);
                case "conv" -> ConvCommand.run(rest, System.out);
                case "ops" -> OpsCommand.run(rest, System.out);
                case "train" -> TrainCommand.run(rest, System.out);
                case "infer" -> InferCommand.run(rest, System.out);
                default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'");
            };
            System.exit(code);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            usage();
            System.exit(2);
        }
    }

    private static void usage() {
        System.err.println("usage: BenchMain gemm [--threads N] [--quick] [--json FILE|DIR]");
        System.err.println("       BenchMain ops [--threads N] [--quick] [--layers a,b] [--json FILE|DIR]");
        System.err.println("       BenchMain train [--threads 1,2] [--epochs N] [--data DIR]");
        System.err.println("       BenchMain infer [--threads 1,2] [--models a,b] [--engines x,y] [--quick] [--json FILE|DIR]");
        System.err.println("       BenchMain conv [--threads N] [--batch N] [--quick] [--layers a,b] [--algos x,y] [--json FILE|DIR]");
    }
}
