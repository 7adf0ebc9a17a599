package dev.fovea.nn.train;

/**
 * Hooks into {@link Trainer#fit}: progress bars, loggers and plots plug in here (the command-line
 * tool's progress bar is one). Every method does nothing by default; they run on the training
 * thread, between batches, so they should be quick.
 */
public interface TrainingListener {
    /** Epoch {@code epoch} (0-based) of {@code epochs} starts; it has {@code batches} batches. */
    default void epochStarted(int epoch, int epochs, int batches) {}

    /** A training batch ended. */
    default void batchEnded(BatchResult result) {}

    /** An epoch ended, its validation (if any) included. */
    default void epochEnded(EpochResult result) {}

    /** Training stopped: after the last epoch, or early (then {@code early} is true). */
    default void trainingEnded(History history, boolean early) {}
}
