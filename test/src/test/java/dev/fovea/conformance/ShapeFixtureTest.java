package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.InterpolateOptions;
import dev.fovea.tensor.functional.Linear;
import dev.fovea.tensor.functional.Resampling;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The shape and resampling ops against the PyTorch fixtures written by
 * {@code scripts/fixtures/shape_fixtures.py}: pad (every mode, 1-3 padded dims, asymmetric and
 * negative amounts, a value, every dim), interpolate (every mode, 1-3 d, up and down, size and scale
 * factor, align_corners both ways, recompute_scale_factor), pixel shuffle and unshuffle, linear and
 * bilinear; forward values and the gradients of {@code sum(y * g)} for every input, through autograd.
 *
 * <p><b>Tolerances.</b> The fixtures are float64 results of the float32 inputs rounded once, the
 * correctly rounded answers. Ops that only move data (constant padding forward and backward, border
 * padding forward, pixel shuffles, nearest interpolation forward) must match exactly. A float32 sum
 * of K terms is within {@code (K + 1) u A} of the exact sum (Higham, thm 4.4; u = 2^-24, A the sum of
 * the terms' magnitudes): each check below bounds A from the largest magnitudes of the factors and
 * allows {@code 4 (K + 2) u A}, plus one ulp of the expected value. Linear and cubic interpolation
 * also compute their sample coordinates in float, as PyTorch does for float32: each weight can move
 * by about {@code 1.35 * 3 (in + 1) u} per axis (three roundings of a coordinate below in + 1, times
 * the steepest slope of the kernels, Keys' at 0.6), which adds that times the values it weighs. A wrong tap, weight or
 * index is off by a sizeable fraction of a value and fails by orders of magnitude.
 */
class ShapeFixtureTest {
    private static final double U = 0x1p-24;

    @TestFactory
    Stream<DynamicTest> everyCase() {
        return FixtureManifest.read("shape").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(FixtureManifest.Entry c) {
        switch (c.get("op")) {
            case "pad" -> pad(c);
            case "interpolate" -> interpolate(c);
            case "pixel_shuffle", "pixel_unshuffle" -> shuffle(c);
            case "linear" -> linear(c);
            case "bilinear" -> bilinear(c);
            default -> throw new IllegalStateException(c + ": unknown op " + c.get("op"));
        }
    }

    private static void pad(FixtureManifest.Entry c) {
        Tensor x = c.load("x").requiresGrad(true);
        long[] amounts = Arrays.stream(c.ints("pad")).asLongStream().toArray();
        String mode = c.get("mode");
        Tensor y = c.get("value").equals("none") ? Resampling.pad(x, amounts, mode)
                : Resampling.pad(x, amounts, mode, Float.parseFloat(c.get("value")));
        compare(c + " y", y, c.load("y"), 0);
        y.backward(c.load("g"));
        // Border modes add each input's copies: at most prod(1 + positive amounts) terms of |g|.
        long terms = 1;
        for (int i = 0; i < amounts.length; i += 2) {
            terms *= 1 + Math.max(amounts[i], 0) + Math.max(amounts[i + 1], 0);
        }
        double a = terms * maxAbs(c.load("g"));
        compare(c + " gx", x.grad(), c.load("gx"), mode.equals("constant") ? 0 : sumBound(terms, a));
    }

    private static void interpolate(FixtureManifest.Entry c) {
        Tensor x = c.load("x").requiresGrad(true);
        String mode = c.get("mode");
        InterpolateOptions o = InterpolateOptions.mode(mode);
        o = c.get("size").equals("none") ? o : o.size(c.ints("size"));
        o = c.get("scale").equals("none") ? o
                : o.scaleFactor(Arrays.stream(c.get("scale").split(",")).mapToDouble(Double::parseDouble).toArray());
        o = c.get("align").equals("none") ? o : o.alignCorners(c.integer("align") == 1);
        o = o.recomputeScaleFactor(c.integer("recompute") == 1);
        Tensor y = Resampling.interpolate(x, o);
        Tensor yRef = c.load("y");
        long[] in = Arrays.copyOfRange(x.shape(), 2, x.rank());
        long[] out = Arrays.copyOfRange(yRef.shape(), 2, yRef.rank());
        int taps = switch (mode) {
            case "bicubic" -> 4;
            case "linear", "bilinear", "trilinear" -> 2;
            default -> 1;
        };
        boolean exact = mode.startsWith("nearest");
        Tensor g = c.load("g");
        double[] bound = mode.equals("area") ? areaBounds(in, out, maxAbs(x), maxAbs(g)) : separableBounds(in, out,
                taps, maxAbs(x), maxAbs(g));
        compare(c + " y", y, yRef, exact ? 0 : bound[0]);
        y.backward(g);
        compare(c + " gx", x.grad(), c.load("gx"), bound[1]);
    }

    /**
     * Bounds for the separable kernels, one pass per axis. Along axis a a value is a sum of
     * {@code taps} terms (forward) or of at most {@code taps (ceil(out/in) + 1)} terms (gradient),
     * whose weights add up in magnitude to at most {@code k} (1 for linear and nearest, 1.375 for
     * Keys' kernel, at t = 0.5) or {@code k (out/in + 1)}: so the sums' magnitudes A are the products of these
     * over the axes times the largest input, and the passes' rounding errors add up, giving
     * {@code 4 (sum of term counts + 2) u A}. A weight moved by {@code delta} on axis a changes the
     * result by at most delta times the term count on a, times the other axes' weight sums.
     */
    private static double[] separableBounds(long[] in, long[] out, int taps, double maxX, double maxG) {
        long maxIn = Arrays.stream(in).max().orElse(1);
        double delta = taps > 1 ? 1.35 * 3 * (maxIn + 1) * U : 0;
        double k = taps == 4 ? 1.375 : 1;
        double[] bound = new double[2];
        for (int dir = 0; dir < 2; dir++) {
            long terms = 0;
            double magnitude = 1;
            double[] count = new double[in.length];
            double[] weight = new double[in.length];
            for (int d = 0; d < in.length; d++) {
                count[d] = dir == 0 ? taps : taps * (Math.ceilDiv(out[d], in[d]) + 1);
                weight[d] = dir == 0 ? k : k * ((double) out[d] / in[d] + 1);
                terms += (long) count[d];
                magnitude *= weight[d];
            }
            double moved = 0;
            for (int d = 0; d < in.length; d++) {
                moved += delta * count[d] * magnitude / weight[d];
            }
            double scale = dir == 0 ? maxX : maxG;
            bound[dir] = sumBound(terms, magnitude * scale) + moved * scale;
        }
        return bound;
    }

    /**
     * Area mode is adaptive average pooling: an average of a window of at most
     * {@code prod(ceil(in/out) + 1)} elements (A = the largest input), and a gradient element sums at
     * most two windows per axis, each weighted by at most 1.
     */
    private static double[] areaBounds(long[] in, long[] out, double maxX, double maxG) {
        long window = 1;
        for (int d = 0; d < in.length; d++) {
            window *= Math.ceilDiv(in[d], out[d]) + 1;
        }
        long shared = 1L << in.length;
        return new double[] {sumBound(window, maxX), sumBound(shared, shared * maxG)};
    }

    private static void shuffle(FixtureManifest.Entry c) {
        Tensor x = c.load("x").requiresGrad(true);
        int r = c.integer("r");
        Tensor y = c.get("op").equals("pixel_shuffle") ? Resampling.pixelShuffle(x, r) : Resampling.pixelUnshuffle(x, r);
        compare(c + " y", y, c.load("y"), 0);
        y.backward(c.load("g"));
        compare(c + " gx", x.grad(), c.load("gx"), 0);
    }

    private static void linear(FixtureManifest.Entry c) {
        Tensor x = c.load("x").requiresGrad(true);
        Tensor w = c.load("w").requiresGrad(true);
        Tensor b = c.integer("bias") == 1 ? c.load("b").requiresGrad(true) : null;
        Tensor y = Linear.linear(x, w, b);
        long in = w.size(1);
        long out = w.size(0);
        long rows = x.numel() / in;
        double mx = maxAbs(x);
        double mw = maxAbs(w);
        double mg = maxAbs(c.load("g"));
        double mb = b == null ? 0 : maxAbs(b);
        compare(c + " y", y, c.load("y"), sumBound(in + 1, in * mx * mw + mb));
        y.backward(c.load("g"));
        compare(c + " gx", x.grad(), c.load("gx"), sumBound(out, out * mg * mw));
        compare(c + " gw", w.grad(), c.load("gw"), sumBound(rows, rows * mg * mx));
        if (b != null) {
            compare(c + " gb", b.grad(), c.load("gb"), sumBound(rows, rows * mg));
        }
    }

    private static void bilinear(FixtureManifest.Entry c) {
        Tensor x1 = c.load("x1").requiresGrad(true);
        Tensor x2 = c.load("x2").requiresGrad(true);
        Tensor w = c.load("w").requiresGrad(true);
        Tensor b = c.integer("bias") == 1 ? c.load("b").requiresGrad(true) : null;
        Tensor y = Linear.bilinear(x1, x2, w, b);
        long out = w.size(0);
        long in1 = w.size(1);
        long in2 = w.size(2);
        long rows = x1.numel() / in1;
        double m1 = maxAbs(x1);
        double m2 = maxAbs(x2);
        double mw = maxAbs(w);
        double mg = maxAbs(c.load("g"));
        long k = in1 + in2 + 1;
        compare(c + " y", y, c.load("y"), sumBound(k, in1 * in2 * m1 * mw * m2 + (b == null ? 0 : maxAbs(b))));
        y.backward(c.load("g"));
        compare(c + " gx1", x1.grad(), c.load("gx1"), sumBound(out + in2, out * in2 * mg * mw * m2));
        compare(c + " gx2", x2.grad(), c.load("gx2"), sumBound(out + in1, out * in1 * mg * mw * m1));
        compare(c + " gw", w.grad(), c.load("gw"), sumBound(rows, rows * mg * m1 * m2));
        if (b != null) {
            compare(c + " gb", b.grad(), c.load("gb"), sumBound(rows, rows * mg));
        }
    }

    /** The bound {@code 4 (K + 2) u A} on a float32 sum of K terms whose magnitudes add up to at most A. */
    private static double sumBound(long terms, double a) {
        return 4 * (terms + 2) * U * a;
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.toArray()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** Same shape, and |actual - expected| <= bound + ulp(expected) per element (exact when bound is 0). */
    private static void compare(String what, Tensor actual, Tensor expected, double bound) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        if (bound == 0) {
            assertArrayEquals(e, a, what);
            return;
        }
        double[] per = new double[e.length];
        for (int i = 0; i < per.length; i++) {
            per[i] = bound + Math.ulp(e[i]);
        }
        ConvFixtureTest.assertWithin(what, a, e, per);
    }
}
