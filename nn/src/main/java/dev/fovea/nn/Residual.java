package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

/**
 * {@code body(x) + shortcut(x)}, the skip connection of residual networks: the shortcut is the
 * identity unless given (e.g. a 1x1 projection); children {@code body} and {@code shortcut}.
 */
public final class Residual extends Module {
    private final Module body;
    private final Module shortcut;

    /** {@code body(x) + x}. */
    public Residual(Module body) {
        this(body, null);
    }

    /** {@code body(x) + shortcut(x)}; a null shortcut is the identity. */
    public Residual(Module body, Module shortcut) {
        this.body = registerModule("body", body);
        this.shortcut = shortcut == null ? null : registerModule("shortcut", shortcut);
    }

    @Override
    public Tensor forward(Tensor input) {
        return body.call(input).add(shortcut == null ? input : shortcut.call(input));
    }
}
