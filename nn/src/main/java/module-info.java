/**
 * Fovea neural-network modules: {@link dev.fovea.nn.Module} and the layers over the functional ops
 * of {@code dev.fovea.tensor}, initialisers ({@code dev.fovea.nn.init}), the model zoo
 * ({@code dev.fovea.nn.zoo}), optimizers ({@code dev.fovea.nn.optim}), datasets and batching ({@code dev.fovea.nn.data}) and state dicts in the safetensors format ({@code dev.fovea.nn.io}).
 * No dependencies beyond the JDK and Fovea's own modules.
 */
module dev.fovea.nn {
    requires transitive dev.fovea.tensor;
    requires java.desktop; // javax.imageio for dev.fovea.nn.data.ImageFolder

    exports dev.fovea.nn;
    exports dev.fovea.nn.data;
    exports dev.fovea.nn.init;
    exports dev.fovea.nn.io;
    exports dev.fovea.nn.optim;
    exports dev.fovea.nn.train;
    exports dev.fovea.nn.zoo;
}
