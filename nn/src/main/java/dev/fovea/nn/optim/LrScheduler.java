package dev.fovea.nn.optim;

import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * A learning-rate schedule driving an optimizer, as {@code torch.optim.lr_scheduler}: call
 * {@link #step()} once per epoch (or per batch for {@link #oneCycle}) after the optimizer's step;
 * the optimizer's rate becomes the schedule's value at the new step count. The schedules are
 * PyTorch's closed forms of its chainable updates, with PyTorch's arguments; the base rate is the
 * optimizer's rate when the scheduler is made. For ReduceLROnPlateau see {@link ReduceLrOnPlateau}.
 */
public final class LrScheduler {
    private final Optimizer optimizer;
    private final IntToDoubleFunction schedule;
    private int step;

    private LrScheduler(Optimizer optimizer, IntToDoubleFunction schedule) {
        this.optimizer = optimizer;
        this.schedule = schedule;
        optimizer.learningRate(schedule.applyAsDouble(0));
    }

    /** Advances one step and sets the optimizer's learning rate. */
    public void step() {
        optimizer.learningRate(schedule.applyAsDouble(++step));
    }

    /** The steps taken. */
    public int stepCount() {
        return step;
    }

    /** The learning rate set by the last step (PyTorch's {@code get_last_lr}). */
    public double lastLr() {
        return optimizer.learningRate();
    }

    /** {@code StepLR}: {@code base * gamma^(step / stepSize)}. */
    public static LrScheduler stepLr(Optimizer o, int stepSize, double gamma) {
        positive("stepLr", "stepSize", stepSize);
        double base = o.learningRate();
        return new LrScheduler(o, s -> base * Math.pow(gamma, s / stepSize));
    }

    /** {@code MultiStepLR}: {@code base * gamma^(milestones passed)}. */
    public static LrScheduler multiStepLr(Optimizer o, int[] milestones, double gamma) {
        int[] m = milestones.clone();
        Arrays.sort(m);
        double base = o.learningRate();
        return new LrScheduler(o, s -> {
            int passed = 0;
            while (passed < m.length && m[passed] <= s) {
                passed++;
            }
            return base * Math.pow(gamma, passed);
        });
    }

    /** {@code ExponentialLR}: {@code base * gamma^step}. */
    public static LrScheduler exponentialLr(Optimizer o, double gamma) {
        double base = o.learningRate();
        return new LrScheduler(o, s -> base * Math.pow(gamma, s));
    }

    /** {@code CosineAnnealingLR}: {@code etaMin + (base - etaMin) (1 + cos(pi step / tMax)) / 2}. */
    public static LrScheduler cosineAnnealingLr(Optimizer o, int tMax, double etaMin) {
        positive("cosineAnnealingLr", "tMax", tMax);
        double base = o.learningRate();
        return new LrScheduler(o, s -> etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * s / tMax)) / 2);
    }

    /**
     * {@code LinearLR}, the linear warm-up: the factor goes from {@code startFactor} to
     * {@code endFactor} over {@code totalIters} steps, then stays.
     */
    public static LrScheduler linearLr(Optimizer o, double startFactor, double endFactor, int totalIters) {
        positive("linearLr", "totalIters", totalIters);
        if (!(startFactor > 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("linearLr: need 0 < startFactor <= 1 and 0 <= endFactor <= 1, got "
                    + startFactor + ", " + endFactor);
        }
        double base = o.learningRate();
        return new LrScheduler(o, s -> base * (startFactor
                + (endFactor - startFactor) * Math.min(s, totalIters) / totalIters));
    }

    /**
     * {@code OneCycleLR} with PyTorch's defaults (30% warm-up, cosine annealing, div factor 25,
     * final div factor 1e4), stepped once per batch for {@code totalSteps} batches.
     */
    public static LrScheduler oneCycle(Optimizer o, double maxLr, int totalSteps) {
        return oneCycle(o, maxLr, totalSteps, 0.3, true, false, 25, 1e4);
    }

    /**
     * {@code OneCycleLR}: from {@code maxLr / divFactor} up to {@code maxLr} over {@code pctStart} of
     * the steps, then down to {@code maxLr / divFactor / finalDivFactor} (three phases: down to the
     * initial rate over the same length first), cosine or linear.
     */
    public static LrScheduler oneCycle(Optimizer o, double maxLr, int totalSteps, double pctStart, boolean cosine,
                                       boolean threePhase, double divFactor, double finalDivFactor) {
        positive("oneCycle", "totalSteps", totalSteps);
        if (!(pctStart > 0 && pctStart < 1)) {
            throw new IllegalArgumentException("oneCycle: pctStart must be in (0, 1), got " + pctStart);
        }
        double initial = maxLr / divFactor;
        double min = initial / finalDivFactor;
        double[][] phases = threePhase
                ? new double[][] {{pctStart * totalSteps - 1, initial, maxLr},
                    {2 * pctStart * totalSteps - 2, maxLr, initial}, {totalSteps - 1, initial, min}}
                : new double[][] {{pctStart * totalSteps - 1, initial, maxLr}, {totalSteps - 1, maxLr, min}};
        return new LrScheduler(o, s -> {
            if (s > totalSteps - 1) {
                throw new IllegalStateException("oneCycle: stepped " + s + " times, beyond totalSteps=" + totalSteps);
            }
            double start = 0;
            for (int i = 0; i < phases.length; i++) {
                double end = phases[i][0];
                if (s <= end || i == phases.length - 1) {
                    double pct = (s - start) / (end - start);
                    double a = phases[i][1];
                    double b = phases[i][2];
                    return cosine ? b + (a - b) / 2 * (Math.cos(Math.PI * pct) + 1) : (b - a) * pct + a;
                }
                start = end;
            }
            throw new AssertionError();
        });
    }

    private static void positive(String what, String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + ": " + name + " must be >= 1, got " + value);
        }
    }
}
