package dev.fovea.nn.zoo;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import dev.fovea.tensor.functional.F;
import dev.fovea.tensor.functional.PoolOptions;
import dev.fovea.tensor.functional.Resampling;
import java.util.ArrayList;
import java.util.List;

/**
 * The CIFAR-10 ResNets of He et al. 2016 (section 4.2): depth {@code 6n + 2} (20, 32, 44, 56,
 * 110, ...), a 3x3 stem of 16 channels, three stages of {@code n} basic blocks at 16, 32 and 64
 * channels (strides 1, 2, 2) with option A shortcuts (subsample by 2 and zero-pad the channels, no
 * parameters), global average pooling and a linear head. ResNet-110 has 1,727,962 parameters.
 * Layer names follow torchvision's ResNet ({@code layer2.0.conv1.weight}, {@code fc.weight}).
 */
public final class CifarResNet extends Module {
    /**
     * A CIFAR ResNet of {@code depth} layers for {@code classes} classes.
     *
     * @throws IllegalArgumentException unless {@code depth = 6n + 2} with {@code n >= 1}
     */
    public CifarResNet(int depth, int classes) {
        this(depth, 3, classes);
    }

    /**
     * A CIFAR ResNet of {@code depth} layers for {@code inChannels}-channel images and {@code classes} classes.
     *
     * @throws IllegalArgumentException unless {@code depth = 6n + 2} with {@code n >= 1}
     */
    public CifarResNet(int depth, int inChannels, int classes) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("CifarResNet: depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110),"
                    + " got " + depth);
        }
        int n = (depth - 2) / 6;
        registerModule("conv1", ResNet.conv(inChannels, 16, 3, 1));
        registerModule("bn1", new BatchNorm2d(16));
        int in = 16;
        for (int stage = 0; stage < 3; stage++) {
            int width = 16 << stage;
            List<Module> blocks = new ArrayList<>();
            for (int b = 0; b < n; b++) {
                blocks.add(new Block(in, width, stage > 0 && b == 0 ? 2 : 1));
                in = width;
            }
            registerModule("layer" + (stage + 1), new Sequential(blocks.toArray(Module[]::new)));
        }
        registerModule("fc", new Linear(64, classes));
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = Activations.relu(child("bn1").call(child("conv1").call(input)));
        for (int stage = 1; stage <= 3; stage++) {
            x = child("layer" + stage).call(x);
        }
        return child("fc").call(F.adaptiveAvgPool2d(x, 1, 1).flatten(1, -1));
    }

    /** True: {@code forward} looks the top-level modules up by name, so {@link #replaceModule} can swap the head. */
    @Override
    protected boolean childReplaceable(String name) {
        return true;
    }

    /** Two 3x3 convolutions with batch norm; the shortcut subsamples and zero-pads where the shape changes. */
    static final class Block extends Module {
        private final Conv2d conv1;
        private final BatchNorm2d bn1;
        private final Conv2d conv2;
        private final BatchNorm2d bn2;
        private final int pad;

        Block(int in, int out, int stride) {
            conv1 = registerModule("conv1", ResNet.conv(in, out, 3, stride));
            bn1 = registerModule("bn1", new BatchNorm2d(out));
            conv2 = registerModule("conv2", ResNet.conv(out, out, 3, 1));
            bn2 = registerModule("bn2", new BatchNorm2d(out));
            pad = stride != 1 || in != out ? out - in : 0;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = bn2.call(conv2.call(Activations.relu(bn1.call(conv1.call(x)))));
            Tensor shortcut = x;
            if (pad != 0) {
                // Option A: x[:, :, ::2, ::2] (a 1x1 pool of stride 2), zero channels split before and after.
                Tensor sub = F.avgPool2d(x, PoolOptions.kernel(1).stride(2));
                shortcut = Resampling.pad(sub, 0, 0, 0, 0, pad / 2, pad / 2);
            }
            return Activations.relu(y.add(shortcut));
        }
    }
}
