package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.onnx.InferenceSession;
import dev.fovea.onnx.OnnxModel;
import dev.fovea.onnx.OnnxTensors;
import dev.fovea.onnx.OnnxValue;
import dev.fovea.onnx.ValueInfo;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * ONNX's operator conformance suite (Debian's libonnx-testdata 1.12, the cases for the operators
 * Fovea runs, copied by {@code scripts/onnx/select_conformance.py}): every case is loaded, run
 * with and without graph optimizations, and compared with the outputs stored next to it.
 *
 * <p>Tolerance: ONNX's backend test runner compares with {@code rtol = 1e-3, atol = 1e-7}. Ours is
 * {@code |got - expected| <= 1e-5 + 1e-3 |expected|}: the relative part is ONNX's; the absolute part
 * is raised to 1e-5 because the references were computed in float64 numpy (or by PyTorch with
 * another summation order), and outputs near zero that come from cancelling sums of O(1) terms
 * carry float32 rounding of ~1e-6 there. Integer outputs must match exactly.
 *
 * <p>A per-operator table of the cases run is written to
 * {@code target/onnx-conformance.md}.
 */
class OnnxConformanceTest {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-3;
    private static final Map<String, int[]> PER_OP = new TreeMap<>();

    /** One line of index.tsv: suite, case, operators, opset, data sets. */
    private record Case(String suite, String name, List<String> ops, Path dir) {
    }

    private static Path root() {
        try {
            return Path.of(OnnxConformanceTest.class.getResource("/onnx/conformance/index.tsv").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Case> cases() throws IOException {
        Path root = root();
        List<Case> cases = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("index.tsv"))) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            cases.add(new Case(f[0], f[1], List.of(f[2].split(",")), root.resolve(f[0]).resolve(f[1])));
        }
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyCase() throws IOException {
        List<Case> cases = cases();
        assertTrue(cases.size() > 400, "expected the 422 copied cases, found " + cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.suite + "/" + c.name, () -> run(c)));
    }

    private static void run(Case c) throws IOException {
        boolean ok = false;
        try {
            OnnxModel model = OnnxModel.load(c.dir.resolve("model.onnx"));
            try (Stream<Path> sets = Files.list(c.dir)) {
                for (Path set : sets.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted()
                        .toList()) {
                    for (boolean optimize : new boolean[] {true, false}) {
                        try (InferenceSession session = InferenceSession.create(model,
                                InferenceSession.Options.defaults().withOptimize(optimize))) {
                            check(c, model, session, set);
                        }
                    }
                }
            }
            ok = true;
        } finally {
            synchronized (PER_OP) {
                for (String op : c.ops) {
                    int[] counts = PER_OP.computeIfAbsent(op, k -> new int[2]);
                    counts[0]++;
                    counts[1] += ok ? 1 : 0;
                }
            }
        }
    }

    private static void check(Case c, OnnxModel model, InferenceSession session, Path set) throws IOException {
        List<ValueInfo> inputs = model.inputs();
        Map<String, OnnxValue> feed = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            Path file = set.resolve("input_" + i + ".pb");
            if (!Files.exists(file)) {
                continue; // an optional input the case leaves out
            }
            OnnxTensors.Named t = OnnxTensors.read(file);
            String name = !t.name().isEmpty() && inputs.stream().anyMatch(v -> v.name().equals(t.name()))
                    ? t.name() : inputs.get(i).name();
            feed.put(name, t.value());
        }
        Map<String, OnnxValue> got = session.run(feed);
        List<ValueInfo> outputs = model.outputs();
        for (int i = 0; i < outputs.size(); i++) {
            Path file = set.resolve("output_" + i + ".pb");
            if (!Files.exists(file)) {
                continue;
            }
            OnnxValue expected = OnnxTensors.read(file).value();
            OnnxValue actual = got.get(outputs.get(i).name());
            String what = c.suite + "/" + c.name + " output '" + outputs.get(i).name() + "'";
            assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
            if (expected.isFloat()) {
                float[] e = expected.tensor().contiguous().toArray();
                float[] a = actual.isFloat() ? actual.tensor().contiguous().toArray() : toFloats(actual.longs());
                for (int k = 0; k < e.length; k++) {
                    boolean bothNan = Float.isNaN(e[k]) && Float.isNaN(a[k]);
                    boolean sameInf = Float.isInfinite(e[k]) && e[k] == a[k];
                    if (!bothNan && !sameInf && !(Math.abs(a[k] - e[k]) <= ATOL + RTOL * Math.abs(e[k]))) {
                        fail(what + ": element " + k + " is " + a[k] + ", expected " + e[k]);
                    }
                }
            } else {
                assertEquals(expected.type(), actual.type(), what + ": type");
                assertArrayEquals(expected.longs(), actual.longs(), what);
            }
        }
    }

    private static float[] toFloats(long[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    @AfterAll
    static void writeTable() throws IOException {
        StringBuilder sb = new StringBuilder("| operator | cases | passed |\n|---|---:|---:|\n");
        int total = 0;
        int passed = 0;
        for (var e : PER_OP.entrySet()) {
            sb.append("| ").append(e.getKey()).append(" | ").append(e.getValue()[0]).append(" | ")
                    .append(e.getValue()[1]).append(" |\n");
        }
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("onnx-conformance.md"), sb.toString());
        }
    }
}
