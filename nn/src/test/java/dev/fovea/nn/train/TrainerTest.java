package dev.fovea.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.Module;
import dev.fovea.nn.data.DataLoader;
import dev.fovea.nn.data.Dataset;
import dev.fovea.nn.data.ImageDataset;
import dev.fovea.nn.data.Mnist;
import dev.fovea.nn.data.Split;
import dev.fovea.nn.data.Transforms;
import dev.fovea.nn.init.Init;
import dev.fovea.nn.optim.Adam;
import dev.fovea.nn.optim.Sgd;
import dev.fovea.nn.zoo.LeNet5;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Trainer} on slices of the real MNIST, and {@link Evaluation} against counts made by hand. */
class TrainerTest {
    private static ImageDataset train;
    private static ImageDataset test;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        train = Mnist.load(Path.of("..", "data", "mnist"), Split.TRAIN);
        test = Mnist.load(Path.of("..", "data", "mnist"), Split.TEST);
    }

    private static DataLoader loader(Dataset d, long seed, boolean shuffle) {
        return DataLoader.of(d).batchSize(32).shuffle(shuffle).seed(seed).transform(Transforms.pad(2)).build();
    }

    private static Map<String, Tensor> run(long initSeed, long loaderSeed) {
        Init.manualSeed(initSeed);
        LeNet5 net = new LeNet5();
        try (DataLoader l = loader(train.slice(0, 256), loaderSeed, true)) {
            Trainer.builder(net, new Sgd(net.parameters(), 0.05, 0.9, 0, 1e-4, true)).build().fit(l, null, 1);
        }
        return net.stateDict();
    }

    @Test
    void theSameSeedsGiveBitIdenticalWeights() {
        Map<String, Tensor> a = run(1, 2);
        Map<String, Tensor> b = run(1, 2);
        Map<String, Tensor> c = run(1, 3);
        boolean differs = false;
        for (String name : a.keySet()) {
            float[] x = a.get(name).toArray();
            float[] y = b.get(name).toArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), name + "[" + i + "]");
            }
            differs |= !java.util.Arrays.equals(x, c.get(name).toArray());
        }
        assertTrue(differs, "another shuffling seed gives other weights");
    }

    /** The README's promise: a seed gives the same weights on 1 thread or 2 (every kernel sums in a fixed order). */
    @Test
    void oneAndTwoThreadsGiveBitIdenticalWeights() {
        try (dev.fovea.simd.parallel.ComputeContext one = dev.fovea.simd.parallel.ComputeContext.create(1);
             dev.fovea.simd.parallel.ComputeContext two = dev.fovea.simd.parallel.ComputeContext.create(2)) {
            Map<String, Tensor> a = dev.fovea.simd.parallel.ComputeContext.callWith(one, () -> run(1, 2));
            Map<String, Tensor> b = dev.fovea.simd.parallel.ComputeContext.callWith(two, () -> run(1, 2));
            for (String name : a.keySet()) {
                float[] x = a.get(name).toArray();
                float[] y = b.get(name).toArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), name + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void leNet5LearnsDigitsAndReportsEveryEpoch() {
        Init.manualSeed(0);
        LeNet5 net = new LeNet5();
        List<BatchResult> batches = new ArrayList<>();
        List<EpochResult> epochs = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void batchEnded(BatchResult r) {
                batches.add(r);
            }

            @Override
            public void epochEnded(EpochResult r) {
                epochs.add(r);
            }
        };
        try (DataLoader tr = loader(train.slice(0, 3000), 5, true); DataLoader te = loader(test.slice(0, 1000), 0, false)) {
            Trainer t = Trainer.builder(net, new Adam(net.parameters(), 2e-3)).listener(listener).topK(3).build();
            History h = t.fit(tr, te, 2);
            assertEquals(2, h.epochs().size());
            assertEquals(epochs, h.epochs());
            assertEquals(2 * 94, batches.size(), "3000 samples in batches of 32: 93 full and one of 24");
            assertEquals(24, batches.get(93).samples());
            // 3000 training digits, two epochs: LeNet-5 gets well past 90% (about 95% measured); chance is 10%.
            Evaluation e = t.evaluate(te);
            assertTrue(e.accuracy() > 0.9, e.toString());
            assertEquals(e.accuracy(), h.last().valAccuracy(), 1e-12);
            assertTrue(e.topK() >= e.accuracy() && e.k() == 3);
            assertTrue(h.epochs().get(1).trainLoss() < h.epochs().get(0).trainLoss());
            assertEquals(1000, e.samples());
        }
    }

    @Test
    void earlyStoppingCheckpointsAndCsv() throws IOException {
        Init.manualSeed(0);
        LeNet5 net = new LeNet5();
        try (DataLoader tr = loader(train.slice(0, 64), 0, false); DataLoader te = loader(test.slice(0, 64), 0, false)) {
            // lr 0: the validation loss never improves after the first epoch, so patience 2 stops after epoch 3 of 10.
            History h = Trainer.builder(net, new Sgd(net.parameters(), 0)).earlyStopping(2).checkpoints(dir).build()
                    .fit(tr, te, 10);
            assertEquals("3", Files.readString(dir.resolve("last.epochs")).strip());
            assertEquals("1", Files.readString(dir.resolve("best.epochs")).strip(), "accuracy never improved after 1");
            assertTrue(Files.exists(dir.resolve("best.optimizer.safetensors")));
            assertEquals(3, h.epochs().size());
            h.writeCsv(dir.resolve("metrics.csv"));
            List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
            assertEquals(History.CSV_HEADER, lines.get(0));
            assertEquals(4, lines.size());
            assertTrue(lines.get(3).startsWith("3,"), lines.get(3));
            LeNet5 copy = new LeNet5();
            copy.load(dir.resolve("best.safetensors"), true);
            assertArrayEquals(net.stateDict().get("features.0.weight").toArray(),
                    copy.stateDict().get("features.0.weight").toArray());
            assertTrue(Files.exists(dir.resolve("last.safetensors")));
        }
    }

    /** Two epochs straight, or one, a checkpoint, fresh objects, resume and one more: the same bits. */
    @Test
    void aResumedRunEndsWhereAStraightRunEnds() throws IOException {
        Map<String, Tensor> straight = resumable(dir.resolve("a"), 0, 2);
        resumable(dir.resolve("b"), 0, 1);
        Map<String, Tensor> resumed = resumable(dir.resolve("b"), -1, 2);
        for (String name : straight.keySet()) {
            assertArrayEquals(straight.get(name).toArray(), resumed.get(name).toArray(), name);
        }
        Map<String, Tensor> fresh = resumable(dir.resolve("c"), 1, 2); // epoch 1 only, from scratch
        assertFalse(java.util.Arrays.equals(straight.get("features.0.weight").toArray(),
                fresh.get("features.0.weight").toArray()), "without the checkpoint the run differs");
    }

    /** Trains epochs [from, to) with momentum SGD and a step schedule; from = -1 resumes from checkpoint "last". */
    private static Map<String, Tensor> resumable(Path folder, int from, int to) throws IOException {
        Init.manualSeed(4);
        LeNet5 net = new LeNet5();
        Sgd sgd = new Sgd(net.parameters(), 0.05, 0.9, 0, 0, false);
        Trainer t = Trainer.builder(net, sgd).checkpoints(folder)
                .epochScheduler(dev.fovea.nn.optim.LrScheduler.stepLr(sgd, 1, 0.5)).build();
        int first = from < 0 ? t.resume("last") : from;
        try (DataLoader l = loader(train.slice(0, 128), 9, true)) {
            t.fit(l, null, first, to);
        }
        return net.stateDict();
    }

    /**
     * Off-heap memory after each of five epochs, once the garbage collector has run: flat. Each
     * step's activations live in the step's Scope; what remains are the weights, gradients,
     * optimizer state and batches not yet collected (one batch of 32 x 1 x 32 x 32 floats is 128 KiB).
     */
    @Test
    void memoryStaysFlatFromEpochToEpoch() {
        Init.manualSeed(2);
        LeNet5 net = new LeNet5();
        List<Long> live = new ArrayList<>();
        TrainingListener probe = new TrainingListener() {
            @Override
            public void epochEnded(EpochResult r) {
                live.add(settledLiveBytes());
            }
        };
        try (DataLoader l = loader(train.slice(0, 320), 1, true)) {
            Trainer.builder(net, new Adam(net.parameters(), 1e-3)).listener(probe).build().fit(l, null, 5);
        }
        assertEquals(5, live.size());
        assertTrue(live.get(4) <= live.get(1) + 256 * 1024, "live off-heap bytes per epoch: " + live);
    }

    /** Live tensor bytes after a collection, once the cleaners have stopped freeing. */
    private static long settledLiveBytes() {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 40; i++) {
            System.gc();
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long now = dev.fovea.tensor.MemoryStats.liveBytes();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** A "model" that returns its input: 4 samples of 3 scores each, so every count is known. */
    @Test
    void evaluationCountsAsDefined() {
        // rows: scores; labels 0, 1, 2, 2 -> predictions 0, 2, 2, 1 (argmax)
        float[][] rows = {{5, 1, 0}, {0, 1, 2}, {0, 1, 3}, {1, 4, 2}};
        byte[] pixels = new byte[12];
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < 3; c++) {
                pixels[i * 3 + c] = (byte) rows[i][c];
            }
        }
        ImageDataset d = new ImageDataset(pixels, new byte[] {0, 1, 2, 2}, new long[] {1, 1, 3}, 3);
        Module flatten = new dev.fovea.nn.Flatten();
        try (DataLoader l = DataLoader.of(d).batchSize(3).build()) {
            Evaluation e = Trainer.evaluate(flatten, l, dev.fovea.tensor.functional.Losses::crossEntropy, 2);
            assertArrayEquals(new long[][] {{1, 0, 0}, {0, 0, 1}, {0, 1, 1}}, e.confusionMatrix());
            assertEquals(0.5, e.accuracy());
            assertEquals(1.0, e.precision(0));
            assertEquals(0.0, e.precision(1), "class 1 predicted once, wrongly");
            assertEquals(0.5, e.precision(2));
            assertEquals(0.5, e.recall(2));
            // top-2: sample 1 (label 1, scores 0 1 2) and sample 3 (label 2, scores 1 4 2) are in their top 2.
            assertEquals(1.0, e.topK());
            assertFalse(e.table().isEmpty());
        }
    }
}
