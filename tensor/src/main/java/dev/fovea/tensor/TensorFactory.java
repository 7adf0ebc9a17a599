package dev.fovea.tensor;

import dev.fovea.tensor.io.Npy;
import dev.fovea.tensor.io.NpyArray;
import dev.fovea.tensor.ops.Copy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** The bodies of {@link Tensor}'s factory methods that fill values. */
final class TensorFactory {
    private TensorFactory() {}

    static Tensor full(String op, float value, long... shape) {
        Tensor t = Tensor.allocate(Shape.checkSizes(op, "shape", shape), Scope.current());
        if (value != 0f || Float.floatToRawIntBits(value) != 0) {
            Tensor.fillKernel(t, value);
        }
        return t;
    }

    /** Returns the seeded generator behind {@code rand(seed, ...)}: a {@link SplittableRandom}. */
    static RandomGenerator generator(long seed) {
        return new SplittableRandom(seed);
    }

    static Tensor arange(float start, float end, float step) {
        if (!Float.isFinite(start) || !Float.isFinite(end) || !Float.isFinite(step)) {
            throw new IllegalArgumentException("arange: start, end and step must be finite, got start=" + start
                    + ", end=" + end + ", step=" + step);
        }
        if (step == 0f) {
            throw new IllegalArgumentException("arange: step must not be 0");
        }
        double span = ((double) end - start) / step;
        if (span < 0) {
            throw new IllegalArgumentException("arange: step " + step + " points away from end: start=" + start
                    + ", end=" + end);
        }
        long n = (long) Math.ceil(span);
        Tensor t = Tensor.allocate(new long[] {n}, Scope.current());
        MemorySegment seg = t.segment();
        for (long i = 0; i < n; i++) {
            seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (start + (double) i * step));
        }
        return t;
    }

    static Tensor of(float[] data, long[] shape) {
        if (data == null) {
            throw new IllegalArgumentException("of: data must not be null");
        }
        long[] s = shape.length == 0 ? new long[] {data.length} : Shape.checkSizes("of", "shape", shape);
        if (Shape.numel(s) != data.length) {
            throw new IllegalArgumentException("of: data has " + data.length + " values but shape "
                    + Shape.toString(s) + " needs " + Shape.numel(s));
        }
        Tensor t = Tensor.allocate(s, Scope.current());
        MemorySegment.copy(data, 0, t.segment(), ValueLayout.JAVA_FLOAT, 0, data.length);
        return t;
    }

    static Tensor of(float[][] rows) {
        return of((Object) rows);
    }

    /** Copies a rectangular nested {@code float[]...[]} array; rank = nesting depth. */
    static Tensor of(Object nested) {
        if (nested == null) {
            throw new IllegalArgumentException("of: data must not be null");
        }
        List<Long> sizes = new ArrayList<>();
        Object level = nested;
        while (level != null && level.getClass().isArray()) {
            int len = Array.getLength(level);
            sizes.add((long) len);
            level = len > 0 && !(level instanceof float[]) ? Array.get(level, 0) : null;
        }
        long[] shape = sizes.stream().mapToLong(Long::longValue).toArray();
        float[] flat = new float[Math.toIntExact(Shape.numel(shape))];
        int[] pos = {0};
        flatten(nested, shape, 0, "", flat, pos);
        return of(flat, shape.length == 0 ? new long[] {0} : shape);
    }

    private static void flatten(Object level, long[] shape, int dim, String path, float[] out, int[] pos) {
        int len = level == null ? -1 : Array.getLength(level);
        if (len != shape[dim]) {
            throw new IllegalArgumentException("of: data" + path + " has " + (len < 0 ? "null" : len + " elements")
                    + " but data" + path.replaceAll("\\[\\d+]", "[0]") + " had " + shape[dim]
                    + "; nested arrays must be rectangular (shape " + Shape.toString(shape) + ")");
        }
        if (level instanceof float[] row) {
            System.arraycopy(row, 0, out, pos[0], row.length);
            pos[0] += row.length;
            return;
        }
        for (int i = 0; i < len; i++) {
            flatten(Array.get(level, i), shape, dim + 1, path + "[" + i + "]", out, pos);
        }
    }

    static Tensor random(String op, RandomGenerator rng, boolean normal, long[] shape) {
        if (rng == null) {
            throw new IllegalArgumentException(op + ": the random generator must not be null");
        }
        Tensor t = Tensor.allocate(Shape.checkSizes(op, "shape", shape), Scope.current());
        MemorySegment seg = t.segment();
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            float v = normal ? (float) rng.nextGaussian() : rng.nextFloat();
            seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
        }
        return t;
    }

    static Tensor load(Path path) {
        Storage[] storage = new Storage[1];
        NpyArray array;
        try {
            array = Npy.read(path, n -> {
                storage[0] = Storage.allocate(n);
                return storage[0].segment();
            });
        } catch (IOException e) {
            throw new UncheckedIOException("load: cannot read " + path + ": " + e.getMessage(), e);
        }
        long[] shape = array.shape();
        if (storage[0] == null) {
            return Tensor.zeros(shape);
        }
        return Tensor.wrap(storage[0], shape);
    }

    static void save(Tensor t, Path path) {
        t.checkAlive("save");
        Tensor dense = t.isContiguous() ? t : Copy.contiguousCopy(t);
        try {
            Npy.write(path, dense.shape(), dense.segment(), dense.offset());
        } catch (IOException e) {
            throw new UncheckedIOException("save: cannot write " + path + ": " + e.getMessage(), e);
        }
    }
}
