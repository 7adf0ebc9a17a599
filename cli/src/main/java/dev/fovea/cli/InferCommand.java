package dev.fovea.cli;

import static dev.fovea.cli.Outputs.row;

import dev.fovea.onnx.InferenceSession;
import dev.fovea.onnx.OnnxException;
import dev.fovea.onnx.OnnxModel;
import dev.fovea.onnx.OnnxValue;
import dev.fovea.onnx.ValueInfo;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fovea infer}: runs an ONNX model with {@link InferenceSession} on {@code .npy} inputs or
 * on a picture ({@link ImageInput}), then writes the outputs as {@code .npy} files, prints them
 * (or the top classes), and optionally times repeated runs ({@link Latency}).
 *
 * <p>Errors are one line on stderr, {@code fovea infer: message}, with exit code 2 for usage
 * errors (options that do not fit each other or the model, missing files) and 1 for everything
 * found in the files or while running (an invalid model, unsupported operators, an input of the
 * wrong shape). The library's messages are kept, without their {@code OnnxModel:}-style prefix;
 * the unsupported-operator message lists one operator per line.
 */
@Command(name = "infer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run an ONNX model on .npy inputs or on a picture: write its outputs as .npy files, print"
                + " them, or print the top classes; --bench N times N runs.",
            "Prints first: the model's producer and opset, the nodes left after graph optimization, its inputs"
                + " and outputs as declared ('batch' for a dim the model leaves open) and the thread count."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the outputs were written or printed",
            "1:the model or an input is invalid, the model uses operators Fovea does not run, or it failed on"
                + " the inputs",
            "2:usage error: a missing file, or options that do not fit each other or the model"})
final class InferCommand implements Callable<Integer> {
    /** {@code --image}'s input height and width when the model leaves them open (torchvision's ImageNet crop). */
    static final int DEFAULT_SIZE = 224;
    /** {@code --image}'s classes shown. */
    static final int DEFAULT_TOP = 5;
    /** {@link InferenceSession#warmUp} runs on zeros before {@code --bench}'s warm-up runs on the real input. */
    static final int ZERO_WARMUP_RUNS = 3;
    /**
     * Without {@code --warmup}, {@code --bench} warms up on the inputs for at least this long: the
     * JIT needs thousands of runs of a small model. LeNet-5 on a 2-core AMD EPYC (2 threads) ran at
     * p50 0.47 ms after 5 warm-up runs, 0.37 ms after 50 and 0.20 ms after 500 (about 0.2 s).
     */
    static final long WARMUP_NANOS = 2_000_000_000L;
    /** The fewest warm-up runs on the inputs without {@code --warmup}, however slow the model. */
    static final int MIN_WARMUP_RUNS = 5;
    /** The API prefix of the library's messages ({@code "OnnxModel: "}, {@code "load: "}), which means nothing to a CLI user. */
    private static final Pattern API_PREFIX =
            Pattern.compile("^(OnnxModel|OnnxTensors|InferenceSession|OnnxValue|load|save)(\\.\\w+)?(\\(\\w*\\))?: ");

    /** One {@code --input} as given ({@code arg}): the model input's name ({@code null} if not given) and the file. */
    record InputArg(String arg, String name, Path file) {}

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL",
            description = "The .onnx file. Weights stored as external data are read from their files next to it.")
    Path modelFile;

    @Option(names = "--input", paramLabel = "[NAME=]FILE",
            description = {"A .npy file for the model's input (float32; float64 and integer files are converted)."
                    + " For a model with several inputs, NAME=FILE for each, repeating the option. A file name"
                    + " containing '=' needs NAME= in front."})
    List<String> inputs = new ArrayList<>();

    @Option(names = "--output", paramLabel = "FILE",
            description = "Write the output of a one-output model to this .npy file (integer outputs as float32).")
    Path output;

    @Option(names = "--output-dir", paramLabel = "DIR",
            description = "Write each output to DIR/<output name>.npy (characters other than letters, digits, '.',"
                    + " '_' and '-' become '_'). Without --output and --output-dir the outputs are printed: shape,"
                    + " the first " + Outputs.SHOWN_VALUES + " values, and the argmax of a class-score output.")
    Path outputDir;

    @Option(names = "--image", paramLabel = "PICTURE",
            description = {"Feed a picture (PNG, JPEG, GIF, BMP) to a model whose one input is (1, C, H, W), and"
                    + " print the top classes of its first output with softmax probabilities (the values as they"
                    + " are if they already are probabilities: all in [0, 1], summing to 1).",
                "3 channels: RGB, resized by area averaging so that the shorter side is size*256/224, then the"
                    + " centre size x size (torchvision's ImageNet evaluation transform). 1 channel: grey, resized"
                    + " to size x size. Then scaled to [0, 1] and normalised with --mean and --std."})
    Path image;

    @Option(names = "--size", paramLabel = "N",
            description = "The input's height and width for --image when the model leaves them open (default:"
                    + " 224; a model's fixed H and W win).")
    Integer size;

    @Option(names = "--mean", split = ",", paramLabel = "M",
            description = "Per-channel mean for --image, e.g. 0.5,0.5,0.5 (default: ImageNet's 0.485,0.456,0.406"
                    + " for 3 channels, 0 for 1 channel).")
    float[] mean;

    @Option(names = "--std", split = ",", paramLabel = "S",
            description = "Per-channel standard deviation for --image (default: ImageNet's 0.229,0.224,0.225 for 3"
                    + " channels, 1 for 1 channel).")
    float[] std;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names for --image, one per line (line 1 is class 0); default: class indices.")
    Path labels;

    @Option(names = "--top", paramLabel = "K", description = "Classes shown for --image (default: 5).")
    Integer top;

    @Option(names = "--bench", paramLabel = "N",
            description = "After warming up, time N runs of the same inputs and print latency percentiles (min, p50,"
                    + " p90, p99, max, mean in ms) and runs/s.")
    Integer bench;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Untimed runs on the inputs before --bench's timed ones (default: as many as fit in 2 s,"
                    + " at least " + MIN_WARMUP_RUNS + "), after " + ZERO_WARMUP_RUNS + " on zeros when the model's"
                    + " input shapes are fixed but for the batch.")
    Integer warmup;

    @Option(names = "--threads", description = "Compute threads (default: one per processor, or -Dfovea.threads).")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        try {
            return infer();
        } catch (OnnxException | UncheckedIOException e) {
            throw new IllegalArgumentException(clean(e.getMessage()), e);
        }
    }

    private int infer() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<InputArg> args = parseInputs(inputs);
        checkOptions();
        requireFile(modelFile, "model file");
        for (InputArg a : args) {
            requireFile(a.file(), "input file");
        }
        requireFile(image, "image");
        requireFile(labels, "labels file");
        // Before any tensor is made: the compute context reads its thread count once.
        int threadCount = Threads.configure(threads, spec.commandLine().getErr());
        OnnxModel model = OnnxModel.load(modelFile);
        checkOutputOptions(model);
        Map<String, OnnxValue> feed;
        String imageLine = null;
        if (image != null) {
            ValueInfo in = onlyInput(model);
            ImageInput prep = ImageInput.forModel(in, size != null ? size : DEFAULT_SIZE, mean, std);
            BufferedImage picture = Commands.readImage(image);
            imageLine = image + ": " + prep.describe(picture.getHeight(), picture.getWidth());
            feed = Map.of(in.name(), OnnxValue.of(prep.prepare(picture)));
        } else {
            feed = readInputs(resolveInputs(model, args));
        }
        try (InferenceSession session = InferenceSession.create(model)) {
            printHeader(out, model, session, threadCount);
            if (imageLine != null) {
                row(out, "image", imageLine);
            }
            out.flush();
            long start = System.nanoTime();
            Map<String, OnnxValue> result = session.run(feed);
            row(out, "run", String.format(Locale.ROOT, "%.1f ms%s", (System.nanoTime() - start) / 1e6,
                    bench == null ? " (the first run, with JIT compilation; --bench N times steady runs)" : ""));
            writeOutputs(out, model, result);
            if (image != null) {
                printTop(out, result);
            } else if (output == null && outputDir == null) {
                Outputs.printValues(out, result);
            }
            out.flush();
            if (bench != null) {
                bench(out, session, model, feed, threadCount);
            }
        }
        out.flush();
        return 0;
    }

    // ---------------------------------------------------------------- options

    /**
     * The {@code --input} arguments: {@code FILE}, or {@code NAME=FILE} split at the first {@code '='}.
     *
     * @throws Commands.UsageException if the name or the file is empty
     */
    static List<InputArg> parseInputs(List<String> inputs) {
        List<InputArg> parsed = new ArrayList<>();
        for (String arg : inputs) {
            int eq = arg.indexOf('=');
            if (eq == 0) {
                throw new Commands.UsageException("--input '" + arg + "': no input name before '=' (use NAME=FILE)");
            }
            if (eq == arg.length() - 1 || arg.isEmpty()) {
                throw new Commands.UsageException("--input '" + arg + "': no file " + (arg.isEmpty() ? "" : "after '='"
                        + " ") + "(use FILE or NAME=FILE)");
            }
            parsed.add(eq < 0 ? new InputArg(arg, null, Path.of(arg))
                    : new InputArg(arg, arg.substring(0, eq), Path.of(arg.substring(eq + 1))));
        }
        return parsed;
    }

    private void checkOptions() {
        if (image != null && !inputs.isEmpty()) {
            throw new Commands.UsageException("--image and --input cannot be combined: the picture is the model's input");
        }
        if (output != null && outputDir != null) {
            throw new Commands.UsageException("--output and --output-dir cannot be combined");
        }
        if (image == null && (size != null || mean != null || std != null || labels != null || top != null)) {
            throw new Commands.UsageException("--size, --mean, --std, --labels and --top go with --image");
        }
        if (bench == null && warmup != null) {
            throw new Commands.UsageException("--warmup goes with --bench");
        }
        if ((bench != null && bench < 1) || (warmup != null && warmup < 0) || (top != null && top < 1)) {
            throw new Commands.UsageException("--bench and --top must be >= 1, --warmup >= 0");
        }
    }

    private static void requireFile(Path file, String what) {
        if (file != null && !Files.isRegularFile(file)) {
            throw new Commands.UsageException(what + " " + file + " not found");
        }
    }

    private void checkOutputOptions(OnnxModel model) {
        if (output != null && model.outputs().size() != 1) {
            throw new Commands.UsageException("--output FILE needs a model with one output; this one has "
                    + model.outputs().size() + " (" + list(model.outputs()) + "): use --output-dir DIR");
        }
    }

    private static ValueInfo onlyInput(OnnxModel model) {
        if (model.inputs().size() != 1) {
            throw new Commands.UsageException("--image needs a model with one input; this one has "
                    + model.inputs().size() + (model.inputs().isEmpty() ? "" : " (" + list(model.inputs()) + ")"));
        }
        return model.inputs().getFirst();
    }

    /**
     * The file for each of the model's inputs, in the model's order.
     *
     * @throws Commands.UsageException if an input has no file, a name is not the model's, or a name
     *     is given twice; or a file has no name and the model has several inputs
     */
    static Map<ValueInfo, Path> resolveInputs(OnnxModel model, List<InputArg> args) {
        List<ValueInfo> declared = model.inputs();
        if (args.isEmpty() && declared.size() == 1) {
            throw new Commands.UsageException("no input: pass --input FILE.npy or --image PICTURE for the model's input "
                    + declared.getFirst());
        }
        Map<String, Path> files = new LinkedHashMap<>();
        for (InputArg a : args) {
            String name = a.name();
            if (name == null) {
                if (declared.size() != 1) {
                    throw new Commands.UsageException("--input " + a.arg() + " has no NAME=: the model has "
                            + declared.size() + " inputs (" + list(declared) + "); pass --input NAME=FILE for each");
                }
                name = declared.getFirst().name();
            } else if (declared.stream().noneMatch(v -> v.name().equals(a.name()))) {
                throw new Commands.UsageException("--input " + a.arg() + ": the model has no input '" + name + "'; its"
                        + " inputs are " + list(declared));
            }
            if (files.put(name, a.file()) != null) {
                throw new Commands.UsageException("--input for '" + name + "' given twice");
            }
        }
        Map<ValueInfo, Path> resolved = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (ValueInfo v : declared) {
            if (files.containsKey(v.name())) {
                resolved.put(v, files.get(v.name()));
            } else {
                missing.add(v.name());
            }
        }
        if (!missing.isEmpty()) {
            throw new Commands.UsageException("--input missing for " + missing.stream().map(n -> "'" + n + "'")
                    .collect(Collectors.joining(", ")) + ": the model has " + declared.size() + " inputs ("
                    + list(declared) + "); pass --input NAME=FILE for each");
        }
        return resolved;
    }

    /**
     * Reads each input's {@code .npy} file. Integer and boolean inputs take the file's values as
     * integers (read through float32: exact up to 2^24).
     *
     * @throws IllegalArgumentException if a file holds fractions for an integer input
     */
    private static Map<String, OnnxValue> readInputs(Map<ValueInfo, Path> files) {
        Map<String, OnnxValue> feed = new LinkedHashMap<>();
        files.forEach((v, file) -> {
            Tensor t = Tensor.load(file);
            if (!v.type().isInteger()) {
                feed.put(v.name(), OnnxValue.of(t));
                return;
            }
            float[] f = t.contiguous().toArray();
            long[] values = new long[f.length];
            for (int i = 0; i < f.length; i++) {
                if (f[i] != Math.rint(f[i])) {
                    throw new IllegalArgumentException("input '" + v.name() + "' is " + v.type() + ", but " + file
                            + " holds " + f[i] + " at element " + i);
                }
                values[i] = (long) f[i];
            }
            feed.put(v.name(), OnnxValue.ofLongs(v.type(), values, t.shape()));
        });
        return feed;
    }

    // ---------------------------------------------------------------- printing and writing

    private void printHeader(PrintWriter out, OnnxModel model, InferenceSession session, int threadCount) {
        String producer = model.producer().isEmpty() ? "producer unknown" : model.producer();
        row(out, "model", String.format(Locale.ROOT, "%s: %s, opset %d, IR %d, %d nodes", modelFile, producer,
                model.opsetVersion(), model.irVersion(), model.nodeCount()));
        row(out, "graph", session.optimizationSummary());
        for (ValueInfo v : model.inputs()) {
            row(out, "input", v.toString());
        }
        for (ValueInfo v : model.outputs()) {
            row(out, "output", v.toString());
        }
        row(out, "threads", Integer.toString(threadCount));
    }

    private void writeOutputs(PrintWriter out, OnnxModel model, Map<String, OnnxValue> result) throws IOException {
        if (output != null) {
            OnnxValue v = result.values().iterator().next();
            Outputs.save(v, output);
            row(out, "wrote", output + " (" + Outputs.describe(model.outputs().getFirst().name(), v) + ")");
        } else if (outputDir != null) {
            Files.createDirectories(outputDir);
            List<String> names = new ArrayList<>(result.keySet());
            List<String> files = Outputs.fileNames(names);
            for (int i = 0; i < names.size(); i++) {
                Path file = outputDir.resolve(files.get(i));
                Outputs.save(result.get(names.get(i)), file);
                row(out, "wrote", file + " (" + Outputs.describe(names.get(i), result.get(names.get(i))) + ")");
            }
        }
    }

    /** The top classes of the first output, or its values if it is not one score per class. */
    private void printTop(PrintWriter out, Map<String, OnnxValue> result) throws IOException {
        String name = result.keySet().iterator().next();
        float[] scores = Outputs.classScores(result.get(name));
        if (scores == null) {
            row(out, "note", "output '" + name + "' is not one score per class; its values:");
            Outputs.printValues(out, result);
            return;
        }
        boolean already = Outputs.areProbabilities(scores);
        double[] p = already ? Outputs.toDoubles(scores) : Outputs.softmax(scores);
        List<String> names = readLabels(scores.length);
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        int k = Math.min(top != null ? top : DEFAULT_TOP, p.length);
        row(out, "top-" + k, "of output '" + name + "', " + p.length + " classes ("
                + (already ? "its values: already probabilities" : "softmax probabilities") + ")");
        for (int i = 0; i < k; i++) {
            int c = order[i];
            out.println(String.format(Locale.ROOT, "  %6.2f%%  %-5d %s", 100 * p[c], c,
                    c < names.size() ? names.get(c) : "").stripTrailing());
        }
    }

    /** The labels file's lines without trailing blank ones, or none; warns if the count is not {@code classes}. */
    private List<String> readLabels(int classes) throws IOException {
        if (labels == null) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = new ArrayList<>(Files.readAllLines(labels, StandardCharsets.UTF_8));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(labels + " is not UTF-8 text (one label per line)", e);
        }
        while (!lines.isEmpty() && lines.getLast().isBlank()) {
            lines.removeLast();
        }
        if (lines.size() != classes) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("fovea infer: warning: " + labels + " has " + lines.size() + " labels for " + classes
                    + " classes");
            err.flush();
        }
        return lines;
    }

    private static String list(List<ValueInfo> values) {
        return values.stream().map(ValueInfo::toString).collect(Collectors.joining(", "));
    }

    /** The library's message without its API prefix ({@code "OnnxModel: "}, {@code "load: "}). */
    static String clean(String message) {
        return message == null ? "failed" : API_PREFIX.matcher(message).replaceFirst("");
    }

    // ---------------------------------------------------------------- --bench

    private void bench(PrintWriter out, InferenceSession session, OnnxModel model, Map<String, OnnxValue> feed,
                       int threadCount) {
        boolean zeros = zeroWarmUpFits(model);
        if (zeros) {
            session.warmUp(ZERO_WARMUP_RUNS);
        }
        int warm = 0;
        long start = System.nanoTime();
        while (warmup != null ? warm < warmup
                : warm < MIN_WARMUP_RUNS || System.nanoTime() - start < WARMUP_NANOS) {
            session.run(feed);
            warm++;
        }
        long[] nanos = new long[bench];
        for (int i = 0; i < bench; i++) {
            long t = System.nanoTime();
            session.run(feed);
            nanos[i] = System.nanoTime() - t;
        }
        Latency l = Latency.of(nanos);
        row(out, "bench", bench + " timed run" + (bench == 1 ? "" : "s") + " of the same inputs after "
                + (zeros ? ZERO_WARMUP_RUNS + " warm-up runs on zeros and " : "") + warm + " on the inputs, "
                + threadCount + " thread" + (threadCount == 1 ? "" : "s"));
        row(out, "latency", l.format());
        row(out, "speed", String.format(Locale.ROOT, "%.1f runs/s", l.runsPerSecond()));
    }

    /**
     * Whether {@link InferenceSession#warmUp}'s zeros fit the model: float inputs only (zeros may be
     * invalid shapes or indices), every dim fixed but the batch (open dims become 1).
     */
    private static boolean zeroWarmUpFits(OnnxModel model) {
        for (ValueInfo v : model.inputs()) {
            long[] d = v.dims();
            if (v.type().isInteger()) {
                return false;
            }
            for (int i = 1; i < d.length; i++) {
                if (d[i] < 0) {
                    return false;
                }
            }
        }
        return true;
    }
}
