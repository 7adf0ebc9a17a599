package dev.fovea.cli;

import dev.fovea.nn.data.Transform;
import dev.fovea.nn.data.Transforms;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How an image becomes a model's input: the one definition {@code train}, {@code predict} and
 * {@code visualize} share, so that they cannot drift apart.
 *
 * <ol>
 *   <li>pixels are scaled to {@code [0, 1]} (divided by 255; the dataset does this when training,
 *       {@link #fromImage} for an image file);</li>
 *   <li>zero-padded on every side to the model's input size (MNIST's 28 x 28 by 2 to LeNet-5's
 *       32 x 32), black as torchvision's {@code Pad} before {@code Normalize};</li>
 *   <li>normalised per channel with the dataset's training mean and standard deviation
 *       (MNIST: 0.1307 and 0.3081).</li>
 * </ol>
 *
 * Training puts the dataset's augmentation in front ({@link #train()}: random crops and flips for
 * CIFAR-10, none for the MNIST family).
 *
 * @param dataset the dataset the model is (or was) trained on
 * @param pad the zero padding on each side
 */
record Preprocessing(DatasetKind dataset, int pad) {
    /** Whether {@link #fromImage} turns a dark-on-light image into the datasets' light-on-dark. */
    enum Invert {
        /** Invert grey images whose mean is above one half (a dark digit on white paper). */
        AUTO,
        /** Always invert. */
        ALWAYS,
        /** Never invert. */
        NEVER
    }

    /**
     * An image file's pixels made ready for the model.
     *
     * @param input the model's input for one image, {@code (channels, height, width)} row-major
     * @param inverted whether the image was inverted
     * @param resized whether the image was resized to the dataset's size
     */
    record Prepared(float[] input, boolean inverted, boolean resized) {}

    /**
     * The preprocessing of {@code dataset}'s images for {@code model}.
     *
     * @throws IllegalArgumentException if the model's input is smaller than the images or the
     *     difference is odd (no centred padding)
     */
    static Preprocessing of(DatasetKind dataset, String model) {
        int in = Models.inputSize(model);
        int diff = in - dataset.size();
        if (diff < 0 || diff % 2 != 0) {
            throw new IllegalArgumentException("model '" + model + "' takes " + in + " x " + in + " images, which "
                    + dataset.wireName() + "'s " + dataset.size() + " x " + dataset.size() + " cannot be padded to");
        }
        return new Preprocessing(dataset, diff / 2);
    }

    /** The transform of evaluation and inference: padding, then normalisation. */
    Transform eval() {
        Transform normalize = Transforms.normalize(dataset.mean(), dataset.std());
        return pad == 0 ? normalize : Transforms.compose(Transforms.pad(pad), normalize);
    }

    /** The transform of training: the dataset's augmentation (CIFAR-10: 4-pixel random crops, flips), then {@link #eval()}. */
    Transform train() {
        if (dataset == DatasetKind.CIFAR10) {
            int s = dataset.size();
            return Transforms.compose(Transforms.randomCrop(s, s, 4), Transforms.horizontalFlip(0.5), eval());
        }
        return eval();
    }

    /** The model's input shape for one image, {@code (channels, height, width)}. */
    long[] inputShape() {
        int s = dataset.size() + 2 * pad;
        return new long[] {dataset.channels(), s, s};
    }

    /** One line saying what {@link #eval()} does, for the logs. */
    String describe() {
        StringBuilder s = new StringBuilder();
        s.append(dataset.size()).append('x').append(dataset.size());
        if (pad > 0) {
            s.append(" padded by ").append(pad).append(" to ").append(inputShape()[1]).append('x')
                    .append(inputShape()[2]);
        }
        s.append(", normalised with mean ").append(format(dataset.mean())).append(" std ")
                .append(format(dataset.std()));
        return s.toString();
    }

    /** What {@link #train()} adds to {@link #eval()}, for the logs: empty, or {@code "; training adds ..."}. */
    String describeAugmentation() {
        return dataset == DatasetKind.CIFAR10 ? "; training adds random crops (padding 4) and horizontal flips" : "";
    }

    private static String format(float[] v) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            s.append(i == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.4f", v[i]));
        }
        return s.toString();
    }

    /**
     * The model's input for an image file's pixels.
     *
     * <p>Grey datasets take the image's luminance ({@code 0.299 R + 0.587 G + 0.114 B}, ITU-R
     * BT.601, as Pillow's {@code convert("L")}; grey files are read as stored, without colour
     * management); colour datasets take R, G, B. Transparent pixels are composited over white. An
     * image that is not the dataset's size is resized by <b>area averaging</b>: each output pixel is
     * the mean of the source area it covers, fractional pixels weighted by their overlap (Pillow's
     * {@code Image.BOX}); enlarging repeats pixels. Grey images may then be inverted (see
     * {@link Invert}), as the MNIST family is light on dark. Last come {@link #eval()}'s padding and
     * normalisation.
     */
    Prepared fromImage(BufferedImage image, Invert invert) {
        int channels = dataset.channels();
        float[] planes = channels == 1 ? grey(image) : rgb(image);
        int w = image.getWidth();
        int h = image.getHeight();
        int s = dataset.size();
        boolean resized = w != s || h != s;
        if (resized) {
            planes = resize(planes, channels, h, w, s, s);
        }
        boolean inverted = false;
        if (channels == 1 && invert != Invert.NEVER) {
            double mean = 0;
            for (float v : planes) {
                mean += v;
            }
            inverted = invert == Invert.ALWAYS || mean / planes.length > 0.5;
            if (inverted) {
                for (int i = 0; i < planes.length; i++) {
                    planes[i] = 1 - planes[i];
                }
            }
        }
        long[] in = {channels, s, s};
        long[] outShape = inputShape();
        float[] out = new float[Math.toIntExact(outShape[0] * outShape[1] * outShape[2])];
        eval().apply(planes, 0, in, out, 0, new SplittableRandom(0));
        return new Prepared(out, inverted, resized);
    }

    /** The image's luminance in [0, 1], row-major; one- and two-band (grey, grey + alpha) rasters as stored. */
    static float[] grey(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[w * h];
        Raster r = image.getRaster();
        int bands = r.getNumBands();
        boolean storedGrey = image.getColorModel().getNumColorComponents() == 1 && (bands == 1 || bands == 2);
        if (storedGrey) {
            float max = (1 << r.getSampleModel().getSampleSize(0)) - 1;
            float maxAlpha = bands == 2 ? (1 << r.getSampleModel().getSampleSize(1)) - 1 : 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = r.getSample(x, y, 0) / max;
                    float a = bands == 2 ? r.getSample(x, y, 1) / maxAlpha : 1;
                    out[y * w + x] = v * a + (1 - a);
                }
            }
            return out;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = image.getRGB(x, y);
                float a = (argb >>> 24) / 255f;
                float lum = (0.299f * (argb >> 16 & 0xff) + 0.587f * (argb >> 8 & 0xff) + 0.114f * (argb & 0xff))
                        / 255f;
                out[y * w + x] = lum * a + (1 - a);
            }
        }
        return out;
    }

    /** The image's R, G and B planes in [0, 1] (sRGB as Java decodes it), composited over white. */
    static float[] rgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = image.getRGB(x, y);
                float a = (argb >>> 24) / 255f;
                for (int c = 0; c < 3; c++) {
                    float v = (argb >> (16 - 8 * c) & 0xff) / 255f;
                    out[(c * h + y) * w + x] = v * a + (1 - a);
                }
            }
        }
        return out;
    }

    /** Area-averaging resize of {@code channels} planes of {@code h x w} to {@code oh x ow} (separable box filter). */
    static float[] resize(float[] src, int channels, int h, int w, int oh, int ow) {
        float[] rows = new float[channels * h * ow];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                resample(src, (c * h + y) * w, 1, w, rows, (c * h + y) * ow, 1, ow);
            }
        }
        float[] out = new float[channels * oh * ow];
        for (int c = 0; c < channels; c++) {
            for (int x = 0; x < ow; x++) {
                resample(rows, c * h * ow + x, ow, h, out, c * oh * ow + x, ow, oh);
            }
        }
        return out;
    }

    /** Box-filters {@code n} values at {@code src[so + i * ss]} into {@code m} values at {@code dst[d0 + j * ds]}. */
    private static void resample(float[] src, int so, int ss, int n, float[] dst, int d0, int ds, int m) {
        double scale = (double) n / m;
        for (int j = 0; j < m; j++) {
            double lo = j * scale;
            double hi = (j + 1) * scale;
            double sum = 0;
            for (int i = (int) Math.floor(lo); i < Math.min(n, (int) Math.ceil(hi)); i++) {
                double overlap = Math.min(hi, i + 1) - Math.max(lo, i);
                sum += overlap * src[so + i * ss];
            }
            dst[d0 + j * ds] = (float) (sum / scale);
        }
    }
}
