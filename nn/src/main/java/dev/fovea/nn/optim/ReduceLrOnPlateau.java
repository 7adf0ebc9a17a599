package dev.fovea.nn.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code ReduceLROnPlateau} in {@code min} mode with a relative threshold: after more than
 * {@code patience} steps without the metric improving on its best by {@code threshold} (relative),
 * every parameter group's learning rate is multiplied by {@code factor} (not below {@code minLr},
 * the same floor for every group), then {@code cooldown} steps pass before counting again. Call
 * {@link #step(double)} with the validation metric once per epoch.
 */
public final class ReduceLrOnPlateau implements Scheduler {
    /** PyTorch's {@code eps}: reductions smaller than this are skipped. */
    private static final double MIN_CHANGE = 1e-8;
    private static final Set<String> KEYS = Set.of("kind", "best", "num_bad_epochs", "cooldown_counter");
    private final Optimizer optimizer;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final int cooldown;
    private final double minLr;
    private double best = Double.POSITIVE_INFINITY;
    private int bad;
    private int cooling;

    /** PyTorch's defaults: factor 0.1, patience 10, threshold 1e-4, no cooldown, no floor. */
    public ReduceLrOnPlateau(Optimizer optimizer) {
        this(optimizer, 0.1, 10, 1e-4, 0, 0);
    }

    /**
     * With the given settings.
     *
     * @throws IllegalArgumentException if {@code optimizer} is null, {@code factor} is not in (0, 1)
     *                                  or a count, the threshold or {@code minLr} is negative
     */
    public ReduceLrOnPlateau(Optimizer optimizer, double factor, int patience, double threshold, int cooldown,
                             double minLr) {
        if (optimizer == null) {
            throw new IllegalArgumentException("ReduceLrOnPlateau: optimizer is null");
        }
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("ReduceLrOnPlateau: factor must be in (0, 1), got " + factor);
        }
        if (patience < 0 || cooldown < 0) {
            throw new IllegalArgumentException("ReduceLrOnPlateau: patience and cooldown must be >= 0, got patience="
                    + patience + ", cooldown=" + cooldown);
        }
        if (!(threshold >= 0) || !(minLr >= 0)) {
            throw new IllegalArgumentException("ReduceLrOnPlateau: threshold and minLr must be >= 0, got threshold="
                    + threshold + ", minLr=" + minLr);
        }
        this.optimizer = optimizer;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.minLr = minLr;
    }

    /** Records this epoch's metric (lower is better) and reduces the rates after a plateau. */
    public void step(double metric) {
        if (metric < best * (1 - threshold)) {
            best = metric;
            bad = 0;
        } else {
            bad++;
        }
        if (cooling > 0) {
            cooling--;
            bad = 0;
        }
        if (bad > patience) {
            for (Optimizer.Group g : optimizer.groups()) {
                double old = g.learningRate();
                double reduced = Math.max(old * factor, minLr);
                if (old - reduced > MIN_CHANGE) {
                    g.learningRate(reduced);
                }
            }
            cooling = cooldown;
            bad = 0;
        }
    }

    /** The best metric so far ({@code +Infinity} before the first step). */
    public double best() {
        return best;
    }

    /** The steps since the metric last improved, PyTorch's {@code num_bad_epochs}. */
    public int badEpochs() {
        return bad;
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    private String kind() {
        return "ReduceLROnPlateau(mode=min, factor=" + factor + ", patience=" + patience + ", threshold=" + threshold
                + ", threshold_mode=rel, cooldown=" + cooldown + ", min_lr=" + minLr + ")";
    }

    /** {@inheritDoc} Here {@code kind}, {@code best}, {@code num_bad_epochs} and {@code cooldown_counter}. */
    @Override
    public Map<String, String> stateDict() {
        return Map.of("kind", kind(), "best", Double.toString(best), "num_bad_epochs", Integer.toString(bad),
                "cooldown_counter", Integer.toString(cooling));
    }

    @Override
    public void loadStateDict(Map<String, String> state) {
        List<String> problems = check(state);
        if (!problems.isEmpty()) {
            throw Optimizer.problems("ReduceLrOnPlateau.loadStateDict", problems);
        }
        apply(state);
    }

    List<String> check(Map<String, String> state) {
        Objects.requireNonNull(state, "ReduceLrOnPlateau.loadStateDict: state is null");
        List<String> problems = new ArrayList<>();
        String savedKind = state.get("kind");
        if (!kind().equals(savedKind)) {
            problems.add(savedKind == null ? "no 'kind' entry" : "saved a " + savedKind + ", this is a " + kind());
        }
        String b = state.get("best");
        try {
            if (b == null || Double.isNaN(Double.parseDouble(b))) {
                problems.add(b == null ? "no 'best' entry" : "best is NaN");
            }
        } catch (NumberFormatException e) {
            problems.add("best: not a number: '" + b + "'");
        }
        OptimizerState.parseInt(state, "num_bad_epochs", problems);
        OptimizerState.parseInt(state, "cooldown_counter", problems);
        state.keySet().stream().filter(k -> !KEYS.contains(k)).forEach(k -> problems.add("unexpected entry '" + k + "'"));
        return problems;
    }

    /** Restores a state {@link #check} found no problem with. */
    void apply(Map<String, String> state) {
        best = Double.parseDouble(state.get("best"));
        bad = Integer.parseInt(state.get("num_bad_epochs"));
        cooling = Integer.parseInt(state.get("cooldown_counter"));
    }
}
