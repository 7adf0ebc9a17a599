package dev.fovea.bench.train;

import dev.fovea.nn.data.DataLoader;
import dev.fovea.nn.data.ImageDataset;
import dev.fovea.nn.data.Mnist;
import dev.fovea.nn.data.Split;
import dev.fovea.nn.data.Transforms;
import dev.fovea.nn.init.Init;
import dev.fovea.nn.optim.Sgd;
import dev.fovea.nn.train.EpochResult;
import dev.fovea.nn.train.Trainer;
import dev.fovea.nn.train.TrainingListener;
import dev.fovea.nn.zoo.LeNet5;
import dev.fovea.simd.parallel.ComputeContext;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One training measurement in its own JVM (the thread count of the default compute context is
 * fixed per JVM): LeNet-5 on the full MNIST training set, batch 64, SGD with momentum 0.9, lr 0.01,
 * shuffled, padded to 32 x 32, for {@code epochs} epochs; prints one line per epoch:
 * {@code epoch=E threads=T seconds=S images_per_second=R}.
 *
 * <p>Usage: {@code TrainRun DATA_DIR EPOCHS}, with {@code -Dfovea.threads=N}.
 */
public final class TrainRun {
    private TrainRun() {}

    /** Runs the measurement. */
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int epochs = Integer.parseInt(args[1]);
        ImageDataset train = Mnist.load(data, Split.TRAIN);
        Init.manualSeed(0);
        LeNet5 net = new LeNet5();
        int threads = ComputeContext.defaultThreads();
        try (DataLoader loader = DataLoader.of(train).batchSize(64).shuffle(true).seed(0)
                .transform(Transforms.pad(2)).build()) {
            Trainer.builder(net, new Sgd(net.parameters(), 0.01, 0.9, 0, 0, false))
                    .listener(new TrainingListener() {
                        @Override
                        public void epochEnded(EpochResult r) {
                            System.out.printf(Locale.ROOT, "epoch=%d threads=%d seconds=%.3f images_per_second=%.1f"
                                    + " loss=%.4f accuracy=%.4f%n", r.epoch() + 1, threads, r.seconds(),
                                    r.samplesPerSecond(), r.trainLoss(), r.trainAccuracy());
                        }
                    }).build().fit(loader, null, epochs);
        }
    }
}
