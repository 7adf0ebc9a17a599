package dev.fovea.onnx;

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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Builds small ONNX models with the generated protobuf classes, for the module's tests. */
final class TestModels {
    private TestModels() {
    }

    static ValueInfoProto tensorInfo(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String s) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(s));
            } else {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
            }
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    static TensorProto floats(String name, float[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) {
            b.putFloat(f);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1)
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    static NodeProto node(String op, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + outputs.get(0))
                .addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        return n.build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static ModelProto model(GraphProto graph, int opset) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("fovea-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph)
                .build();
    }

    /** Returns the float initializer {@code name} of a model built here (raw little-endian data). */
    static float[] initializer(ModelProto m, String name) {
        for (TensorProto t : m.getGraph().getInitializerList()) {
            if (t.getName().equals(name)) {
                ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                float[] f = new float[b.remaining() / 4];
                b.asFloatBuffer().get(f);
                return f;
            }
        }
        throw new AssertionError("no initializer " + name);
    }

    /** Deterministic pseudo-random floats in [-1, 1). */
    static float[] values(int n, long seed) {
        float[] v = new float[n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /**
     * A small CNN: Conv(1->4, 3x3, pad 1) + BatchNormalization + Relu + MaxPool(2) + Flatten +
     * Gemm(->3) + Softmax, input "x" [batch, 1, 6, 6], output "y" [batch, 3].
     */
    static ModelProto smallCnn() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("small")
                .addInput(tensorInfo("x", 1, "batch", 1, 6, 6))
                .addOutput(tensorInfo("y", 1, "batch", 3))
                .addInitializer(floats("w", values(36, 1), 4, 1, 3, 3))
                .addInitializer(floats("b", values(4, 2), 4))
                .addInitializer(floats("gamma", new float[] {1.1f, 0.9f, 1.2f, 0.8f}, 4))
                .addInitializer(floats("beta", values(4, 3), 4))
                .addInitializer(floats("mean", values(4, 4), 4))
                .addInitializer(floats("var", new float[] {0.5f, 1.5f, 1f, 2f}, 4))
                .addInitializer(floats("fc", values(3 * 36, 5), 3, 36))
                .addInitializer(floats("fcb", values(3, 6), 3))
                .addNode(node("Conv", List.of("x", "w", "b"), List.of("c"), ints("pads", 1, 1, 1, 1),
                        ints("kernel_shape", 3, 3)))
                .addNode(node("BatchNormalization", List.of("c", "gamma", "beta", "mean", "var"), List.of("n")))
                .addNode(node("Relu", List.of("n"), List.of("r")))
                .addNode(node("MaxPool", List.of("r"), List.of("p"), ints("kernel_shape", 2, 2), ints("strides", 2, 2)))
                .addNode(node("Flatten", List.of("p"), List.of("f")))
                .addNode(node("Gemm", List.of("f", "fc", "fcb"), List.of("g"), intAttr("transB", 1)))
                .addNode(node("Softmax", List.of("g"), List.of("y")));
        return model(g.build(), 13);
    }
    /**
     * A small residual CNN that a session compiles: Conv(1->4, 3x3, pad 1) + Relu = r, Conv(4->4,
     * 3x3, pad 1) + Add(r) + Relu, MaxPool(2), AveragePool(3, stride 1, pad 1), Flatten,
     * Gemm(->5) + Relu, Sigmoid; input "x" [batch, 1, 6, 6], output "y" [batch, 5]. Optimized,
     * the ReLUs fuse into the first Conv, the Add and the Gemm.
     */
    static ModelProto residualCnn() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("residual")
                .addInput(tensorInfo("x", 1, "batch", 1, 6, 6))
                .addOutput(tensorInfo("y", 1, "batch", 5))
                .addInitializer(floats("w1", values(36, 11), 4, 1, 3, 3))
                .addInitializer(floats("b1", values(4, 12), 4))
                .addInitializer(floats("w2", values(144, 13), 4, 4, 3, 3))
                .addInitializer(floats("b2", values(4, 14), 4))
                .addInitializer(floats("fc", values(5 * 36, 15), 5, 36))
                .addInitializer(floats("fcb", values(5, 16), 5))
                .addNode(node("Conv", List.of("x", "w1", "b1"), List.of("c1"), ints("pads", 1, 1, 1, 1)))
                .addNode(node("Relu", List.of("c1"), List.of("r1")))
                .addNode(node("Conv", List.of("r1", "w2", "b2"), List.of("c2"), ints("pads", 1, 1, 1, 1)))
                .addNode(node("Add", List.of("c2", "r1"), List.of("s")))
                .addNode(node("Relu", List.of("s"), List.of("r2")))
                .addNode(node("MaxPool", List.of("r2"), List.of("p"), ints("kernel_shape", 2, 2), ints("strides", 2, 2)))
                .addNode(node("AveragePool", List.of("p"), List.of("q"), ints("kernel_shape", 3, 3),
                        ints("pads", 1, 1, 1, 1)))
                .addNode(node("Flatten", List.of("q"), List.of("f")))
                .addNode(node("Gemm", List.of("f", "fc", "fcb"), List.of("g"), intAttr("transB", 1)))
                .addNode(node("Relu", List.of("g"), List.of("h")))
                .addNode(node("Sigmoid", List.of("h"), List.of("y")));
        return model(g.build(), 13);
    }

    /**
     * Two residual blocks whose Adds fuse into convolutions: Conv(16->16, 3x3, pad 1) + Relu = r1;
     * Conv(r1, 3x3) = c2 and, after it in node order, a 1x1 Conv(x) = d; Add(c2, d) + Relu = r2;
     * Conv(r2, 3x3) = c3; Add(x, c3) = y (a graph input as the residual, the conv output second,
     * no activation). Input "x"
     * [batch, 16, 13, 21] (a width that is not a whole number of vectors, a partial last row of
     * Winograd tiles), output "y" of the same shape.
     */
    static ModelProto residualBlocks() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("residual_blocks")
                .addInput(tensorInfo("x", 1, "batch", 16, 13, 21))
                .addOutput(tensorInfo("y", 1, "batch", 16, 13, 21))
                .addInitializer(floats("wa", scaled(values(16 * 16 * 9, 31), 0.1f), 16, 16, 3, 3))
                .addInitializer(floats("ba", values(16, 32), 16))
                .addInitializer(floats("wb", scaled(values(16 * 16 * 9, 33), 0.1f), 16, 16, 3, 3))
                .addInitializer(floats("bb", values(16, 34), 16))
                .addInitializer(floats("wd", scaled(values(16 * 16, 35), 0.2f), 16, 16, 1, 1))
                .addInitializer(floats("we", scaled(values(16 * 16 * 9, 36), 0.1f), 16, 16, 3, 3))
                .addNode(node("Conv", List.of("x", "wa", "ba"), List.of("c1"), ints("pads", 1, 1, 1, 1)))
                .addNode(node("Relu", List.of("c1"), List.of("r1")))
                .addNode(node("Conv", List.of("r1", "wb", "bb"), List.of("c2"), ints("pads", 1, 1, 1, 1)))
                .addNode(node("Conv", List.of("x", "wd"), List.of("d")))
                .addNode(node("Add", List.of("c2", "d"), List.of("s")))
                .addNode(node("Relu", List.of("s"), List.of("r2")))
                .addNode(node("Conv", List.of("r2", "we"), List.of("c3"), ints("pads", 1, 1, 1, 1)))
                .addNode(node("Add", List.of("x", "c3"), List.of("y")));
        return model(g.build(), 13);
    }

    private static float[] scaled(float[] v, float s) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= s;
        }
        return v;
    }
}
