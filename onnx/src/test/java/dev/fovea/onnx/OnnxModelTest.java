package dev.fovea.onnx;

import static dev.fovea.onnx.TestModels.floats;
import static dev.fovea.onnx.TestModels.model;
import static dev.fovea.onnx.TestModels.node;
import static dev.fovea.onnx.TestModels.tensorInfo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.fovea.onnx.proto.OnnxProtos.GraphProto;
import dev.fovea.onnx.proto.OnnxProtos.ModelProto;
import dev.fovea.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.fovea.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading validates untrusted files before allocating from their numbers, with messages that name the problem. */
class OnnxModelTest {
    private static GraphProto.Builder identityGraph() {
        return GraphProto.newBuilder().setName("g").addInput(tensorInfo("x", 1, 2))
                .addOutput(tensorInfo("y", 1, 2)).addNode(node("Relu", List.of("x"), List.of("y")));
    }

    private static OnnxException refused(ModelProto m) {
        return assertThrows(OnnxException.class, () -> OnnxModel.parse(m.toByteArray()));
    }

    @Test
    void readsDeclaredInputsOutputsAndOperators() {
        OnnxModel m = OnnxModel.parse(TestModels.smallCnn().toByteArray());
        assertEquals(13, m.opsetVersion());
        assertEquals("x: float32 [batch, 1, 6, 6]", m.inputs().get(0).toString());
        assertEquals(List.of("y"), m.outputs().stream().map(ValueInfo::name).toList());
        assertEquals(7, m.nodeCount());
        assertEquals(1, m.operatorCounts().get("Conv"));
        assertTrue(m.initializerNames().contains("fc"));
    }

    @Test
    void truncatedFilesAreRefusedAtEveryLength() {
        byte[] bytes = TestModels.smallCnn().toByteArray();
        int tried = 0;
        for (int len = 0; len < bytes.length; len += 7) {
            byte[] cut = Arrays.copyOf(bytes, len);
            assertThrows(OnnxException.class, () -> OnnxModel.parse(cut), "prefix of " + len + " bytes");
            tried++;
        }
        assertTrue(tried > 50);
    }

    @Test
    void dataThatDoesNotMatchItsDimsIsRefused() {
        TensorProto lying = floats("w", new float[4], 1000, 1000, 1000, 1000);
        OnnxException e = refused(model(identityGraph().addInitializer(lying).build(), 13));
        assertTrue(e.getMessage().contains("initializer 'w'") && e.getMessage().contains("16 bytes"), e.getMessage());

        TensorProto overflow = floats("w", new float[1], Long.MAX_VALUE, 4);
        e = refused(model(identityGraph().addInitializer(overflow).build(), 13));
        assertTrue(e.getMessage().contains("more than 2^63"), e.getMessage());

        TensorProto negative = floats("w", new float[1], -1);
        e = refused(model(identityGraph().addInitializer(negative).build(), 13));
        assertTrue(e.getMessage().contains("negative dim"), e.getMessage());

        TensorProto typed = TensorProto.newBuilder().setName("w").setDataType(1).addDims(3).addFloatData(1f).build();
        e = refused(model(identityGraph().addInitializer(typed).build(), 13));
        assertTrue(e.getMessage().contains("float_data has 1"), e.getMessage());

        TensorProto f16 = TensorProto.newBuilder().setName("h").setDataType(10).addDims(1)
                .setRawData(ByteString.copyFrom(new byte[2])).build();
        e = refused(model(identityGraph().addInitializer(f16).build(), 13));
        assertTrue(e.getMessage().contains("float16 is not supported"), e.getMessage());
    }

    private static TensorProto external(String location, long offset, long length, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName("w").setDataType(1)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("" + offset))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("" + length));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static OnnxException refusedFromFile(Path dir, TensorProto t) throws IOException {
        Path file = dir.resolve("m.onnx");
        Files.write(file, model(identityGraph().addInitializer(t).build(), 13).toByteArray());
        return assertThrows(OnnxException.class, () -> OnnxModel.load(file));
    }

    @Test
    void externalDataMustStayInsideTheModelsFolder(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Files.write(tmp.resolve("secret.bin"), new byte[16]);
        Files.write(dir.resolve("w.bin"), new byte[16]);
        assertTrue(refusedFromFile(dir, external("../secret.bin", 0, 16, 4)).getMessage()
                .contains("leaves the model's folder"));
        assertTrue(refusedFromFile(dir, external(tmp.resolve("secret.bin").toString(), 0, 16, 4)).getMessage()
                .contains("leaves the model's folder"));
        Files.createSymbolicLink(dir.resolve("link.bin"), tmp.resolve("secret.bin"));
        assertTrue(refusedFromFile(dir, external("link.bin", 0, 16, 4)).getMessage().contains("outside"));
        assertTrue(refusedFromFile(dir, external("w.bin", 8, 16, 4)).getMessage().contains("do not fit"));
        assertTrue(refusedFromFile(dir, external("w.bin", 0, 12, 4)).getMessage().contains("length is 12"));
        assertTrue(refusedFromFile(dir, external("missing.bin", 0, 16, 4)).getMessage().contains("does not exist"));
        // and the valid one loads, with the values of the file
        Files.write(dir.resolve("w.bin"), TestModels.floats("w", new float[] {1, 2, 3, 4}, 4).getRawData()
                .toByteArray());
        Path file = dir.resolve("ok.onnx");
        Files.write(file, model(identityGraph().addInitializer(external("w.bin", 0, 16, 4)).build(), 13)
                .toByteArray());
        OnnxValue w = OnnxModel.load(file).initializers().get("w");
        assertEquals(List.of(1f, 2f, 3f, 4f), List.of(box(w.tensor().toArray())));
        // from bytes there is no folder to resolve against
        assertThrows(OnnxException.class, () -> OnnxModel.parse(Files.readAllBytes(file)));
    }

    private static Float[] box(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }

    @Test
    void graphsMustBeInTopologicalOrderWithoutCycles() {
        GraphProto cycle = GraphProto.newBuilder().addInput(tensorInfo("x", 1, 2)).addOutput(tensorInfo("b", 1, 2))
                .addNode(node("Add", List.of("x", "b"), List.of("a")))
                .addNode(node("Relu", List.of("a"), List.of("b"))).build();
        assertTrue(refused(model(cycle, 13)).getMessage().contains("uses 'b' before any node defines it"));
        GraphProto twice = identityGraph().addNode(node("Relu", List.of("x"), List.of("y"))).build();
        assertTrue(refused(model(twice, 13)).getMessage().contains("already defined"));
        GraphProto noOutput = identityGraph().addOutput(tensorInfo("z", 1, 2)).build();
        assertTrue(refused(model(noOutput, 13)).getMessage().contains("'z' is never defined"));
    }

    @Test
    void everyUnsupportedOperatorIsListedInOneMessage() {
        GraphProto g = GraphProto.newBuilder().addInput(tensorInfo("x", 1, 2)).addOutput(tensorInfo("d", 1, 2))
                .addNode(node("Foo", List.of("x"), List.of("a")))
                .addNode(node("Bar", List.of("a"), List.of("b")))
                .addNode(node("Bar", List.of("b"), List.of("c")))
                .addNode(node("Relu", List.of("c"), List.of("c2")))
                .addNode(node("Baz", List.of("c2"), List.of("d")).toBuilder().setDomain("com.example").build())
                .build();
        String msg = refused(model(g, 13)).getMessage();
        assertTrue(msg.contains("3 operator(s)"), msg);
        assertTrue(msg.contains("Bar (2 nodes: Bar node 'Bar_b', Bar node 'Bar_c')"), msg);
        assertTrue(msg.contains("Foo (1 node"), msg);
        assertTrue(msg.contains("com.example.Baz"), msg);
        assertTrue(!msg.contains("Relu"), msg);
    }

    @Test
    void opsetsOutsideTheSupportedRangeAreRefused() {
        assertTrue(refused(model(identityGraph().build(), 23)).getMessage().contains("opset 23"));
        assertEquals(7, OnnxModel.parse(model(identityGraph().build(), 7).toByteArray()).opsetVersion());
        assertTrue(refused(ModelProto.newBuilder().setIrVersion(8).build()).getMessage().contains("no graph"));
    }
}
