package dev.fovea.nn.zoo;

import dev.fovea.nn.Module;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The zoo's models by torchvision name ({@code resnet18}, {@code vgg16_bn}, ...; {@code lenet5};
 * {@code unet}, the paper's U-Net for 1 channel and 2 classes on its 572x572 tile, and
 * {@code unet_padded_bn}, the padded U-Net with batch norm for 3 channels and 2 classes), with the
 * input shape each is usually run on, for tools such as {@code fovea summary}.
 */
public final class Zoo {
    private record Entry(Supplier<Module> make, long[] input) {}

    private static final long[] IMAGENET = {1, 3, 224, 224};
    private static final Map<String, Entry> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("lenet5", new Entry(LeNet5::new, new long[] {1, 1, 32, 32}));
        MODELS.put("alexnet", new Entry(AlexNet::new, IMAGENET));
        for (int depth : new int[] {11, 13, 16, 19}) {
            MODELS.put("vgg" + depth, new Entry(() -> Vgg.of(depth, false, 3, 1000), IMAGENET));
            MODELS.put("vgg" + depth + "_bn", new Entry(() -> Vgg.of(depth, true, 3, 1000), IMAGENET));
        }
        for (int depth : new int[] {18, 34, 50, 101, 152}) {
            MODELS.put("resnet" + depth, new Entry(() -> ResNet.of(depth, 3, 1000), IMAGENET));
        }
        MODELS.put("mobilenet_v2", new Entry(MobileNetV2::new, IMAGENET));
        MODELS.put("googlenet", new Entry(GoogLeNet::new, IMAGENET));
        for (int depth : new int[] {20, 32, 44, 56, 110}) {
            MODELS.put("cifar_resnet" + depth, new Entry(() -> new CifarResNet(depth, 10), new long[] {1, 3, 32, 32}));
        }
        MODELS.put("unet", new Entry(() -> UNet.paper(1, 2), new long[] {1, 1, 572, 572}));
        MODELS.put("unet_padded_bn", new Entry(() -> UNet.padded(3, 2, true), new long[] {1, 3, 256, 256}));
    }

    private Zoo() {}

    /** The names {@link #create} knows, in a stable order. */
    public static List<String> names() {
        return List.copyOf(MODELS.keySet());
    }

    /**
     * A new model with default settings (ImageNet's 1000 classes; LeNet-5's 10; U-Net's 2).
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Module create(String name) {
        return entry(name).make().get();
    }

    /** The input shape the model is usually run on, batch 1 ({@code 1, 3, 224, 224} for ImageNet models). */
    public static long[] defaultInput(String name) {
        return entry(name).input().clone();
    }

    private static Entry entry(String name) {
        Entry e = name == null ? null : MODELS.get(name.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known: " + String.join(", ", names()));
        }
        return e;
    }
}
