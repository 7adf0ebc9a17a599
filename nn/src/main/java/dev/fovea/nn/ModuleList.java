package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import java.util.List;

/**
 * Modules held under the names {@code "0"}, {@code "1"}, ..., as PyTorch's {@code nn.ModuleList}:
 * registered (their parameters count and are saved) but run by the owner's own {@code forward}.
 */
public final class ModuleList extends Module {
    private int size;

    /** The modules, named by their index. */
    public ModuleList(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends {@code module} under the next index; returns this. */
    public ModuleList add(Module module) {
        registerModule(Integer.toString(size++), module);
        return this;
    }

    /** The module at {@code index}. */
    public Module get(int index) {
        Module m = namedChildren().get(Integer.toString(index));
        if (m == null) {
            throw new IndexOutOfBoundsException("ModuleList: index " + index + " outside [0, " + size + ")");
        }
        return m;
    }

    /** The modules in order. */
    public List<Module> modules() {
        return List.copyOf(namedChildren().values());
    }

    /** The number of modules. */
    public int size() {
        return size;
    }

    /**
     * Not supported: a ModuleList has no forward of its own, as in PyTorch.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleList has no forward; run its modules from the owner's forward");
    }

    /** True: the children are looked up by name when run, so {@link #replaceModule} works on them. */
    @Override
    protected boolean childReplaceable(String name) {
        return true;
    }
}
