package dev.fovea.nn.train;

/**
 * One training batch, as a {@link TrainingListener} sees it.
 *
 * @param epoch 0-based epoch
 * @param batch 0-based batch within the epoch
 * @param batches batches in the epoch
 * @param samples samples in this batch
 * @param loss this batch's mean loss
 * @param runningLoss mean loss over the epoch's batches so far (weighted by samples)
 * @param runningAccuracy fraction of the epoch's samples so far classified right
 * @param samplesPerSecond the epoch's throughput so far
 * @param elapsedSeconds time since the epoch started
 */
public record BatchResult(int epoch, int batch, int batches, int samples, double loss, double runningLoss,
                          double runningAccuracy, double samplesPerSecond, double elapsedSeconds) {
    /** Estimated seconds left in the epoch, from the time per batch so far. */
    public double etaSeconds() {
        return elapsedSeconds / (batch + 1) * (batches - batch - 1);
    }
}
