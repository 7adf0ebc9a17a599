/**
 * Fovea neural-network modules: {@link dev.fovea.nn.Module} and the layers over the functional ops
 * of {@code dev.fovea.tensor}, initialisers ({@code dev.fovea.nn.init}) and the model zoo
 * ({@code dev.fovea.nn.zoo}).
 */
module dev.fovea.nn {
    requires transitive dev.fovea.tensor;

    exports dev.fovea.nn;
    exports dev.fovea.nn.init;
    exports dev.fovea.nn.zoo;
}
