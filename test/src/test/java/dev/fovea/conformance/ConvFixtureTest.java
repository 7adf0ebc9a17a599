package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.conv.Conv;
import dev.fovea.simd.conv.ConvAlgorithm;
import dev.fovea.simd.conv.ConvNaive;
import dev.fovea.simd.conv.ConvSpec;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every convolution algorithm and the reference gradients against the PyTorch fixtures of
 * {@link ConvFixtures} (1-3 d; stride, dilation, groups incl. depthwise and multiplier 2; symmetric,
 * per-side, same and valid padding; zeros, reflect, replicate and circular modes; 11x11 stride 4).
 *
 * <p><b>Tolerances.</b> The fixtures are float64 results of the float32 inputs, rounded once to
 * float32, so they are the correctly rounded answers ({@code u = 2^-24} relative).
 * <ul>
 *   <li>{@link ConvNaive} (forward and gradients) also accumulates in double and rounds once; two
 *       such roundings of sums that agree to ~{@code K * 2^-53} differ by at most one ulp, so the
 *       bound is {@code ulp(|ref|) + 1e-10 * max|ref|} (the second term covers the double sums'
 *       disagreement, which is ~1e-14 relative here).</li>
 *   <li>A float32 algorithm summing the {@code K + 1} terms of an output (K = inC / groups *
 *       kernel volume, plus bias) in any order errs by at most {@code gamma_{K+1} * A} with
 *       {@code gamma_m = m u / (1 - m u)} and {@code A = sum |x_j w_j| + |b|} (Higham, Accuracy and
 *       Stability, thm 4.4; FMA only lowers it); A is computed exactly by the naive convolution of
 *       |x| and |w| plus |b|. Adding the fixture's own half ulp gives the per-element bound. This
 *       scales with the output's magnitude and with K as it must, and is rigorous, so a failure is
 *       a bug, not noise.</li>
 *   <li>Winograd variants re-associate through transforms the bound above does not cover; they
 *       are held to their own documented {@link ConvAlgorithm#maxNmse()} (house style rule 30),
 *       which every algorithm must also meet.</li>
 * </ul>
 */
class ConvFixtureTest {
    private static final double U = 0x1p-24;

    private static Stream<ConvFixtures.Case> convCases() {
        return ConvFixtures.all().stream().filter(c -> !c.isTranspose());
    }

    @Test
    void manifestCoversTheRequiredCases() {
        List<ConvFixtures.Case> all = ConvFixtures.all();
        assertTrue(all.size() >= 40, "cases: " + all.size());
        for (String mode : new String[] {"zeros", "reflect", "replicate", "circular"}) {
            assertTrue(all.stream().anyMatch(c -> c.get("mode").equals(mode)), mode);
        }
        for (String padding : new String[] {"explicit", "asym", "same", "valid"}) {
            assertTrue(all.stream().anyMatch(c -> c.get("padding").equals(padding)), padding);
        }
        for (int dims = 1; dims <= 3; dims++) {
            int d = dims;
            assertTrue(all.stream().anyMatch(c -> c.integer("dims") == d && c.isTranspose()), "transpose " + d);
            assertTrue(all.stream().anyMatch(c -> c.integer("dims") == d && !c.isTranspose()), "conv " + d);
        }
    }

    /** The spec built from the manifest reproduces PyTorch's padding amounts and output shape. */
    @TestFactory
    Stream<DynamicTest> specMatchesPyTorchShapes() {
        return ConvFixtures.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            ConvSpec s = c.spec();
            if (c.isTranspose()) {
                assertArrayEquals(c.load("x").shape(), s.outputShape(), "transposed input = conv output");
                assertArrayEquals(c.load("y").shape(), s.inputShape(), "transposed output = conv input");
                return;
            }
            int[] begin = c.ints("pad_begin");
            int[] end = c.ints("pad_end");
            for (int a = 0; a < s.dims(); a++) {
                int axis = 3 - s.dims() + a;
                assertEquals(begin[a], s.padBegin(axis), "pad begin, axis " + a);
                assertEquals(end[a], s.padEnd(axis), "pad end, axis " + a);
            }
            assertArrayEquals(c.load("y").shape(), s.outputShape());
            assertArrayEquals(c.load("w").shape(), s.weightShape());
        }));
    }

    /** Every algorithm that supports the case, through its plan, and the static reference forward. */
    @TestFactory
    Stream<DynamicTest> forwardMatchesPyTorch() {
        return convCases().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            ConvSpec s = c.spec();
            Tensor x = c.load("x");
            Tensor w = c.load("w");
            Tensor b = c.hasBias() ? c.load("b") : null;
            float[] ref = c.load("y").toArray();

            Tensor naive = Tensor.empty(s.outputShape());
            ConvNaive.forward(s, x.segment(), x.offset(), w.segment(), w.offset(), b == null ? null : b.segment(),
                    b == null ? 0 : b.offset(), naive.segment(), naive.offset());
            assertWithin(c + " naive.forward", naive.toArray(), ref, naiveBound(ref));

            double[] floatBound = floatBound(s, x, w, b, ref);
            List<String> ran = new ArrayList<>();
            for (ConvAlgorithm a : Conv.algorithms()) {
                if (a.unsupportedReason(s) != null) {
                    continue;
                }
                Tensor out = Tensor.full(Float.NaN, s.outputShape());
                a.plan(s, w.segment(), w.offset(), ComputeContext.defaultContext()).execute(x.segment(), x.offset(),
                        b == null ? null : b.segment(), b == null ? 0 : b.offset(), out.segment(), out.offset());
                float[] y = out.toArray();
                String what = c + " " + a.name();
                double nmse = nmse(y, ref);
                assertTrue(nmse <= a.maxNmse(), String.format(Locale.ROOT, "%s: NMSE %.3g > maxNmse %.3g", what,
                        nmse, a.maxNmse()));
                if (!a.name().startsWith("winograd")) {
                    assertWithin(what, y, ref, floatBound);
                }
                ran.add(a.name());
            }
            assertTrue(ran.contains("naive"), c + ": the reference must run every case, ran " + ran);
        }));
    }

    /** The reference gradients against PyTorch's gradients of {@code sum(y * g)}. */
    @TestFactory
    Stream<DynamicTest> backwardMatchesPyTorch() {
        return convCases().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            ConvSpec s = c.spec();
            Tensor x = c.load("x");
            Tensor w = c.load("w");
            Tensor g = c.load("g");
            Tensor dx = Tensor.full(Float.NaN, s.inputShape());
            ConvNaive.backwardData(s, g.segment(), g.offset(), w.segment(), w.offset(), dx.segment(), dx.offset());
            float[] gx = c.load("gx").toArray();
            assertWithin(c + " backwardData", dx.toArray(), gx, naiveBound(gx));
            Tensor dw = Tensor.full(Float.NaN, s.weightShape());
            ConvNaive.backwardWeight(s, x.segment(), x.offset(), g.segment(), g.offset(), dw.segment(), dw.offset());
            float[] gw = c.load("gw").toArray();
            assertWithin(c + " backwardWeight", dw.toArray(), gw, naiveBound(gw));
            if (c.hasBias()) {
                Tensor db = Tensor.full(Float.NaN, s.outC());
                ConvNaive.backwardBias(s, g.segment(), g.offset(), db.segment(), db.offset());
                float[] gb = c.load("gb").toArray();
                assertWithin(c + " backwardBias", db.toArray(), gb, naiveBound(gb));
            }
        }));
    }

    /**
     * Validates the conv_transpose fixtures (which {@link ConvTransposeGradTest} holds the op to)
     * with the reference:
     * a transposed convolution is the input gradient of the convolution {@link ConvFixtures.Case#spec()}
     * describes, its input gradient is that convolution's forward, and its weight gradient is that
     * convolution's weight gradient with the roles of input and output gradient swapped.
     */
    @TestFactory
    Stream<DynamicTest> transposeFixturesAgreeWithTheReference() {
        return ConvFixtures.all().stream().filter(ConvFixtures.Case::isTranspose)
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    ConvSpec s = c.spec();
                    Tensor x = c.load("x");
                    Tensor w = c.load("w");
                    Tensor g = c.load("g");
                    Tensor y = Tensor.empty(s.inputShape());
                    ConvNaive.backwardData(s, x.segment(), x.offset(), w.segment(), w.offset(), y.segment(), y.offset());
                    float[] ref = c.load("y").toArray();
                    float[] got = y.toArray();
                    double[] bound = naiveBound(ref);
                    if (c.hasBias()) {
                        float[] b = c.load("b").toArray();
                        long per = s.inSpatial();
                        for (int i = 0; i < got.length; i++) {
                            float bi = b[(int) (i / per % s.inC())];
                            bound[i] += U * (Math.abs(got[i]) + Math.abs(bi));
                            got[i] += bi;
                        }
                    }
                    assertWithin(c + " y", got, ref, bound);
                    Tensor gx = Tensor.empty(s.outputShape());
                    ConvNaive.forward(s, g.segment(), g.offset(), w.segment(), w.offset(), null, 0, gx.segment(),
                            gx.offset());
                    float[] gxRef = c.load("gx").toArray();
                    assertWithin(c + " gx", gx.toArray(), gxRef, naiveBound(gxRef));
                    Tensor gw = Tensor.empty(s.weightShape());
                    ConvNaive.backwardWeight(s, g.segment(), g.offset(), x.segment(), x.offset(), gw.segment(),
                            gw.offset());
                    float[] gwRef = c.load("gw").toArray();
                    assertWithin(c + " gw", gw.toArray(), gwRef, naiveBound(gwRef));
                }));
    }

    /** Bound for a double-accumulated, once-rounded result against the once-rounded fixture. */
    static double[] naiveBound(float[] ref) {
        double scale = 0;
        for (float r : ref) {
            scale = Math.max(scale, Math.abs(r));
        }
        double[] bound = new double[ref.length];
        for (int i = 0; i < ref.length; i++) {
            bound[i] = Math.ulp(Math.abs(ref[i])) + 1e-10 * scale;
        }
        return bound;
    }

    /** {@code gamma_{K+1} * (|x| conv |w| + |b|) + ulp(ref) / 2}: any float32 summation order. */
    static double[] floatBound(ConvSpec s, Tensor x, Tensor w, Tensor b, float[] ref) {
        Tensor abs = Tensor.empty(s.outputShape());
        Tensor ab = b == null ? null : b.abs();
        Tensor ax = x.abs();
        Tensor aw = w.abs();
        ConvNaive.forward(s, ax.segment(), ax.offset(), aw.segment(), aw.offset(), ab == null ? null : ab.segment(),
                ab == null ? 0 : ab.offset(), abs.segment(), abs.offset());
        return sumBound(abs.toArray(), (long) s.inCPerGroup() * s.kernelVolume() + 1, ref);
    }

    /**
     * {@code gamma_m * A * (1 + u) + ulp(ref) / 2}: the error of a float32 sum of {@code m} terms in any
     * order, given {@code A}, the sums of the terms' magnitudes (rounded once, hence {@code 1 + u}).
     */
    static double[] sumBound(float[] a, long m, float[] ref) {
        double gamma = m * U / (1 - m * U);
        double[] bound = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            bound[i] = gamma * a[i] * (1 + U) + 0.5 * Math.ulp(Math.abs(ref[i]));
        }
        return bound;
    }

    private static double nmse(float[] y, float[] ref) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < y.length; i++) {
            double d = (double) y[i] - ref[i];
            num += d * d;
            den += (double) ref[i] * ref[i];
        }
        return den == 0 ? num : num / den;
    }

    /** Asserts {@code |actual - expected| <= bound} elementwise, reporting the count and the worst excess. */
    static void assertWithin(String what, float[] actual, float[] expected, double[] bound) {
        assertEquals(expected.length, actual.length, what + ": element count");
        int bad = 0;
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            double ratio = err / bound[i];
            if (!(err <= bound[i])) {
                bad++;
                if (worst < 0 || !(ratio <= worstRatio)) {
                    worst = i;
                    worstRatio = ratio;
                }
            }
        }
        if (bad > 0) {
            throw new AssertionError(String.format(Locale.ROOT, "%s: %d of %d elements out of bound; worst at %d:"
                    + " got %.9g, expected %.9g, |diff| %.3g > bound %.3g", what, bad, actual.length, worst,
                    actual[worst], expected[worst], Math.abs((double) actual[worst] - expected[worst]), bound[worst]));
        }
    }
}
