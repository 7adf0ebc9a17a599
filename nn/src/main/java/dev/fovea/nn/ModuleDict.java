package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Modules held by name in insertion order, as PyTorch's {@code nn.ModuleDict}: registered (their
 * parameters count and are saved, the keys becoming state-dict prefixes such as
 * {@code heads.cls.weight}) but run by the owner's own {@code forward}. A key is a non-empty name
 * without dots; putting an existing key replaces its module in place, keeping the order.
 */
public final class ModuleDict extends Module {
    /** An empty dict. */
    public ModuleDict() {}

    /** The modules under the map's keys, in the map's iteration order. */
    public ModuleDict(Map<String, ? extends Module> modules) {
        modules.forEach(this::put);
    }

    /**
     * Puts {@code module} under {@code key}: replaces the module of an existing key in its place,
     * else appends it (PyTorch's {@code dict[key] = module}); returns this.
     *
     * @throws IllegalArgumentException if {@code key} is null, empty or contains a dot
     */
    public ModuleDict put(String key, Module module) {
        checkKey(key);
        putModule(key, Objects.requireNonNull(module, "ModuleDict: module for key '" + key + "'"));
        return this;
    }

    /**
     * The module under {@code key}.
     *
     * @throws NoSuchElementException naming the key and the keys held, if absent
     */
    public Module get(String key) {
        Module m = namedChildren().get(key);
        if (m == null) {
            throw new NoSuchElementException("ModuleDict: no key '" + key + "' among " + keys());
        }
        return m;
    }

    /** Whether a module is held under {@code key}. */
    public boolean containsKey(String key) {
        return namedChildren().containsKey(key);
    }

    /**
     * Removes and returns the module under {@code key} (PyTorch's {@code pop}).
     *
     * @throws NoSuchElementException naming the key and the keys held, if absent
     */
    public Module remove(String key) {
        Module m = get(key);
        removeModule(key);
        return m;
    }

    /** The keys in insertion order. */
    public List<String> keys() {
        return List.copyOf(namedChildren().keySet());
    }

    /** The modules in insertion order. */
    public List<Module> modules() {
        return List.copyOf(namedChildren().values());
    }

    /** The number of modules. */
    public int size() {
        return namedChildren().size();
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty() || key.contains(".")) {
            throw new IllegalArgumentException("ModuleDict: a key must be a non-empty name without '.' (it becomes a"
                    + " state-dict prefix), got " + (key == null ? "null" : "'" + key + "'"));
        }
    }

    /**
     * Not supported: a ModuleDict has no forward of its own, as in PyTorch.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleDict has no forward; run its modules from the owner's forward");
    }

    /** True: the owner looks the modules up by key when it runs them, so {@link #replaceModule} works on them. */
    @Override
    protected boolean childReplaceable(String name) {
        return true;
    }
}
