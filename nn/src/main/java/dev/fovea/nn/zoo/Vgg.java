package dev.fovea.nn.zoo;

import dev.fovea.nn.Activation;
import dev.fovea.nn.AdaptiveAvgPool2d;
import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.nn.init.Init;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.ConvOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * VGG-11/13/16/19 (Simonyan and Zisserman 2014), with or without batch normalization, as
 * torchvision builds them: 3x3 convolutions (padding 1) and 2x2 max pools in {@code features}, a
 * 7x7 adaptive average pool, and a three-layer classifier with dropout. VGG-16 has 138,357,544
 * parameters for 1000 classes. Initialised as torchvision does: Kaiming-normal (fan-out, ReLU)
 * convolutions with zero bias, batch norm at (1, 0), linear layers from {@code N(0, 0.01)} with
 * zero bias.
 */
public final class Vgg extends Module {
    private static final int POOL = -1;

    private Vgg(int[] config, boolean batchNorm, int inChannels, int classes) {
        List<Module> layers = new ArrayList<>();
        int c = inChannels;
        for (int v : config) {
            if (v == POOL) {
                layers.add(new MaxPool2d(2));
                continue;
            }
            Conv2d conv = new Conv2d(c, v, 3, ConvOptions.DEFAULT.padding(1));
            Init.set(conv.weight(), Init.kaimingNormalFanOut((long) v * 9, conv.weight().shape()));
            Init.constant(conv.bias(), 0f);
            layers.add(conv);
            if (batchNorm) {
                layers.add(new BatchNorm2d(v));
            }
            layers.add(Activation.relu());
            c = v;
        }
        registerModule("features", new Sequential(layers.toArray(Module[]::new)));
        registerModule("avgpool", new AdaptiveAvgPool2d(7, 7));
        Linear fc1 = new Linear(512 * 7 * 7, 4096);
        Linear fc2 = new Linear(4096, 4096);
        Linear fc3 = new Linear(4096, classes);
        for (Linear l : new Linear[] {fc1, fc2, fc3}) {
            Init.set(l.weight(), Init.normal(0, 0.01, l.weight().shape()));
            Init.constant(l.bias(), 0f);
        }
        registerModule("classifier", new Sequential(fc1, Activation.relu(), new Dropout(0.5), fc2,
                Activation.relu(), new Dropout(0.5), fc3));
    }

    /**
     * VGG with {@code depth} weight layers (11, 13, 16 or 19).
     *
     * @throws IllegalArgumentException for another depth
     */
    public static Vgg of(int depth, boolean batchNorm, int inChannels, int classes) {
        int p = POOL;
        int[] config = switch (depth) {
            case 11 -> new int[] {64, p, 128, p, 256, 256, p, 512, 512, p, 512, 512, p};
            case 13 -> new int[] {64, 64, p, 128, 128, p, 256, 256, p, 512, 512, p, 512, 512, p};
            case 16 -> new int[] {64, 64, p, 128, 128, p, 256, 256, 256, p, 512, 512, 512, p, 512, 512, 512, p};
            case 19 -> new int[] {64, 64, p, 128, 128, p, 256, 256, 256, 256, p, 512, 512, 512, 512, p,
                512, 512, 512, 512, p};
            default -> throw new IllegalArgumentException("Vgg: depth must be 11, 13, 16 or 19, got " + depth);
        };
        return new Vgg(config, batchNorm, inChannels, classes);
    }

    /** VGG-16 without batch norm, 3 channels, 1000 classes. */
    public static Vgg vgg16() {
        return of(16, false, 3, 1000);
    }

    @Override
    public Tensor forward(Tensor input) {
        return child("classifier").call(child("avgpool").call(child("features").call(input)).flatten(1, -1));
    }

    /** True: {@code forward} looks the top-level modules up by name, so {@link #replaceModule} can swap the head. */
    @Override
    protected boolean childReplaceable(String name) {
        return true;
    }
}
