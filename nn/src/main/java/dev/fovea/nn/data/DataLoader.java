package dev.fovea.nn.data;

import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Batches a {@link Dataset} for training and evaluation, as PyTorch's {@code DataLoader}: seeded
 * shuffling, drop-last, per-sample {@link Transform}s, and the next batch prepared on another
 * thread while the current one trains.
 *
 * <pre>{@code
 * try (DataLoader train = DataLoader.of(mnistTrain).batchSize(64).shuffle(true).seed(1)
 *         .transform(Transforms.pad(2)).build()) {
 *     for (DataLoader.Batch b : train.epoch(0)) { ... b.inputs() (64, 1, 32, 32), b.labels() (64) ... }
 * }
 * }</pre>
 *
 * <p><b>Determinism.</b> Epoch {@code e}'s order is a permutation drawn from the seed and
 * {@code e}; a random transform of sample {@code i} in epoch {@code e} draws from a generator seeded
 * by the seed, {@code e} and {@code i}. The batches therefore depend on the seed and epoch only,
 * not on the thread that prepares them.
 */
public final class DataLoader implements AutoCloseable {
    /**
     * One batch.
     *
     * @param inputs the samples, {@code (n, sample shape...)}
     * @param labels their labels as float32 class indexes, {@code (n)} (what the losses take)
     * @param indexes the dataset indexes of the samples, in batch order
     */
    public record Batch(Tensor inputs, Tensor labels, int[] indexes) {
        /** The number of samples. */
        public int size() {
            return indexes.length;
        }
    }

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final Transform transform;
    private final long[] inputShape;
    private final long[] outputShape;
    private final int inSize;
    private final int outSize;
    private final boolean prefetch;
    private ExecutorService worker;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.seed = b.seed;
        this.transform = b.transform;
        this.prefetch = b.prefetch;
        long[] in = dataset.sampleShape();
        this.inputShape = in;
        this.outputShape = transform == null ? in : transform.outputShape(in);
        this.inSize = Math.toIntExact(product(in));
        this.outSize = Math.toIntExact(product(outputShape));
    }

    /** A builder over {@code dataset}: batch size 1, no shuffling, no transform, keep the last batch, prefetch on. */
    public static Builder of(Dataset dataset) {
        return new Builder(Objects.requireNonNull(dataset, "DataLoader: dataset is null"));
    }

    /** The dataset. */
    public Dataset dataset() {
        return dataset;
    }

    /** The shape of one sample after the transform. */
    public long[] sampleShape() {
        return outputShape.clone();
    }

    /** The number of batches per epoch. */
    public int batches() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The samples an epoch covers ({@link #batches()} times the batch size, less with a short last batch). */
    public int samplesPerEpoch() {
        return dropLast ? batches() * batchSize : dataset.size();
    }

    /**
     * The batches of epoch {@code epoch} (0, 1, ...), in order; iterating again repeats them exactly.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative
     */
    public Iterable<Batch> epoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("DataLoader.epoch: epoch must be >= 0, got " + epoch);
        }
        return () -> new Batches(order(epoch), epoch);
    }

    /** Epoch {@code epoch}'s sample order. */
    int[] order(int epoch) {
        int n = dataset.size();
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        if (shuffle) {
            SplittableRandom r = new SplittableRandom(mix(seed, epoch, -1));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** Stops the prefetching thread, if one was started. */
    @Override
    public synchronized void close() {
        if (worker != null) {
            worker.shutdownNow();
            worker = null;
        }
    }

    private synchronized ExecutorService worker() {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fovea-dataloader");
                t.setDaemon(true);
                return t;
            });
        }
        return worker;
    }

    /** The host arrays of a batch: made on any thread, turned into tensors on the consumer's. */
    private record HostBatch(float[] inputs, float[] labels, int[] indexes) {}

    private HostBatch load(int[] order, int epoch, int batch) {
        int from = batch * batchSize;
        int n = Math.min(batchSize, order.length - from);
        float[] inputs = new float[n * outSize];
        float[] labels = new float[n];
        int[] indexes = Arrays.copyOfRange(order, from, from + n);
        float[] raw = transform == null ? null : new float[inSize];
        for (int s = 0; s < n; s++) {
            int index = indexes[s];
            if (transform == null) {
                dataset.sample(index, inputs, s * outSize);
            } else {
                dataset.sample(index, raw, 0);
                transform.apply(raw, 0, inputShape, inputs, s * outSize,
                        new SplittableRandom(mix(seed, epoch, index)));
            }
            labels[s] = dataset.label(index);
        }
        return new HostBatch(inputs, labels, indexes);
    }

    private final class Batches implements Iterator<Batch> {
        private final int[] order;
        private final int epoch;
        private final int count = batches();
        private int next;
        private CompletableFuture<HostBatch> ahead;

        Batches(int[] order, int epoch) {
            this.order = order;
            this.epoch = epoch;
            ahead = start(0);
        }

        private CompletableFuture<HostBatch> start(int batch) {
            if (batch >= count) {
                return null;
            }
            return prefetch ? CompletableFuture.supplyAsync(() -> load(order, epoch, batch), worker())
                    : CompletableFuture.completedFuture(load(order, epoch, batch));
        }

        @Override
        public boolean hasNext() {
            return next < count;
        }

        @Override
        public Batch next() {
            if (next >= count) {
                throw new NoSuchElementException("DataLoader: epoch " + epoch + " has " + count + " batches");
            }
            HostBatch host;
            try {
                host = ahead.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("DataLoader: interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re
                        : new IllegalStateException("DataLoader: preparing a batch failed", e.getCause());
            }
            next++;
            ahead = start(next);
            long[] shape = new long[outputShape.length + 1];
            shape[0] = host.indexes().length;
            System.arraycopy(outputShape, 0, shape, 1, outputShape.length);
            return new Batch(Tensor.of(host.inputs(), shape), Tensor.of(host.labels(), host.labels().length),
                    host.indexes());
        }
    }

    /** A 64-bit seed from (seed, epoch, index) that differs in every bit for neighbouring arguments. */
    private static long mix(long seed, int epoch, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + (index + 1L) * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Settings of a {@link DataLoader}. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private boolean dropLast;
        private long seed;
        private Transform transform;
        private boolean prefetch = true;

        private Builder(Dataset dataset) {
            this.dataset = dataset;
        }

        /** Samples per batch (default 1). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("DataLoader: batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Whether each epoch visits the samples in a new seeded random order (default false). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Whether a last batch smaller than the batch size is left out (default false). */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** The seed of the shuffling and of random transforms (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The per-sample transform (use {@link Transforms#compose} for several); default none. */
        public Builder transform(Transform transform) {
            this.transform = transform;
            return this;
        }

        /** Whether the next batch is prepared on another thread while the current one is used (default true). */
        public Builder prefetch(boolean prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        /**
         * The loader.
         *
         * @throws IllegalArgumentException if the transform cannot take the dataset's samples
         */
        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
