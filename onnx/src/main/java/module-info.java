/** Fovea ONNX import and inference sessions. */
module dev.fovea.onnx {
    requires transitive dev.fovea.nn;

    exports dev.fovea.onnx;
}
