package dev.fovea.cli;

import dev.fovea.nn.train.BatchResult;
import dev.fovea.nn.train.EpochResult;
import dev.fovea.nn.train.TrainingListener;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training as it goes: on a terminal a live progress bar per epoch (batches done, images
 * per second, running loss and accuracy, ETA); otherwise (a pipe, a file, CI) plain lines, one
 * every tenth of an epoch, so that a log stays readable. After each epoch, one line with the
 * epoch's training and validation metrics.
 */
final class ProgressReporter implements TrainingListener {
    /** How progress is shown. */
    enum Mode {
        /** A bar on a terminal, lines otherwise. */
        AUTO,
        /** A live progress bar. */
        BAR,
        /** A line every tenth of an epoch. */
        LINES,
        /** Only the per-epoch lines. */
        NONE
    }

    /** Lines per epoch in {@link Mode#LINES}. */
    static final int LINES_PER_EPOCH = 10;

    private final PrintWriter out;
    private final PrintStream terminal;
    private final Mode mode;
    private ProgressBar bar;
    private int epochs;

    /**
     * A reporter writing lines to {@code out} and the bar to {@code terminal} (the same stream
     * underneath, normally {@code System.out}).
     *
     * @param mode {@link Mode#AUTO} resolves to {@link Mode#BAR} when {@link #isTerminal()}
     */
    ProgressReporter(PrintWriter out, PrintStream terminal, Mode mode) {
        this.out = out;
        this.terminal = terminal;
        this.mode = mode == Mode.AUTO ? (isTerminal() ? Mode.BAR : Mode.LINES) : mode;
    }

    /** The mode in use (never {@link Mode#AUTO}). */
    Mode mode() {
        return mode;
    }

    /**
     * True if standard output is an interactive terminal. Since JDK 22 {@link System#console()} is
     * not null even when output is redirected, so {@link java.io.Console#isTerminal()} decides.
     */
    static boolean isTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batches) {
        this.epochs = epochs;
        if (mode == Mode.BAR) {
            out.flush();
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs))
                    .setInitialMax(batches)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUnit(" batches", 1)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(terminal))
                    .build();
        }
    }

    @Override
    public void batchEnded(BatchResult r) {
        boolean last = r.batch() == r.batches() - 1;
        if (mode == Mode.BAR && bar != null) {
            bar.stepTo(r.batch() + 1L);
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f  acc %.2f%%  %,.0f img/s", r.runningLoss(),
                    100 * r.runningAccuracy(), r.samplesPerSecond()));
            if (last) {
                // Validation follows: close the bar first so the epoch line starts on a line of its own.
                bar.close();
                bar = null;
            }
        } else if (mode == Mode.LINES && (last || tenth(r.batch() + 1, r.batches()) > tenth(r.batch(), r.batches()))) {
            out.println(line(r, epochs));
            out.flush();
        }
    }

    /** Which tenth of an epoch of {@code batches} batches {@code done} batches reach. */
    private static int tenth(int done, int batches) {
        return (int) ((long) done * LINES_PER_EPOCH / batches);
    }

    /** The plain progress line of a batch. */
    static String line(BatchResult r, int epochs) {
        int done = r.batch() + 1;
        return String.format(Locale.ROOT, "epoch %d/%d %3d%% [%d/%d batches]  loss %.4f  acc %.2f%%  %,.0f img/s  ETA %s",
                r.epoch() + 1, epochs, 100L * done / r.batches(), done, r.batches(), r.runningLoss(),
                100 * r.runningAccuracy(), r.samplesPerSecond(), duration(r.etaSeconds()));
    }

    @Override
    public void epochEnded(EpochResult r) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.println(String.format(Locale.ROOT,
                "epoch %d/%d done in %s: train loss %.4f acc %.2f%% | val loss %.4f acc %.2f%% | lr %.3g | %,.0f img/s",
                r.epoch() + 1, epochs, duration(r.seconds()), r.trainLoss(), 100 * r.trainAccuracy(), r.valLoss(),
                100 * r.valAccuracy(), r.learningRate(), r.samplesPerSecond()));
        out.flush();
    }

    /** Seconds as {@code m:ss} (or {@code h:mm:ss}). */
    static String duration(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
