/**
 * Fovea ONNX import and inference sessions. Empty until the ONNX issue lands; it exists now so
 * that the dependency direction is fixed. It will export {@code dev.fovea.onnx}.
 */
module dev.fovea.onnx {
    requires transitive dev.fovea.nn;
}
