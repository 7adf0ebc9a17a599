package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import java.util.Map;

/**
 * Runs its children in order, each on the previous one's output, as PyTorch's
 * {@code nn.Sequential}: children are named {@code "0"}, {@code "1"}, ... unless given names.
 */
public class Sequential extends Module {
    /** The layers, named by their index. */
    public Sequential(Module... layers) {
        for (int i = 0; i < layers.length; i++) {
            registerModule(Integer.toString(i), layers[i]);
        }
    }

    /** The layers under the given names, in the map's order. */
    public Sequential(Map<String, ? extends Module> layers) {
        layers.forEach(this::registerModule);
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : namedChildren().values()) {
            x = m.call(x);
        }
        return x;
    }

    /** True: the children are looked up by name when run, so {@link #replaceModule} works on them. */
    @Override
    protected boolean childReplaceable(String name) {
        return true;
    }
}
