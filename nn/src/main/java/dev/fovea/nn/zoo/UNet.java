package dev.fovea.nn.zoo;

import dev.fovea.nn.Activation;
import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.ConvTranspose2d;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.nn.init.Init;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.ConvOptions;
import dev.fovea.tensor.functional.ConvTransposeOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * U-Net (Ronneberger, Fischer and Brox 2015, arXiv:1505.04597) for per-pixel classification: a
 * contracting path of double 3x3 convolutions with ReLU and 2x2 max pools that double the
 * channels ({@code width}, {@code 2 width}, ... {@code 2^depth width} at the bottom), and an
 * expanding path where a 2x2 stride-2 transposed convolution halves the channels, the contracting
 * path's map of the same level (the skip) is concatenated in front of it, and a double
 * convolution follows; a 1x1 convolution gives {@code classes} scores per pixel.
 *
 * <ul>
 *   <li>{@link #paper} is the paper's network: valid convolutions (each takes 2 pixels off a
 *       side's size), so the output is smaller than the input and each skip is centre-cropped to
 *       the upsampled map: a 572x572 tile gives 388x388 ({@link #outputSize}). With 1 input
 *       channel and 2 classes it has 31,030,658 parameters. Weights are drawn as the paper says,
 *       from {@code N(0, 2 / N)} with {@code N} the inputs of one output unit ({@code inC k k}
 *       for a convolution, {@code inC} for the stride-2 2x2 transposed ones), biases at zero.
 *   <li>{@link #padded} is the common variant with padding 1 (output size = input size) and,
 *       optionally, batch norm after each convolution, whose biases are then dropped
 *       (31,037,698 parameters for 3 channels and 2 classes). PyTorch's default initialisation.
 * </ul>
 *
 * <p>State-dict names are those of milesial/Pytorch-UNet with transposed-convolution upsampling
 * ({@code bilinear=False}): {@code inc.double_conv.0.weight}, {@code down1.maxpool_conv.1.double_conv.0.weight},
 * {@code up1.up.weight}, {@code up1.conv.double_conv.0.weight}, {@code outc.conv.weight}; the
 * PyTorch reference is {@code scripts/fixtures/unet_fixtures.py}. Where milesial pads the
 * upsampled map of an odd-sized input, this model requires sizes that pool evenly and says
 * which sizes fit.
 */
public final class UNet extends Module {
    private final Options options;
    private final DoubleConv inc;
    private final Down[] downs;
    private final Up[] ups;
    private final OutConv outc;

    /**
     * The settings of a U-Net.
     *
     * @param inChannels input channels (1 for the paper's grey-scale cell images)
     * @param classes output channels, one score map per class
     * @param width channels of the first level, doubled at each step down (64 in the paper)
     * @param depth number of 2x2 max pools, and of transposed convolutions (4 in the paper)
     * @param padded 3x3 convolutions with padding 1 (output size = input size) instead of the
     *     paper's valid ones
     * @param batchNorm batch norm after each 3x3 convolution, which then has no bias
     */
    public record Options(int inChannels, int classes, int width, int depth, boolean padded, boolean batchNorm) {
        /**
         * Checks the settings.
         *
         * @throws IllegalArgumentException for a size or depth below 1, or more than an int's channels at the bottom
         */
        public Options {
            if (inChannels < 1 || classes < 1 || width < 1 || depth < 1 || depth > 30
                    || ((long) width << depth) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("UNet: inChannels, classes, width and depth must be >= 1 and"
                        + " width * 2^depth must fit an int, got inChannels=" + inChannels + ", classes=" + classes
                        + ", width=" + width + ", depth=" + depth);
            }
        }

        /** The paper's settings: width 64, depth 4, valid convolutions, no batch norm. */
        public static Options paper(int inChannels, int classes) {
            return new Options(inChannels, classes, 64, 4, false, false);
        }

        /** Width 64, depth 4, padded convolutions, with or without batch norm (milesial's UNet). */
        public static Options padded(int inChannels, int classes, boolean batchNorm) {
            return new Options(inChannels, classes, 64, 4, true, batchNorm);
        }

        /** These settings with {@code width} channels at the first level. */
        public Options width(int width) {
            return new Options(inChannels, classes, width, depth, padded, batchNorm);
        }

        /** These settings with {@code depth} steps down and up. */
        public Options depth(int depth) {
            return new Options(inChannels, classes, width, depth, padded, batchNorm);
        }

        /** These settings with or without batch norm. */
        public Options batchNorm(boolean batchNorm) {
            return new Options(inChannels, classes, width, depth, padded, batchNorm);
        }
    }

    /** The U-Net of {@code options}, e.g. {@code new UNet(UNet.Options.paper(1, 2).width(32).depth(3))}. */
    public UNet(Options options) {
        this.options = options;
        int w = options.width();
        int d = options.depth();
        inc = registerModule("inc", new DoubleConv(options.inChannels(), w, options));
        downs = new Down[d];
        for (int i = 1; i <= d; i++) {
            downs[i - 1] = registerModule("down" + i, new Down(w << (i - 1), w << i, options));
        }
        ups = new Up[d];
        for (int i = 1; i <= d; i++) {
            int c = w << (d - i + 1);
            ups[i - 1] = registerModule("up" + i, new Up(c, c / 2, options));
        }
        outc = registerModule("outc", new OutConv(w, options.classes()));
        if (!options.padded()) {
            initialiseAsThePaper(Init.split());
        }
    }

    /** The paper's network (valid convolutions, width 64, depth 4): 572x572 in, 388x388 out. */
    public static UNet paper(int inChannels, int classes) {
        return new UNet(Options.paper(inChannels, classes));
    }

    /** The padded network (output size = input size, width 64, depth 4), with or without batch norm. */
    public static UNet padded(int inChannels, int classes, boolean batchNorm) {
        return new UNet(Options.padded(inChannels, classes, batchNorm));
    }

    /** The settings this network was built with. */
    public Options options() {
        return options;
    }

    /**
     * The output's height (or width) for an input of height (or width) {@code inputSize}: the
     * same size for the padded network, {@code inputSize - 184} for the paper's (572 to 388, the
     * smallest being 188 to 4; valid sizes are 16 apart at depth 4).
     *
     * @throws IllegalArgumentException if the network cannot take that size, naming the nearest
     *     sizes it can take
     */
    public long outputSize(long inputSize) {
        return outputSize("size", inputSize);
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() != 4 || input.size(1) != options.inChannels()) {
            throw new IllegalArgumentException("UNet: input must be (n, " + options.inChannels() + ", h, w), got "
                    + Shape.toString(input.shape()));
        }
        outputSize("height", input.size(2));
        outputSize("width", input.size(3));
        Tensor[] skips = new Tensor[downs.length];
        Tensor x = child("inc").call(input);
        for (int i = 0; i < downs.length; i++) {
            skips[i] = x;
            x = child("down" + (i + 1)).call(x);
        }
        for (int i = 0; i < ups.length; i++) {
            x = ups[i].forward(x, skips[downs.length - 1 - i]);
        }
        return child("outc").call(x);
    }

    /**
     * True for the modules a single-input module can stand in for: {@code inc}, {@code down1...}
     * and {@code outc} (a new head for other classes) are looked up by name when the network
     * runs; the decoder steps {@code up1...} take two inputs (the upsampled map and its skip) and
     * stay as built, so replacing one of them is an error.
     */
    @Override
    protected boolean childReplaceable(String name) {
        return !name.startsWith("up");
    }

    private long outputSize(String axis, long size) {
        String problem = problem(size);
        if (problem == null) {
            return fittingOutput(size);
        }
        StringBuilder b = new StringBuilder("UNet (").append(options.padded() ? "padded" : "valid")
                .append(" 3x3 convolutions, depth ").append(options.depth()).append("): input ").append(axis)
                .append(' ').append(size).append(" does not fit: ").append(problem).append("; ");
        long below = -1;
        for (long s = size - 1; s >= 1 && below < 0; s--) {
            below = problem(s) == null ? s : -1;
        }
        long above = size + 1;
        while (problem(above) != null) {
            above++;
        }
        if (below > 0) {
            b.append("the nearest valid sizes are ").append(below).append(" (output ").append(fittingOutput(below))
                    .append(") and ");
        } else {
            b.append("the smallest valid size is ");
        }
        b.append(above).append(" (output ").append(fittingOutput(above)).append(')');
        throw new IllegalArgumentException(b.toString());
    }

    /** Why an input of {@code size} along an axis does not fit, with its sizes level by level, or null if it fits. */
    private String problem(long size) {
        int shrink = options.padded() ? 0 : 4;
        StringBuilder path = new StringBuilder().append(size);
        long s = size;
        for (int level = 1; level <= options.depth(); level++) {
            s -= shrink;
            path.append(shrink > 0 ? " -conv-> " + s : "");
            if (s < 2 || s % 2 != 0) {
                return path + (s < 2 ? " is too small" : " is odd") + " for the 2x2 max pool of down" + level;
            }
            s /= 2;
            path.append(" -pool-> ").append(s);
        }
        long bottom = s - shrink;
        long out = bottom;
        for (int level = 1; level <= options.depth() && out >= 1; level++) {
            out = 2 * out - shrink;
        }
        return out >= 1 ? null : path + " -conv-> " + bottom
                + ": too small for the valid convolutions of the expanding path";
    }

    /** The output size for an input {@code size} that fits. */
    private long fittingOutput(long size) {
        int shrink = options.padded() ? 0 : 4;
        long s = size;
        for (int level = 0; level < options.depth(); level++) {
            s = (s - shrink) / 2;
        }
        s -= shrink;
        for (int level = 0; level < options.depth(); level++) {
            s = 2 * s - shrink;
        }
        return s;
    }

    /** The paper's {@code N(0, 2 / N)}, {@code N} the number of inputs of one output unit; zero biases. */
    private void initialiseAsThePaper(RandomGenerator rng) {
        for (Module m : namedModules().values()) {
            Tensor weight;
            Tensor bias;
            long fanIn;
            if (m instanceof Conv2d c) {
                weight = c.weight();
                bias = c.bias();
                fanIn = weight.numel() / weight.size(0);
            } else if (m instanceof ConvTranspose2d t) {
                // Stride 2 with a 2x2 kernel: each output pixel sees one input pixel, all inC channels.
                weight = t.weight();
                bias = t.bias();
                fanIn = weight.size(0);
            } else {
                continue;
            }
            Init.set(weight, Init.normal(rng, 0, Math.sqrt(2.0 / fanIn), weight.shape()));
            if (bias != null) {
                Init.zeros(bias);
            }
        }
    }

    @Override
    protected String extraRepr() {
        return "in_channels=" + options.inChannels() + ", classes=" + options.classes() + ", width=" + options.width()
                + ", depth=" + options.depth() + ", padding=" + (options.padded() ? "same" : "valid")
                + (options.batchNorm() ? ", batch_norm=True" : "");
    }

    /** (3x3 convolution [, batch norm], ReLU) twice, under milesial's name {@code double_conv}. */
    static final class DoubleConv extends Module {
        private final Sequential doubleConv;

        DoubleConv(int in, int out, Options o) {
            List<Module> layers = new ArrayList<>();
            for (int c : new int[] {in, out}) {
                layers.add(new Conv2d(c, out, new int[] {3, 3}, ConvOptions.DEFAULT.padding(o.padded() ? 1 : 0),
                        !o.batchNorm()));
                if (o.batchNorm()) {
                    layers.add(new BatchNorm2d(out));
                }
                layers.add(Activation.relu());
            }
            doubleConv = registerModule("double_conv", new Sequential(layers.toArray(Module[]::new)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return doubleConv.call(x);
        }
    }

    /** A 2x2 max pool, then a double convolution, as {@code maxpool_conv.0} and {@code maxpool_conv.1}. */
    static final class Down extends Module {
        private final Sequential maxpoolConv;

        Down(int in, int out, Options o) {
            maxpoolConv = registerModule("maxpool_conv", new Sequential(new MaxPool2d(2), new DoubleConv(in, out, o)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return maxpoolConv.call(x);
        }
    }

    /**
     * One step up: {@code up}, the 2x2 stride-2 transposed convolution from {@code in} to
     * {@code in / 2} channels, then {@code conv}, the double convolution of [skip, upsampled].
     */
    static final class Up extends Module {
        private final ConvTranspose2d up;
        private final DoubleConv conv;

        Up(int in, int out, Options o) {
            up = registerModule("up", new ConvTranspose2d(in, in / 2, 2, ConvTransposeOptions.DEFAULT.stride(2)));
            conv = registerModule("conv", new DoubleConv(in, out, o));
        }

        /** Upsamples {@code x}, concatenates it after {@code skip} centre-cropped to its size, convolves. */
        Tensor forward(Tensor x, Tensor skip) {
            Tensor u = up.call(x);
            long h = u.size(2);
            long w = u.size(3);
            Tensor cropped = skip.narrow(2, (skip.size(2) - h) / 2, h).narrow(3, (skip.size(3) - w) / 2, w);
            return conv.call(Tensor.cat(1, cropped, u));
        }

        /** Not used: a step up needs its skip connection too ({@link #forward(Tensor, Tensor)}). */
        @Override
        public Tensor forward(Tensor x) {
            throw new UnsupportedOperationException("UNet.Up needs the skip connection: forward(x, skip)");
        }
    }

    /** The final 1x1 convolution, under milesial's name {@code conv}. */
    static final class OutConv extends Module {
        private final Conv2d conv;

        OutConv(int in, int classes) {
            conv = registerModule("conv", new Conv2d(in, classes, 1));
        }

        @Override
        public Tensor forward(Tensor x) {
            return conv.call(x);
        }
    }
}
