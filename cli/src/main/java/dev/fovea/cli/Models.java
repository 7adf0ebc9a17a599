package dev.fovea.cli;

import dev.fovea.nn.ConvLayer;
import dev.fovea.nn.Module;
import dev.fovea.nn.zoo.CifarResNet;
import dev.fovea.nn.zoo.LeNet5;
import dev.fovea.nn.zoo.Zoo;
import java.util.List;
import java.util.Locale;

/**
 * The zoo models the command line can train and run on small images: {@code lenet5} (any number
 * of channels, 32 x 32) and the CIFAR ResNets ({@code resnet20}, {@code resnet32}, {@code resnet44},
 * {@code resnet56}, {@code resnet110}; the zoo calls them {@code cifar_resnetN}).
 */
final class Models {
    private static final List<Integer> CIFAR_DEPTHS = List.of(20, 32, 44, 56, 110);

    private Models() {}

    /** The names train, predict and visualize accept. */
    static String names() {
        return "lenet5, " + String.join(", ", CIFAR_DEPTHS.stream().map(d -> "resnet" + d).toList());
    }

    /**
     * The zoo's name for {@code name}: {@code resnet20} becomes {@code cifar_resnet20}.
     *
     * @throws IllegalArgumentException if the model is unknown or not one for small images
     */
    static String canonical(String name) {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (n.equals("lenet5")) {
            return n;
        }
        for (int depth : CIFAR_DEPTHS) {
            if (n.equals("resnet" + depth) || n.equals("cifar_resnet" + depth)) {
                return "cifar_resnet" + depth;
            }
        }
        if (Zoo.names().contains(n)) {
            throw new IllegalArgumentException("model '" + name + "' is for 224 x 224 ImageNet images, not for"
                    + " training here; use one of: " + names());
        }
        throw new IllegalArgumentException("unknown model '" + name + "'; known: " + names());
    }

    /** The height and width of the model's input images. */
    static int inputSize(String name) {
        long[] shape = Zoo.defaultInput(canonical(name));
        return (int) shape[2];
    }

    /**
     * A new model for {@code channels}-channel images and {@code classes} classes, initialised from
     * {@link dev.fovea.nn.init.Init}'s generator.
     *
     * @throws IllegalArgumentException if the model cannot take such images
     */
    static Module create(String name, int channels, int classes) {
        String n = canonical(name);
        if (n.equals("lenet5")) {
            return new LeNet5(channels, classes);
        }
        if (channels != 3) {
            throw new IllegalArgumentException("model '" + name + "' needs 3-channel (RGB) images, the dataset has "
                    + channels);
        }
        return new CifarResNet(Integer.parseInt(n.substring("cifar_resnet".length())), classes);
    }

    /** The model's first convolution in {@link Module#namedModules()} order, or null if it has none. */
    static ConvLayer firstConv(Module model) {
        for (Module m : model.namedModules().values()) {
            if (m instanceof ConvLayer c) {
                return c;
            }
        }
        return null;
    }
}
