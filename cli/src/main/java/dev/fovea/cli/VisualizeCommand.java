package dev.fovea.cli;

import dev.fovea.nn.ConvLayer;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fovea visualize}: PNG grids of the first convolution's filters and of every convolution's
 * feature maps for one image (see {@link Grid} for how tiles are scaled).
 */
@Command(name = "visualize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw what a trained model sees: writes into --out filters.png (the first convolution's"
                + " filters), input.png (the image as the model gets it) and feature-maps-<layer>.png (each"
                + " convolution's outputs for the image), each tile min-max scaled on its own and enlarged."})
final class VisualizeCommand implements Callable<Integer> {
    /** Filters are enlarged to at least this many pixels. */
    static final int FILTER_PIXELS = 60;
    /** Feature maps are enlarged to at least this many pixels. */
    static final int MAP_PIXELS = 112;
    /** The input is enlarged to at least this many pixels. */
    static final int INPUT_PIXELS = 224;

    @Spec
    CommandSpec spec;

    @Option(names = "--weights", required = true, paramLabel = "FILE", description = "The trained weights.")
    Path weights;

    @Option(names = "--model", defaultValue = "lenet5", description = "The model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--dataset", defaultValue = "mnist",
            description = "The dataset the model was trained on (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--image", required = true, paramLabel = "IMAGE", description = "The image to follow through the model.")
    Path image;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/<model>-<dataset>/visualize).")
    Path out;

    @Option(names = "--invert", defaultValue = "AUTO", description = "As predict's: auto, always or never (default: auto).")
    Preprocessing.Invert invert;

    @Option(names = "--threads", description = "Compute threads (default: one per processor).")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        DatasetKind kind = Commands.dataset(spec, dataset);
        Preprocessing prep = Commands.preprocessing(spec, kind, model);
        Commands.requireFile(spec, weights, "weights file");
        Commands.requireFile(spec, image, "image");
        Threads.configure(threads, spec.commandLine().getErr());
        Module net = Commands.load(spec, model, kind, weights);
        Path dir = out != null ? out : Path.of("runs", model.toLowerCase(Locale.ROOT) + "-" + kind.wireName(),
                "visualize");
        Files.createDirectories(dir);
        Preprocessing.Prepared input = prep.fromImage(Commands.readImage(image), invert);

        ConvLayer first = Models.firstConv(net);
        if (first == null) {
            throw new IllegalArgumentException("model '" + model + "' has no convolution to draw");
        }
        long[] ws = first.weight().shape();
        int inC = (int) ws[1];
        int kH = (int) ws[2];
        int kW = (int) ws[3];
        List<float[]> filters = tiles(first.weight().toArray(), (int) ws[0], inC * kH * kW);
        int fs = Grid.scaleFor(Math.max(kH, kW), FILTER_PIXELS);
        Path filtersPng = dir.resolve("filters.png");
        // Colour filters (three input channels) are drawn in colour; others one tile per output channel of channel 0.
        int drawC = inC == 3 ? 3 : 1;
        write(Grid.draw(drawC == inC ? filters : firstPlanes(filters, kH * kW), drawC, kH, kW, fs), filtersPng);
        o.printf(Locale.ROOT, "%s  %d filters of %dx%d%s (%s), %dx larger%n", filtersPng, ws[0], kH, kW,
                inC == drawC ? "" : " (input channel 0 of " + inC + ")", name(net, first), fs);

        long[] s = prep.inputShape();
        int is = Grid.scaleFor((int) Math.max(s[1], s[2]), INPUT_PIXELS);
        Path inputPng = dir.resolve("input.png");
        int inputC = (int) s[0] == 3 ? 3 : 1;
        write(Grid.draw(List.of(inputC == s[0] ? input.input() : firstPlanes(List.of(input.input()),
                (int) (s[1] * s[2])).getFirst()), inputC, (int) s[1], (int) s[2], is), inputPng);
        o.printf(Locale.ROOT, "%s  the image as the model gets it (%s), %dx larger%n", inputPng, prep.describe(), is);

        Map<String, float[]> maps = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        boolean chain = featureMaps(net, Tensor.of(input.input(), 1, s[0], s[1], s[2]), maps, shapes);
        if (!chain) {
            o.println("No feature maps: model '" + model + "' does not run its layers one after another, which is what"
                    + " visualize follows (lenet5 does).");
        }
        for (Map.Entry<String, float[]> e : maps.entrySet()) {
            long[] shape = shapes.get(e.getKey());
            int c = (int) shape[1];
            int h = (int) shape[2];
            int w = (int) shape[3];
            int scale = Grid.scaleFor(Math.max(h, w), MAP_PIXELS);
            Path png = dir.resolve("feature-maps-" + e.getKey() + ".png");
            write(Grid.draw(tiles(e.getValue(), c, h * w), 1, h, w, scale), png);
            o.printf(Locale.ROOT, "%s  %d feature maps of %dx%d from %s, %dx larger%n", png, c, h, w, e.getKey(), scale);
        }
        o.flush();
        return 0;
    }

    /**
     * Runs {@code net} on {@code x} one layer at a time, descending into {@link Sequential}s,
     * recording each convolution's output by its path; returns false (and records nothing) unless
     * the model's own output is what running its children in order gives.
     */
    @SuppressWarnings("try") // the resources only delimit no-grad mode and the scope
    static boolean featureMaps(Module net, Tensor x, Map<String, float[]> maps, Map<String, long[]> shapes) {
        try (Grad off = Grad.off(); Scope scope = Scope.open()) {
            float[] expected = net.call(x).toArray();
            Tensor y;
            try {
                y = chain(net, "", x, maps, shapes, true);
            } catch (IllegalArgumentException e) {
                maps.clear();
                shapes.clear();
                return false;
            }
            float[] got = y.toArray();
            boolean same = got.length == expected.length;
            for (int i = 0; same && i < got.length; i++) {
                same = Math.abs(got[i] - expected[i]) <= 1e-4f * Math.max(1, Math.abs(expected[i]));
            }
            if (!same) {
                maps.clear();
                shapes.clear();
            }
            return same;
        }
    }

    private static Tensor chain(Module m, String path, Tensor x, Map<String, float[]> maps, Map<String, long[]> shapes,
                                boolean root) {
        if (root || m instanceof Sequential) {
            Tensor y = x;
            for (Map.Entry<String, Module> e : m.namedChildren().entrySet()) {
                y = chain(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), y, maps, shapes, false);
            }
            return y;
        }
        Tensor y = m.call(x);
        if (m instanceof ConvLayer && y.rank() == 4) {
            maps.put(path, y.toArray());
            shapes.put(path, y.shape());
        }
        return y;
    }

    /** {@code values} cut into {@code count} tiles of {@code size}. */
    private static List<float[]> tiles(float[] values, int count, int size) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] t = new float[size];
            System.arraycopy(values, i * size, t, 0, size);
            out.add(t);
        }
        return out;
    }

    /** The first {@code plane} values of each tile. */
    private static List<float[]> firstPlanes(List<float[]> tiles, int plane) {
        return tiles.stream().map(t -> java.util.Arrays.copyOf(t, plane)).toList();
    }

    private static String name(Module net, Module layer) {
        for (Map.Entry<String, Module> e : net.namedModules().entrySet()) {
            if (e.getValue() == layer) {
                return e.getKey();
            }
        }
        return layer.getClass().getSimpleName();
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }
}
