package dev.fovea.cli;

import dev.fovea.nn.Module;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fovea predict}: classifies image files with trained weights, preparing each image as
 * training did ({@link Preprocessing}), and prints the class and the top probabilities.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classify images (PNG, JPEG, GIF, BMP) with weights written by 'fovea train': print each"
                + " image's class and its top-3 softmax probabilities.",
            "Each image is converted to grey (or RGB for cifar10), resized to the dataset's size by area"
                + " averaging if needed, inverted if it is dark on light (grey datasets, --invert auto), then"
                + " padded and normalised exactly as in training."})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--weights", required = true, paramLabel = "FILE",
            description = "The weights, e.g. runs/lenet5-mnist/model.safetensors.")
    Path weights;

    @Option(names = "--model", defaultValue = "lenet5", description = "The model the weights are for (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--dataset", defaultValue = "mnist",
            description = "The dataset the model was trained on: its classes and normalisation (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--invert", defaultValue = "AUTO",
            description = "auto (invert grey images whose mean is above 1/2), always or never (default: auto).")
    Preprocessing.Invert invert;

    @Option(names = "--top", defaultValue = "3", description = "Probabilities shown per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--threads", description = "Compute threads (default: one per processor).")
    Integer threads;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "The image files.")
    List<Path> images;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        DatasetKind kind = Commands.dataset(spec, dataset);
        Preprocessing prep = Commands.preprocessing(spec, kind, model);
        if (top < 1) {
            throw new ParameterException(spec.commandLine(), "--top must be >= 1, got " + top);
        }
        Commands.requireFile(spec, weights, "weights file");
        for (Path image : images) {
            Commands.requireFile(spec, image, "image");
        }
        Threads.configure(threads, spec.commandLine().getErr());
        Module net = Commands.load(spec, model, kind, weights);
        int width = images.stream().mapToInt(p -> p.toString().length()).max().orElse(0);
        for (Path image : images) {
            Preprocessing.Prepared p = prep.fromImage(Commands.readImage(image), invert);
            float[] probabilities = probabilities(net, prep, p.input());
            out.printf(Locale.ROOT, "%-" + width + "s  %s%s%n", image, format(probabilities, kind.classNames()),
                    notes(p));
        }
        out.flush();
        return 0;
    }

    /** The model's class probabilities (softmax of its scores) for one prepared image. */
    @SuppressWarnings("try") // the resources only delimit no-grad mode and the scope
    static float[] probabilities(Module net, Preprocessing prep, float[] input) {
        long[] s = prep.inputShape();
        try (Grad off = Grad.off(); Scope scope = Scope.open()) {
            return Activations.softmax(net.call(Tensor.of(input, 1, s[0], s[1], s[2])), 1).toArray();
        }
    }

    /** {@code 7   (7 99.91%, 2 0.05%, 3 0.02%)}: the class, then the top classes with probabilities. */
    private String format(float[] p, List<String> names) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            order.add(i);
        }
        order.sort((a, b) -> Float.compare(p[b], p[a]));
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-4s (", name(names, order.getFirst())));
        for (int i = 0; i < Math.min(top, p.length); i++) {
            s.append(i == 0 ? "" : ", ").append(name(names, order.get(i)))
                    .append(String.format(Locale.ROOT, " %.2f%%", 100 * p[order.get(i)]));
        }
        return s.append(')').toString();
    }

    private static String name(List<String> names, int c) {
        return c < names.size() ? names.get(c) : Integer.toString(c);
    }

    private static String notes(Preprocessing.Prepared p) {
        if (!p.resized() && !p.inverted()) {
            return "";
        }
        return "  [" + (p.resized() ? "resized" : "") + (p.resized() && p.inverted() ? ", " : "")
                + (p.inverted() ? "inverted" : "") + "]";
    }
}
