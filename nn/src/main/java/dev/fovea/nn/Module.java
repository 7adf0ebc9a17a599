package dev.fovea.nn;

import dev.fovea.nn.io.Safetensors;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A layer or a model: named parameters (leaf tensors that require gradients), named buffers
 * (state that is saved but not trained, such as batch norm's running statistics) and named child
 * modules, as PyTorch's {@code nn.Module}. Names compose with dots into state-dict keys that match
 * PyTorch's ({@code features.0.weight}, {@code layer1.0.bn1.running_mean}), in PyTorch's order: a
 * module's own parameters, then its buffers, then its children's entries.
 *
 * <p>Subclasses register their parts in the constructor ({@link #registerParameter},
 * {@link #registerBuffer}, {@link #registerModule}) and implement {@link #forward}. A module starts
 * in training mode; {@link #eval()} switches it and its children to inference behaviour.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The observer of {@link #call} on this thread (a summary being taken), or null. */
    private static final ThreadLocal<CallObserver> OBSERVER = new ThreadLocal<>();
    /** How many {@link #call}s are running on this thread (the outermost one is the model). */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * Computes the module's output for {@code input}: the layer's own computation. Run a module
     * through {@link #call}, which also informs observers such as {@link ModelSummary}.
     */
    public abstract Tensor forward(Tensor input);

    /**
     * Runs {@link #forward} and reports the call to the observer of this thread, if any: the way
     * to run a module, from outside and from a parent's {@code forward} (PyTorch's
     * {@code module(x)}). An {@link IllegalArgumentException} raised inside reaches the caller of
     * the outermost {@code call} with the failing layer's path in front of its message.
     */
    public final Tensor call(Tensor input) {
        int depth = DEPTH.get()[0]++;
        Tensor output;
        try {
            output = forward(input);
        } catch (LayerError e) {
            throw depth == 0 ? e.named(this) : e;
        } catch (IllegalArgumentException e) {
            // The innermost layer whose forward failed; the outermost call names it by its path.
            LayerError error = new LayerError(this, e);
            throw depth == 0 ? error.named(this) : error;
        } finally {
            DEPTH.get()[0]--;
        }
        CallObserver o = OBSERVER.get();
        if (o != null) {
            o.called(this, input, output);
        }
        return output;
    }

    /**
     * An argument error raised inside a layer, carried up the calls to the model, which names the
     * layer by its path: {@code layer1.0.conv1 (Conv2d): conv2d: input must have ...}.
     */
    static final class LayerError extends IllegalArgumentException {
        private final transient Module layer;

        LayerError(Module layer, IllegalArgumentException cause) {
            super(cause.getMessage(), cause);
            this.layer = layer;
        }

        /** The error as the model {@code root} reports it, the layer named by its path in the model. */
        IllegalArgumentException named(Module root) {
            String path = null;
            for (Map.Entry<String, Module> e : root.namedModules().entrySet()) {
                if (e.getValue() == layer) {
                    path = e.getKey().isEmpty() ? "(model)" : e.getKey();
                    break;
                }
            }
            String where = (path == null ? "(unregistered)" : path) + " (" + layer.getClass().getSimpleName()
                    + ")";
            return new IllegalArgumentException(where + ": " + getMessage(), getCause());
        }
    }

    /** Sees every {@link #call} made on the thread while {@link #observe} runs. */
    interface CallObserver {
        /** {@code module} computed {@code output} from {@code input}. */
        void called(Module module, Tensor input, Tensor output);
    }

    /** Runs {@code body} with {@code observer} informed of every call on this thread. */
    static void observe(CallObserver observer, Runnable body) {
        CallObserver previous = OBSERVER.get();
        OBSERVER.set(observer);
        try {
            body.run();
        } finally {
            OBSERVER.set(previous);
        }
    }

    /**
     * The multiply-accumulates of one call that gave {@code output} from {@code input}, for
     * {@link ModelSummary}; 0 unless the layer overrides it (convolutions and linear layers do).
     */
    protected long macs(Tensor input, Tensor output) {
        return 0;
    }

    /** Registers a trainable parameter (made a leaf that requires gradients) under {@code name}; returns it. */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        Tensor p = Objects.requireNonNull(value, "parameter " + name).detach().requiresGrad(true);
        parameters.put(name, p);
        return p;
    }

    /** Registers a buffer (saved in the state dict, not trained) under {@code name}; returns it. */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        Tensor b = Objects.requireNonNull(value, "buffer " + name).detach();
        buffers.put(name, b);
        return b;
    }

    /** Registers a child module under {@code name}; returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, Objects.requireNonNull(module, "module " + name));
        return module;
    }

    /**
     * Puts {@code module} under {@code name}: a child of that name is replaced in its place (as
     * assigning to a key of a Python dict), any other name is registered last ({@link ModuleDict}).
     */
    final void putModule(String name, Module module) {
        if (children.containsKey(name)) {
            children.put(name, Objects.requireNonNull(module, "module " + name));
        } else {
            registerModule(name, module);
        }
    }

    /** Removes and returns the child named {@code name}, or null ({@link ModuleDict}). */
    final Module removeModule(String name) {
        return children.remove(name);
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": a name must be non-empty and without"
                    + " dots, got '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the name '" + name
                    + "' is already registered");
        }
    }

    /** The parameter registered on this module (not a child) under {@code name}, or null. */
    protected final Tensor parameter(String name) {
        return parameters.get(name);
    }

    /**
     * The child registered under {@code name}, as {@code forward} should look it up when the module
     * allows {@link #replaceModule} (see {@link #childReplaceable(String)}).
     *
     * @throws IllegalStateException if there is no such child
     */
    protected final Module child(String name) {
        Module m = children.get(name);
        if (m == null) {
            throw new IllegalStateException(getClass().getSimpleName() + ": no child '" + name + "' among "
                    + children.keySet());
        }
        return m;
    }

    /**
     * True if {@code forward} looks child {@code name} up by name ({@link #child},
     * {@link #namedChildren}) each time it runs, so that {@link #replaceModule} takes effect. False
     * by default: a module that keeps its children in fields would go on running the old one.
     * Containers and the zoo models' top levels return true.
     */
    protected boolean childReplaceable(String name) {
        return false;
    }

    /**
     * Replaces the module at dotted {@code path} (e.g. {@code "fc"} or {@code "classifier.6"}) with
     * {@code replacement}, under the same name and in the same place of the state dict, as
     * PyTorch's {@code model.fc = nn.Linear(512, 5)}: how a pretrained network gets a new head for
     * transfer learning. The replacement takes the mode ({@link #train}/{@link #eval}) of its new
     * parent. Returns the module it replaced.
     *
     * @throws IllegalArgumentException if no module is registered at {@code path} (the message lists
     *     the names there), or if its parent keeps its children in fields (see
     *     {@link #childReplaceable(String)})
     */
    public final Module replaceModule(String path, Module replacement) {
        Objects.requireNonNull(replacement, "replaceModule: replacement is null");
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("replaceModule: path must name a descendant, got '" + path + "'");
        }
        int dot = path.lastIndexOf('.');
        String parentPath = dot < 0 ? "" : path.substring(0, dot);
        String name = path.substring(dot + 1);
        Module parent = namedModules().get(parentPath);
        if (parent == null || !parent.children.containsKey(name)) {
            Module nearest = parent != null ? parent : this;
            throw new IllegalArgumentException("replaceModule: no module at '" + path + "'; "
                    + (parent == null ? "no module at '" + parentPath + "'; the top level has "
                            : "'" + (parentPath.isEmpty() ? "(model)" : parentPath) + "' has ")
                    + nearest.children.keySet());
        }
        if (!parent.childReplaceable(name)) {
            throw new IllegalArgumentException("replaceModule: " + (parentPath.isEmpty() ? "the model" : "'"
                    + parentPath + "'") + " (" + parent.getClass().getSimpleName() + ") does not run '" + name
                    + "' by its name, so its forward would not see a replacement; replace a module of a container or"
                    + " of a zoo model's top level, or override childReplaceable(name) after looking children up"
                    + " with child(name)");
        }
        replacement.train(parent.training);
        return parent.children.put(name, replacement);
    }

    /** Every parameter of this module and its descendants by state-dict name, in PyTorch's order. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return Collections.unmodifiableMap(out);
    }

    /** The values of {@link #namedParameters()}. */
    public final List<Tensor> parameters() {
        return List.copyOf(namedParameters().values());
    }

    /** Every buffer of this module and its descendants by state-dict name. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return Collections.unmodifiableMap(out);
    }

    /** Parameters and buffers by state-dict name, in PyTorch's {@code state_dict()} order. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs) {
        if (params) {
            parameters.forEach((n, t) -> out.put(prefix + n, t));
        }
        if (bufs) {
            buffers.forEach((n, t) -> out.put(prefix + n, t));
        }
        children.forEach((n, m) -> m.collect(prefix + n + ".", out, params, bufs));
    }

    /** The direct children by name, in registration order. */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** This module (name {@code ""}) and every descendant by dotted path, depth first. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        modules("", out);
        return Collections.unmodifiableMap(out);
    }

    private void modules(String path, Map<String, Module> out) {
        out.put(path, this);
        children.forEach((n, m) -> m.modules(path.isEmpty() ? n : path + "." + n, out));
    }

    /** Sets training ({@code true}) or inference mode on this module and its descendants; returns this. */
    public Module train(boolean mode) {
        training = mode;
        children.values().forEach(m -> m.train(mode));
        return this;
    }

    /** {@code train(true)}. */
    public final Module train() {
        return train(true);
    }

    /** {@code train(false)}: inference behaviour (dropout off, batch norm on running statistics). */
    public final Module eval() {
        return train(false);
    }

    /** True in training mode. */
    public final boolean isTraining() {
        return training;
    }

    /** Clears the gradient of every parameter. */
    public final void zeroGrad() {
        parameters().forEach(Tensor::zeroGrad);
    }

    /**
     * Sets whether every parameter of this module and its descendants requires gradients:
     * {@code false} freezes them (transfer learning); returns this.
     */
    public final Module requiresGrad(boolean requires) {
        parameters().forEach(p -> p.requiresGrad(requires));
        return this;
    }

    /**
     * Sets whether the parameters whose state-dict names match the glob {@code pattern} require
     * gradients, leaving the others as they are: {@code requiresGrad(false, "layer[1-3].**")}
     * freezes three stages, and {@code requiresGrad(false); requiresGrad(true, "fc.*")} trains
     * only the head. The glob is matched against the whole dotted name: {@code *} stays within
     * one segment ({@code fc.*} is {@code fc.weight} and {@code fc.bias}, not
     * {@code fc.0.weight}), {@code **} crosses dots ({@code features.**}), {@code ?} is one
     * character but a dot, {@code [1-3]} and {@code [!0]} are sets, {@code {conv1,bn1}.*} are
     * alternatives and {@code \} escapes, as {@link java.nio.file.FileSystem#getPathMatcher}'s
     * globs with the dot as the separator.
     *
     * @return the number of parameter tensors matched (at least 1)
     * @throws IllegalArgumentException if the pattern is malformed or matches no parameter (a
     *     typo would otherwise freeze nothing silently); the message lists some names
     */
    public final int requiresGrad(boolean requires, String pattern) {
        Pattern glob = NameGlob.compile(pattern);
        return requiresGrad(requires, name -> glob.matcher(name).matches(), "pattern '" + pattern + "'");
    }

    /**
     * Sets whether the parameters whose state-dict names satisfy {@code names} require gradients,
     * leaving the others as they are; see {@link #requiresGrad(boolean, String)}.
     *
     * @return the number of parameter tensors matched (at least 1)
     * @throws IllegalArgumentException if no parameter name satisfies {@code names}
     */
    public final int requiresGrad(boolean requires, Predicate<String> names) {
        return requiresGrad(requires, names, "the predicate");
    }

    private int requiresGrad(boolean requires, Predicate<String> names, String what) {
        Map<String, Tensor> all = namedParameters();
        List<Tensor> matched = all.entrySet().stream().filter(e -> names.test(e.getKey())).map(Map.Entry::getValue)
                .toList();
        if (matched.isEmpty()) {
            // One name per top-level child shows the model's layout without listing hundreds.
            Map<String, String> firstPerChild = new LinkedHashMap<>();
            all.keySet().forEach(n -> firstPerChild.putIfAbsent(n.substring(0, Math.max(0, n.indexOf('.'))), n));
            List<String> some = firstPerChild.values().stream().limit(12).toList();
            throw new IllegalArgumentException(getClass().getSimpleName() + ".requiresGrad: " + what
                    + " matches none of the " + all.size() + " parameters, such as " + some
                    + " ('*' stays within a dot-separated segment, '**' crosses dots)");
        }
        matched.forEach(p -> p.requiresGrad(requires));
        return matched.size();
    }

    /** Calls {@code fn} on every descendant, then on this module (PyTorch's order); returns this. */
    public final Module apply(Consumer<Module> fn) {
        children.values().forEach(m -> m.apply(fn));
        fn.accept(this);
        return this;
    }

    /** A Keras-style summary from one pass on zeros of {@code inputShape}; see {@link ModelSummary}. */
    public final ModelSummary summary(long... inputShape) {
        return ModelSummary.of(this, inputShape);
    }

    /** The number of parameter elements. */
    public final long parameterCount() {
        return parameters().stream().mapToLong(Tensor::numel).sum();
    }

    /** The number of parameter elements that require gradients (not frozen). */
    public final long trainableParameterCount() {
        return parameters().stream().filter(Tensor::requiresGrad).mapToLong(Tensor::numel).sum();
    }

    /**
     * Copies the values of {@code state} into this module's parameters and buffers of the same
     * names (in place: tensors held elsewhere, e.g. by an optimizer, see the new values). Every
     * problem is reported at once: entries of this module missing from {@code state}, entries of
     * {@code state} this module lacks, and shape mismatches. With {@code strict} any problem
     * throws before anything is copied; without it the entries that fit are copied, and the
     * missing and unexpected names are returned. A shape mismatch always throws.
     *
     * @return the names that were missing and unexpected (both empty after a strict load)
     * @throws IllegalArgumentException listing every problem
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + ": expected " + Shape.toString(e.getValue().shape()) + ", got "
                        + Shape.toString(src.shape()));
            }
        }
        List<String> unexpected = state.keySet().stream().filter(k -> !own.containsKey(k)).toList();
        if (!mismatched.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".loadStateDict: " + mismatched.size()
                    + " shape mismatches " + mismatched + ", " + missing.size() + " missing " + missing + ", "
                    + unexpected.size() + " unexpected " + unexpected);
        }
        try (Grad off = Grad.off()) {
            for (Map.Entry<String, Tensor> e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null) {
                    e.getValue().copyFrom(src);
                }
            }
        }
        return new LoadResult(List.copyOf(missing), unexpected);
    }

    /**
     * Writes {@link #stateDict()} to {@code file} in the safetensors format, with PyTorch's names
     * (so PyTorch's and Hugging Face's safetensors tools read it).
     *
     * @throws IOException if the file cannot be written
     */
    public final void save(Path file) throws IOException {
        Safetensors.write(file, stateDict());
    }

    /**
     * {@link #loadStateDict} from a safetensors file, such as one {@link #save} wrote or one
     * converted from a PyTorch state dict.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the file is not valid safetensors, or as {@link #loadStateDict}
     */
    public final LoadResult load(Path file, boolean strict) throws IOException {
        return loadStateDict(Safetensors.read(file), strict);
    }

    /**
     * What a non-strict {@link #loadStateDict} left out.
     *
     * @param missing this module's entries the state did not have
     * @param unexpected the state's entries this module does not have
     */
    public record LoadResult(List<String> missing, List<String> unexpected) {}

    /** The layer's own settings for {@link #toString()}, e.g. {@code 1, 6, kernel_size=(5, 5)}; empty by default. */
    protected String extraRepr() {
        return "";
    }

    /** PyTorch's module representation: the class name, its settings and its children, indented. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            b.append('\n');
            children.forEach((n, m) -> b.append("  (").append(n).append("): ")
                    .append(m.toString().replace("\n", "\n  ")).append('\n'));
        }
        return b.append(')').toString();
    }
}
