/** Fovea neural-network layers, functional ops, losses, optimizers and training. */
module dev.fovea.nn {
    requires transitive dev.fovea.tensor;

    exports dev.fovea.nn;
}
