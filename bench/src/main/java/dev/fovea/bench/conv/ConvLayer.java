package dev.fovea.bench.conv;

import dev.fovea.simd.conv.ConvSpec;
import java.util.List;

/**
 * A named 2-d convolution layer of a real network, at any batch size.
 *
 * @param name wire name used in {@code @Param} values, tables and JSON
 * @param inC input channels
 * @param outC output channels
 * @param size input height and width
 * @param k kernel height and width
 * @param stride stride
 * @param pad symmetric zero padding
 * @param groups channel groups
 */
public record ConvLayer(String name, int inC, int outC, int size, int k, int stride, int pad, int groups) {
    /** The layers of the issue, in network order, and ResNet-18's first 3x3 stride-2 convs of layer2 and layer4. */
    public static final List<ConvLayer> ALL = List.of(
            new ConvLayer("lenet5.conv1", 1, 6, 32, 5, 1, 0, 1),
            new ConvLayer("lenet5.conv2", 6, 16, 14, 5, 1, 0, 1),
            new ConvLayer("alexnet.conv1", 3, 64, 224, 11, 4, 2, 1),
            new ConvLayer("alexnet.conv2", 64, 192, 27, 5, 1, 2, 1),
            new ConvLayer("vgg16.conv1_2", 64, 64, 224, 3, 1, 1, 1),
            new ConvLayer("vgg16.conv3_2", 256, 256, 56, 3, 1, 1, 1),
            new ConvLayer("vgg16.conv5_3", 512, 512, 14, 3, 1, 1, 1),
            new ConvLayer("resnet18.conv1", 3, 64, 224, 7, 2, 3, 1),
            new ConvLayer("resnet18.layer1", 64, 64, 56, 3, 1, 1, 1),
            new ConvLayer("resnet18.layer2", 128, 128, 28, 3, 1, 1, 1),
            new ConvLayer("resnet18.layer3", 256, 256, 14, 3, 1, 1, 1),
            new ConvLayer("resnet18.layer4", 512, 512, 7, 3, 1, 1, 1),
            new ConvLayer("resnet18.layer2.s2", 64, 128, 56, 3, 2, 1, 1),
            new ConvLayer("resnet18.layer4.s2", 256, 512, 14, 3, 2, 1, 1),
            new ConvLayer("resnet18.down2", 64, 128, 56, 1, 2, 0, 1),
            new ConvLayer("resnet18.down4", 256, 512, 14, 1, 2, 0, 1),
            new ConvLayer("mobilenet.dw3x3", 32, 32, 112, 3, 1, 1, 32),
            new ConvLayer("mobilenet.pw1x1", 32, 64, 112, 1, 1, 0, 1));

    /** Returns the layer with this wire name. */
    public static ConvLayer named(String name) {
        for (ConvLayer l : ALL) {
            if (l.name.equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown conv layer '" + name + "'; known: "
                + ALL.stream().map(ConvLayer::name).toList());
    }

    /** The layer's spec at batch {@code n}. */
    public ConvSpec spec(int n) {
        return ConvSpec.builder(2).n(n).inC(inC).outC(outC).groups(groups).input(size, size).kernel(k)
                .stride(stride).padding(pad).build();
    }

    /**
     * The same layer cut to image 0 and the first {@code groupsKept} groups (at most 8 output
     * channels for groups = 1): its input, weights and output are prefixes of the full layer's,
     * so the naive reference can check a large layer in reasonable time.
     */
    public ConvSpec validationSpec() {
        int outPerGroup = outC / groups;
        int keptGroups = groups == 1 ? 1 : Math.min(groups, 8);
        int keptOut = groups == 1 ? Math.min(outC, 8) : keptGroups * outPerGroup;
        return ConvSpec.builder(2).n(1).inC(groups == 1 ? inC : keptGroups * (inC / groups)).outC(keptOut)
                .groups(keptGroups).input(size, size).kernel(k).stride(stride).padding(pad).build();
    }
}
