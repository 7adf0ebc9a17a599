package dev.fovea.nn.train;

/**
 * The metrics of one epoch; the validation fields are {@code NaN} without validation data.
 *
 * @param epoch 0-based epoch
 * @param trainLoss mean training loss over the epoch (as the weights moved)
 * @param trainAccuracy fraction of training samples classified right during the epoch
 * @param valLoss mean validation loss after the epoch
 * @param valAccuracy validation accuracy after the epoch
 * @param valTopK validation top-k accuracy ({@code k} from {@link Trainer.Builder#topK})
 * @param learningRate the learning rate at the end of the epoch
 * @param seconds wall time of the epoch, validation included
 * @param samplesPerSecond training throughput
 */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
                          double valTopK, double learningRate, double seconds, double samplesPerSecond) {}
