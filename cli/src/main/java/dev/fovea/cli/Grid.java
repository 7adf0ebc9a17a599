package dev.fovea.cli;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Equal tiles laid out in one image, for looking at filters and feature maps: {@code ceil(sqrt(n))}
 * columns, as many rows as needed, and a {@link #GAP}-pixel blue line between and around the tiles.
 * Each tile is min-max scaled on its own (its lowest value black, its highest white; a constant
 * tile is black) and enlarged by a whole factor, each value becoming a square of pixels.
 */
final class Grid {
    /** Pixels between tiles and around the grid. */
    static final int GAP = 2;
    private static final int GAP_RGB = 0x285aa0;

    private Grid() {}

    /** Columns for {@code n} tiles. */
    static int columns(int n) {
        return (int) Math.ceil(Math.sqrt(n));
    }

    /** Rows for {@code n} tiles. */
    static int rows(int n) {
        int c = columns(n);
        return (n + c - 1) / c;
    }

    /** The grid's width in pixels for {@code n} tiles of {@code tileWidth} pixels. */
    static int width(int n, int tileWidth) {
        return columns(n) * tileWidth + (columns(n) + 1) * GAP;
    }

    /** The grid's height in pixels for {@code n} tiles of {@code tileHeight} pixels. */
    static int height(int n, int tileHeight) {
        return rows(n) * tileHeight + (rows(n) + 1) * GAP;
    }

    /** The smallest whole factor that makes {@code size} pixels at least {@code target}. */
    static int scaleFor(int size, int target) {
        return Math.max(1, (target + size - 1) / size);
    }

    /**
     * A grid of tiles of {@code channels} planes of {@code h x w} values each (row-major,
     * channel-major), enlarged {@code scale} times; one channel is drawn grey, three as RGB
     * (scaled together, so colours keep their balance).
     *
     * @throws IllegalArgumentException unless {@code channels} is 1 or 3 and every tile has {@code channels * h * w} values
     */
    static BufferedImage draw(List<float[]> tiles, int channels, int h, int w, int scale) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("Grid: tiles must have 1 or 3 channels, got " + channels);
        }
        int n = tiles.size();
        int th = h * scale;
        int tw = w * scale;
        BufferedImage img = new BufferedImage(width(n, tw), height(n, th), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, GAP_RGB);
            }
        }
        int cols = columns(n);
        for (int t = 0; t < n; t++) {
            float[] v = tiles.get(t);
            if (v.length != channels * h * w) {
                throw new IllegalArgumentException("Grid: tile " + t + " has " + v.length + " values, expected "
                        + channels * h * w);
            }
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float f : v) {
                min = Math.min(min, f);
                max = Math.max(max, f);
            }
            float range = max - min;
            int left = GAP + (t % cols) * (tw + GAP);
            int top = GAP + (t / cols) * (th + GAP);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = 0;
                    for (int c = 0; c < 3; c++) {
                        float f = v[((channels == 1 ? 0 : c) * h + y) * w + x];
                        int level = range > 0 ? Math.round(255 * (f - min) / range) : 0;
                        rgb = rgb << 8 | level;
                    }
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            img.setRGB(left + x * scale + dx, top + y * scale + dy, rgb);
                        }
                    }
                }
            }
        }
        return img;
    }
}
