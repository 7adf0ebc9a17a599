package dev.fovea.cli;

import com.google.protobuf.ByteString;
import dev.fovea.onnx.proto.OnnxProtos.AttributeProto;
import dev.fovea.onnx.proto.OnnxProtos.GraphProto;
import dev.fovea.onnx.proto.OnnxProtos.ModelProto;
import dev.fovea.onnx.proto.OnnxProtos.NodeProto;
import dev.fovea.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.fovea.onnx.proto.OnnxProtos.TensorProto;
import dev.fovea.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.fovea.onnx.proto.OnnxProtos.TypeProto;
import dev.fovea.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small opset-13 ONNX models built with the generated protobuf classes, written to files for {@code fovea infer}. */
final class TestOnnxModels {
    /** ONNX's float32 element type. */
    private static final int FLOAT = 1;

    /** The conv model's filters, {@code (outC 2, inC 1, kH 3, kW 3)}. */
    static final float[] CONV_W = {
        0.5f, -0.25f, 0.125f, 1f, -0.5f, 0.75f, -1f, 0.25f, 0.5f,
        -0.75f, 0.5f, 0.25f, 0.125f, 1f, -0.5f, 0.25f, -0.125f, 0.5f};
    /** The conv model's biases. */
    static final float[] CONV_B = {0.1f, -0.2f};
    /** The image model's class weights, {@code (6 classes, 3 channels)} (Gemm with transB). */
    static final float[] IMAGE_W = {
        1f, 0f, 0f,
        0f, 1f, 0f,
        0f, 0f, 1f,
        0.5f, 0.5f, 0f,
        -1f, 0.25f, 0.5f,
        0.3f, -0.6f, 0.9f};
    /** The image model's class biases. */
    static final float[] IMAGE_B = {0f, 0.1f, -0.1f, 0.2f, 0f, -0.3f};

    private TestOnnxModels() {}

    /**
     * Conv(1 -> 2, 3x3, no padding) + Relu + GlobalAveragePool + Flatten: input {@code x}
     * {@code [batch, 1, 6, 6]}, output {@code y} {@code [batch, 2]}.
     */
    static ModelProto conv() {
        return model(GraphProto.newBuilder().setName("conv")
                .addInput(info("x", "batch", 1, 6, 6))
                .addOutput(info("y", "batch", 2))
                .addInitializer(floats("w", CONV_W, 2, 1, 3, 3))
                .addInitializer(floats("b", CONV_B, 2))
                .addNode(node("Conv", List.of("x", "w", "b"), "c", ints("kernel_shape", 3, 3)))
                .addNode(node("Relu", List.of("c"), "r"))
                .addNode(node("GlobalAveragePool", List.of("r"), "g"))
                .addNode(node("Flatten", List.of("g"), "y")));
    }

    /**
     * Two inputs {@code x} and {@code y}, {@code [2, 3]}; two outputs, {@code "sum/x+y:0"} = x + y
     * (a name that is no file name) and {@code "product"} = x * y.
     */
    static ModelProto addAndMul() {
        return model(GraphProto.newBuilder().setName("add")
                .addInput(info("x", 2, 3))
                .addInput(info("y", 2, 3))
                .addOutput(info("sum/x+y:0", 2, 3))
                .addOutput(info("product", 2, 3))
                .addNode(node("Add", List.of("x", "y"), "sum/x+y:0"))
                .addNode(node("Mul", List.of("x", "y"), "product")));
    }

    /**
     * An "image classifier" whose answer does not depend on resizing or cropping:
     * GlobalAveragePool + Flatten + Gemm(3 -> 6), optionally + Softmax. Input {@code image}
     * {@code [1, 3, height, width]}, output {@code logits} (or {@code probs}) {@code [1, 6]}.
     */
    static ModelProto image(boolean softmax) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("image")
                .addInput(info("image", 1, 3, "height", "width"))
                .addOutput(info(softmax ? "probs" : "logits", 1, 6))
                .addInitializer(floats("w", IMAGE_W, 6, 3))
                .addInitializer(floats("b", IMAGE_B, 6))
                .addNode(node("GlobalAveragePool", List.of("image"), "g"))
                .addNode(node("Flatten", List.of("g"), "f"))
                .addNode(node("Gemm", List.of("f", "w", "b"), "logits", AttributeProto.newBuilder().setName("transB")
                        .setType(AttributeProto.AttributeType.INT).setI(1).build()));
        if (softmax) {
            g.addNode(node("Softmax", List.of("logits"), "probs"));
        }
        return model(g);
    }

    /** A model using two operators no runtime has: {@code FooBar} and {@code Frobnicate}. */
    static ModelProto unsupported() {
        return model(GraphProto.newBuilder().setName("odd")
                .addInput(info("x", 1, 4))
                .addOutput(info("z", 1, 4))
                .addNode(node("FooBar", List.of("x"), "y"))
                .addNode(node("Frobnicate", List.of("y"), "z")));
    }

    /** Writes {@code model} to {@code file} and returns the file. */
    static Path write(ModelProto model, Path file) {
        try {
            Files.write(file, model.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static ModelProto model(GraphProto.Builder graph) {
        return ModelProto.newBuilder().setIrVersion(7).setProducerName("fovea-test").setProducerVersion("1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(graph).build();
    }

    /** A float32 value of the given dims: numbers are fixed, strings symbolic. */
    private static ValueInfoProto info(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            shape.addDim(d instanceof String s ? TensorShapeProto.Dimension.newBuilder().setDimParam(s)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(shape))).build();
    }

    private static TensorProto floats(String name, float[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) {
            b.putFloat(f);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT)
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static NodeProto node(String op, List<String> inputs, String output, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + output).addAllInput(inputs)
                .addOutput(output);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        return n.build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }
}
