package dev.fovea.nn.train;

import java.util.Locale;

/**
 * How a classifier did on a dataset: loss, accuracy, top-k accuracy, the confusion matrix and
 * per-class precision and recall (as scikit-learn defines them; a class never predicted has
 * precision 0, never present recall 0).
 */
public final class Evaluation {
    private final long[][] confusion;
    private final long samples;
    private final double loss;
    private final long topKHits;
    private final int k;

    Evaluation(long[][] confusion, long samples, double loss, long topKHits, int k) {
        this.confusion = confusion;
        this.samples = samples;
        this.loss = loss;
        this.topKHits = topKHits;
        this.k = k;
    }

    /** The number of samples evaluated. */
    public long samples() {
        return samples;
    }

    /** Mean loss per sample. */
    public double loss() {
        return loss;
    }

    /** Fraction classified right (top-1). */
    public double accuracy() {
        long right = 0;
        for (int c = 0; c < confusion.length; c++) {
            right += confusion[c][c];
        }
        return samples == 0 ? Double.NaN : (double) right / samples;
    }

    /** Fraction whose label is among the {@link #k()} highest scores. */
    public double topK() {
        return samples == 0 ? Double.NaN : (double) topKHits / samples;
    }

    /** The k of {@link #topK()}. */
    public int k() {
        return k;
    }

    /** {@code [true class][predicted class]} counts (a copy). */
    public long[][] confusionMatrix() {
        long[][] copy = new long[confusion.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }

    /** Of the samples predicted as {@code c}, the fraction that are {@code c}. */
    public double precision(int c) {
        long predicted = 0;
        for (long[] row : confusion) {
            predicted += row[c];
        }
        return predicted == 0 ? 0 : (double) confusion[c][c] / predicted;
    }

    /** Of the samples of class {@code c}, the fraction predicted as {@code c}. */
    public double recall(int c) {
        long actual = 0;
        for (long v : confusion[c]) {
            actual += v;
        }
        return actual == 0 ? 0 : (double) confusion[c][c] / actual;
    }

    /** The confusion matrix (rows true, columns predicted) and per-class precision and recall as an aligned table. */
    public String table() {
        int n = confusion.length;
        StringBuilder s = new StringBuilder("true\\pred");
        for (int c = 0; c < n; c++) {
            s.append(String.format(Locale.ROOT, "%7d", c));
        }
        s.append("  precision  recall\n");
        for (int r = 0; r < n; r++) {
            s.append(String.format(Locale.ROOT, "%9d", r));
            for (int c = 0; c < n; c++) {
                s.append(String.format(Locale.ROOT, "%7d", confusion[r][c]));
            }
            s.append(String.format(Locale.ROOT, "  %9.4f  %6.4f%n", precision(r), recall(r)));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d samples: loss %.4f, accuracy %.2f%%, top-%d %.2f%%", samples, loss,
                100 * accuracy(), k, 100 * topK());
    }
}
