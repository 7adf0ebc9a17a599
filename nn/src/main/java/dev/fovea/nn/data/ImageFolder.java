package dev.fovea.nn.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Images stored one sub-folder per class, as torchvision's {@code ImageFolder}: {@code root/cat/1.png},
 * {@code root/dog/a/2.jpg}, ... The class folders are sorted by name and a class's index is its
 * position in that order; a class's images are the files under its folder (at any depth) whose
 * names end in {@link #EXTENSIONS} (any case), sorted by path. Other files, and files directly in
 * {@code root}, are ignored.
 *
 * <p><b>Pixels.</b> Images are decoded with {@code javax.imageio} (the first frame of a GIF) and
 * held in memory as unsigned bytes, {@code (channels, height, width)}, like {@link ImageDataset}.
 * The caller picks 1 or 3 channels. Colour images become grey by ITU-R 601 luma with PIL's integer
 * rounding, {@code (19595 R + 38470 G + 7471 B + 32768) >> 16}; grey images become colour by
 * repeating the grey value. Grey images are read from their raster, not converted through sRGB,
 * so a stored 128 stays 128 (16-bit grey is scaled to 8 bits, rounded); colour images go through
 * {@link BufferedImage#getRGB}. Alpha is dropped, as PIL's {@code convert("RGB")} drops it.
 *
 * <p><b>Sizes.</b> {@link #load(Path, int)} requires every image to have the size of the first
 * one. {@link #load(Path, int, int, int)} resizes each image of another size bilinearly with
 * half-pixel centres, as PyTorch's {@code interpolate(mode="bilinear", align_corners=False)} without
 * antialiasing, rounding to the nearest byte: downscaling by more than 2 skips pixels, so shrink
 * large images beforehand.
 *
 * <p>The files are untrusted: an image's size is read from its header and checked before it is
 * decoded (at most {@link #MAX_IMAGE_PIXELS}, at most {@link #MAX_PIXELS_PER_FILE_BYTE} per byte of
 * the file, and the first image's size when not resizing), and the dataset is allocated only once
 * its total is known to fit one array. A file that cannot be decoded is an
 * {@link IllegalArgumentException} naming it; there is no option to skip it.
 */
public final class ImageFolder implements Dataset {
    /** The file name extensions read, lower case (matched in any case). */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");
    /** Most pixels accepted in one image before decoding it (64 Mi, under PIL's decompression-bomb limit). */
    public static final long MAX_IMAGE_PIXELS = 1L << 26;
    /**
     * Most pixels accepted per byte of an image file before decoding it: above what PNG (deflate's
     * 1032:1 on 1-bit rows, about 8256), GIF (LZW, about 2730) and JPEG (a few hundred) reach even
     * for a constant image; only run-length BMPs can exceed it. A truncated or lying header therefore
     * makes the decoder allocate at most this many pixels per byte of the file.
     */
    public static final long MAX_PIXELS_PER_FILE_BYTE = 1L << 14;

    private final ImageDataset images;
    private final List<String> classNames;
    private final List<Path> files;

    private ImageFolder(ImageDataset images, List<String> classNames, List<Path> files) {
        this.images = images;
        this.classNames = classNames;
        this.files = files;
    }

    /**
     * The images under {@code root} with {@code channels} channels (1 grey, 3 RGB), all of one size.
     *
     * @throws IllegalArgumentException if {@code root} is not a folder, has no class folders or more
     *     than 256, a class has no images, an image cannot be decoded, or two images differ in size
     * @throws IOException if a folder or file cannot be read
     */
    public static ImageFolder load(Path root, int channels) throws IOException {
        return read(root, channels, 0, 0, false);
    }

    /**
     * The images under {@code root} with {@code channels} channels (1 grey, 3 RGB), each resized to
     * {@code height x width} if it has another size.
     *
     * @throws IllegalArgumentException if {@code root} is not a folder, has no class folders or more
     *     than 256, a class has no images, or an image cannot be decoded
     * @throws IOException if a folder or file cannot be read
     */
    public static ImageFolder load(Path root, int channels, int height, int width) throws IOException {
        if (height < 1 || width < 1 || (long) height * width > MAX_IMAGE_PIXELS) {
            throw new IllegalArgumentException("ImageFolder: the target size must be at least 1 x 1 and at most "
                    + MAX_IMAGE_PIXELS + " pixels, got " + height + " x " + width);
        }
        return read(root, channels, height, width, true);
    }

    /** The class names (the class folders' names) in label order. */
    public List<String> classNames() {
        return classNames;
    }

    /** The file sample {@code index} was read from. */
    public Path file(int index) {
        return files.get(index);
    }

    /** The raw pixel bytes of sample {@code index}, {@code (channels, height, width)} (a copy). */
    public byte[] pixels(int index) {
        return images.pixels(index);
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public long[] sampleShape() {
        return images.sampleShape();
    }

    @Override
    public int classes() {
        return images.classes();
    }

    @Override
    public void sample(int index, float[] dst, int offset) {
        images.sample(index, dst, offset);
    }

    @Override
    public int label(int index) {
        return images.label(index);
    }

    private static ImageFolder read(Path root, int channels, int height, int width, boolean resize)
            throws IOException {
        Objects.requireNonNull(root, "ImageFolder: root is null");
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("ImageFolder: channels must be 1 (grey) or 3 (RGB), got " + channels);
        }
        List<Path> classes = classFolders(root);
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            List<Path> found = images(classes.get(c));
            if (found.isEmpty()) {
                empty.add(classes.get(c).getFileName().toString());
            }
            files.addAll(found);
            labels.addAll(Collections.nCopies(found.size(), c));
        }
        if (!empty.isEmpty()) {
            throw new IllegalArgumentException("ImageFolder: class folder" + (empty.size() == 1 ? " " : "s ")
                    + String.join(", ", empty) + " of " + root + (empty.size() == 1 ? " holds" : " hold")
                    + " no images (files ending in ." + String.join(", .", EXTENSIONS.stream().sorted().toList())
                    + ")");
        }
        byte[] pixels = null;
        byte[] labelBytes = new byte[files.size()];
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            BufferedImage image = decode(file, i == 0 || resize ? -1 : height, width, files.get(0));
            if (i == 0) {
                height = resize ? height : image.getHeight();
                width = resize ? width : image.getWidth();
                pixels = allocate(root, files.size(), (long) channels * height * width);
            }
            int at = i * channels * height * width;
            if (image.getHeight() == height && image.getWidth() == width) {
                convert(image, channels, pixels, at);
            } else {
                byte[] own = new byte[channels * image.getHeight() * image.getWidth()];
                convert(image, channels, own, 0);
                resize(own, channels, image.getHeight(), image.getWidth(), pixels, at, height, width);
            }
            labelBytes[i] = (byte) (int) labels.get(i);
        }
        List<String> names = classes.stream().map(p -> p.getFileName().toString()).toList();
        return new ImageFolder(new ImageDataset(pixels, labelBytes, new long[] {channels, height, width},
                names.size()), names, List.copyOf(files));
    }

    /** The sub-folders of {@code root}, sorted by name. */
    private static List<Path> classFolders(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("ImageFolder: " + root + " is not a folder");
        }
        List<Path> classes;
        try (Stream<Path> s = Files.list(root)) {
            classes = s.filter(Files::isDirectory)
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
        if (classes.isEmpty() || classes.size() > 256) {
            throw new IllegalArgumentException("ImageFolder: " + root + " has " + classes.size() + " class folders,"
                    + " expected 1 to 256 (one sub-folder per class)");
        }
        return classes;
    }

    /** The image files under {@code folder}, sorted by path. */
    private static List<Path> images(Path folder) throws IOException {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(p -> {
                String name = p.getFileName().toString();
                int dot = name.lastIndexOf('.');
                return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))
                        && Files.isRegularFile(p);
            }).sorted().toList();
        }
    }

    private static byte[] allocate(Path root, int count, long sampleBytes) {
        if (sampleBytes * count > Idx.MAX_DATA_BYTES) {
            throw new IllegalArgumentException("ImageFolder: " + count + " images of " + sampleBytes + " bytes under "
                    + root + " need more than the " + Idx.MAX_DATA_BYTES + " bytes one array holds");
        }
        return new byte[(int) (sampleBytes * count)];
    }

    /** A call into an image reader, whose failures mean the file cannot be decoded. */
    private interface Decoding<T> {
        T call() throws IOException;
    }

    /**
     * Decodes the first image of {@code file}, checking its header's size first: at most
     * {@link #MAX_IMAGE_PIXELS} and {@link #MAX_PIXELS_PER_FILE_BYTE} per byte of the file, and
     * {@code height x width} (the size of {@code first}) unless {@code height} is -1.
     */
    private static BufferedImage decode(Path file, int height, int width, Path first) throws IOException {
        long bytes = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                ImageInputStream in = new MemoryCacheImageInputStream(raw)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException("ImageFolder: " + file + " is not an image javax.imageio can"
                        + " decode (its bytes are not PNG, JPEG, BMP or GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int h = decoding(file, () -> reader.getHeight(0));
                int w = decoding(file, () -> reader.getWidth(0));
                if (h < 1 || w < 1 || (long) h * w > MAX_IMAGE_PIXELS) {
                    throw new IllegalArgumentException("ImageFolder: " + file + " declares " + h + " x " + w
                            + " pixels, expected 1 to " + MAX_IMAGE_PIXELS);
                }
                if ((long) h * w > MAX_PIXELS_PER_FILE_BYTE * bytes) {
                    throw new IllegalArgumentException("ImageFolder: " + file + " declares " + h + " x " + w
                            + " pixels in " + bytes + " bytes, more than the " + MAX_PIXELS_PER_FILE_BYTE + " per byte"
                            + " an image file holds (a truncated file, or a lying header)");
                }
                if (height >= 0 && (h != height || w != width)) {
                    throw new IllegalArgumentException("ImageFolder: " + file + " is " + h + " x " + w + " but " + first
                            + " is " + height + " x " + width + "; images must have one size (or load them with a"
                            + " target size to resize them)");
                }
                return decoding(file, () -> reader.read(0));
            } finally {
                reader.dispose();
            }
        }
    }

    private static <T> T decoding(Path file, Decoding<T> call) {
        try {
            return call.call();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("ImageFolder: " + file + " cannot be decoded: " + e, e);
        }
    }

    /** Writes {@code image} as {@code channels} planes of bytes to {@code dst} from {@code at}. */
    private static void convert(BufferedImage image, int channels, byte[] dst, int at) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        ColorModel cm = image.getColorModel();
        int[] row = new int[w];
        if (!(cm instanceof IndexColorModel) && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            Raster raster = image.getRaster();
            long max = (1L << cm.getComponentSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) ((row[x] * 510L + max) / (2 * max));
                    for (int c = 0; c < channels; c++) {
                        dst[at + c * plane + y * w + x] = v;
                    }
                }
            }
            return;
        }
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int r = (row[x] >> 16) & 0xff;
                int g = (row[x] >> 8) & 0xff;
                int b = row[x] & 0xff;
                int i = at + y * w + x;
                if (channels == 1) {
                    dst[i] = (byte) ((19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16);
                } else {
                    dst[i] = (byte) r;
                    dst[i + plane] = (byte) g;
                    dst[i + 2 * plane] = (byte) b;
                }
            }
        }
    }

    /** Bilinear resize with half-pixel centres of {@code channels} planes of {@code h x w} to {@code outH x outW}. */
    static void resize(byte[] src, int channels, int h, int w, byte[] dst, int at, int outH, int outW) {
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        double[] fx = new double[outW];
        for (int x = 0; x < outW; x++) {
            double sx = Math.max(0, (x + 0.5) * w / outW - 0.5);
            x0[x] = (int) sx;
            x1[x] = Math.min(x0[x] + 1, w - 1);
            fx[x] = sx - x0[x];
        }
        for (int y = 0; y < outH; y++) {
            double sy = Math.max(0, (y + 0.5) * h / outH - 0.5);
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int c = 0; c < channels; c++) {
                int top = (c * h + y0) * w;
                int bottom = (c * h + y1) * w;
                for (int x = 0; x < outW; x++) {
                    double t = (src[top + x0[x]] & 0xff) * (1 - fx[x]) + (src[top + x1[x]] & 0xff) * fx[x];
                    double b = (src[bottom + x0[x]] & 0xff) * (1 - fx[x]) + (src[bottom + x1[x]] & 0xff) * fx[x];
                    dst[at + (c * outH + y) * outW + x] = (byte) Math.round(t * (1 - fy) + b * fy);
                }
            }
        }
    }
}
