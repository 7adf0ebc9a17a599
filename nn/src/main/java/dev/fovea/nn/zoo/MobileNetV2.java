package dev.fovea.nn.zoo;

import dev.fovea.nn.Activation;
import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.nn.init.Init;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.ConvOptions;
import dev.fovea.tensor.functional.F;
import java.util.ArrayList;
import java.util.List;

/**
 * MobileNetV2 (Sandler et al. 2018, width 1.0) as torchvision builds it: a stride-2 stem, 17
 * inverted residual blocks (1x1 expansion, 3x3 depthwise, linear 1x1 projection, ReLU6, a
 * residual where the shape allows), a 1x1 convolution to 1280 channels, global average pooling
 * and a dropout-linear head. 3,504,872 parameters for 1000 classes, torchvision's state-dict names
 * ({@code features.2.conv.1.0.weight}). Initialised as torchvision does.
 */
public final class MobileNetV2 extends Module {
    /** Expansion t, output channels c, repeats n, first stride s of each stage (the paper's table 2). */
    private static final int[][] STAGES = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};


    /** 3 channels, 1000 classes. */
    public MobileNetV2() {
        this(3, 1000);
    }

    /** For {@code inChannels}-channel images and {@code classes} classes. */
    public MobileNetV2(int inChannels, int classes) {
        List<Module> layers = new ArrayList<>();
        layers.add(convBnRelu6(inChannels, 32, 3, 2, 1));
        int in = 32;
        for (int[] s : STAGES) {
            for (int i = 0; i < s[2]; i++) {
                layers.add(new InvertedResidual(in, s[1], i == 0 ? s[3] : 1, s[0]));
                in = s[1];
            }
        }
        layers.add(convBnRelu6(in, 1280, 1, 1, 1));
        registerModule("features", new Sequential(layers.toArray(Module[]::new)));
        Linear fc = new Linear(1280, classes);
        Init.set(fc.weight(), Init.normal(0, 0.01, fc.weight().shape()));
        Init.constant(fc.bias(), 0f);
        registerModule("classifier", new Sequential(new Dropout(0.2), fc));
    }

    @Override
    public Tensor forward(Tensor input) {
        return child("classifier").call(F.adaptiveAvgPool2d(child("features").call(input), 1, 1).flatten(1, -1));
    }

    /** True: {@code forward} looks the top-level modules up by name, so {@link #replaceModule} can swap the head. */
    @Override
    protected boolean childReplaceable(String name) {
        return true;
    }

    /** A bias-free convolution with torchvision's Kaiming-normal (fan-out) weights. */
    private static Conv2d conv(int in, int out, int k, int stride, int groups) {
        Conv2d c = new Conv2d(in, out, new int[] {k, k},
                ConvOptions.DEFAULT.stride(stride).padding((k - 1) / 2).groups(groups), false);
        Init.set(c.weight(), Init.kaimingNormalFanOut((long) out * k * k / groups, c.weight().shape()));
        return c;
    }

    /** torchvision's {@code Conv2dNormActivation}: convolution, batch norm, ReLU6. */
    private static Sequential convBnRelu6(int in, int out, int k, int stride, int groups) {
        return new Sequential(conv(in, out, k, stride, groups), new BatchNorm2d(out), Activation.relu6());
    }

    /** Expand (1x1), depthwise 3x3 with the stride, project (1x1, linear); residual if the shape is kept. */
    static final class InvertedResidual extends Module {
        private final Sequential conv;
        private final boolean residual;

        InvertedResidual(int in, int out, int stride, int expansion) {
            int hidden = in * expansion;
            List<Module> layers = new ArrayList<>();
            if (expansion != 1) {
                layers.add(convBnRelu6(in, hidden, 1, 1, 1));
            }
            layers.add(convBnRelu6(hidden, hidden, 3, stride, hidden));
            layers.add(conv(hidden, out, 1, 1, 1));
            layers.add(new BatchNorm2d(out));
            conv = registerModule("conv", new Sequential(layers.toArray(Module[]::new)));
            residual = stride == 1 && in == out;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = conv.call(x);
            return residual ? x.add(y) : y;
        }
    }
}
