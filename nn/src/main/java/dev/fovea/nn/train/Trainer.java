package dev.fovea.nn.train;

import dev.fovea.nn.Module;
import dev.fovea.nn.data.DataLoader;
import dev.fovea.nn.optim.LrScheduler;
import dev.fovea.nn.optim.Optimizer;
import dev.fovea.nn.optim.ReduceLrOnPlateau;
import dev.fovea.nn.optim.Scheduler;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.MemoryPool;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Losses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BinaryOperator;

/**
 * Trains a classifier: the loop every training script writes, with metrics, schedules, early
 * stopping, checkpoints and listeners.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 1e-3))
 *         .listener(progress).checkpoints(Path.of("runs/lenet5")).build();
 * History history = trainer.fit(trainLoader, testLoader, 3);
 * Evaluation result = trainer.evaluate(testLoader);
 * }</pre>
 *
 * <p>Each training step runs in its own {@link Scope}, so activations and gradients of
 * intermediate values are freed when the step ends and memory stays flat from batch to batch;
 * the scopes of an epoch share a {@link MemoryPool}, so later steps reuse the first one's blocks.
 * Training is deterministic: with the same seeds (model initialisation, loader) and thread count,
 * two runs give bit-identical weights.
 */
public final class Trainer {
    private final Module model;
    private final Optimizer optimizer;
    private final BinaryOperator<Tensor> loss;
    private final List<TrainingListener> listeners;
    private final LrScheduler epochScheduler;
    private final LrScheduler batchScheduler;
    private final ReduceLrOnPlateau plateau;
    private final int patience;
    private final Path checkpoints;
    private final int topK;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.loss = b.loss;
        this.listeners = List.copyOf(b.listeners);
        this.epochScheduler = b.epochScheduler;
        this.batchScheduler = b.batchScheduler;
        this.plateau = b.plateau;
        this.patience = b.patience;
        this.checkpoints = b.checkpoints;
        this.topK = b.topK;
    }

    /** A builder for training {@code model} with {@code optimizer} (over the model's parameters) and cross-entropy. */
    public static Builder builder(Module model, Optimizer optimizer) {
        return new Builder(Objects.requireNonNull(model, "Trainer: model is null"),
                Objects.requireNonNull(optimizer, "Trainer: optimizer is null"));
    }

    /**
     * Trains for {@code epochs} epochs on {@code train} (epoch {@code e} uses the loader's epoch
     * {@code e} order), evaluating on {@code validation} (may be null) after each. With
     * checkpoints, writes checkpoint {@code last} after every epoch and {@code best} whenever
     * validation accuracy improves (see {@link #resume}). Stops early when validation loss has not improved for
     * the builder's patience. Leaves the model in training mode.
     *
     * @throws IllegalArgumentException if {@code epochs < 1}
     */
    public History fit(DataLoader train, DataLoader validation, int epochs) {
        return fit(train, validation, 0, epochs);
    }

    /**
     * {@link #fit(DataLoader, DataLoader, int)} from epoch {@code firstEpoch} on, up to epoch
     * {@code epochs - 1}: how a run continues after {@link #resume}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= firstEpoch < epochs}
     */
    public History fit(DataLoader train, DataLoader validation, int firstEpoch, int epochs) {
        Objects.requireNonNull(train, "Trainer.fit: train is null");
        if (firstEpoch < 0 || firstEpoch >= epochs) {
            throw new IllegalArgumentException("Trainer.fit: need 0 <= firstEpoch < epochs, got " + firstEpoch + " and "
                    + epochs);
        }
        History history = new History();
        double bestAccuracy = Double.NEGATIVE_INFINITY;
        double bestLoss = Double.POSITIVE_INFINITY;
        int sinceBest = 0;
        boolean early = false;
        for (int epoch = firstEpoch; epoch < epochs && !early; epoch++) {
            EpochResult r = epoch(train, validation, epoch, epochs);
            history.add(r);
            listeners.forEach(l -> l.epochEnded(r));
            if (plateau != null && validation != null) {
                plateau.step(r.valLoss());
            }
            if (checkpoints != null) {
                save("last", epoch + 1);
                if (validation != null && r.valAccuracy() > bestAccuracy) {
                    save("best", epoch + 1);
                }
            }
            bestAccuracy = Math.max(bestAccuracy, r.valAccuracy());
            if (validation != null && r.valLoss() < bestLoss) {
                bestLoss = r.valLoss();
                sinceBest = 0;
            } else if (validation != null && patience > 0 && ++sinceBest >= patience) {
                early = true;
            }
        }
        boolean stoppedEarly = early;
        listeners.forEach(l -> l.trainingEnded(history, stoppedEarly));
        return history;
    }

    private EpochResult epoch(DataLoader train, DataLoader validation, int epoch, int epochs) {
        model.train();
        int batches = train.batches();
        listeners.forEach(l -> l.epochStarted(epoch, epochs, batches));
        long start = System.nanoTime();
        double lossSum = 0;
        long right = 0;
        long seen = 0;
        int b = 0;
        // Every step allocates the same sizes: the pool hands the first step's blocks to the next
        // ones (warm, already mapped) instead of allocating and freeing them per step.
        try (MemoryPool pool = MemoryPool.create()) {
            for (DataLoader.Batch batch : train.epoch(epoch)) {
                double batchLoss;
                long batchRight;
                try (Scope step = Scope.open(pool)) {
                    optimizer.zeroGrad();
                    Tensor output = model.call(batch.inputs());
                    Tensor l = loss.apply(output, batch.labels());
                    l.backward();
                    batchLoss = l.item();
                    batchRight = hits(output, batch.labels(), 1);
                    optimizer.step();
                }
                if (batchScheduler != null) {
                    batchScheduler.step();
                }
                lossSum += batchLoss * batch.size();
                right += batchRight;
                seen += batch.size();
                double elapsed = (System.nanoTime() - start) / 1e9;
                BatchResult br = new BatchResult(epoch, b++, batches, batch.size(), batchLoss, lossSum / seen,
                        (double) right / seen, seen / elapsed, elapsed);
                listeners.forEach(l -> l.batchEnded(br));
            }
        }
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        if (epochScheduler != null) {
            epochScheduler.step();
        }
        Evaluation val = validation == null ? null : evaluate(validation);
        model.train();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new EpochResult(epoch, lossSum / seen, (double) right / seen, val == null ? Double.NaN : val.loss(),
                val == null ? Double.NaN : val.accuracy(), val == null ? Double.NaN : val.topK(),
                optimizer.learningRate(), seconds, seen / trainSeconds);
    }

    /**
     * Evaluates the model (in eval mode, without gradients) on every sample of {@code data}'s epoch 0.
     * Leaves the model in eval mode.
     */
    public Evaluation evaluate(DataLoader data) {
        return evaluate(model, data, loss, topK);
    }

    /** {@link #evaluate(DataLoader)} for any model, loss and top-k. */
    public static Evaluation evaluate(Module model, DataLoader data, BinaryOperator<Tensor> loss, int topK) {
        model.eval();
        int classes = data.dataset().classes();
        int k = Math.min(topK, classes);
        long[][] confusion = new long[classes][classes];
        double lossSum = 0;
        long samples = 0;
        long topHits = 0;
        try (Grad off = Grad.off(); MemoryPool pool = MemoryPool.create()) {
            for (DataLoader.Batch batch : data.epoch(0)) {
                try (Scope s = Scope.open(pool)) {
                    Tensor output = model.call(batch.inputs());
                    lossSum += loss.apply(output, batch.labels()).item() * batch.size();
                    float[] scores = output.toArray();
                    float[] labels = batch.labels().toArray();
                    for (int i = 0; i < labels.length; i++) {
                        int label = (int) labels[i];
                        int predicted = rankOf(scores, i * classes, classes, -1);
                        confusion[label][predicted]++;
                        topHits += rankOf(scores, i * classes, classes, label) < k ? 1 : 0;
                    }
                    samples += batch.size();
                }
            }
        }
        return new Evaluation(confusion, samples, lossSum / samples, topHits, k);
    }

    /** Samples of the batch whose label is among the {@code k} highest scores of its row. */
    private static long hits(Tensor output, Tensor labels, int k) {
        float[] scores = output.toArray();
        float[] y = labels.toArray();
        int classes = scores.length / y.length;
        long hits = 0;
        for (int i = 0; i < y.length; i++) {
            hits += rankOf(scores, i * classes, classes, (int) y[i]) < k ? 1 : 0;
        }
        return hits;
    }

    /**
     * With {@code label < 0}: the index of the row's highest score (the first on ties, as
     * {@code argmax}). Otherwise: how many scores of the row beat {@code label}'s (ties broken by
     * index), so that it is in the top k when this is below k.
     */
    private static int rankOf(float[] scores, int row, int classes, int label) {
        if (label < 0) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (scores[row + c] > scores[row + best]) {
                    best = c;
                }
            }
            return best;
        }
        float mine = scores[row + label];
        int above = 0;
        for (int c = 0; c < classes; c++) {
            float v = scores[row + c];
            above += v > mine || (v == mine && c < label) ? 1 : 0;
        }
        return above;
    }

    /**
     * Writes checkpoint {@code name}: the weights ({@code name.safetensors}), the optimizer's and
     * schedules' state ({@code name.optimizer.safetensors}) and the epochs done
     * ({@code name.epochs}).
     */
    private void save(String name, int epochsDone) {
        try {
            Files.createDirectories(checkpoints);
            model.save(checkpoints.resolve(name + ".safetensors"));
            optimizer.save(checkpoints.resolve(name + ".optimizer.safetensors"), schedulers());
            Files.writeString(checkpoints.resolve(name + ".epochs"), epochsDone + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("Trainer: cannot write checkpoint " + name + " in " + checkpoints, e);
        }
    }

    private Scheduler[] schedulers() {
        List<Scheduler> list = new ArrayList<>();
        for (Scheduler s : new Scheduler[] {epochScheduler, batchScheduler, plateau}) {
            if (s != null) {
                list.add(s);
            }
        }
        return list.toArray(Scheduler[]::new);
    }

    /**
     * Loads checkpoint {@code name} ({@code "last"} or {@code "best"}) of the checkpoint folder into
     * the model, the optimizer and the schedules, and returns the epochs it had done: pass that as
     * {@code firstEpoch} to {@link #fit(DataLoader, DataLoader, int, int)} to continue the run as if
     * it had not stopped (bit-identical, with the same loaders and thread count).
     *
     * @throws IllegalStateException if the trainer has no checkpoint folder
     * @throws IOException if a file is missing or unreadable
     */
    public int resume(String name) throws IOException {
        if (checkpoints == null) {
            throw new IllegalStateException("Trainer.resume: the trainer was built without a checkpoint folder");
        }
        model.load(checkpoints.resolve(name + ".safetensors"), true);
        optimizer.load(checkpoints.resolve(name + ".optimizer.safetensors"), schedulers());
        String epochs = Files.readString(checkpoints.resolve(name + ".epochs")).strip();
        try {
            return Integer.parseInt(epochs);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Trainer.resume: " + checkpoints.resolve(name + ".epochs")
                    + " must hold the number of epochs done, got '" + epochs + "'");
        }
    }

    /** Settings of a {@link Trainer}. */
    public static final class Builder {
        private final Module model;
        private final Optimizer optimizer;
        private BinaryOperator<Tensor> loss = Losses::crossEntropy;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private LrScheduler epochScheduler;
        private LrScheduler batchScheduler;
        private ReduceLrOnPlateau plateau;
        private int patience;
        private Path checkpoints;
        private int topK = 5;

        private Builder(Module model, Optimizer optimizer) {
            this.model = model;
            this.optimizer = optimizer;
        }

        /** The loss of (model output, labels); default {@link Losses#crossEntropy(Tensor, Tensor)}. */
        public Builder loss(BinaryOperator<Tensor> loss) {
            this.loss = Objects.requireNonNull(loss, "Trainer: loss is null");
            return this;
        }

        /** Adds a listener. */
        public Builder listener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener, "Trainer: listener is null"));
            return this;
        }

        /** A schedule stepped after every epoch (StepLR, cosine annealing, ...). */
        public Builder epochScheduler(LrScheduler scheduler) {
            this.epochScheduler = scheduler;
            return this;
        }

        /** A schedule stepped after every batch (one-cycle, warm-up). */
        public Builder batchScheduler(LrScheduler scheduler) {
            this.batchScheduler = scheduler;
            return this;
        }

        /** Reduces the learning rate when validation loss stops improving. */
        public Builder reduceOnPlateau(ReduceLrOnPlateau plateau) {
            this.plateau = plateau;
            return this;
        }

        /** Stops after {@code patience} epochs without a lower validation loss (0, the default: never). */
        public Builder earlyStopping(int patience) {
            if (patience < 0) {
                throw new IllegalArgumentException("Trainer: patience must be >= 0, got " + patience);
            }
            this.patience = patience;
            return this;
        }

        /**
         * The folder for checkpoints {@code last} and {@code best}: {@code last.safetensors} (weights),
         * {@code last.optimizer.safetensors} (optimizer and schedules), {@code last.epochs}; the same
         * for {@code best}. Default: no checkpoints.
         */
        public Builder checkpoints(Path folder) {
            this.checkpoints = folder;
            return this;
        }

        /** The k of top-k validation accuracy (default 5; capped at the number of classes). */
        public Builder topK(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("Trainer: topK must be >= 1, got " + k);
            }
            this.topK = k;
            return this;
        }

        /** The trainer. */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}
