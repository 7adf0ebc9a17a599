package dev.fovea.conformance;

import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A folder of PyTorch fixtures under {@code fixtures/<folder>} on the test class path: its manifest
 * {@code cases.txt} (one case per line of {@code key=value} tokens, {@code #} comments) and each
 * case's {@code .npy} arrays in a subfolder named after the case.
 */
final class FixtureManifest {
    private FixtureManifest() {}

    /** One case: its manifest entries and access to its arrays. */
    record Entry(String name, Map<String, String> params, Path root) {
        /** The value of {@code key}; fails the test setup if the manifest lacks it. */
        String get(String key) {
            String v = params.get(key);
            if (v == null) {
                throw new IllegalStateException("case " + name + " has no '" + key + "' in cases.txt");
            }
            return v;
        }

        int integer(String key) {
            return Integer.parseInt(get(key));
        }

        int[] ints(String key) {
            return Arrays.stream(get(key).split(",")).mapToInt(Integer::parseInt).toArray();
        }

        /** Loads array {@code key} of this case. */
        Tensor load(String key) {
            return Tensor.load(root.resolve(name).resolve(key + ".npy"));
        }

        /** Whether the case has array {@code key}. */
        boolean has(String key) {
            return Files.exists(root.resolve(name).resolve(key + ".npy"));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Every case of {@code fixtures/<folder>/cases.txt}, in file order. */
    static List<Entry> read(String folder) {
        Path root = root(folder);
        try {
            List<Entry> cases = new ArrayList<>();
            for (String line : Files.readAllLines(root.resolve("cases.txt"))) {
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("#")) {
                    continue;
                }
                Map<String, String> p = new LinkedHashMap<>();
                for (String token : s.split("\\s+")) {
                    int eq = token.indexOf('=');
                    p.put(token.substring(0, eq), token.substring(eq + 1));
                }
                cases.add(new Entry(p.get("name"), p, root));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder holding {@code fixtures/<folder>/cases.txt}. */
    static Path root(String folder) {
        URL url = FixtureManifest.class.getResource("/fixtures/" + folder + "/cases.txt");
        if (url == null) {
            throw new IllegalStateException("fixtures/" + folder + "/cases.txt is not on the test classpath");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
