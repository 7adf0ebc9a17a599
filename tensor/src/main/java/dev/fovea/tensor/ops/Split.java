package dev.fovea.tensor.ops;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splitting one dim, with PyTorch's semantics: {@code split} into pieces of a size or of given
 * sizes, {@code chunk} into at most n pieces, and {@code unflatten} of a dim into several. Every
 * result is a view of the input ({@link Views#narrow}, {@link Views#view}), so nothing is copied
 * and each piece's gradient flows back through its view.
 */
public final class Split {
    private Split() {}

    /** See {@link Tensor#split(long, int)}. */
    public static List<Tensor> split(Tensor t, long splitSize, int dim) {
        Checks.live("split", "input", t);
        long[] shape = t.shape();
        int d = Shape.normalizeDim("split", dim, shape.length, shape);
        long size = shape[d];
        if (splitSize < 0 || (splitSize == 0 && size != 0)) {
            throw new IllegalArgumentException("split: splitSize must be positive (0 only for an empty dim), got "
                    + splitSize + " for dim " + dim + " of shape " + Shape.toString(shape));
        }
        long pieces = splitSize == 0 ? 1 : Math.max(1, Math.ceilDiv(size, splitSize));
        long[] sizes = new long[Math.toIntExact(pieces)];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = Math.min(splitSize, size - i * splitSize);
        }
        return pieces(t, sizes, d);
    }

    /** See {@link Tensor#split(long[], int)}. */
    public static List<Tensor> split(Tensor t, long[] sizes, int dim) {
        Checks.live("split", "input", t);
        long[] shape = t.shape();
        int d = Shape.normalizeDim("split", dim, shape.length, shape);
        if (sizes == null || sizes.length == 0 || Arrays.stream(sizes).anyMatch(v -> v < 0)
                || Arrays.stream(sizes).sum() != shape[d]) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " must be >= 0 and sum to "
                    + shape[d] + ", the size of dim " + dim + " of shape " + Shape.toString(shape));
        }
        return pieces(t, sizes, d);
    }

    /** See {@link Tensor#chunk(int, int)}. */
    public static List<Tensor> chunk(Tensor t, int chunks, int dim) {
        Checks.live("chunk", "input", t);
        long[] shape = t.shape();
        int d = Shape.normalizeDim("chunk", dim, shape.length, shape);
        if (chunks < 1) {
            throw new IllegalArgumentException("chunk: chunks must be >= 1, got " + chunks + " (shape "
                    + Shape.toString(shape) + ")");
        }
        long size = shape[d];
        if (size == 0) {
            return pieces(t, new long[chunks], d);
        }
        return split(t, Math.ceilDiv(size, chunks), d);
    }

    private static List<Tensor> pieces(Tensor t, long[] sizes, int d) {
        List<Tensor> out = new ArrayList<>(sizes.length);
        long start = 0;
        for (long size : sizes) {
            out.add(Views.narrow(t, d, start, size));
            start += size;
        }
        return List.copyOf(out);
    }

    /** See {@link Tensor#unflatten(int, long...)}. */
    public static Tensor unflatten(Tensor t, int dim, long... sizes) {
        Checks.live("unflatten", "input", t);
        long[] shape = t.shape();
        int d = Shape.normalizeDim("unflatten", dim, shape.length, shape);
        if (sizes == null || sizes.length == 0) {
            throw new IllegalArgumentException("unflatten: sizes must not be empty (shape " + Shape.toString(shape) + ")");
        }
        long[] filled = sizes.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] == -1 && infer < 0) {
                infer = i;
            } else if (sizes[i] < 0) {
                throw new IllegalArgumentException("unflatten: sizes " + Arrays.toString(sizes) + " may hold one -1 and"
                        + " otherwise sizes >= 0 (shape " + Shape.toString(shape) + ")");
            } else {
                known *= sizes[i];
            }
        }
        if (infer >= 0 && known > 0 && shape[d] % known == 0) {
            filled[infer] = shape[d] / known;
            known *= filled[infer];
        }
        if (known != shape[d] || (infer >= 0 && filled[infer] < 0)) {
            throw new IllegalArgumentException("unflatten: sizes " + Arrays.toString(sizes) + " do not multiply to "
                    + shape[d] + ", the size of dim " + dim + " of shape " + Shape.toString(shape));
        }
        long[] target = new long[shape.length - 1 + filled.length];
        System.arraycopy(shape, 0, target, 0, d);
        System.arraycopy(filled, 0, target, d, filled.length);
        System.arraycopy(shape, d + 1, target, d + filled.length, shape.length - d - 1);
        return Views.view(t, target);
    }
}
