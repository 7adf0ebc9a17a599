package dev.fovea.onnx;

import com.google.protobuf.CodedInputStream;
import dev.fovea.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads serialized ONNX {@code TensorProto} files, the format of ONNX's test data
 * ({@code test_data_set_0/input_0.pb}) and of tensors saved with {@code onnx.save_tensor}.
 */
public final class OnnxTensors {
    /** A tensor with the name stored in its file ("" when it has none). */
    public record Named(String name, OnnxValue value) {
    }

    private OnnxTensors() {
    }

    /**
     * Reads one tensor file. External data is resolved against the file's folder.
     *
     * @throws OnnxException if the file cannot be read or is not a valid tensor
     */
    public static Named read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > OnnxModel.MAX_FILE_BYTES) {
                throw new OnnxException("OnnxTensors.read: " + file + " is larger than 2 GiB");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new OnnxException("OnnxTensors.read: cannot read " + file + ": " + e, e);
        }
        TensorProto proto;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(OnnxModel.RECURSION_LIMIT);
            proto = TensorProto.parseFrom(in);
        } catch (IOException e) {
            throw new OnnxException("OnnxTensors.read: " + file + " is not a valid TensorProto (protobuf: "
                    + e.getMessage() + ")", e);
        }
        return new Named(proto.getName(), TensorDecoder.decode(proto, file.toAbsolutePath().getParent(),
                "tensor file " + file));
    }
}
