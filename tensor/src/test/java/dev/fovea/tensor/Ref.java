package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Double-precision naive references for tests: row-major arrays with explicit shapes. */
final class Ref {
    private Ref() {}

    static double[] values(Tensor t) {
        float[] f = t.toArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    static int numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return (int) n;
    }

    static long[] broadcast(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long sa = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            long sb = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            out[i] = sa == 1 ? sb : sa;
        }
        return out;
    }

    /** Returns element {@code flat} (row-major in {@code target}) of data with {@code shape} broadcast to target. */
    static double at(double[] data, long[] shape, long[] target, int flat) {
        int idx = 0;
        int mul = 1;
        for (int d = target.length - 1; d >= 0; d--) {
            int coord = (int) (flat % target[d]);
            flat /= (int) target[d];
            int sd = d - (target.length - shape.length);
            if (sd >= 0) {
                int c = shape[sd] == 1 ? 0 : coord;
                idx += c * mul;
                mul *= (int) shape[sd];
            }
        }
        return data[idx];
    }

    static double[] binary(Tensor a, Tensor b, DoubleBinaryOperator f) {
        long[] out = broadcast(a.shape(), b.shape());
        double[] av = values(a);
        double[] bv = values(b);
        double[] r = new double[numel(out)];
        for (int i = 0; i < r.length; i++) {
            r[i] = f.applyAsDouble(at(av, a.shape(), out, i), at(bv, b.shape(), out, i));
        }
        return r;
    }

    static double[] unary(Tensor a, DoubleUnaryOperator f) {
        double[] av = values(a);
        double[] r = new double[av.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = f.applyAsDouble(av[i]);
        }
        return r;
    }

    /** Reduces {@code x} over the dims in {@code mask} with {@code combine} starting from {@code init}. */
    static double[] reduce(Tensor x, boolean[] mask, double init, DoubleBinaryOperator combine) {
        long[] shape = x.shape();
        double[] v = values(x);
        long[] outShape = shape.clone();
        for (int d = 0; d < shape.length; d++) {
            if (mask[d]) {
                outShape[d] = 1;
            }
        }
        double[] out = new double[numel(outShape)];
        java.util.Arrays.fill(out, init);
        for (int i = 0; i < v.length; i++) {
            int o = outIndex(i, shape, outShape);
            out[o] = combine.applyAsDouble(out[o], v[i]);
        }
        return out;
    }

    static int outIndex(int flat, long[] shape, long[] outShape) {
        int o = 0;
        int mul = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            int c = (int) (flat % shape[d]);
            flat /= (int) shape[d];
            if (outShape[d] != 1) {
                o += c * mul;
            }
            mul *= (int) outShape[d];
        }
        return o;
    }

    static void assertClose(double[] expected, Tensor actual, double rtol, double atol) {
        float[] a = actual.toArray();
        if (a.length != expected.length) {
            fail("length " + a.length + " != expected " + expected.length);
        }
        for (int i = 0; i < a.length; i++) {
            double e = expected[i];
            if (Double.isNaN(e) && Float.isNaN(a[i])) {
                continue;
            }
            if (Double.isInfinite(e) && e == a[i]) {
                continue;
            }
            double err = Math.abs(a[i] - e);
            if (!(err <= atol + rtol * Math.abs(e))) {
                fail("element " + i + ": expected " + e + " but was " + a[i] + " (err " + err + ")");
            }
        }
    }

    static void assertValues(Tensor t, float... expected) {
        assertArrayEquals(expected, t.toArray(), 0f, () -> "values of " + t);
    }
}
