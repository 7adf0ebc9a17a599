package dev.fovea.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link DataLoader} over a small dataset whose every pixel says which sample it came from. */
class DataLoaderTest {
    /** 23 images of 1 x 2 x 3: pixel j of image i is (7 i + j) mod 256, label i mod 5. */
    static ImageDataset numbered() {
        byte[] pixels = new byte[23 * 6];
        byte[] labels = new byte[23];
        for (int i = 0; i < 23; i++) {
            labels[i] = (byte) (i % 5);
            for (int j = 0; j < 6; j++) {
                pixels[i * 6 + j] = (byte) ((7 * i + j) % 256);
            }
        }
        return new ImageDataset(pixels, labels, new long[] {1, 2, 3}, 5);
    }

    private static List<DataLoader.Batch> all(DataLoader l, int epoch) {
        List<DataLoader.Batch> out = new ArrayList<>();
        l.epoch(epoch).forEach(out::add);
        return out;
    }

    @Test
    void batchesHoldTheSamplesTheirIndexesName() {
        try (DataLoader l = DataLoader.of(numbered()).batchSize(5).build()) {
            List<DataLoader.Batch> batches = all(l, 0);
            assertEquals(5, l.batches());
            assertEquals(List.of(5, 5, 5, 5, 3), batches.stream().map(DataLoader.Batch::size).toList());
            DataLoader.Batch last = batches.get(4);
            assertArrayEquals(new int[] {20, 21, 22}, last.indexes());
            assertArrayEquals(new long[] {3, 1, 2, 3}, last.inputs().shape());
            float[] x = last.inputs().toArray();
            for (int s = 0; s < 3; s++) {
                for (int j = 0; j < 6; j++) {
                    assertEquals(((7 * (20 + s) + j) % 256) / 255f, x[s * 6 + j]);
                }
            }
            assertArrayEquals(new float[] {0, 1, 2}, last.labels().toArray());
        }
    }

    @Test
    void shufflingVisitsEverySampleOnceAndIsSeeded() {
        try (DataLoader a = DataLoader.of(numbered()).batchSize(4).shuffle(true).seed(7).build();
             DataLoader b = DataLoader.of(numbered()).batchSize(4).shuffle(true).seed(7).prefetch(false).build();
             DataLoader c = DataLoader.of(numbered()).batchSize(4).shuffle(true).seed(8).build()) {
            int[] e0 = indexes(a, 0);
            int[] sorted = e0.clone();
            Arrays.sort(sorted);
            int[] expected = new int[23];
            Arrays.setAll(expected, i -> i);
            assertArrayEquals(expected, sorted, "a permutation");
            assertFalse(Arrays.equals(expected, e0), "shuffled");
            assertArrayEquals(e0, indexes(a, 0), "the same epoch repeats");
            assertArrayEquals(e0, indexes(b, 0), "prefetching changes nothing");
            assertFalse(Arrays.equals(e0, indexes(a, 1)), "the next epoch differs");
            assertFalse(Arrays.equals(e0, indexes(c, 0)), "another seed differs");
        }
    }

    @Test
    void dropLastLeavesOutTheShortBatch() {
        try (DataLoader l = DataLoader.of(numbered()).batchSize(5).dropLast(true).build()) {
            assertEquals(4, l.batches());
            assertEquals(20, l.samplesPerEpoch());
            assertEquals(4, all(l, 0).size());
        }
    }

    @Test
    void randomTransformsDependOnSeedEpochAndSampleOnly() {
        Transform shift = Transforms.randomShift(1, 1);
        try (DataLoader a = DataLoader.of(numbered()).batchSize(3).shuffle(true).seed(3).transform(shift).build();
             DataLoader b = DataLoader.of(numbered()).batchSize(7).seed(3).transform(shift).prefetch(false).build()) {
            float[][] byIndex = new float[23][];
            for (DataLoader.Batch batch : a.epoch(2)) {
                float[] x = batch.inputs().toArray();
                for (int s = 0; s < batch.size(); s++) {
                    byIndex[batch.indexes()[s]] = Arrays.copyOfRange(x, s * 6, s * 6 + 6);
                }
            }
            int differ = 0;
            for (DataLoader.Batch batch : b.epoch(2)) {
                float[] x = batch.inputs().toArray();
                for (int s = 0; s < batch.size(); s++) {
                    int i = batch.indexes()[s];
                    assertArrayEquals(byIndex[i], Arrays.copyOfRange(x, s * 6, s * 6 + 6), "sample " + i);
                }
            }
            for (DataLoader.Batch batch : b.epoch(3)) {
                float[] x = batch.inputs().toArray();
                for (int s = 0; s < batch.size(); s++) {
                    differ += Arrays.equals(byIndex[batch.indexes()[s]], Arrays.copyOfRange(x, s * 6, s * 6 + 6)) ? 0 : 1;
                }
            }
            assertTrue(differ > 5, "another epoch draws other shifts: " + differ);
        }
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DataLoader.of(numbered()).batchSize(0));
        String m = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.of(numbered()).transform(Transforms.randomCrop(5, 5, 1)).build()).getMessage();
        assertTrue(m.contains("does not fit a 2x3 image padded by 1"), m);
        assertThrows(IllegalArgumentException.class, () -> DataLoader.of(numbered()).build().epoch(-1));
        assertNotEquals(0, numbered().size());
    }

    private static int[] indexes(DataLoader l, int epoch) {
        return all(l, epoch).stream().flatMapToInt(b -> Arrays.stream(b.indexes())).toArray();
    }
}
