package dev.fovea.cli;

import dev.fovea.onnx.ElementType;
import dev.fovea.onnx.ValueInfo;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Locale;

/**
 * How {@code fovea infer --image} turns a picture into an ONNX model's input: a float32
 * {@code (1, inC, inH, inW)} tensor.
 *
 * <ol>
 *   <li>Pixels are read as {@link Preprocessing} reads them: R, G, B for 3-channel models,
 *       ITU-R BT.601 luminance for 1-channel ones, transparent pixels over white, in [0, 1].</li>
 *   <li><b>3 channels</b>: torchvision's ImageNet evaluation transform, {@code Resize(256)} then
 *       {@code CenterCrop(224)} for size 224. The shorter side is resized to
 *       {@code floor(size * 256 / 224)} (the longer one in proportion, truncated, as torchvision
 *       does), then the centre {@code inH x inW} is cut out (offsets rounded half to even, as
 *       Python's {@code round}). <b>1 channel</b>: the picture is resized to {@code inH x inW}
 *       without cropping, since grey models (digits, characters) need the whole picture.</li>
 *   <li>Resizing is area averaging (Pillow's {@code BOX}, {@link Preprocessing#resize}), not
 *       torchvision's bilinear filter, so probabilities can differ from PyTorch's in the last
 *       digits.</li>
 *   <li>Each channel is normalised, {@code (v - mean[c]) / std[c]}.</li>
 * </ol>
 *
 * @param inC the model's channels, 1 or 3
 * @param inH the input height
 * @param inW the input width
 * @param mean the per-channel mean ({@code inC} values)
 * @param std the per-channel standard deviation ({@code inC} values)
 */
record ImageInput(int inC, int inH, int inW, float[] mean, float[] std) {
    /** ImageNet's RGB mean, torchvision's default for its pretrained models. */
    static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet's RGB standard deviation. */
    static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    /** torchvision resizes to 256 before cropping 224: the crop keeps 224/256 = 87.5% of the shorter side. */
    static final int RESIZE_NUMERATOR = 256;
    /** The crop size {@link #RESIZE_NUMERATOR} goes with. */
    static final int RESIZE_DENOMINATOR = 224;

    /** Copies the arrays. */
    ImageInput {
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * The preparation for a model's image input: its fixed height and width if it declares them,
     * else {@code size x size}; ImageNet's mean and std for 3 channels, none (0 and 1) for 1
     * channel, unless given.
     *
     * @param input the model's input, {@code (batch, inC, inH, inW)} float32 with a batch of 1 or open
     * @param mean {@code null}, or 1 value or one per channel
     * @param std {@code null}, or 1 value or one per channel, each {@code > 0}
     * @throws Commands.UsageException if the input is not such an image, or the numbers do not fit
     */
    static ImageInput forModel(ValueInfo input, int size, float[] mean, float[] std) {
        long[] d = input.dims();
        if (input.type() != ElementType.FLOAT || d.length != 4 || d[0] > 1 || (d[1] >= 0 && d[1] != 1 && d[1] != 3)) {
            throw new Commands.UsageException("--image needs a model input of shape (1, C, H, W) with 1 or 3"
                    + " channels, float32; this model's is " + input);
        }
        if (size < 1) {
            throw new Commands.UsageException("--size must be >= 1, got " + size);
        }
        int inC = d[1] < 0 ? 3 : (int) d[1];
        int inH = d[2] > 0 ? Math.toIntExact(d[2]) : size;
        int inW = d[3] > 0 ? Math.toIntExact(d[3]) : size;
        float[] m = perChannel("--mean", mean, inC, inC == 3 ? IMAGENET_MEAN : new float[] {0});
        float[] s = perChannel("--std", std, inC, inC == 3 ? IMAGENET_STD : new float[] {1});
        for (float v : s) {
            if (!(v > 0)) {
                throw new Commands.UsageException("--std values must be > 0, got " + v);
            }
        }
        return new ImageInput(inC, inH, inW, m, s);
    }

    private static float[] perChannel(String option, float[] given, int channels, float[] dflt) {
        float[] v = given != null ? given : dflt;
        if (v.length == 1) {
            float[] all = new float[channels];
            Arrays.fill(all, v[0]);
            return all;
        }
        if (v.length != channels) {
            throw new Commands.UsageException(option + " needs 1 or " + channels + " values (the model's channels), got "
                    + v.length);
        }
        return v.clone();
    }

    /** Whether the picture is resized with a margin and centre-cropped (3 channels) rather than resized to fit. */
    boolean crops() {
        return inC == 3;
    }

    /**
     * The size the picture is resized to before cropping, {@code (height, width)}: the shorter side
     * {@code floor(max(inH, inW) * 256 / 224)}, the longer in proportion (truncated); for 1 channel
     * {@code (inH, inW)}.
     */
    int[] resizedSize(int h, int w) {
        if (!crops()) {
            return new int[] {inH, inW};
        }
        int shortSide = Math.max(inH, inW) * RESIZE_NUMERATOR / RESIZE_DENOMINATOR;
        return h <= w ? new int[] {shortSide, (int) ((long) shortSide * w / h)}
                : new int[] {(int) ((long) shortSide * h / w), shortSide};
    }

    /** The model's input for {@code image}: {@code (1, inC, inH, inW)}, resized, cropped and normalised. */
    Tensor prepare(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        float[] planes = inC == 1 ? Preprocessing.grey(image) : Preprocessing.rgb(image);
        int[] r = resizedSize(h, w);
        if (r[0] != h || r[1] != w) {
            planes = Preprocessing.resize(planes, inC, h, w, r[0], r[1]);
        }
        int top = (int) Math.rint((r[0] - inH) / 2.0);
        int left = (int) Math.rint((r[1] - inW) / 2.0);
        float[] out = new float[inC * inH * inW];
        for (int c = 0; c < inC; c++) {
            for (int y = 0; y < inH; y++) {
                for (int x = 0; x < inW; x++) {
                    float v = planes[(c * r[0] + top + y) * r[1] + left + x];
                    out[(c * inH + y) * inW + x] = (v - mean[c]) / std[c];
                }
            }
        }
        return Tensor.of(out, 1, inC, inH, inW);
    }

    /** One line saying what {@link #prepare} does to a {@code w x h} picture, for the header. */
    String describe(int h, int w) {
        int[] r = resizedSize(h, w);
        StringBuilder s = new StringBuilder();
        s.append(w).append('x').append(h).append(inC == 3 ? " RGB" : " grey");
        if (r[0] != h || r[1] != w) {
            s.append(", resized to ").append(r[1]).append('x').append(r[0]);
        }
        if (r[0] != inH || r[1] != inW) {
            s.append(", centre ").append(inW).append('x').append(inH);
        }
        return s.append(", mean ").append(format(mean)).append(" std ").append(format(std)).toString();
    }

    private static String format(float[] v) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            s.append(i == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.3f", v[i]));
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageInput i && i.inC == inC && i.inH == inH && i.inW == inW && Arrays.equals(i.mean, mean)
                && Arrays.equals(i.std, std);
    }

    @Override
    public int hashCode() {
        return (inC * 31 + inH) * 31 + inW;
    }

    @Override
    public String toString() {
        return "ImageInput(" + inC + "x" + inH + "x" + inW + ", mean " + format(mean) + ", std " + format(std) + ")";
    }
}
