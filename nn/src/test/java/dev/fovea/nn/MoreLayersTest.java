package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * The adaptive and global pools, instance norm, local response norm, Unflatten and ModuleDict
 * against PyTorch 1.13: forward values (train and eval), running statistics, state-dict names and
 * shapes, and reprs, from the fixtures of {@code scripts/fixtures/layer_fixtures.py} (run it with
 * {@code /usr/bin/python3} to regenerate {@code src/test/resources/layers}); then the errors.
 */
class MoreLayersTest {
    private static final String DIR = "layers/";

    /** One test per line of cases.txt. */
    @TestFactory
    Stream<DynamicTest> forwardMatchesPyTorch() throws IOException {
        List<String> cases = lines("cases.txt");
        assertEquals(35, cases.size(), "the cases layer_fixtures.py writes");
        return cases.stream().map(MoreLayersTest::tokens)
                .map(c -> DynamicTest.dynamicTest(c.get("name"), () -> checkForward(c)));
    }

    /** Runs the case's steps, each in its mode, then compares the running statistics. */
    private static void checkForward(Map<String, String> c) throws IOException {
        String name = c.get("name");
        Module layer = layer(c);
        if ("1".equals(c.get("affine"))) {
            layer.loadStateDict(Map.of("weight", npy(name, "w"), "bias", npy(name, "b")), false);
        }
        String[] steps = c.get("steps").split(",");
        for (int i = 0; i < steps.length; i++) {
            layer.train(steps[i].equals("train"));
            Tensor actual = layer.call(npy(name, "x" + i));
            String what = name + " step " + i + " (" + steps[i] + ")";
            assertClose(npy(name, "y" + i), actual, tolerance(c.get("layer")), what);
        }
        if ("1".equals(c.get("track"))) {
            Map<String, Tensor> state = layer.stateDict();
            // Float32 running averages of double statistics, PyTorch's in double: at most 6e-8 here.
            assertClose(npy(name, "rm_out"), state.get("running_mean"), 1e-6, name + " running_mean");
            assertClose(npy(name, "rv_out"), state.get("running_var"), 1e-6, name + " running_var");
            assertEquals(0f, state.get("num_batches_tracked").item(), name + ": instance norm never counts");
        }
    }

    /**
     * Max pools and Unflatten select or view values, so they are exact. The rest compute in float32
     * what the fixtures computed in double from the same inputs: a float32 rounding or two per
     * output, at most 1e-7 * (1 + |y|) here, so 1e-6 leaves a margin of ten.
     */
    private static double tolerance(String layer) {
        return layer.startsWith("AdaptiveMax") || layer.equals("GlobalMaxPool2d") || layer.equals("Unflatten")
                ? 0 : 1e-6;
    }

    private static Module layer(Map<String, String> c) {
        Integer[] out = c.containsKey("out") ? Arrays.stream(c.get("out").split(","))
                .map(v -> v.equals("None") ? null : Integer.valueOf(v)).toArray(Integer[]::new) : null;
        boolean single = out != null && out.length == 1;
        return switch (c.get("layer")) {
            case "AdaptiveAvgPool1d" -> new AdaptiveAvgPool1d(out[0]);
            case "AdaptiveAvgPool2d" -> single ? new AdaptiveAvgPool2d(out[0]) : new AdaptiveAvgPool2d(out[0], out[1]);
            case "AdaptiveAvgPool3d" -> single ? new AdaptiveAvgPool3d(out[0])
                    : new AdaptiveAvgPool3d(out[0], out[1], out[2]);
            case "AdaptiveMaxPool1d" -> new AdaptiveMaxPool1d(out[0]);
            case "AdaptiveMaxPool2d" -> single ? new AdaptiveMaxPool2d(out[0]) : new AdaptiveMaxPool2d(out[0], out[1]);
            case "AdaptiveMaxPool3d" -> single ? new AdaptiveMaxPool3d(out[0])
                    : new AdaptiveMaxPool3d(out[0], out[1], out[2]);
            case "GlobalAvgPool2d" -> new GlobalAvgPool2d(c.get("keepdims").equals("1"));
            case "GlobalMaxPool2d" -> new GlobalMaxPool2d(c.get("keepdims").equals("1"));
            case "InstanceNorm1d" -> new InstanceNorm1d(integer(c, "features"), real(c, "eps"), real(c, "momentum"),
                    flag(c, "affine"), flag(c, "track"));
            case "InstanceNorm2d" -> new InstanceNorm2d(integer(c, "features"), real(c, "eps"), real(c, "momentum"),
                    flag(c, "affine"), flag(c, "track"));
            case "InstanceNorm3d" -> new InstanceNorm3d(integer(c, "features"), real(c, "eps"), real(c, "momentum"),
                    flag(c, "affine"), flag(c, "track"));
            case "LocalResponseNorm" -> new LocalResponseNorm(integer(c, "size"), real(c, "alpha"), real(c, "beta"),
                    real(c, "k"));
            case "Unflatten" -> new Unflatten(integer(c, "dim"),
                    Arrays.stream(c.get("sizes").split(",")).mapToLong(Long::parseLong).toArray());
            default -> throw new IllegalStateException("unknown layer in cases.txt: " + c);
        };
    }

    /** The modules of state_dicts.txt and reprs.txt, built as the fixture script's modules(). */
    private static Map<String, Module> modules() {
        Map<String, Module> m = new LinkedHashMap<>();
        m.put("pool_avg1d", new AdaptiveAvgPool1d(3));
        m.put("pool_avg2d_single", new AdaptiveAvgPool2d(3));
        m.put("pool_avg2d_none", new AdaptiveAvgPool2d(null, 4));
        m.put("pool_max2d_tuple", new AdaptiveMaxPool2d(3, 4));
        m.put("pool_max3d_none", new AdaptiveMaxPool3d(2, null, 3));
        m.put("in1d_default", new InstanceNorm1d(3));
        m.put("in2d_affine", new InstanceNorm2d(3, true, false));
        m.put("in3d_track", new InstanceNorm3d(5, 1e-6, 0.01, false, true));
        m.put("in1d_both", new InstanceNorm1d(4, 1e-3, 0.25, true, true));
        m.put("lrn_default", new LocalResponseNorm(3));
        m.put("lrn_custom", new LocalResponseNorm(4, 0.5, 1.2, 2.0));
        m.put("lrn_small", new LocalResponseNorm(2, 2.5e-5, 0.5, 0.0));
        m.put("unflatten_pair", new Unflatten(1, 2, 3));
        m.put("unflatten_single", new Unflatten(-1, 6));
        m.put("dict_empty", new ModuleDict());
        m.put("net", new Net());
        return m;
    }

    /** The fixture script's Net: a Linear stem and a ModuleDict of heads, one of them replaced. */
    static final class Net extends Module {
        private final Linear stem;
        private final ModuleDict heads;

        Net() {
            stem = registerModule("stem", new Linear(4, 4));
            heads = registerModule("heads", new ModuleDict()
                    .put("cls", new Linear(4, 3))
                    .put("box", new Sequential(new Linear(4, 4), Activation.relu())));
            heads.put("cls", new Linear(4, 5));
            heads.put("norm", new InstanceNorm1d(4, true, true));
        }

        @Override
        public Tensor forward(Tensor input) {
            return heads.get("cls").call(stem.call(input));
        }
    }

    @Test
    void stateDictNamesOrderAndShapesMatchPyTorch() throws IOException {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (String line : lines("state_dicts.txt")) {
            String[] f = line.split(" ");
            List<String> entries = expected.computeIfAbsent(f[0], k -> new ArrayList<>());
            if (!f[1].equals("(none)")) {
                entries.add(f[1] + " " + f[2]);
            }
        }
        Map<String, Module> modules = modules();
        Map<String, List<String>> actual = new LinkedHashMap<>();
        modules.forEach((key, m) -> actual.put(key, entries(m.stateDict())));
        actual.put("net_parameters", entries(modules.get("net").namedParameters()));
        assertEquals(expected, actual);
    }

    private static List<String> entries(Map<String, Tensor> tensors) {
        List<String> out = new ArrayList<>();
        tensors.forEach((n, t) -> out.add(n + " " + (t.rank() == 0 ? "scalar"
                : String.join(",", Arrays.stream(t.shape()).mapToObj(Long::toString).toList()))));
        return out;
    }

    @Test
    void reprsMatchPyTorch() throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        for (String line : lines("reprs.txt")) {
            String[] f = line.split("\t", 2);
            expected.put(f[0], f[1].replace("\\n", "\n"));
        }
        Map<String, String> actual = new LinkedHashMap<>();
        modules().forEach((key, m) -> actual.put(key, m.toString()));
        assertEquals(expected, actual);
        assertEquals("GlobalAvgPool2d()", new GlobalAvgPool2d().toString());
        assertEquals("GlobalMaxPool2d(keepdims=True)", new GlobalMaxPool2d(true).toString());
    }

    @Test
    void floatsArePrintedAsPythonsRepr() {
        // Python 3: repr(v) for each v.
        double[] values = {1e-5, 1e-4, 0.75, 1.0, 1e16, 1e15, 123.456, -2.5e-7, 0.1, 1.0 / 3, 1e100, Double.MIN_VALUE,
            Double.MAX_VALUE, 100.0, 12345678901234567.0, -0.0, Double.NaN, Double.NEGATIVE_INFINITY};
        String[] python = {"1e-05", "0.0001", "0.75", "1.0", "1e+16", "1000000000000000.0", "123.456", "-2.5e-07",
            "0.1", "0.3333333333333333", "1e+100", "5e-324", "1.7976931348623157e+308", "100.0",
            "1.2345678901234568e+16", "-0.0", "nan", "-inf"};
        for (int i = 0; i < values.length; i++) {
            assertEquals(python[i], PyRepr.pyFloat(values[i]));
        }
        assertEquals("(6,)", PyRepr.tuple(6));
        assertEquals("(None, 4)", PyRepr.tuple(null, 4));
    }

    @Test
    void globalPoolsAreKerasShapedAndAdaptivePoolsKeepNoneAxes() {
        Tensor x = Tensor.randn(3, 2, 5, 4, 6);
        assertArrayEquals(new long[] {2, 5}, new GlobalAvgPool2d().call(x).shape());
        assertArrayEquals(new long[] {2, 5, 1, 1}, new GlobalMaxPool2d(true).call(x).shape());
        // The global average is adaptive pooling to 1x1, flattened.
        assertArrayEquals(new AdaptiveAvgPool2d(1).call(x).toArray(), new GlobalAvgPool2d().call(x).toArray(), 1e-6f);
        assertArrayEquals(new long[] {2, 5, 4, 3}, new AdaptiveMaxPool2d(null, 3).call(x).shape());
        assertArrayEquals(new long[] {5, 2, 6}, new AdaptiveAvgPool2d(2, null).call(x.select(0, 0)).shape());
        assertArrayEquals(new Integer[] {null, 3}, new AdaptiveMaxPool2d(null, 3).outputSize());
    }

    @Test
    void badInputsNameTheLayerTheExpectedAndTheActualShape() {
        assertMessage(() -> new AdaptiveAvgPool2d(3).call(Tensor.zeros(2, 3, 4, 4, 4)),
                "AdaptiveAvgPool2d(output_size=3)", "(n, c, h, w)", "[2, 3, 4, 4, 4]");
        assertMessage(() -> new AdaptiveMaxPool1d(2).call(Tensor.zeros(5)), "AdaptiveMaxPool1d", "(n, c, l)", "[5]");
        assertMessage(() -> new AdaptiveMaxPool3d(2, null, 2).call(Tensor.zeros(2, 3)),
                "AdaptiveMaxPool3d(output_size=(2, None, 2))", "(n, c, d, h, w)", "[2, 3]");
        assertMessage(() -> new GlobalAvgPool2d().call(Tensor.zeros(2, 3, 4)), "GlobalAvgPool2d", "(n, c, h, w)",
                "[2, 3, 4]");
        assertMessage(() -> new GlobalMaxPool2d().call(Tensor.zeros(2, 3, 4, 4, 4)), "GlobalMaxPool2d",
                "[2, 3, 4, 4, 4]");
        assertMessage(() -> new InstanceNorm2d(3).call(Tensor.zeros(2, 4, 5, 5)), "InstanceNorm2d(3)",
                "(n, 3, h, w)", "[2, 4, 5, 5]");
        assertMessage(() -> new InstanceNorm1d(3).call(Tensor.zeros(2, 3, 4, 5)), "InstanceNorm1d(3)", "(n, 3, l)",
                "[2, 3, 4, 5]");
        assertMessage(() -> new InstanceNorm3d(2, true, true).call(Tensor.zeros(1, 2, 1, 1, 1)), "InstanceNorm3d",
                "more than 1 spatial element", "[1, 2, 1, 1, 1]");
        assertMessage(() -> new LocalResponseNorm(3).call(Tensor.zeros(2, 3)), "LocalResponseNorm(3",
                "(n, c, ...)", "[2, 3]");
        assertMessage(() -> new Unflatten(1, 2, 4).call(Tensor.zeros(2, 6)), "Unflatten(dim=1", "[2, 4]",
                "multiply to 6", "[2, 6]");
        assertMessage(() -> new Unflatten(-1, 4, -1).call(Tensor.zeros(2, 6)), "[4, -1]", "[2, 6]");
        assertMessage(() -> new Unflatten(2, 2, 3).call(Tensor.zeros(2, 6)), "dim 2 is out of range", "[2, 6]");
        // Inside a model the path comes first, as for every layer.
        assertMessage(() -> new Sequential(new Linear(4, 3), new InstanceNorm1d(3)).call(Tensor.zeros(2, 4, 4)),
                "1 (InstanceNorm1d)", "(n, 3, l)", "[2, 4, 3]");

        assertMessage(() -> new AdaptiveAvgPool2d(0, 3), "AdaptiveAvgPool2d", "(0, 3)");
        assertMessage(() -> new AdaptiveMaxPool3d(-1), "AdaptiveMaxPool3d", "(-1, -1, -1)");
        assertMessage(() -> new InstanceNorm2d(0), "InstanceNorm2d", "features", "0");
        assertMessage(() -> new LocalResponseNorm(0), "LocalResponseNorm", "size=0");
        assertMessage(() -> new Unflatten(1), "Unflatten", "empty");
        assertMessage(() -> new Unflatten(1, -1, 2, -1), "Unflatten", "[-1, 2, -1]");
    }

    @Test
    void moduleDictKeepsInsertionOrderAndRejectsBadKeys() {
        Linear a = new Linear(2, 2);
        Linear b = new Linear(2, 3);
        ModuleDict d = new ModuleDict(new LinkedHashMap<>(Map.of("a", a))).put("b", b);
        assertEquals(List.of("a", "b"), d.keys());
        assertSame(b, d.get("b"));
        assertTrue(d.containsKey("a") && !d.containsKey("c"));
        Linear a2 = new Linear(2, 4);
        d.put("a", a2);
        assertEquals(List.of("a", "b"), d.keys(), "replacing keeps the key's place");
        assertEquals(List.of(a2, b), d.modules());
        assertEquals(List.of("a.weight", "a.bias", "b.weight", "b.bias"), List.copyOf(d.namedParameters().keySet()));
        assertArrayEquals(new long[] {4, 2}, d.namedParameters().get("a.weight").shape());
        d.eval();
        assertTrue(!a2.isTraining() && !b.isTraining(), "modes reach the modules");

        assertSame(b, d.remove("b"));
        assertEquals(1, d.size());
        String missing = assertThrows(NoSuchElementException.class, () -> d.get("b")).getMessage();
        assertTrue(missing.contains("'b'") && missing.contains("[a]"), missing);
        assertMessage(() -> d.put("", new Identity()), "ModuleDict", "''");
        assertMessage(() -> d.put("x.y", new Identity()), "ModuleDict", "'x.y'", "'.'");
        assertMessage(() -> d.put(null, new Identity()), "ModuleDict", "null");
        assertThrows(NullPointerException.class, () -> d.put("c", null));
        assertThrows(UnsupportedOperationException.class, () -> d.call(Tensor.zeros(1, 2)));

        Net net = new Net();
        assertArrayEquals(new long[] {3, 5}, net.call(Tensor.randn(1, 3, 4)).shape());
        assertTrue(net.namedModules().containsKey("heads.box.1"), net.namedModules().keySet().toString());
    }

    private static void assertMessage(Executable body, String... parts) {
        String m = assertThrows(IllegalArgumentException.class, body).getMessage();
        for (String p : parts) {
            assertTrue(m.contains(p), "'" + p + "' missing from: " + m);
        }
    }

    /** Same shape, and |actual - expected| <= tol * (1 + |expected|) elementwise. */
    private static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= tol * (1 + Math.abs(e[i])))) {
                fail(what + ": element " + i + " is " + a[i] + ", PyTorch " + e[i] + " (tolerance " + tol + ")");
            }
        }
    }

    private static Tensor npy(String name, String key) throws IOException {
        return TestResources.npy(DIR + name + "/" + key + ".npy");
    }

    private static List<String> lines(String file) throws IOException {
        return TestResources.text(DIR + file).lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }

    private static Map<String, String> tokens(String line) {
        Map<String, String> c = new LinkedHashMap<>();
        for (String t : line.strip().split(" +")) {
            int eq = t.indexOf('=');
            c.put(t.substring(0, eq), t.substring(eq + 1));
        }
        return c;
    }

    private static int integer(Map<String, String> c, String key) {
        return Integer.parseInt(c.get(key));
    }

    private static double real(Map<String, String> c, String key) {
        return Double.parseDouble(c.get(key));
    }

    private static boolean flag(Map<String, String> c, String key) {
        return c.get(key).equals("1");
    }
}
