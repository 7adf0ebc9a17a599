package dev.fovea.nn.zoo;

import dev.fovea.nn.Activation;
import dev.fovea.nn.AdaptiveAvgPool2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.ConvOptions;
import dev.fovea.tensor.functional.PoolOptions;

/**
 * AlexNet as torchvision builds it ({@code torchvision.models.alexnet}: the one-GPU variant of
 * Krizhevsky et al. 2012 without local response normalization): 61,100,840 parameters for 1000
 * classes, the same state-dict names and shapes.
 */
public final class AlexNet extends Module {

    /** 3 input channels, 1000 classes. */
    public AlexNet() {
        this(3, 1000);
    }

    /** For {@code inChannels}-channel images and {@code classes} classes. */
    public AlexNet(int inChannels, int classes) {
        ConvOptions d = ConvOptions.DEFAULT;
        PoolOptions pool = PoolOptions.kernel(3).stride(2);
        registerModule("features", new Sequential(
                new Conv2d(inChannels, 64, 11, d.stride(4).padding(2)), Activation.relu(), new MaxPool2d(pool),
                new Conv2d(64, 192, 5, d.padding(2)), Activation.relu(), new MaxPool2d(pool),
                new Conv2d(192, 384, 3, d.padding(1)), Activation.relu(),
                new Conv2d(384, 256, 3, d.padding(1)), Activation.relu(),
                new Conv2d(256, 256, 3, d.padding(1)), Activation.relu(), new MaxPool2d(pool)));
        registerModule("avgpool", new AdaptiveAvgPool2d(6, 6));
        registerModule("classifier", new Sequential(
                new Dropout(0.5), new Linear(256 * 6 * 6, 4096), Activation.relu(),
                new Dropout(0.5), new Linear(4096, 4096), Activation.relu(), new Linear(4096, classes)));
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
