package dev.fovea.nn.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A learning-rate schedule driving an optimizer, as {@code torch.optim.lr_scheduler}: call
 * {@link #step()} once per epoch (or per batch for {@link #oneCycle}) after the optimizer's step;
 * every parameter group's rate becomes the schedule's value at the new step count, computed from
 * that group's own base rate (PyTorch's {@code base_lrs}: the group's rate when the scheduler is
 * made). The schedules are PyTorch's closed forms of its chainable updates, with PyTorch's
 * arguments. For ReduceLROnPlateau see {@link ReduceLrOnPlateau}.
 */
public final class LrScheduler implements Scheduler {
    /** The rate of a group with base rate {@code base} after {@code step} steps. */
    @FunctionalInterface
    private interface Schedule {
        double lr(double base, int step);
    }

    private static final Set<String> KEYS = Set.of("kind", "last_epoch", "base_lrs");
    private final Optimizer optimizer;
    private final String kind;
    private final Schedule schedule;
    private double[] baseLrs;
    private int step;

    private LrScheduler(Optimizer optimizer, String kind, Schedule schedule) {
        this.optimizer = optimizer;
        this.kind = kind;
        this.schedule = schedule;
        this.baseLrs = optimizer.groups().stream().mapToDouble(Optimizer.Group::learningRate).toArray();
        setRates(0);
    }

    /** Advances one step and sets every group's learning rate. */
    public void step() {
        setRates(step + 1);
        step++;
    }

    /** Sets each group's rate for step {@code s}, all computed before any is set. */
    private void setRates(int s) {
        double[] lrs = new double[baseLrs.length];
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = schedule.lr(baseLrs[i], s);
        }
        for (int i = 0; i < lrs.length; i++) {
            optimizer.groups().get(i).learningRate(lrs[i]);
        }
    }

    /** The steps taken (PyTorch's {@code last_epoch}). */
    public int stepCount() {
        return step;
    }

    /**
     * The learning rate set by the last step (PyTorch's {@code get_last_lr}), when all groups have
     * the same one.
     *
     * @throws IllegalStateException if the groups' rates differ; use {@link #lastLrs()}
     */
    public double lastLr() {
        return optimizer.learningRate();
    }

    /** Every group's learning rate set by the last step (PyTorch's {@code get_last_lr()}). */
    public double[] lastLrs() {
        return optimizer.groups().stream().mapToDouble(Optimizer.Group::learningRate).toArray();
    }

    /** Every group's base rate, the rate the schedule scales. */
    public double[] baseLrs() {
        return baseLrs.clone();
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    /** {@inheritDoc} Here {@code kind}, {@code last_epoch} and {@code base_lrs} (comma-separated). */
    @Override
    public Map<String, String> stateDict() {
        return Map.of("kind", kind, "last_epoch", Integer.toString(step), "base_lrs", joinDoubles(baseLrs));
    }

    @Override
    public void loadStateDict(Map<String, String> state) {
        List<String> problems = check(state);
        if (!problems.isEmpty()) {
            throw Optimizer.problems("LrScheduler.loadStateDict", problems);
        }
        apply(state);
    }

    List<String> check(Map<String, String> state) {
        List<String> problems = new ArrayList<>();
        Objects.requireNonNull(state, "LrScheduler.loadStateDict: state is null");
        String savedKind = state.get("kind");
        if (!kind.equals(savedKind)) {
            problems.add(savedKind == null ? "no 'kind' entry" : "saved a " + savedKind + ", this is a " + kind);
        }
        OptimizerState.parseInt(state, "last_epoch", problems);
        double[] bases = parseDoubles(state, "base_lrs", problems);
        if (bases != null && bases.length != baseLrs.length) {
            problems.add("base_lrs: saved " + bases.length + " groups' rates, the optimizer has " + baseLrs.length
                    + " groups");
        }
        state.keySet().stream().filter(k -> !KEYS.contains(k)).forEach(k -> problems.add("unexpected entry '" + k + "'"));
        return problems;
    }

    /** Restores a state {@link #check} found no problem with. */
    void apply(Map<String, String> state) {
        step = Integer.parseInt(state.get("last_epoch"));
        baseLrs = parseDoubles(state, "base_lrs", new ArrayList<>());
    }

    static String joinDoubles(double[] values) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.isEmpty() ? "" : ",").append(v);
        }
        return b.toString();
    }

    /** Parses a comma-separated list of finite non-negative doubles, or adds a problem and returns null. */
    static double[] parseDoubles(Map<String, String> state, String key, List<String> problems) {
        String text = state.get(key);
        if (text == null) {
            problems.add("no '" + key + "' entry");
            return null;
        }
        try {
            double[] out = Arrays.stream(text.split(",")).mapToDouble(Double::parseDouble).toArray();
            if (Arrays.stream(out).allMatch(v -> v >= 0 && !Double.isInfinite(v))) {
                return out;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(key + ": not a list of rates: '" + text + "'");
        return null;
    }

    /** {@code StepLR}: {@code base * gamma^(step / stepSize)}. */
    public static LrScheduler stepLr(Optimizer o, int stepSize, double gamma) {
        need(o, "stepLr");
        positive("stepLr", "stepSize", stepSize);
        gamma("stepLr", gamma);
        return new LrScheduler(o, "StepLR(step_size=" + stepSize + ", gamma=" + gamma + ")",
                (base, s) -> base * Math.pow(gamma, s / stepSize));
    }

    /** {@code MultiStepLR}: {@code base * gamma^(milestones passed)}. */
    public static LrScheduler multiStepLr(Optimizer o, int[] milestones, double gamma) {
        need(o, "multiStepLr");
        if (milestones == null) {
            throw new IllegalArgumentException("multiStepLr: milestones is null");
        }
        gamma("multiStepLr", gamma);
        int[] m = milestones.clone();
        Arrays.sort(m);
        return new LrScheduler(o, "MultiStepLR(milestones=" + Arrays.toString(m) + ", gamma=" + gamma + ")",
                (base, s) -> {
                    int passed = 0;
                    while (passed < m.length && m[passed] <= s) {
                        passed++;
                    }
                    return base * Math.pow(gamma, passed);
                });
    }

    /** {@code ExponentialLR}: {@code base * gamma^step}. */
    public static LrScheduler exponentialLr(Optimizer o, double gamma) {
        need(o, "exponentialLr");
        gamma("exponentialLr", gamma);
        return new LrScheduler(o, "ExponentialLR(gamma=" + gamma + ")", (base, s) -> base * Math.pow(gamma, s));
    }

    /** {@code CosineAnnealingLR}: {@code etaMin + (base - etaMin) (1 + cos(pi step / tMax)) / 2}. */
    public static LrScheduler cosineAnnealingLr(Optimizer o, int tMax, double etaMin) {
        need(o, "cosineAnnealingLr");
        positive("cosineAnnealingLr", "tMax", tMax);
        if (!(etaMin >= 0) || Double.isInfinite(etaMin)) {
            throw new IllegalArgumentException("cosineAnnealingLr: etaMin must be finite and >= 0, got " + etaMin);
        }
        return new LrScheduler(o, "CosineAnnealingLR(T_max=" + tMax + ", eta_min=" + etaMin + ")",
                (base, s) -> etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * s / tMax)) / 2);
    }

    /**
     * {@code LinearLR}, the linear warm-up: the factor goes from {@code startFactor} to
     * {@code endFactor} over {@code totalIters} steps, then stays. A warm-up over the first 5
     * epochs from a tenth of each group's rate: {@code linearLr(opt, 0.1, 1.0, 5)}.
     */
    public static LrScheduler linearLr(Optimizer o, double startFactor, double endFactor, int totalIters) {
        need(o, "linearLr");
        positive("linearLr", "totalIters", totalIters);
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("linearLr: startFactor must be in (0, 1], got " + startFactor);
        }
        if (!(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("linearLr: endFactor must be in [0, 1], got " + endFactor);
        }
        return new LrScheduler(o, "LinearLR(start_factor=" + startFactor + ", end_factor=" + endFactor
                + ", total_iters=" + totalIters + ")",
                (base, s) -> base * (startFactor + (endFactor - startFactor) * Math.min(s, totalIters) / totalIters));
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
     * initial rate over the same length first), cosine or linear. Every group follows the same
     * rates (PyTorch's scalar {@code max_lr}); the groups' own rates are not used.
     *
     * @throws IllegalStateException from {@link #step()} beyond {@code totalSteps} steps (PyTorch's
     *     limit: the step after the last batch of a run of {@code totalSteps} batches is allowed, and
     *     sets the final rate)
     */
    public static LrScheduler oneCycle(Optimizer o, double maxLr, int totalSteps, double pctStart, boolean cosine,
                                       boolean threePhase, double divFactor, double finalDivFactor) {
        need(o, "oneCycle");
        positive("oneCycle", "totalSteps", totalSteps);
        if (!(pctStart > 0 && pctStart < 1)) {
            throw new IllegalArgumentException("oneCycle: pctStart must be in (0, 1), got " + pctStart);
        }
        positive("oneCycle", "maxLr", maxLr);
        positive("oneCycle", "divFactor", divFactor);
        positive("oneCycle", "finalDivFactor", finalDivFactor);
        double initial = maxLr / divFactor;
        double min = initial / finalDivFactor;
        double[][] phases = threePhase
                ? new double[][] {{pctStart * totalSteps - 1, initial, maxLr},
                    {2 * pctStart * totalSteps - 2, maxLr, initial}, {totalSteps - 1, initial, min}}
                : new double[][] {{pctStart * totalSteps - 1, initial, maxLr}, {totalSteps - 1, maxLr, min}};
        String kind = "OneCycleLR(max_lr=" + maxLr + ", total_steps=" + totalSteps + ", pct_start=" + pctStart
                + ", anneal_strategy=" + (cosine ? "cos" : "linear") + ", three_phase=" + threePhase
                + ", div_factor=" + divFactor + ", final_div_factor=" + finalDivFactor + ")";
        return new LrScheduler(o, kind, (base, s) -> {
            if (s > totalSteps) {
                throw new IllegalStateException("oneCycle: stepped " + s + " times, beyond totalSteps=" + totalSteps);
            }
            if (s == totalSteps) {
                // The step after a run's last batch: PyTorch extrapolates the last phase past its end
                // (below the minimum; negative when annealing linearly), a rate no batch uses. Hold the minimum.
                return phases[phases.length - 1][2];
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

    private static void need(Optimizer o, String what) {
        if (o == null) {
            throw new IllegalArgumentException(what + ": optimizer is null");
        }
    }

    private static void positive(String what, String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + ": " + name + " must be >= 1, got " + value);
        }
    }

    private static void positive(String what, String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + ": " + name + " must be finite and > 0, got " + value);
        }
    }

    private static void gamma(String what, double gamma) {
        positive(what, "gamma", gamma);
    }
}
