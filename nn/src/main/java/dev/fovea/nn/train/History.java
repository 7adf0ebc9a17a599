package dev.fovea.nn.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The epochs of a {@link Trainer#fit} run, in order, writable as CSV. */
public final class History {
    /** The CSV header {@link #writeCsv} writes. */
    public static final String CSV_HEADER = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_top_k,lr,seconds,"
            + "samples_per_second";

    private final List<EpochResult> epochs = new ArrayList<>();

    void add(EpochResult r) {
        epochs.add(r);
    }

    /** The epochs so far (a copy). */
    public List<EpochResult> epochs() {
        return List.copyOf(epochs);
    }

    /** The last epoch, or null before the first ends. */
    public EpochResult last() {
        return epochs.isEmpty() ? null : epochs.getLast();
    }

    /** Writes one line per epoch under {@link #CSV_HEADER}, epochs counted from 1; {@code NaN} for missing values. */
    public void writeCsv(Path file) throws IOException {
        StringBuilder s = new StringBuilder(CSV_HEADER).append('\n');
        for (EpochResult e : epochs) {
            s.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.8g,%.3f,%.1f%n", e.epoch() + 1,
                    e.trainLoss(), e.trainAccuracy(), e.valLoss(), e.valAccuracy(), e.valTopK(), e.learningRate(),
                    e.seconds(), e.samplesPerSecond()));
        }
        Files.writeString(file, s);
    }
}
