package dev.fovea.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each transform against the same operation written out by hand on a small numbered image. */
class TransformsTest {
    /** Two channels of 3 x 4: value 100 c + 10 y + x. */
    private static float[] image() {
        float[] v = new float[24];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    v[c * 12 + y * 4 + x] = 100 * c + 10 * y + x;
                }
            }
        }
        return v;
    }

    private static final long[] SHAPE = {2, 3, 4};

    /** The value at (c, y, x) of image(), 0 outside it. */
    private static float at(int c, int y, int x) {
        return y < 0 || y >= 3 || x < 0 || x >= 4 ? 0 : 100 * c + 10 * y + x;
    }

    private static float[] run(Transform t, long seed) {
        long[] out = t.outputShape(SHAPE);
        float[] dst = new float[(int) (out[0] * out[1] * out[2])];
        t.apply(image(), 0, SHAPE, dst, 0, new SplittableRandom(seed));
        return dst;
    }

    @Test
    void normalizeIsPerChannel() {
        float[] y = run(Transforms.normalize(new float[] {1, 100}, new float[] {2, 4}), 0);
        assertEquals((23f - 1f) / 2f, y[11]);
        assertEquals((123f - 100f) / 4f, y[23]);
        assertThrows(IllegalArgumentException.class,
                () -> Transforms.normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1}).outputShape(SHAPE));
        assertThrows(IllegalArgumentException.class, () -> Transforms.normalize(new float[] {0}, new float[] {0}));
    }

    @Test
    void padAndCropsMoveTheWindow() {
        float[] p = run(Transforms.pad(2), 0);
        assertEquals(2 * 7 * 8, p.length);
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 7; y++) {
                for (int x = 0; x < 8; x++) {
                    assertEquals(at(c, y - 2, x - 2), p[(c * 7 + y) * 8 + x]);
                }
            }
        }
        // Every crop is some window of the zero-padded image, and over seeds every offset occurs.
        Set<String> offsets = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            float[] y = run(Transforms.randomCrop(2, 2, 1), seed);
            boolean found = false;
            for (int top = -1; top <= 2 && !found; top++) {
                for (int left = -1; left <= 3 && !found; left++) {
                    boolean match = true;
                    for (int c = 0; c < 2 && match; c++) {
                        for (int i = 0; i < 4; i++) {
                            match &= y[c * 4 + i] == at(c, top + i / 2, left + i % 2);
                        }
                    }
                    if (match) {
                        offsets.add(top + "," + left);
                        found = true;
                    }
                }
            }
            assertTrue(found, "seed " + seed);
        }
        assertEquals(4 * 5, offsets.size(), "all (3 + 2 - 2 + 1) x (4 + 2 - 2 + 1) windows: " + offsets);
    }

    @Test
    void flipAndShift() {
        float[] always = run(Transforms.horizontalFlip(1), 0);
        float[] never = run(Transforms.horizontalFlip(0), 0);
        assertArrayEquals(image(), never);
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    assertEquals(at(c, y, 3 - x), always[(c * 3 + y) * 4 + x]);
                }
            }
        }
        Set<String> shifts = new HashSet<>();
        for (long seed = 0; seed < 100; seed++) {
            float[] s = run(Transforms.randomShift(1, 1), seed);
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    boolean match = true;
                    for (int i = 0; i < 24; i++) {
                        int c = i / 12;
                        match &= s[i] == at(c, (i % 12) / 4 - dy, i % 4 - dx);
                    }
                    if (match) {
                        shifts.add(dx + "," + dy);
                    }
                }
            }
        }
        assertEquals(9, shifts.size(), shifts.toString());
        float[] both = run(Transforms.compose(Transforms.pad(1), Transforms.normalize(new float[] {1}, new float[] {2})),
                0);
        assertEquals(-0.5f, both[0], "padding zero, then (0 - 1) / 2");
        assertEquals((0f - 1f) / 2f, both[0]);
        assertEquals((at(0, 0, 0) - 1f) / 2f, both[7]);
    }
}
