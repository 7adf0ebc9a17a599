package dev.fovea.cli;

import dev.fovea.onnx.OnnxValue;
import dev.fovea.tensor.Tensor;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** How {@code fovea infer} prints and writes a model's outputs, and reads class scores from them. */
final class Outputs {
    /** Values printed per output when it is not written to a file. */
    static final int SHOWN_VALUES = 8;
    /** How far from 1 the sum of an output may be for it to count as probabilities already. */
    static final double PROBABILITY_SUM_TOLERANCE = 1e-3;

    private Outputs() {}

    /** A header-style row: {@code key} padded to 8 characters, then {@code value}. */
    static void row(PrintWriter out, String key, String value) {
        out.printf(Locale.ROOT, "%-8s %s%n", key, value);
    }

    /** Writes {@code v} as a float32 {@code .npy} file (integers converted). */
    static void save(OnnxValue v, Path file) {
        if (v.isFloat()) {
            v.tensor().save(file);
            return;
        }
        long[] l = v.longs();
        float[] f = new float[l.length];
        for (int i = 0; i < l.length; i++) {
            f[i] = l[i];
        }
        Tensor.of(f, v.shape()).save(file);
    }

    /**
     * A {@code .npy} file name for each output name: characters other than ASCII letters, digits,
     * {@code '.'}, {@code '_'} and {@code '-'} become {@code '_'}; a name that would be empty or
     * only dots becomes {@code output_<i>}; names equal but for case get {@code _2}, {@code _3}...
     */
    static List<String> fileNames(List<String> outputNames) {
        Set<String> used = new HashSet<>();
        List<String> files = new ArrayList<>();
        for (int i = 0; i < outputNames.size(); i++) {
            String base = outputNames.get(i).replaceAll("[^A-Za-z0-9._-]", "_");
            if (base.chars().allMatch(c -> c == '.')) {
                base = "output_" + i;
            }
            String name = base;
            // Case-insensitive file systems (macOS, Windows) would merge "Y" and "y".
            for (int k = 2; !used.add(name.toLowerCase(Locale.ROOT)); k++) {
                name = base + "_" + k;
            }
            files.add(name + ".npy");
        }
        return files;
    }

    /** Each output's shape, its first values and, for class scores, the argmax. */
    static void printValues(PrintWriter out, Map<String, OnnxValue> result) {
        result.forEach((name, v) -> {
            row(out, "output", describe(name, v));
            StringBuilder s = new StringBuilder();
            int shown = (int) Math.min(SHOWN_VALUES, v.numel());
            float[] f = v.isFloat() ? v.tensor().toArray() : null;
            long[] l = v.isFloat() ? null : v.longs();
            for (int i = 0; i < shown; i++) {
                s.append(i == 0 ? "" : ", ").append(f != null ? number(f[i]) : Long.toString(l[i]));
            }
            String which = shown == v.numel() ? "all " + shown : "first " + shown + " of " + v.numel();
            row(out, "", "values " + s + " (" + which + ")");
            float[] scores = classScores(v);
            if (scores != null) {
                int best = argmax(scores);
                row(out, "", "argmax " + best + " (" + number(scores[best]) + ")");
            }
        });
    }

    /** {@code name: float32 [1, 10]}: an output's actual type and shape. */
    static String describe(String name, OnnxValue v) {
        return name + ": " + v.type() + " " + Arrays.toString(v.shape());
    }


    /**
     * The values of a float output holding one score per class: all dims but one are 1 (e.g.
     * {@code (k)}, {@code (1, k)}, {@code (1, k, 1, 1)}), with {@code k >= 2}; otherwise {@code null}.
     */
    static float[] classScores(OnnxValue v) {
        if (!v.isFloat() || v.numel() < 2) {
            return null;
        }
        long largest = Arrays.stream(v.shape()).max().orElse(1);
        return largest == v.numel() ? v.tensor().toArray() : null;
    }

    /** Whether {@code x} already is a probability distribution: all in [0, 1], summing to 1 (within 1e-3). */
    static boolean areProbabilities(float[] x) {
        double sum = 0;
        for (float v : x) {
            if (!(v >= 0 && v <= 1)) {
                return false;
            }
            sum += v;
        }
        return Math.abs(sum - 1) <= PROBABILITY_SUM_TOLERANCE;
    }

    /** Softmax in double, the maximum subtracted first so that large scores do not overflow. */
    static double[] softmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double[] p = new double[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            p[i] = Math.exp(x[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < x.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** {@code x} widened to double. */
    static double[] toDoubles(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    /** The index of the largest value (the first one on ties; NaN never wins). */
    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best] || Float.isNaN(x[best])) {
                best = i;
            }
        }
        return best;
    }

    /** Six significant digits, plain between 1e-4 and 1e6, else scientific. */
    static String number(float v) {
        double a = Math.abs(v);
        if (v == 0 || Float.isNaN(v) || Float.isInfinite(v)) {
            return v == 0 ? "0" : Float.toString(v);
        }
        if (a >= 1e-4 && a < 1e6) {
            return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.5e", v);
    }
}
