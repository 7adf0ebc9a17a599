package dev.fovea.onnx;

import dev.fovea.tensor.functional.Resampling;
import java.util.Arrays;

/**
 * ONNX {@code Pad}: constant, reflect, edge and wrap modes over any dims, negative amounts crop.
 * Float inputs go to Fovea's pad kernel when it covers the case (constant over any dims, the
 * border modes over the last one to three dims); everything else goes through an index map.
 */
final class PadKernel {
    private PadKernel() {
    }

    static OnnxValue pad(Node n, OnnxValue x, long[] begin, long[] end, String mode, double fill) {
        long[] s = x.shapeRef();
        int rank = s.length;
        long[] outShape = new long[rank];
        int firstPadded = rank;
        for (int d = 0; d < rank; d++) {
            outShape[d] = s[d] + begin[d] + end[d];
            if (outShape[d] < 0) {
                throw new OnnxException(n + ": pads begin " + Arrays.toString(begin) + " end " + Arrays.toString(end)
                        + " crop more than input " + Arrays.toString(s) + " has");
            }
            if ((begin[d] != 0 || end[d] != 0) && firstPadded == rank) {
                firstPadded = d;
            }
            if ((begin[d] > 0 || end[d] > 0) && s[d] == 0 && !mode.equals("constant")) {
                throw new OnnxException(n + ": " + mode + " padding of an empty dim " + d + " of "
                        + Arrays.toString(s));
            }
        }
        Kernels.checkCreated(n, outShape);
        String foveaMode = switch (mode) {
            case "constant" -> "constant";
            case "reflect" -> "reflect";
            case "edge" -> "replicate";
            case "wrap" -> "circular";
            default -> throw new OnnxException(n + ": mode '" + mode + "' is not one of constant, reflect, edge, wrap");
        };
        if (x.isFloat() && fitsFovea(foveaMode, s, begin, end, firstPadded)) {
            long[] pairs = new long[2 * (rank - firstPadded)];
            for (int d = rank - 1, p = 0; d >= firstPadded; d--, p += 2) {
                pairs[p] = begin[d];
                pairs[p + 1] = end[d];
            }
            return OnnxValue.of(foveaMode.equals("constant")
                    ? Resampling.pad(x.tensor(), pairs, "constant", (float) fill)
                    : Resampling.pad(x.tensor(), pairs, foveaMode));
        }
        return generic(x, outShape, begin, mode, fill);
    }

    private static boolean fitsFovea(String mode, long[] s, long[] begin, long[] end, int firstPadded) {
        if (mode.equals("constant")) {
            return true;
        }
        int padded = s.length - firstPadded;
        int lead = firstPadded;
        if (padded < 1 || padded > 3 || lead < 1 || lead > 2) {
            return false;
        }
        for (int d = firstPadded; d < s.length; d++) {
            long most = Math.max(begin[d], end[d]);
            if (mode.equals("reflect") && most >= s[d] || mode.equals("circular") && most > s[d]) {
                return false; // beyond one reflection or wrap: the index map repeats it
            }
        }
        return true;
    }

    private static OnnxValue generic(OnnxValue x, long[] outShape, long[] begin, String mode, double fill) {
        long[] s = x.shapeRef();
        int rank = s.length;
        long[] strides = Shapes.strides(s);
        int total = (int) Shapes.numel(outShape);
        int[] map = new int[total];
        long[] idx = new long[rank];
        for (int i = 0; i < total; i++) {
            long flat = 0;
            for (int d = 0; d < rank && flat >= 0; d++) {
                long src = source(idx[d] - begin[d], s[d], mode);
                flat = src < 0 ? -1 : flat + src * strides[d];
            }
            map[i] = (int) flat;
            for (int d = rank - 1; d >= 0 && ++idx[d] == outShape[d]; d--) {
                idx[d] = 0;
            }
        }
        if (x.isFloat()) {
            float[] a = x.tensor().contiguous().toArray();
            float[] out = new float[total];
            for (int i = 0; i < total; i++) {
                out[i] = map[i] < 0 ? (float) fill : a[map[i]];
            }
            return Kernels.floatValue(out, outShape);
        }
        long[] a = x.longsRef();
        long[] out = new long[total];
        for (int i = 0; i < total; i++) {
            out[i] = map[i] < 0 ? x.type().wrap((long) fill) : a[map[i]];
        }
        return OnnxValue.wrapLongs(x.type(), out, outShape);
    }

    /** The source index of padded position {@code i} of a dim of size {@code n}, or -1 for the fill value. */
    private static long source(long i, long n, String mode) {
        if (i >= 0 && i < n) {
            return i;
        }
        return switch (mode) {
            case "edge" -> i < 0 ? 0 : n - 1;
            case "wrap" -> Math.floorMod(i, n);
            case "reflect" -> {
                if (n == 1) {
                    yield 0;
                }
                long period = 2 * (n - 1);
                long m = Math.floorMod(i, period);
                yield m < n ? m : period - m;
            }
            default -> -1;
        };
    }
}
