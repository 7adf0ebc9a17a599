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
 *
 * <p>{@link #rgb()} is the colour variant of Andrew Ng's LeNet-5 table (32 x 32 x 3 input, 8
 * filters in the first convolution): 28x28x8, 14x14x8, 10x10x16, 5x5x16, 120, 84, 10, with
 * 62,958 parameters counted as {@code (kH kW inC + 1) outC} and {@code (in + 1) out}.
 */
public final class LeNet5 extends Module {
    /** The classic network: one input channel, 10 classes. */
    public LeNet5() {
        this(1, 10);
    }

    /** A network for {@code inChannels}-channel 32 x 32 images and {@code classes} classes (6 filters first). */
    public LeNet5(int inChannels, int classes) {
        this(inChannels, 6, classes);
    }

    /**
     * A network for {@code inChannels}-channel 32 x 32 images with {@code filters1} filters in the
     * first convolution (6 in LeCun's, 8 in the colour table) and {@code classes} classes.
     */
    public LeNet5(int inChannels, int filters1, int classes) {
        registerModule("features", new Sequential(
                new Conv2d(inChannels, filters1, 5), Activation.relu(), new MaxPool2d(2),
                new Conv2d(filters1, 16, 5), Activation.relu(), new MaxPool2d(2)));
        registerModule("flatten", new Flatten());
        registerModule("classifier", new Sequential(
                new Linear(16 * 5 * 5, 120), Activation.relu(), new Linear(120, 84), Activation.relu(),
                new Linear(84, classes)));
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() != 4 || input.shape()[2] != 32 || input.shape()[3] != 32) {
            throw new IllegalArgumentException("LeNet5: input must be (n, channels, 32, 32), got "
                    + dev.fovea.tensor.Shape.toString(input.shape()));
        }
        return child("classifier").call(child("flatten").call(child("features").call(input)));
    }

    /** The 32 x 32 x 3 variant of the LeNet-5 table: 8 then 16 filters, 10 classes (62,958 parameters). */
    public static LeNet5 rgb() {
        return new LeNet5(3, 8, 10);
    }

    /** True: {@code forward} looks the top-level modules up by name, so {@link #replaceModule} can swap the head. */
    @Override
    protected boolean childReplaceable(String name) {
        return true;
    }
}
