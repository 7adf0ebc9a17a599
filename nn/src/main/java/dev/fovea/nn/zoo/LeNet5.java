package dev.fovea.nn.zoo;

import dev.fovea.nn.Activation;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;

/**
 * LeNet-5 for 32 x 32 images: conv 5x5 (6) - pool - conv 5x5 (16) - pool - fc 120 - fc 84 - fc
 * classes, with ReLU and 2x2 max pooling, in torchvision's layout ({@code features},
 * {@code classifier}; state-dict names such as {@code features.0.weight}). With one input channel
 * and 10 classes it has 61,706 parameters (3 channels: 62,006).
 */
public final class LeNet5 extends Module {
    private final Sequential features;
    private final Flatten flatten;
    private final Sequential classifier;

    /** The classic network: one input channel, 10 classes. */
    public LeNet5() {
        this(1, 10);
    }

    /** A network for {@code inChannels}-channel 32 x 32 images and {@code classes} classes. */
    public LeNet5(int inChannels, int classes) {
        features = registerModule("features", new Sequential(
                new Conv2d(inChannels, 6, 5), Activation.relu(), new MaxPool2d(2),
                new Conv2d(6, 16, 5), Activation.relu(), new MaxPool2d(2)));
        flatten = registerModule("flatten", new Flatten());
        classifier = registerModule("classifier", new Sequential(
                new Linear(16 * 5 * 5, 120), Activation.relu(), new Linear(120, 84), Activation.relu(),
                new Linear(84, classes)));
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() != 4 || input.shape()[2] != 32 || input.shape()[3] != 32) {
            throw new IllegalArgumentException("LeNet5: input must be (n, channels, 32, 32), got "
                    + dev.fovea.tensor.Shape.toString(input.shape()));
        }
        return classifier.call(flatten.call(features.call(input)));
    }
}
