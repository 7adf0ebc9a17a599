package dev.fovea.nn.zoo;

import dev.fovea.nn.Activation;
import dev.fovea.nn.AdaptiveAvgPool2d;
import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.nn.init.Init;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.ConvOptions;
import dev.fovea.tensor.functional.PoolOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * ResNet-18/34/50/101/152 (He et al. 2015) as torchvision builds them, ResNet v1.5 (the stride of
 * a bottleneck sits on its 3x3 convolution): a 7x7 stem, four stages of basic or bottleneck blocks
 * with 1x1 projection shortcuts where the shape changes, global average pooling and a linear
 * head. The state-dict names and shapes are torchvision's ({@code layer1.0.conv1.weight}, ...),
 * ResNet-18 has 11,689,512 parameters for 1000 classes. Initialised as torchvision does:
 * Kaiming-normal (fan-out, ReLU) convolutions, batch norm at (1, 0), PyTorch's default head.
 */
public final class ResNet extends Module {
    private ResNet(boolean bottleneck, int[] blocks, int inChannels, int classes) {
        registerModule("conv1", conv(inChannels, 64, 7, 2));
        registerModule("bn1", new BatchNorm2d(64));
        registerModule("relu", Activation.relu());
        registerModule("maxpool", new MaxPool2d(PoolOptions.kernel(3).stride(2).padding(1)));
        int expansion = bottleneck ? 4 : 1;
        int in = 64;
        for (int stage = 0; stage < 4; stage++) {
            int width = 64 << stage;
            List<Module> stageBlocks = new ArrayList<>();
            for (int b = 0; b < blocks[stage]; b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                stageBlocks.add(bottleneck ? new Bottleneck(in, width, stride) : new BasicBlock(in, width, stride));
                in = width * expansion;
            }
            registerModule("layer" + (stage + 1), new Sequential(stageBlocks.toArray(Module[]::new)));
        }
        registerModule("avgpool", new AdaptiveAvgPool2d(1, 1));
        registerModule("fc", new Linear(512 * expansion, classes));
    }

    /**
     * The ResNet of {@code depth} layers (18, 34, 50, 101 or 152).
     *
     * @throws IllegalArgumentException for another depth
     */
    public static ResNet of(int depth, int inChannels, int classes) {
        return switch (depth) {
            case 18 -> new ResNet(false, new int[] {2, 2, 2, 2}, inChannels, classes);
            case 34 -> new ResNet(false, new int[] {3, 4, 6, 3}, inChannels, classes);
            case 50 -> new ResNet(true, new int[] {3, 4, 6, 3}, inChannels, classes);
            case 101 -> new ResNet(true, new int[] {3, 4, 23, 3}, inChannels, classes);
            case 152 -> new ResNet(true, new int[] {3, 8, 36, 3}, inChannels, classes);
            default -> throw new IllegalArgumentException("ResNet: depth must be 18, 34, 50, 101 or 152, got " + depth);
        };
    }

    /** ResNet-18, 3 channels, 1000 classes. */
    public static ResNet resnet18() {
        return of(18, 3, 1000);
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = child("maxpool").call(child("relu").call(child("bn1").call(child("conv1").call(input))));
        for (int stage = 1; stage <= 4; stage++) {
            x = child("layer" + stage).call(x);
        }
        return child("fc").call(child("avgpool").call(x).flatten(1, -1));
    }

    /** True: {@code forward} looks the top-level modules up by name, so {@link #replaceModule} can swap the head. */
    @Override
    protected boolean childReplaceable(String name) {
        return true;
    }

    /** A bias-free {@code k x k} convolution with padding {@code k / 2}, Kaiming-normal (fan-out) as torchvision. */
    static Conv2d conv(int in, int out, int k, int stride) {
        Conv2d c = new Conv2d(in, out, new int[] {k, k}, ConvOptions.DEFAULT.stride(stride).padding(k / 2), false);
        Init.set(c.weight(), Init.kaimingNormalFanOut((long) out * k * k, c.weight().shape()));
        return c;
    }

    /** The 1x1 projection shortcut (conv, batch norm) where a block changes the shape, else null. */
    static Sequential downsample(int in, int out, int stride) {
        return stride != 1 || in != out ? new Sequential(conv(in, out, 1, stride), new BatchNorm2d(out)) : null;
    }

    /** Two 3x3 convolutions with batch norm and an identity or projected shortcut (ResNet-18/34). */
    static final class BasicBlock extends Module {
        private final Conv2d conv1;
        private final BatchNorm2d bn1;
        private final Activation relu;
        private final Conv2d conv2;
        private final BatchNorm2d bn2;
        private final Sequential downsample;

        BasicBlock(int in, int width, int stride) {
            conv1 = registerModule("conv1", conv(in, width, 3, stride));
            bn1 = registerModule("bn1", new BatchNorm2d(width));
            relu = registerModule("relu", Activation.relu());
            conv2 = registerModule("conv2", conv(width, width, 3, 1));
            bn2 = registerModule("bn2", new BatchNorm2d(width));
            Sequential d = downsample(in, width, stride);
            downsample = d == null ? null : registerModule("downsample", d);
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = bn2.call(conv2.call(relu.call(bn1.call(conv1.call(x)))));
            return relu.call(y.add(downsample == null ? x : downsample.call(x)));
        }
    }

    /** 1x1 reduce, 3x3 (with the stride), 1x1 expand by 4, batch norm after each (ResNet-50 and deeper). */
    static final class Bottleneck extends Module {
        private final Conv2d conv1;
        private final BatchNorm2d bn1;
        private final Conv2d conv2;
        private final BatchNorm2d bn2;
        private final Conv2d conv3;
        private final BatchNorm2d bn3;
        private final Activation relu;
        private final Sequential downsample;

        Bottleneck(int in, int width, int stride) {
            conv1 = registerModule("conv1", conv(in, width, 1, 1));
            bn1 = registerModule("bn1", new BatchNorm2d(width));
            conv2 = registerModule("conv2", conv(width, width, 3, stride));
            bn2 = registerModule("bn2", new BatchNorm2d(width));
            conv3 = registerModule("conv3", conv(width, width * 4, 1, 1));
            bn3 = registerModule("bn3", new BatchNorm2d(width * 4));
            relu = registerModule("relu", Activation.relu());
            Sequential d = downsample(in, width * 4, stride);
            downsample = d == null ? null : registerModule("downsample", d);
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = relu.call(bn1.call(conv1.call(x)));
            y = relu.call(bn2.call(conv2.call(y)));
            y = bn3.call(conv3.call(y));
            return relu.call(y.add(downsample == null ? x : downsample.call(x)));
        }
    }
}
