package dev.fovea.nn.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Images of unsigned bytes with integer labels, held in memory as read (one byte per pixel):
 * {@link #sample} scales each pixel to {@code [0, 1]} (divides by 255, torchvision's
 * {@code ToTensor}). Images are {@code (channels, height, width)} row-major per image.
 */
public final class ImageDataset implements Dataset {
    private final byte[] pixels;
    private final byte[] labels;
    private final long[] shape;
    private final int sampleSize;
    private final int count;
    private final int classes;

    /**
     * A dataset of {@code labels.length} images of {@code shape} (channels, height, width) stored
     * back to back in {@code pixels}; the arrays are used as given, not copied.
     *
     * @throws IllegalArgumentException if the sizes disagree or a label is outside {@code [0, classes)}
     */
    public ImageDataset(byte[] pixels, byte[] labels, long[] shape, int classes) {
        Objects.requireNonNull(pixels, "ImageDataset: pixels is null");
        Objects.requireNonNull(labels, "ImageDataset: labels is null");
        if (shape.length != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1) {
            throw new IllegalArgumentException("ImageDataset: shape must be (channels, height, width) >= 1, got "
                    + Arrays.toString(shape));
        }
        if (classes < 1 || classes > 256) {
            throw new IllegalArgumentException("ImageDataset: classes must be in [1, 256], got " + classes);
        }
        long size = shape[0] * shape[1] * shape[2];
        if (size * labels.length != pixels.length) {
            throw new IllegalArgumentException("ImageDataset: " + labels.length + " labels need " + labels.length
                    + " x " + size + " pixels for images of " + Arrays.toString(shape) + ", got " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xff) >= classes) {
                throw new IllegalArgumentException("ImageDataset: label " + (labels[i] & 0xff) + " of sample " + i
                        + " is not in [0, " + classes + ")");
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.shape = shape.clone();
        this.sampleSize = (int) size;
        this.count = labels.length;
        this.classes = classes;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public long[] sampleShape() {
        return shape.clone();
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public void sample(int index, float[] dst, int offset) {
        Objects.checkIndex(index, count);
        int from = index * sampleSize;
        for (int i = 0; i < sampleSize; i++) {
            dst[offset + i] = (pixels[from + i] & 0xff) / 255f;
        }
    }

    @Override
    public int label(int index) {
        return labels[Objects.checkIndex(index, count)] & 0xff;
    }

    /** The raw pixel bytes of image {@code index} (a copy), e.g. to save it as a PNG. */
    public byte[] pixels(int index) {
        Objects.checkIndex(index, count);
        return Arrays.copyOfRange(pixels, index * sampleSize, (index + 1) * sampleSize);
    }
}
