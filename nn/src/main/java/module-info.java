/**
 * Fovea neural-network layers, functional ops, losses, optimizers and training.
 *
 * <p>{@code dev.fovea.nn.io} reads and writes state dicts in the safetensors format; its JSON
 * headers are parsed with Jackson's streaming parser ({@code jackson-core}). The layers themselves
 * land with the nn issues, in {@code dev.fovea.nn}.
 */
module dev.fovea.nn {
    requires transitive dev.fovea.tensor;
    requires com.fasterxml.jackson.core;

    exports dev.fovea.nn.io;
}
