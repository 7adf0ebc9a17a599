package dev.fovea.cli;

import dev.fovea.nn.zoo.Zoo;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code fovea summary --model NAME [--input 1,3,224,224]}: a zoo model's Keras-style summary. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print a zoo model's layers with output shapes, parameters and multiply-accumulates,"
                + " then the totals, as Keras' model.summary().")
final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "A zoo model: ${COMPLETION-CANDIDATES}",
            completionCandidates = ModelNames.class)
    String model;

    @Option(names = "--input", split = ",", paramLabel = "N,C,H,W",
            description = "The input shape (default: the model's usual one, e.g. 1,3,224,224).")
    long[] input;

    @Override
    public Integer call() {
        long[] shape = input != null ? input : defaultInput();
        if (Arrays.stream(shape).anyMatch(d -> d < 1)) {
            throw new ParameterException(spec.commandLine(), "--input sizes must be >= 1, got "
                    + Arrays.toString(shape));
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            out.print(Zoo.create(model).summary(shape));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        out.flush();
        return 0;
    }

    private long[] defaultInput() {
        try {
            return Zoo.defaultInput(model);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** The zoo's names, for the help text. */
    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Zoo.names().iterator();
        }
    }
}
