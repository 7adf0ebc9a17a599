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
                    .setUpdateIntervalMillis(250)
                    .setRenderer((state, width) -> render(state.getTaskName(), state.getCurrent(), state.getMax(),
                            state.getExtraMessage(), width))
                    .setConsumer(new ConsoleProgressBarConsumer(terminal))
                    .build();
        }
    }

    @Override
    public void batchEnded(BatchResult r) {
        boolean last = r.batch() == r.batches() - 1;
        if (mode == Mode.BAR && bar != null) {
            bar.stepTo(r.batch() + 1L);
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.3f acc %.1f%% %,.0f img/s ETA %s",
                    r.runningLoss(), 100 * r.runningAccuracy(), r.samplesPerSecond(), duration(r.etaSeconds())));
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

    /** Narrowest bar drawn, in characters. */
    private static final int MIN_BAR = 8;
    /** Room kept for the extra message, the longest being {@code loss 0.000 acc 100.0% 99,999 img/s ETA 0:00}. */
    private static final int EXTRA_WIDTH = 44;
    /** Widest bar drawn. */
    private static final int MAX_BAR = 40;
    private static final String EIGHTHS = " ▏▎▍▌▋▊▉";

    /**
     * One line of the live bar, at most {@code width} characters:
     * {@code epoch 1/3  47% │██████▌     │ 441/938 loss 0.170 acc 95.4% 5,647 img/s ETA 0:08}. Compact
     * so that an 80-column terminal still has room for the bar; the ETA is the trainer's. A bar
     * cell fills in eighths.
     */
    static String render(String task, long current, long max, String extra, int width) {
        double done = max <= 0 ? 0 : Math.min(1, (double) current / max);
        String left = String.format(Locale.ROOT, "%s %3d%% │", task, (int) (100 * done));
        String right = String.format(Locale.ROOT, "│ %d/%d %s", current, max, extra == null ? "" : extra);
        // The bar's width depends on the counts' digits only, so that it does not jitter as the message changes.
        int rightWidth = 3 + 2 * Long.toString(max).length() + EXTRA_WIDTH;
        int barWidth = Math.clamp(width - left.length() - rightWidth, MIN_BAR, MAX_BAR);
        int eighths = (int) Math.round(done * barWidth * 8);
        StringBuilder bar = new StringBuilder(left);
        for (int i = 0; i < barWidth; i++) {
            int cell = Math.clamp(eighths - 8L * i, 0, 8);
            bar.append(cell == 8 ? '█' : EIGHTHS.charAt(cell));
        }
        String line = bar.append(right).toString();
        return width > 0 && line.length() > width ? line.substring(0, width) : line;
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
