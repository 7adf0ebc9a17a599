/**
 * Fovea's ONNX import and inference sessions: {@link dev.fovea.onnx.OnnxModel} reads a model
 * file, {@link dev.fovea.onnx.InferenceSession} runs it.
 */
module dev.fovea.onnx {
    requires transitive dev.fovea.nn;
    requires com.google.protobuf;

    exports dev.fovea.onnx;
}
