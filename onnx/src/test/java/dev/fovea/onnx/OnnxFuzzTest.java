package dev.fovea.onnx;

import static dev.fovea.onnx.TestModels.floats;
import static dev.fovea.onnx.TestModels.intAttr;
import static dev.fovea.onnx.TestModels.ints;
import static dev.fovea.onnx.TestModels.node;
import static dev.fovea.onnx.TestModels.tensorInfo;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.onnx.proto.OnnxProtos.AttributeProto;
import dev.fovea.onnx.proto.OnnxProtos.GraphProto;
import dev.fovea.onnx.proto.OnnxProtos.ModelProto;
import dev.fovea.onnx.proto.OnnxProtos.NodeProto;
import dev.fovea.onnx.proto.OnnxProtos.TensorProto;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of the loader and the kernels: thousands of corrupted variants of two
 * small models (random bytes flipped, cut, repeated; and structural mutations of dims, attribute
 * values and input shapes). Every variant must either run or be refused with an
 * {@link OnnxException}; any other throwable (a JVM error, an index or arithmetic exception from
 * inside a kernel, an out-of-memory) fails, and the variant is written to
 * {@code target/fuzz-crashers/} to be kept as a regression case in
 * {@code src/test/resources/fuzz-crashers/}, which is replayed first.
 */
class OnnxFuzzTest {
    private static final int BYTE_MUTANTS = 3000;
    private static final int STRUCTURE_MUTANTS = 3000;
    private static final long[] INTERESTING = {0, 1, 2, 3, -1, -2, 7, 64, 255, 1L << 16, (1L << 31) - 1, 1L << 31,
        1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};

    private int loaded;
    private int ran;
    private int refused;

    /** A model whose shape is computed by shape ops: Shape, Gather, Concat, Reshape, Slice, Pad, Resize. */
    static ModelProto shapeOps() {
        TensorProto idx = TensorProto.newBuilder().setName("idx").setDataType(7).addDims(1).addInt64Data(0).build();
        TensorProto rest = TensorProto.newBuilder().setName("rest").setDataType(7).addDims(1).addInt64Data(-1)
                .build();
        TensorProto starts = TensorProto.newBuilder().setName("starts").setDataType(7).addDims(1).addInt64Data(1)
                .build();
        TensorProto ends = TensorProto.newBuilder().setName("ends").setDataType(7).addDims(1).addInt64Data(5).build();
        TensorProto axes = TensorProto.newBuilder().setName("axes").setDataType(7).addDims(1).addInt64Data(1).build();
        TensorProto pads = TensorProto.newBuilder().setName("pads").setDataType(7).addDims(4)
                .addInt64Data(0).addInt64Data(1).addInt64Data(0).addInt64Data(2).build();
        TensorProto scales = floats("scales", new float[] {1, 2}, 2);
        GraphProto g = GraphProto.newBuilder().addInput(tensorInfo("x", 1, "n", 6))
                .addOutput(tensorInfo("y", 1, "n", 14))
                .addInitializer(idx).addInitializer(rest).addInitializer(starts).addInitializer(ends)
                .addInitializer(axes).addInitializer(pads).addInitializer(scales)
                .addNode(node("Shape", List.of("x"), List.of("s")))
                .addNode(node("Gather", List.of("s", "idx"), List.of("n0"), intAttr("axis", 0)))
                .addNode(node("Concat", List.of("n0", "rest"), List.of("shape"), intAttr("axis", 0)))
                .addNode(node("Reshape", List.of("x", "shape"), List.of("r")))
                .addNode(node("Slice", List.of("r", "starts", "ends", "axes"), List.of("sl")))
                .addNode(node("Pad", List.of("sl", "pads"), List.of("p"),
                        AttributeProto.newBuilder().setName("mode").setType(AttributeProto.AttributeType.STRING)
                                .setS(com.google.protobuf.ByteString.copyFromUtf8("reflect")).build()))
                .addNode(node("Resize", List.of("p", "", "scales"), List.of("y"), ints("unused", 1)))
                .build();
        return TestModels.model(g, 13);
    }

    @Test
    void mutantsRunOrAreRefusedWithOnnxException() throws IOException {
        replayKeptCrashers();
        List<byte[]> seeds = List.of(TestModels.smallCnn().toByteArray(), shapeOps().toByteArray());
        for (byte[] seed : seeds) {
            check(seed, "seed"); // the seeds themselves run
        }
        assertTrue(ran == 2, "the seed models must run");
        SplittableRandom rng = new SplittableRandom(20261121);
        for (int i = 0; i < BYTE_MUTANTS; i++) {
            byte[] m = mutateBytes(seeds.get(i % seeds.size()), rng);
            check(m, "byte mutant " + i);
        }
        for (int i = 0; i < STRUCTURE_MUTANTS; i++) {
            ModelProto base = ModelProto.parseFrom(seeds.get(i % seeds.size()));
            check(mutateStructure(base, rng).toByteArray(), "structure mutant " + i);
        }
        System.out.printf("fuzz: %d mutants, %d loaded, %d ran, %d refused with OnnxException%n",
                BYTE_MUTANTS + STRUCTURE_MUTANTS, loaded, ran, refused);
        assertTrue(ran > 300, "too few mutants ran to reach the kernels: " + ran);
    }

    private void replayKeptCrashers() throws IOException {
        for (int i = 0; ; i++) {
            try (InputStream in = getClass().getResourceAsStream("/fuzz-crashers/crasher-" + i + ".onnx")) {
                if (in == null) {
                    return;
                }
                check(in.readAllBytes(), "kept crasher " + i);
            }
        }
    }

    private void check(byte[] bytes, String what) {
        try {
            OnnxModel model = OnnxModel.parse(bytes);
            loaded++;
            Map<String, OnnxValue> inputs = new HashMap<>();
            for (ValueInfo v : model.inputs()) {
                long[] dims = v.dims();
                long n = 1;
                for (int d = 0; d < dims.length; d++) {
                    dims[d] = dims[d] < 0 ? 2 : dims[d];
                    n *= Math.min(dims[d], 1 << 20);
                }
                if (n > 1 << 16) {
                    return; // the declaration asks for a huge input: nothing to learn from running it
                }
                inputs.put(v.name(), v.type() == ElementType.FLOAT
                        ? OnnxValue.of(Tensor.of(TestModels.values((int) n, n), dims))
                        : OnnxValue.ofLongs(v.type(), new long[(int) n], dims));
            }
            try (InferenceSession s = InferenceSession.create(model)) {
                s.run(inputs);
            }
            ran++;
        } catch (OnnxException e) {
            refused++;
        } catch (Throwable t) {
            Path dir = Path.of("target", "fuzz-crashers");
            try {
                Files.createDirectories(dir);
                Files.write(dir.resolve(what.replace(' ', '-') + ".onnx"), bytes);
            } catch (IOException io) {
                t.addSuppressed(io);
            }
            fail(what + " threw " + t + " (kept in target/fuzz-crashers)", t);
        }
    }

    private static byte[] mutateBytes(byte[] seed, SplittableRandom rng) {
        byte[] b = seed.clone();
        switch (rng.nextInt(5)) {
            case 0 -> { // flip a few bits
                for (int k = 1 + rng.nextInt(8); k > 0; k--) {
                    int i = rng.nextInt(b.length);
                    b[i] ^= (byte) (1 << rng.nextInt(8));
                }
            }
            case 1 -> { // overwrite with boundary bytes
                for (int k = 1 + rng.nextInt(4); k > 0; k--) {
                    b[rng.nextInt(b.length)] = (byte) new int[] {0, 0xFF, 0x7F, 0x80, 0x01}[rng.nextInt(5)];
                }
            }
            case 2 -> b = java.util.Arrays.copyOf(b, rng.nextInt(b.length)); // cut
            case 3 -> { // repeat a chunk
                int from = rng.nextInt(b.length);
                int len = rng.nextInt(Math.min(64, b.length - from)) + 1;
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, from + len);
                System.arraycopy(b, from, out, from + len, b.length - from);
                b = out;
            }
            default -> { // drop a chunk
                int from = rng.nextInt(b.length);
                int len = rng.nextInt(Math.min(64, b.length - from)) + 1;
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, from + len, out, from, b.length - from - len);
                b = out;
            }
        }
        return b;
    }

    private static long interesting(SplittableRandom rng, long current) {
        return rng.nextBoolean() ? INTERESTING[rng.nextInt(INTERESTING.length)] : current + rng.nextInt(-3, 4);
    }

    private static ModelProto mutateStructure(ModelProto base, SplittableRandom rng) {
        ModelProto.Builder m = base.toBuilder();
        GraphProto.Builder g = m.getGraphBuilder();
        for (int k = 1 + rng.nextInt(3); k > 0; k--) {
            switch (rng.nextInt(5)) {
                case 0 -> { // an attribute's integer(s)
                    NodeProto.Builder n = g.getNodeBuilder(rng.nextInt(g.getNodeCount()));
                    if (n.getAttributeCount() > 0) {
                        AttributeProto.Builder a = n.getAttributeBuilder(rng.nextInt(n.getAttributeCount()));
                        if (a.getIntsCount() > 0) {
                            int i = rng.nextInt(a.getIntsCount());
                            a.setInts(i, interesting(rng, a.getInts(i)));
                        } else {
                            a.setI(interesting(rng, a.getI()));
                        }
                    }
                }
                case 1 -> { // an initializer's dims or int64 values
                    if (g.getInitializerCount() > 0) {
                        TensorProto.Builder t = g.getInitializerBuilder(rng.nextInt(g.getInitializerCount()));
                        if (t.getInt64DataCount() > 0 && rng.nextBoolean()) {
                            int i = rng.nextInt(t.getInt64DataCount());
                            t.setInt64Data(i, interesting(rng, t.getInt64Data(i)));
                        } else if (t.getDimsCount() > 0) {
                            int i = rng.nextInt(t.getDimsCount());
                            t.setDims(i, interesting(rng, t.getDims(i)));
                        }
                    }
                }
                case 2 -> { // an input's declared dim
                    var dims = g.getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
                    if (dims.getDimCount() > 0) {
                        int i = rng.nextInt(dims.getDimCount());
                        dims.getDimBuilder(i).setDimValue(Math.abs(interesting(rng, 3)) % 9);
                    }
                }
                case 3 -> { // rewire a node input to another value
                    NodeProto.Builder n = g.getNodeBuilder(rng.nextInt(g.getNodeCount()));
                    List<String> names = new ArrayList<>();
                    g.getInitializerList().forEach(t -> names.add(t.getName()));
                    names.add("x");
                    if (n.getInputCount() > 0) {
                        n.setInput(rng.nextInt(n.getInputCount()), names.get(rng.nextInt(names.size())));
                    }
                }
                default -> { // swap an op type for another of the same arity
                    String[] ops = {"Relu", "Sigmoid", "Neg", "Abs", "Exp", "Softmax", "Flatten", "Identity",
                        "GlobalAveragePool", "Transpose", "Squeeze", "LRN", "Erf"};
                    NodeProto.Builder n = g.getNodeBuilder(rng.nextInt(g.getNodeCount()));
                    if (n.getInputCount() == 1) {
                        n.setOpType(ops[rng.nextInt(ops.length)]);
                    }
                }
            }
        }
        return m.build();
    }
}
