package dev.fovea.nn.zoo;

import dev.fovea.nn.AdaptiveAvgPool2d;
import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import dev.fovea.tensor.functional.ConvOptions;
import dev.fovea.tensor.functional.F;
import dev.fovea.tensor.functional.PoolOptions;

/**
 * GoogLeNet / Inception v1 (Szegedy et al. 2014) as torchvision builds it: convolutions with batch
 * norm (eps 1e-3) and ReLU, nine inception modules of four branches concatenated along the
 * channels (torchvision's "5x5" branch uses a 3x3 kernel, kept here for its weights), max pools in
 * ceil mode, and the two auxiliary classifiers, whose weights are part of the state dict
 * (13,004,888 parameters for 1000 classes; 6,624,904 without them). The forward pass returns the
 * main classifier's logits; the auxiliary heads are not run.
 */
public final class GoogLeNet extends Module {
    /** The main path's modules in the order they run, by torchvision's names. */
    private static final String[] ORDER = {"conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a",
        "inception3b", "maxpool3", "inception4a", "inception4b", "inception4c", "inception4d", "inception4e",
        "maxpool4", "inception5a", "inception5b"};

    /**
     * The outputs of {@link #forwardWithAux}: the main logits and the auxiliary heads' logits
     * (null when the model has no auxiliary heads), in torchvision's {@code GoogLeNetOutputs} order.
     *
     * @param logits    the main classifier's output
     * @param auxLogits2 the second auxiliary head's output (after inception4d)
     * @param auxLogits1 the first auxiliary head's output (after inception4a)
     */
    public record Outputs(Tensor logits, Tensor auxLogits2, Tensor auxLogits1) {}

    /** 3 channels, 1000 classes, with the auxiliary classifiers (torchvision's default). */
    public GoogLeNet() {
        this(1000, true);
    }

    /** For {@code classes} classes, with or without the auxiliary classifiers' weights. */
    public GoogLeNet(int classes, boolean auxLogits) {
        this(3, classes, auxLogits);
    }

    /** For {@code inChannels}-channel images and {@code classes} classes, with or without the auxiliary classifiers. */
    public GoogLeNet(int inChannels, int classes, boolean auxLogits) {
        PoolOptions ceil = PoolOptions.kernel(3).stride(2).ceilMode(true);
        registerModule("conv1", basic(inChannels, 64, 7, 2, 3));
        registerModule("maxpool1", new MaxPool2d(ceil));
        registerModule("conv2", basic(64, 64, 1, 1, 0));
        registerModule("conv3", basic(64, 192, 3, 1, 1));
        registerModule("maxpool2", new MaxPool2d(ceil));
        int[][] config = {
            {192, 64, 96, 128, 16, 32, 32}, {256, 128, 128, 192, 32, 96, 64},
            {480, 192, 96, 208, 16, 48, 64}, {512, 160, 112, 224, 24, 64, 64}, {512, 128, 128, 256, 24, 64, 64},
            {512, 112, 144, 288, 32, 64, 64}, {528, 256, 160, 320, 32, 128, 128},
            {832, 256, 160, 320, 32, 128, 128}, {832, 384, 192, 384, 48, 128, 128}};
        String[] names = {"inception3a", "inception3b", "inception4a", "inception4b", "inception4c", "inception4d",
            "inception4e", "inception5a", "inception5b"};
        for (int i = 0; i < names.length; i++) {
            if (i == 2) {
                registerModule("maxpool3", new MaxPool2d(ceil));
            }
            if (i == 7) {
                registerModule("maxpool4", new MaxPool2d(PoolOptions.kernel(2).stride(2).ceilMode(true)));
            }
            int[] c = config[i];
            registerModule(names[i], inception(c[0], c[1], c[2], c[3], c[4], c[5], c[6]));
        }
        if (auxLogits) {
            registerModule("aux1", new Aux(512, classes));
            registerModule("aux2", new Aux(528, classes));
        }
        registerModule("avgpool", new AdaptiveAvgPool2d(1, 1));
        registerModule("dropout", new Dropout(0.2));
        registerModule("fc", new Linear(1024, classes));
    }

    /** The main logits only, as torchvision's model in eval mode; train with {@link #forwardWithAux}. */
    @Override
    public Tensor forward(Tensor input) {
        return run(input, false).logits();
    }

    /**
     * The main logits and, when the model has auxiliary heads, theirs (in any mode; torchvision
     * computes them in training mode only). The paper and torchvision's reference training add
     * the auxiliary losses with weight 0.3: {@code loss = ce(logits) + 0.3 * (ce(aux1) + ce(aux2))}.
     */
    public Outputs forwardWithAux(Tensor input) {
        return run(input, namedChildren().containsKey("aux1"));
    }

    private Outputs run(Tensor input, boolean aux) {
        Tensor x = input;
        Tensor aux1 = null;
        Tensor aux2 = null;
        for (String name : ORDER) {
            x = child(name).call(x);
            if (aux && name.equals("inception4a")) {
                aux1 = child("aux1").call(x);
            } else if (aux && name.equals("inception4d")) {
                aux2 = child("aux2").call(x);
            }
        }
        Tensor logits = child("fc").call(child("dropout").call(child("avgpool").call(x).flatten(1, -1)));
        return new Outputs(logits, aux2, aux1);
    }

    /** True: {@code forward} looks the top-level modules up by name, so {@link #replaceModule} can swap the head. */
    @Override
    protected boolean childReplaceable(String name) {
        return true;
    }

    /** torchvision's {@code BasicConv2d}: a bias-free convolution, batch norm (eps 1e-3), ReLU. */
    static Module basic(int in, int out, int k, int stride, int padding) {
        return new Basic(in, out, k, stride, padding);
    }

    /** Four branches on the same input, concatenated: 1x1; 1x1 then 3x3; 1x1 then 3x3; 3x3 max pool then 1x1. */
    static Module inception(int in, int c1, int c3r, int c3, int c5r, int c5, int pool) {
        return new Inception(in, c1, c3r, c3, c5r, c5, pool);
    }

    /** An inception module under torchvision's names {@code branch1} to {@code branch4}. */
    static final class Inception extends Module {
        private final Module[] branches;

        Inception(int in, int c1, int c3r, int c3, int c5r, int c5, int pool) {
            branches = new Module[] {
                registerModule("branch1", basic(in, c1, 1, 1, 0)),
                registerModule("branch2", new Sequential(basic(in, c3r, 1, 1, 0), basic(c3r, c3, 3, 1, 1))),
                registerModule("branch3", new Sequential(basic(in, c5r, 1, 1, 0), basic(c5r, c5, 3, 1, 1))),
                registerModule("branch4", new Sequential(
                        new MaxPool2d(PoolOptions.kernel(3).stride(1).padding(1).ceilMode(true)),
                        basic(in, pool, 1, 1, 0)))};
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor[] outputs = new Tensor[branches.length];
            for (int i = 0; i < branches.length; i++) {
                outputs[i] = branches[i].call(x);
            }
            return Tensor.cat(1, outputs);
        }
    }

    /** A convolution, batch norm and ReLU under torchvision's names {@code conv} and {@code bn}. */
    static final class Basic extends Module {
        private final Conv2d conv;
        private final BatchNorm2d bn;

        Basic(int in, int out, int k, int stride, int padding) {
            conv = registerModule("conv", new Conv2d(in, out, new int[] {k, k},
                    ConvOptions.DEFAULT.stride(stride).padding(padding), false));
            bn = registerModule("bn", new BatchNorm2d(out, 1e-3, 0.1));
        }

        @Override
        public Tensor forward(Tensor x) {
            return Activations.relu(bn.call(conv.call(x)));
        }
    }

    /** An auxiliary classifier: 4x4 average pool, 1x1 convolution to 128, fc 2048 to 1024, dropout, fc. */
    static final class Aux extends Module {
        private final Module conv;
        private final Linear fc1;
        private final Linear fc2;
        private final Dropout dropout;

        Aux(int in, int classes) {
            conv = registerModule("conv", basic(in, 128, 1, 1, 0));
            fc1 = registerModule("fc1", new Linear(2048, 1024));
            fc2 = registerModule("fc2", new Linear(1024, classes));
            dropout = registerModule("dropout", new Dropout(0.7));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = conv.call(F.adaptiveAvgPool2d(x, 4, 4)).flatten(1, -1);
            return fc2.call(dropout.call(Activations.relu(fc1.call(y))));
        }
    }
}
