package dev.fovea.nn.optim;

/**
 * {@code ReduceLROnPlateau} in {@code min} mode with a relative threshold: after more than
 * {@code patience} steps without the metric improving on its best by {@code threshold} (relative),
 * the learning rate is multiplied by {@code factor} (not below {@code minLr}), then
 * {@code cooldown} steps pass before counting again. Call {@link #step(double)} with the
 * validation metric once per epoch.
 */
public final class ReduceLrOnPlateau {
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
     * @throws IllegalArgumentException if {@code factor} is not in (0, 1) or a count is negative
     */
    public ReduceLrOnPlateau(Optimizer optimizer, double factor, int patience, double threshold, int cooldown,
                             double minLr) {
        if (!(factor > 0 && factor < 1) || patience < 0 || cooldown < 0 || !(threshold >= 0) || !(minLr >= 0)) {
            throw new IllegalArgumentException("ReduceLrOnPlateau: need 0 < factor < 1 and non-negative patience,"
                    + " threshold, cooldown and minLr, got factor=" + factor + ", patience=" + patience
                    + ", threshold=" + threshold + ", cooldown=" + cooldown + ", minLr=" + minLr);
        }
        this.optimizer = optimizer;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.minLr = minLr;
    }

    /** Records this epoch's metric (lower is better) and reduces the rate after a plateau. */
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
            double old = optimizer.learningRate();
            double reduced = Math.max(old * factor, minLr);
            if (old - reduced > 1e-8) {
                optimizer.learningRate(reduced);
            }
            cooling = cooldown;
            bad = 0;
        }
    }
}
