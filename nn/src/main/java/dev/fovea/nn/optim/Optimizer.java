package dev.fovea.nn.optim;

import dev.fovea.nn.io.Safetensors;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Updates parameters from their gradients, as {@code torch.optim}: {@link #step()} after
 * {@code loss.backward()}, {@link #zeroGrad()} before the next one. Parameters that do not
 * require gradients (frozen) or have no gradient yet are skipped. Updates are in place, outside
 * autograd, so a model holding the tensors sees them.
 *
 * <p><b>Parameter groups.</b> The parameters come in one or more {@link Group}s, each with its
 * own copy of the optimizer's {@link Hyperparameter}s (built from {@link ParamGroup}s, see the
 * optimizers' builders). A parameter may be in one group only. Schedulers set every group's
 * learning rate from that group's own base rate.
 *
 * <p><b>State.</b> {@link #stateDict()} and {@link #save(Path, Scheduler...)} capture everything a
 * later {@link #step()} depends on (per-parameter buffers and step counts, per-group
 * hyperparameters, and optionally the schedulers), so that training resumed from a saved state
 * produces the same bits as training that never stopped. The layout follows PyTorch's
 * {@code Optimizer.state_dict()}: parameters are numbered across the groups in order, see
 * {@link #stateDict()}.
 */
public abstract class Optimizer {
    private final String name;
    private final List<Group> groups;
    private final List<Tensor> params;
    /** Per-parameter state (step count, buffers), keyed by identity; absent until the first update. */
    private final Map<Tensor, State> state = new IdentityHashMap<>();

    /**
     * Builds the groups: the optimizer's {@code defaults} (its hyperparameters) overridden per
     * group. Subclasses call {@link #validate()} once their own fields are set.
     */
    Optimizer(String name, List<ParamGroup> groupSpecs, Map<Hyperparameter, Double> defaults) {
        this.name = name;
        if (groupSpecs == null || groupSpecs.isEmpty() || groupSpecs.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException(name + ": needs at least one parameter group and no null groups, got "
                    + groupSpecs);
        }
        List<Group> built = new ArrayList<>();
        List<Tensor> all = new ArrayList<>();
        Map<Tensor, int[]> seen = new IdentityHashMap<>();
        for (int gi = 0; gi < groupSpecs.size(); gi++) {
            ParamGroup spec = groupSpecs.get(gi);
            EnumMap<Hyperparameter, Double> hyper = new EnumMap<>(defaults);
            for (Map.Entry<Hyperparameter, Double> e : spec.overrides().entrySet()) {
                if (!defaults.containsKey(e.getKey())) {
                    throw new IllegalArgumentException(name + ": group " + gi + " sets " + e.getKey().key() + "="
                            + e.getValue() + ", which " + name + " does not have (it has "
                            + keys(defaults.keySet()) + ")");
                }
                hyper.put(e.getKey(), e.getValue());
            }
            List<Tensor> ps = spec.params();
            for (int i = 0; i < ps.size(); i++) {
                int[] first = seen.putIfAbsent(ps.get(i), new int[] {gi, i});
                if (first != null) {
                    throw new IllegalArgumentException(name + ": parameter " + i + " of group " + gi + " (shape "
                            + Shape.toString(ps.get(i).shape()) + ") is also parameter " + first[1] + " of group "
                            + first[0] + "; a parameter may appear only once, in one group");
                }
            }
            all.addAll(ps);
            built.add(new Group(this, ps, hyper));
        }
        this.groups = List.copyOf(built);
        this.params = List.copyOf(all);
    }

    /**
     * Checks every group's hyperparameters with {@link #checkHyper}; called by each subclass
     * constructor after its fields are set.
     *
     * @throws IllegalArgumentException listing the problems
     */
    final void validate() {
        List<String> problems = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            String where = groups.size() == 1 ? "" : "group " + gi + ": ";
            for (String p : checkAll(groups.get(gi).hyper)) {
                problems.add(where + p);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(name + ": " + String.join("; ", problems));
        }
    }

    /** The problems with one group's hyperparameters: the learning rate's and {@link #checkHyper}'s. */
    final List<String> checkAll(Map<Hyperparameter, Double> hyper) {
        List<String> problems = new ArrayList<>();
        double lr = hyper.get(Hyperparameter.LR);
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            problems.add("lr must be finite and >= 0, got " + lr);
        }
        checkHyper(hyper, problems);
        return problems;
    }

    // ---------------------------------------------------------------- groups and learning rates

    /** The parameter groups, in order. */
    public final List<Group> groups() {
        return groups;
    }

    /**
     * The learning rate of the next step, when every group has the same one (always so with a
     * single group).
     *
     * @throws IllegalStateException if the groups' rates differ; use {@link Group#learningRate()}
     */
    public final double learningRate() {
        double lr = groups.getFirst().learningRate();
        for (Group g : groups) {
            if (Double.compare(g.learningRate(), lr) != 0) {
                throw new IllegalStateException(name + ": the groups have different learning rates "
                        + groups.stream().map(x -> String.valueOf(x.learningRate())).toList()
                        + "; ask groups().get(i).learningRate()");
            }
        }
        return lr;
    }

    /**
     * Sets the learning rate of the next steps in every group.
     *
     * @throws IllegalArgumentException if {@code lr} is negative, infinite or NaN
     */
    public final void learningRate(double lr) {
        checkLr(lr);
        for (Group g : groups) {
            g.learningRate(lr);
        }
    }

    private void checkLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(name + ": lr must be finite and >= 0, got " + lr);
        }
    }

    /** Every parameter this optimizer updates, group by group: index {@code i} is parameter {@code i} of saved state. */
    public final List<Tensor> parameters() {
        return params;
    }

    // ---------------------------------------------------------------- stepping

    /** Applies one update to every parameter with a gradient. */
    public final void step() {
        try (Grad off = Grad.off()) {
            for (Group group : groups) {
                for (Tensor p : group.params) {
                    Tensor g = p.grad();
                    if (g != null && p.requiresGrad()) {
                        State s = state.computeIfAbsent(p, k -> new State(slotNames().size()));
                        s.step++;
                        if (s.complete()) {
                            update(group, p, g, s);
                        } else {
                            // A step inside a Scope (a training step's) must not put its new state
                            // buffers in that scope: they outlive it.
                            try (Scope.Suspension unscoped = Scope.suspend()) {
                                update(group, p, g, s);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Clears every parameter's gradient. */
    public final void zeroGrad() {
        params.forEach(Tensor::zeroGrad);
    }

    /**
     * The number of updates parameter {@code index} (of {@link #parameters()}) has had: PyTorch's
     * {@code state[index]['step']}, 0 before its first.
     */
    public final long stepCount(int index) {
        Objects.checkIndex(index, params.size());
        State s = state.get(params.get(index));
        return s == null ? 0 : s.step;
    }

    // ---------------------------------------------------------------- saving and loading

    /**
     * The state as safetensors contents, in PyTorch's {@code state_dict()} layout with parameters
     * numbered across the groups ({@link #parameters()} order):
     * <ul>
     *   <li>tensors {@code state.<i>.<buffer>} with PyTorch's buffer names ({@code momentum_buffer},
     *       {@code exp_avg}, {@code exp_avg_sq}, {@code square_avg}, {@code grad_avg}, {@code sum}),
     *       for the parameters updated at least once;</li>
     *   <li>metadata {@code optimizer} (the type with its fixed flags, e.g. {@code Sgd(nesterov=true)}),
     *       {@code param_groups} (the count), {@code param_groups.<g>.params} (the indices, e.g.
     *       {@code 0,1,2}), {@code param_groups.<g>.<hyperparameter>} (by {@link Hyperparameter#key()},
     *       the current value, as {@link Double#toString}) and {@code state.<i>.step}.</li>
     * </ul>
     * The tensors are the live buffers, not copies; {@link #loadStateDict} copies.
     */
    public final Safetensors.Contents stateDict() {
        return OptimizerState.save(this);
    }

    /**
     * Replaces this optimizer's state and hyperparameters with {@code contents}, as
     * {@code Optimizer.load_state_dict}: the groups' hyperparameters (learning rates included)
     * become the saved ones, buffers are copied. Metadata keys outside {@code optimizer},
     * {@code param_groups*} and {@code state.*} are ignored.
     *
     * @throws IllegalArgumentException listing every problem (another optimizer type or flags, another
     *         number of parameters or groups, a buffer of the wrong shape, a missing, unknown or bad entry)
     *         before anything is changed
     */
    public final void loadStateDict(Safetensors.Contents contents) {
        Objects.requireNonNull(contents, "loadStateDict: contents is null");
        OptimizerState.Loaded loaded = OptimizerState.parse(this, contents);
        if (!loaded.problems().isEmpty()) {
            throw problems(name + ".loadStateDict", loaded.problems());
        }
        OptimizerState.apply(this, loaded);
    }

    /**
     * Writes {@link #stateDict()} to {@code file} (safetensors), with the state of the given
     * schedulers of this optimizer in the metadata as {@code scheduler.<k>.<key>}.
     *
     * @throws IllegalArgumentException if a scheduler drives another optimizer
     * @throws IOException              if the file cannot be written
     */
    public final void save(Path file, Scheduler... schedulers) throws IOException {
        Objects.requireNonNull(file, "save: file is null");
        checkSchedulers(schedulers);
        Safetensors.Contents c = stateDict();
        Map<String, String> metadata = new LinkedHashMap<>(c.metadata());
        for (int k = 0; k < schedulers.length; k++) {
            String prefix = OptimizerState.SCHEDULER + k + ".";
            schedulers[k].stateDict().forEach((key, v) -> metadata.put(prefix + key, v));
        }
        Safetensors.write(file, c.tensors(), metadata);
    }

    /**
     * Reads a file {@link #save} wrote into this optimizer and the given schedulers (the same
     * kinds, in the same order as saved; none to load only the optimizer). Nothing changes unless
     * everything fits.
     *
     * @throws IllegalArgumentException listing every problem, as {@link #loadStateDict} and
     *                                  {@link Scheduler#loadStateDict}, or if the file is not safetensors
     * @throws IOException              if the file cannot be read
     */
    public final void load(Path file, Scheduler... schedulers) throws IOException {
        Objects.requireNonNull(file, "load: file is null");
        checkSchedulers(schedulers);
        Safetensors.Contents c = Safetensors.readContents(file);
        OptimizerState.Loaded loaded = OptimizerState.parse(this, c);
        List<String> problems = new ArrayList<>(loaded.problems());
        List<Map<String, String>> schedulerStates = OptimizerState.schedulerStates(c.metadata());
        if (schedulers.length > 0 && schedulerStates.size() != schedulers.length) {
            problems.add("the file has the state of " + schedulerStates.size() + " schedulers, "
                    + schedulers.length + " given");
        } else {
            for (int k = 0; k < schedulers.length; k++) {
                for (String p : OptimizerState.checkScheduler(schedulers[k], schedulerStates.get(k))) {
                    problems.add("scheduler " + k + ": " + p);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw problems(name + ".load " + file, problems);
        }
        OptimizerState.apply(this, loaded);
        for (int k = 0; k < schedulers.length; k++) {
            OptimizerState.applyScheduler(schedulers[k], schedulerStates.get(k));
        }
    }

    private void checkSchedulers(Scheduler[] schedulers) {
        Objects.requireNonNull(schedulers, "schedulers is null");
        for (int k = 0; k < schedulers.length; k++) {
            if (schedulers[k] == null || schedulers[k].optimizer() != this) {
                throw new IllegalArgumentException(name + ": scheduler " + k + " ("
                        + (schedulers[k] == null ? "null" : schedulers[k].getClass().getSimpleName())
                        + ") does not drive this optimizer");
            }
        }
    }

    static IllegalArgumentException problems(String where, List<String> problems) {
        return new IllegalArgumentException(where + ": " + problems.size()
                + (problems.size() == 1 ? " problem: " : " problems: ") + String.join("; ", problems));
    }

    // ---------------------------------------------------------------- for the optimizers

    /** The type name in messages and saved state, with the flags that cannot change, e.g. {@code Sgd(nesterov=true)}. */
    abstract String typeName();

    /** PyTorch's names of the per-parameter buffers, in slot order. */
    abstract List<String> slotNames();

    /** Whether buffer {@code slot} exists for a parameter of a group with {@code hyper}. */
    abstract boolean slotUsed(int slot, Map<Hyperparameter, Double> hyper);

    /** Adds the problems with a group's hyperparameters besides the learning rate to {@code problems}. */
    abstract void checkHyper(Map<Hyperparameter, Double> hyper, List<String> problems);

    /**
     * Updates {@code p} in place from its gradient {@code g} with {@code group}'s hyperparameters;
     * {@code s.step} is already this update's number (1 at first), unused slots are null.
     */
    abstract void update(Group group, Tensor p, Tensor g, State s);

    /** The class name, for messages. */
    final String name() {
        return name;
    }

    /** The live per-parameter states, keyed by identity. */
    final Map<Tensor, State> states() {
        return state;
    }

    /** Adds a problem to {@code problems} unless {@code min <= value <= max}. */
    static void check(List<String> problems, Map<Hyperparameter, Double> hyper, Hyperparameter h, double min,
                      double max) {
        double value = hyper.get(h);
        if (!(value >= min && value <= max)) {
            problems.add(h.key() + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    /** The defaults map of an optimizer from alternating hyperparameters and values. */
    static EnumMap<Hyperparameter, Double> defaults(Object... pairs) {
        EnumMap<Hyperparameter, Double> m = new EnumMap<>(Hyperparameter.class);
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((Hyperparameter) pairs[i], ((Number) pairs[i + 1]).doubleValue());
        }
        return m;
    }

    private static String keys(Iterable<Hyperparameter> hs) {
        List<String> out = new ArrayList<>();
        hs.forEach(h -> out.add(h.key()));
        return String.join(", ", out);
    }

    /** One parameter's state: its update count and its buffers (null where unused). */
    static final class State {
        long step;
        final Tensor[] slots;

        State(int slots) {
            this.slots = new Tensor[slots];
        }

        /** True once every state buffer exists (they are created by the first update). */
        boolean complete() {
            for (Tensor t : slots) {
                if (t == null) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * A live parameter group: its parameters and its own values of the optimizer's
     * hyperparameters. Only the learning rate changes after construction (by a schedule, or by
     * loading saved state).
     */
    public static final class Group {
        private final Optimizer owner;
        private final List<Tensor> params;
        private final EnumMap<Hyperparameter, Double> hyper;

        private Group(Optimizer owner, List<Tensor> params, EnumMap<Hyperparameter, Double> hyper) {
            this.owner = owner;
            this.params = params;
            this.hyper = hyper;
        }

        /** The group's parameters, in order. */
        public List<Tensor> params() {
            return params;
        }

        /** The group's learning rate for the next step. */
        public double learningRate() {
            return hyper.get(Hyperparameter.LR);
        }

        /**
         * Sets the group's learning rate for the next steps.
         *
         * @throws IllegalArgumentException if {@code lr} is negative, infinite or NaN
         */
        public void learningRate(double lr) {
            owner.checkLr(lr);
            hyper.put(Hyperparameter.LR, lr);
        }

        /**
         * The group's value of {@code h}.
         *
         * @throws IllegalArgumentException if the optimizer has no such hyperparameter
         */
        public double get(Hyperparameter h) {
            Double v = hyper.get(h);
            if (v == null) {
                throw new IllegalArgumentException(owner.name + ": no hyperparameter " + h + " (it has "
                        + keys(hyper.keySet()) + ")");
            }
            return v;
        }

        /** Every hyperparameter of the group with its value (a read-only view). */
        public Map<Hyperparameter, Double> hyperparameters() {
            return Collections.unmodifiableMap(hyper);
        }

        /** Replaces all values (loading state); the caller has validated them. */
        void replace(Map<Hyperparameter, Double> values) {
            hyper.putAll(values);
        }
    }

    /**
     * The common part of the optimizers' builders: parameter groups, and the optimizer-wide
     * learning rate and weight decay that groups may override.
     *
     * @param <B> the concrete builder, returned by every setter
     * @param <O> the optimizer built
     */
    public abstract static class Builder<B extends Builder<B, O>, O extends Optimizer> {
        final EnumMap<Hyperparameter, Double> defaults;
        private final List<ParamGroup> groups = new ArrayList<>();

        Builder(EnumMap<Hyperparameter, Double> defaults) {
            this.defaults = defaults;
        }

        /** Adds a group of {@code params} with the optimizer-wide hyperparameters. */
        public final B params(List<Tensor> params) {
            return group(ParamGroup.of(params));
        }

        /**
         * Adds a parameter group.
         *
         * @throws IllegalArgumentException if {@code group} is null
         */
        public final B group(ParamGroup group) {
            if (group == null) {
                throw new IllegalArgumentException("Builder.group: group is null");
            }
            groups.add(group);
            return self();
        }

        /** Sets the learning rate of the groups that do not set their own. */
        public final B lr(double lr) {
            return set(Hyperparameter.LR, lr);
        }

        /** Sets the weight decay of the groups that do not set their own. */
        public final B weightDecay(double weightDecay) {
            return set(Hyperparameter.WEIGHT_DECAY, weightDecay);
        }

        /**
         * Builds the optimizer.
         *
         * @throws IllegalArgumentException if no group was added, a parameter is in two groups, a
         *                                  group overrides a hyperparameter the optimizer lacks, or a value is out of range
         */
        public abstract O build();

        final B set(Hyperparameter h, double value) {
            defaults.put(h, value);
            return self();
        }

        final List<ParamGroup> groups() {
            return List.copyOf(groups);
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }
    }
}
