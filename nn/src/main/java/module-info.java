/**
 * Fovea neural-network layers, functional ops, losses, optimizers and training.
 *
 * <p>{@code dev.fovea.nn.io} reads and writes state dicts in the safetensors format; its JSON
 * headers are parsed by a small strict parser of its own, as the module depends on nothing beyond
 * the JDK. The layers themselves land with the nn issues, in {@code dev.fovea.nn}.
 */
module dev.fovea.nn {
    requires transitive dev.fovea.tensor;

    exports dev.fovea.nn.io;
}
