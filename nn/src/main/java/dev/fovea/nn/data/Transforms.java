package dev.fovea.nn.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The usual image transforms, as torchvision's: {@link #normalize}, {@link #pad},
 * {@link #randomCrop}, {@link #horizontalFlip}, {@link #randomShift}, chained with
 * {@link #compose}. Samples are {@code (channels, height, width)}; scaling pixels to {@code [0, 1]}
 * is the dataset's job ({@link ImageDataset}).
 */
public final class Transforms {
    private Transforms() {}

    /** {@code (x - mean[c]) / std[c]} per channel (torchvision's {@code Normalize}); one value applies to all channels. */
    public static Transform normalize(float[] mean, float[] std) {
        float[] m = mean.clone();
        float[] s = std.clone();
        if (m.length == 0 || m.length != s.length) {
            throw new IllegalArgumentException("normalize: mean and std need the same non-zero length, got " + m.length
                    + " and " + s.length);
        }
        for (float v : s) {
            if (!(v > 0) || Float.isInfinite(v)) {
                throw new IllegalArgumentException("normalize: std must be positive and finite, got " + Arrays.toString(s));
            }
        }
        return new Transform() {
            @Override
            public long[] outputShape(long[] in) {
                checkImage("normalize", in);
                if (m.length != 1 && m.length != in[0]) {
                    throw new IllegalArgumentException("normalize: " + m.length + " means for " + in[0] + " channels");
                }
                return in.clone();
            }

            @Override
            public void apply(float[] src, int so, long[] in, float[] dst, int d, RandomGenerator r) {
                int plane = (int) (in[1] * in[2]);
                for (int c = 0; c < in[0]; c++) {
                    float mc = m[m.length == 1 ? 0 : c];
                    float sc = s[s.length == 1 ? 0 : c];
                    for (int i = c * plane; i < (c + 1) * plane; i++) {
                        dst[d + i] = (src[so + i] - mc) / sc;
                    }
                }
            }
        };
    }

    /** Zero padding of {@code p} pixels on every side (torchvision's {@code Pad(p)}): 28 x 28 MNIST to LeNet-5's 32 x 32 with 2. */
    public static Transform pad(int p) {
        if (p < 0) {
            throw new IllegalArgumentException("pad: padding must be >= 0, got " + p);
        }
        return new Transform() {
            @Override
            public long[] outputShape(long[] in) {
                checkImage("pad", in);
                return new long[] {in[0], in[1] + 2L * p, in[2] + 2L * p};
            }

            @Override
            public void apply(float[] src, int so, long[] in, float[] dst, int d, RandomGenerator r) {
                crop(src, so, in, dst, d, (int) in[1] + 2 * p, (int) in[2] + 2 * p, -p, -p);
            }
        };
    }

    /**
     * A random {@code height x width} window of the sample zero-padded by {@code padding} on every
     * side, every position equally likely (torchvision's {@code RandomCrop(size, padding)}; CIFAR's
     * usual augmentation is 32 x 32 with padding 4).
     */
    public static Transform randomCrop(int height, int width, int padding) {
        if (height < 1 || width < 1 || padding < 0) {
            throw new IllegalArgumentException("randomCrop: size must be >= 1 and padding >= 0, got " + height + "x"
                    + width + " padding " + padding);
        }
        return new Transform() {
            @Override
            public long[] outputShape(long[] in) {
                checkImage("randomCrop", in);
                if (in[1] + 2L * padding < height || in[2] + 2L * padding < width) {
                    throw new IllegalArgumentException("randomCrop: a " + height + "x" + width + " window does not fit"
                            + " a " + in[1] + "x" + in[2] + " image padded by " + padding);
                }
                return new long[] {in[0], height, width};
            }

            @Override
            public void apply(float[] src, int so, long[] in, float[] dst, int d, RandomGenerator r) {
                int top = r.nextInt((int) in[1] + 2 * padding - height + 1) - padding;
                int left = r.nextInt((int) in[2] + 2 * padding - width + 1) - padding;
                crop(src, so, in, dst, d, height, width, top, left);
            }
        };
    }

    /** Mirrors the sample left to right with probability {@code p} (torchvision's {@code RandomHorizontalFlip}). */
    public static Transform horizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("horizontalFlip: p must be in [0, 1], got " + p);
        }
        return new Transform() {
            @Override
            public long[] outputShape(long[] in) {
                checkImage("horizontalFlip", in);
                return in.clone();
            }

            @Override
            public void apply(float[] src, int so, long[] in, float[] dst, int d, RandomGenerator r) {
                boolean flip = r.nextDouble() < p;
                int w = (int) in[2];
                int rows = (int) (in[0] * in[1]);
                for (int row = 0; row < rows; row++) {
                    for (int x = 0; x < w; x++) {
                        dst[d + row * w + x] = src[so + row * w + (flip ? w - 1 - x : x)];
                    }
                }
            }
        };
    }

    /**
     * Moves the sample by a whole number of pixels drawn uniformly from {@code [-maxDx, maxDx]}
     * horizontally and {@code [-maxDy, maxDy]} vertically, filling with zeros: a random affine
     * translation (torchvision's {@code RandomAffine(0, translate=...)} without interpolation).
     */
    public static Transform randomShift(int maxDx, int maxDy) {
        if (maxDx < 0 || maxDy < 0) {
            throw new IllegalArgumentException("randomShift: maximum shifts must be >= 0, got " + maxDx + ", " + maxDy);
        }
        return new Transform() {
            @Override
            public long[] outputShape(long[] in) {
                checkImage("randomShift", in);
                return in.clone();
            }

            @Override
            public void apply(float[] src, int so, long[] in, float[] dst, int d, RandomGenerator r) {
                int dx = r.nextInt(2 * maxDx + 1) - maxDx;
                int dy = r.nextInt(2 * maxDy + 1) - maxDy;
                crop(src, so, in, dst, d, (int) in[1], (int) in[2], -dy, -dx);
            }
        };
    }

    /** The transforms applied in order. */
    public static Transform compose(Transform... transforms) {
        List<Transform> list = List.of(transforms);
        return new Transform() {
            @Override
            public long[] outputShape(long[] in) {
                long[] shape = in;
                for (Transform t : list) {
                    shape = t.outputShape(shape);
                }
                return shape;
            }

            @Override
            public void apply(float[] src, int so, long[] in, float[] dst, int d, RandomGenerator r) {
                float[] cur = src;
                int off = so;
                long[] shape = in;
                for (int i = 0; i < list.size(); i++) {
                    Transform t = list.get(i);
                    long[] next = t.outputShape(shape);
                    boolean last = i == list.size() - 1;
                    float[] out = last ? dst : new float[Math.toIntExact(next[0] * next[1] * next[2])];
                    t.apply(cur, off, shape, out, last ? d : 0, r);
                    cur = out;
                    off = 0;
                    shape = next;
                }
                if (list.isEmpty()) {
                    System.arraycopy(src, so, dst, d, Math.toIntExact(in[0] * in[1] * in[2]));
                }
            }
        };
    }

    /** Copies the {@code h x w} window at ({@code top}, {@code left}) of each channel, zeros outside the image. */
    private static void crop(float[] src, int so, long[] in, float[] dst, int d, int h, int w, int top, int left) {
        int inH = (int) in[1];
        int inW = (int) in[2];
        for (int c = 0; c < in[0]; c++) {
            for (int y = 0; y < h; y++) {
                int sy = y + top;
                int row = d + (c * h + y) * w;
                if (sy < 0 || sy >= inH) {
                    Arrays.fill(dst, row, row + w, 0f);
                    continue;
                }
                for (int x = 0; x < w; x++) {
                    int sx = x + left;
                    dst[row + x] = sx < 0 || sx >= inW ? 0f : src[so + (c * inH + sy) * inW + sx];
                }
            }
        }
    }

    private static void checkImage(String what, long[] in) {
        Objects.requireNonNull(in, what + ": shape is null");
        if (in.length != 3) {
            throw new IllegalArgumentException(what + ": samples must be (channels, height, width), got "
                    + Arrays.toString(in));
        }
    }
}
