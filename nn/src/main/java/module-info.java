/**
 * Fovea neural-network layers, functional ops, losses, optimizers and training. Empty until the
 * nn issues land; it exists now so that the dependency direction simd &lt;- tensor &lt;- nn &lt;- onnx
 * &lt;- cli is fixed from the start. It will export {@code dev.fovea.nn}.
 */
module dev.fovea.nn {
    requires transitive dev.fovea.tensor;
}
