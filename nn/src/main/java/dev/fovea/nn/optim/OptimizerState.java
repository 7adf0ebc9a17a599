package dev.fovea.nn.optim;

import dev.fovea.nn.io.Safetensors;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Converts an optimizer's state to and from safetensors contents (the layout is documented on
 * {@link Optimizer#stateDict()}), and dispatches scheduler state. Loading is two-phase: {@link #parse}
 * collects every problem without changing anything, {@link #apply} then cannot fail.
 */
final class OptimizerState {
    static final String TYPE = "optimizer";
    static final String GROUPS = "param_groups";
    static final String STATE = "state.";
    static final String SCHEDULER = "scheduler.";
    private static final String STEP = "step";

    private OptimizerState() {}

    /** Saved state checked against an optimizer: per-group hyperparameters, per-parameter entries, and problems. */
    record Loaded(List<EnumMap<Hyperparameter, Double>> hypers, Map<Integer, Entry> states, List<String> problems) {}

    /** One parameter's saved step count and buffers (by slot, null where absent). */
    record Entry(long step, Tensor[] slots) {}

    static Safetensors.Contents save(Optimizer o) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(TYPE, o.typeName());
        meta.put(GROUPS, Integer.toString(o.groups().size()));
        List<String> slots = o.slotNames();
        int index = 0;
        for (int gi = 0; gi < o.groups().size(); gi++) {
            Optimizer.Group g = o.groups().get(gi);
            String prefix = GROUPS + "." + gi + ".";
            meta.put(prefix + "params", indices(index, g.params().size()));
            g.hyperparameters().forEach((h, v) -> meta.put(prefix + h.key(), Double.toString(v)));
            for (Tensor p : g.params()) {
                Optimizer.State s = o.states().get(p);
                if (s != null) {
                    meta.put(STATE + index + "." + STEP, Long.toString(s.step));
                    for (int k = 0; k < slots.size(); k++) {
                        if (s.slots[k] != null) {
                            tensors.put(STATE + index + "." + slots.get(k), s.slots[k]);
                        }
                    }
                }
                index++;
            }
        }
        return new Safetensors.Contents(tensors, meta);
    }

    /** Checks {@code c} against {@code o}; the result's problems are empty if {@link #apply} may proceed. */
    static Loaded parse(Optimizer o, Safetensors.Contents c) {
        List<String> problems = new ArrayList<>();
        Map<String, String> meta = c.metadata();
        List<EnumMap<Hyperparameter, Double>> hypers = new ArrayList<>();
        for (Optimizer.Group g : o.groups()) {
            hypers.add(new EnumMap<>(g.hyperparameters()));
        }
        Map<Integer, Entry> states = new TreeMap<>();
        String type = meta.get(TYPE);
        if (type == null) {
            problems.add("no '" + TYPE + "' metadata entry: not an optimizer's state");
            return new Loaded(hypers, states, problems);
        }
        boolean sameType = type.equals(o.typeName());
        if (!sameType) {
            problems.add("saved by " + type + ", this optimizer is " + o.typeName());
        }
        boolean sameLayout = checkGroups(o, meta, problems);
        if (sameType && sameLayout) {
            for (int gi = 0; gi < o.groups().size(); gi++) {
                parseHyper(o, meta, gi, hypers.get(gi), problems);
            }
            parseStates(o, c, hypers, states, problems);
        }
        return new Loaded(hypers, states, problems);
    }

    /** Checks the group count and each group's parameter indices; true if they match. */
    private static boolean checkGroups(Optimizer o, Map<String, String> meta, List<String> problems) {
        int own = o.groups().size();
        int saved = parseInt(meta, GROUPS, problems);
        if (saved < 0) {
            return false;
        }
        int savedParams = 0;
        boolean match = saved == own;
        int index = 0;
        for (int gi = 0; gi < saved; gi++) {
            String key = GROUPS + "." + gi + ".params";
            String list = meta.get(key);
            if (list == null) {
                problems.add("no metadata entry '" + key + "'");
                return false;
            }
            int n = list.isEmpty() ? 0 : list.split(",").length;
            savedParams += n;
            if (gi < own) {
                int size = o.groups().get(gi).params().size();
                if (!list.equals(indices(index, size))) {
                    problems.add(key + ": saved " + n + " parameters (" + abbreviate(list) + "), this group has "
                            + size + " (" + abbreviate(indices(index, size)) + ")");
                    match = false;
                }
                index += size;
            }
        }
        if (savedParams != o.parameters().size()) {
            problems.addFirst("saved state has " + savedParams + " parameters, this optimizer has "
                    + o.parameters().size());
        }
        if (saved != own) {
            problems.add("saved state has " + saved + " parameter groups, this optimizer has " + own);
        }
        return match;
    }

    private static void parseHyper(Optimizer o, Map<String, String> meta, int gi, EnumMap<Hyperparameter, Double> out,
                                   List<String> problems) {
        String prefix = GROUPS + "." + gi + ".";
        for (Hyperparameter h : out.keySet()) {
            String text = meta.get(prefix + h.key());
            if (text == null) {
                problems.add("no metadata entry '" + prefix + h.key() + "'");
                continue;
            }
            try {
                out.put(h, Double.parseDouble(text));
            } catch (NumberFormatException e) {
                problems.add(prefix + h.key() + ": not a number: '" + text + "'");
            }
        }
        for (String key : meta.keySet()) {
            if (key.startsWith(prefix)) {
                String rest = key.substring(prefix.length());
                Hyperparameter h = Hyperparameter.ofKey(rest);
                if (!rest.equals("params") && (h == null || !out.containsKey(h))) {
                    problems.add("unexpected metadata entry '" + key + "'");
                }
            }
        }
        for (String p : o.checkAll(out)) {
            problems.add(prefix + p);
        }
    }

    private static void parseStates(Optimizer o, Safetensors.Contents c, List<EnumMap<Hyperparameter, Double>> hypers,
                                    Map<Integer, Entry> states, List<String> problems) {
        List<Tensor> params = o.parameters();
        List<String> slots = o.slotNames();
        Map<Integer, long[]> steps = new TreeMap<>();
        Map<Integer, Tensor[]> buffers = new TreeMap<>();
        for (Map.Entry<String, String> e : c.metadata().entrySet()) {
            int index = stateIndex(e.getKey(), params.size(), problems);
            if (index >= 0) {
                if (!e.getKey().equals(STATE + index + "." + STEP)) {
                    problems.add("unexpected metadata entry '" + e.getKey() + "'");
                    continue;
                }
                try {
                    long step = Long.parseLong(e.getValue());
                    if (step < 1) {
                        throw new NumberFormatException();
                    }
                    steps.put(index, new long[] {step});
                } catch (NumberFormatException x) {
                    problems.add(e.getKey() + ": not a step count >= 1: '" + e.getValue() + "'");
                }
            }
        }
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            String key = e.getKey();
            int index = key.startsWith(STATE) ? stateIndex(key, params.size(), problems) : -1;
            if (index == -1) {
                problems.add("unexpected tensor '" + key + "'");
                continue;
            }
            if (index < 0) {
                continue;
            }
            int slot = slots.indexOf(key.substring((STATE + index + ".").length()));
            long[] want = params.get(index).shape();
            if (slot < 0) {
                problems.add("unexpected tensor '" + key + "' (" + o.name() + " keeps " + String.join(", ", slots) + ")");
            } else {
                if (!Arrays.equals(want, e.getValue().shape())) {
                    problems.add(key + ": shape " + Shape.toString(e.getValue().shape()) + ", parameter " + index
                            + " has " + Shape.toString(want));
                }
                // Kept even when misshapen (then never applied), so it is not also reported missing.
                buffers.computeIfAbsent(index, k -> new Tensor[slots.size()])[slot] = e.getValue();
            }
        }
        collectEntries(o, hypers, steps, buffers, states, problems);
    }

    /** Pairs steps with buffers and checks that each stateful parameter has exactly the buffers its group uses. */
    private static void collectEntries(Optimizer o, List<EnumMap<Hyperparameter, Double>> hypers,
                                       Map<Integer, long[]> steps, Map<Integer, Tensor[]> buffers,
                                       Map<Integer, Entry> states, List<String> problems) {
        List<String> slots = o.slotNames();
        int[] groupOf = new int[o.parameters().size()];
        for (int gi = 0, i = 0; gi < o.groups().size(); gi++) {
            for (int j = 0; j < o.groups().get(gi).params().size(); j++) {
                groupOf[i++] = gi;
            }
        }
        for (int index : buffers.keySet()) {
            if (!steps.containsKey(index)) {
                problems.add("no metadata entry '" + STATE + index + "." + STEP + "' for its buffers");
            }
        }
        for (Map.Entry<Integer, long[]> e : steps.entrySet()) {
            int index = e.getKey();
            Tensor[] have = buffers.getOrDefault(index, new Tensor[slots.size()]);
            Map<Hyperparameter, Double> hyper = hypers.get(groupOf[index]);
            for (int k = 0; k < slots.size(); k++) {
                boolean used = o.slotUsed(k, hyper);
                if (used && have[k] == null) {
                    problems.add("no tensor '" + STATE + index + "." + slots.get(k) + "'");
                } else if (!used && have[k] != null) {
                    problems.add("unexpected tensor '" + STATE + index + "." + slots.get(k) + "' (unused with "
                            + "group " + groupOf[index] + "'s hyperparameters)");
                }
            }
            states.put(index, new Entry(e.getValue()[0], have));
        }
    }

    /**
     * The parameter index of a {@code state.<i>.*} key, -1 if the key is outside {@code state.},
     * -2 if the index is bad (a problem is added).
     */
    private static int stateIndex(String key, int params, List<String> problems) {
        if (!key.startsWith(STATE)) {
            return -1;
        }
        int dot = key.indexOf('.', STATE.length());
        try {
            int index = Integer.parseInt(key.substring(STATE.length(), dot < 0 ? key.length() : dot));
            if (index < 0 || index >= params) {
                problems.add(key + ": no parameter " + index + ", this optimizer has " + params);
                return -2;
            }
            return index;
        } catch (NumberFormatException e) {
            problems.add(key + ": not a parameter index");
            return -2;
        }
    }

    /** Sets the loaded hyperparameters and states; {@code loaded} has no problems. */
    static void apply(Optimizer o, Loaded loaded) {
        for (int gi = 0; gi < o.groups().size(); gi++) {
            o.groups().get(gi).replace(loaded.hypers().get(gi));
        }
        Map<Tensor, Optimizer.State> live = o.states();
        live.clear();
        try (Grad off = Grad.off()) {
            for (Map.Entry<Integer, Entry> e : loaded.states().entrySet()) {
                Optimizer.State s = new Optimizer.State(o.slotNames().size());
                s.step = e.getValue().step();
                Tensor[] saved = e.getValue().slots();
                for (int k = 0; k < saved.length; k++) {
                    s.slots[k] = saved[k] == null ? null : saved[k].clone();
                }
                live.put(o.parameters().get(e.getKey()), s);
            }
        }
    }

    // ---------------------------------------------------------------- schedulers

    /** The {@code scheduler.<k>.*} entries of {@code meta}, by {@code k}, with the prefix removed. */
    static List<Map<String, String>> schedulerStates(Map<String, String> meta) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> e : meta.entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.', SCHEDULER.length());
            if (!key.startsWith(SCHEDULER) || dot < 0) {
                continue;
            }
            int k;
            try {
                k = Integer.parseInt(key.substring(SCHEDULER.length(), dot));
            } catch (NumberFormatException x) {
                continue;
            }
            while (k >= 0 && out.size() <= k && out.size() < 1024) {
                out.add(new LinkedHashMap<>());
            }
            if (k >= 0 && k < out.size()) {
                out.get(k).put(key.substring(dot + 1), e.getValue());
            }
        }
        return out;
    }

    static List<String> checkScheduler(Scheduler s, Map<String, String> state) {
        return switch (s) {
            case LrScheduler l -> l.check(state);
            case ReduceLrOnPlateau r -> r.check(state);
        };
    }

    static void applyScheduler(Scheduler s, Map<String, String> state) {
        switch (s) {
            case LrScheduler l -> l.apply(state);
            case ReduceLrOnPlateau r -> r.apply(state);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** {@code "from,from+1,...,from+n-1"}: PyTorch's {@code params} list of a group. */
    private static String indices(int from, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append(from + i);
        }
        return b.toString();
    }

    private static String abbreviate(String list) {
        return list.length() <= 40 ? list : list.substring(0, 18) + "..." + list.substring(list.length() - 18);
    }

    /** Parses a non-negative int entry, or adds a problem and returns -1. */
    static int parseInt(Map<String, String> meta, String key, List<String> problems) {
        String text = meta.get(key);
        if (text == null) {
            problems.add("no metadata entry '" + key + "'");
            return -1;
        }
        try {
            int v = Integer.parseInt(text);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(key + ": not a count: '" + text + "'");
        return -1;
    }
}
