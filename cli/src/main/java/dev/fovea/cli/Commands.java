package dev.fovea.cli;

import dev.fovea.nn.Module;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Argument checks and loading shared by {@code predict}, {@code visualize} and {@code infer}. */
final class Commands {
    private Commands() {}

    /**
     * A usage error a command finds itself, after picocli has parsed the arguments (options that
     * do not fit each other or the model, a missing file): {@link FoveaCli} prints it as one line,
     * {@code fovea <command>: message}, and exits with 2, as for picocli's own usage errors.
     */
    static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** A usage error saying {@code message}. */
        UsageException(String message) {
            super(message);
        }
    }

    /** The dataset called {@code name}, or a usage error. */
    static DatasetKind dataset(CommandSpec spec, String name) {
        try {
            return DatasetKind.of(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** The preprocessing of {@code dataset} for {@code model}, or a usage error (unknown or unsuitable model). */
    static Preprocessing preprocessing(CommandSpec spec, DatasetKind dataset, String model) {
        try {
            Models.canonical(model);
            return Preprocessing.of(dataset, model);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** A usage error unless {@code file} is a readable regular file. */
    static void requireFile(CommandSpec spec, Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), what + " " + file + " not found");
        }
    }

    /**
     * A new {@code model} for {@code dataset} with the weights of {@code weights}, in eval mode.
     *
     * @throws IllegalArgumentException if the model cannot take the dataset's images, or the file
     *     is not safetensors or holds another model's weights
     */
    static Module load(CommandSpec spec, String model, DatasetKind dataset, Path weights) throws IOException {
        Module net;
        try {
            net = Models.create(model, dataset.channels(), dataset.classNames().size());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        try {
            net.load(weights, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(weights + " does not hold " + model + " weights for "
                    + dataset.wireName() + ": " + e.getMessage(), e);
        }
        net.eval();
        return net;
    }

    /**
     * The image in {@code file}.
     *
     * @throws IllegalArgumentException if no ImageIO reader knows the file's format
     */
    static BufferedImage readImage(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IllegalArgumentException(file + " is not an image this JDK can read (PNG, JPEG, GIF, BMP,"
                    + " WBMP, TIFF)");
        }
        return image;
    }
}
