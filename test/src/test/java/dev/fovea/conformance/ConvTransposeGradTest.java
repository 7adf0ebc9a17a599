package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.conv.ConvNaive;
import dev.fovea.simd.conv.ConvSpec;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.ConvTransposeOptions;
import dev.fovea.tensor.functional.F;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link F#convTranspose1d}, {@link F#convTranspose2d} and {@link F#convTranspose3d}: output and
 * gradients against the PyTorch fixtures (1-3 d, stride, padding, output padding, dilation, groups
 * incl. depthwise, with and without bias), finite differences, unbatched input and argument errors.
 *
 * <p>A transposed convolution is the input gradient of the convolution C the fixture's
 * {@link ConvFixtures.Case#spec()} describes. Each result element is a float32 sum, in any order,
 * of the terms of C's corresponding reference computation, so the bound is
 * {@link ConvFixtureTest#sumBound} over those terms' magnitudes, which C's double-precision
 * reference loops compute exactly from {@code |x|}, {@code |w|} and {@code |g|}.
 */
class ConvTransposeGradTest {
    private static final ConvTransposeOptions D = ConvTransposeOptions.DEFAULT;

    private static Tensor run(int dims, Tensor x, Tensor w, Tensor b, ConvTransposeOptions o) {
        return switch (dims) {
            case 1 -> F.convTranspose1d(x, w, b, o);
            case 2 -> F.convTranspose2d(x, w, b, o);
            default -> F.convTranspose3d(x, w, b, o);
        };
    }

    @TestFactory
    Stream<DynamicTest> forwardAndGradientsMatchPyTorch() {
        return ConvFixtures.all().stream().filter(ConvFixtures.Case::isTranspose)
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(ConvFixtures.Case c) {
        ConvSpec s = c.spec();
        ConvTransposeOptions o = D.stride(c.ints("stride")).padding(c.ints("pad_begin"))
                .outputPadding(c.ints("output_padding")).dilation(c.ints("dilation")).groups(c.integer("groups"));
        Tensor x = c.load("x").requiresGrad(true);
        Tensor w = c.load("w").requiresGrad(true);
        Tensor b = c.hasBias() ? c.load("b").requiresGrad(true) : null;
        Tensor g = c.load("g");
        Tensor y = run(c.integer("dims"), x, w, b, o);
        float[] ref = c.load("y").toArray();
        assertArrayEquals(c.load("y").shape(), y.shape(), c + " output shape");

        Tensor ax = x.detach().abs();
        Tensor aw = w.detach().abs();
        Tensor ag = g.abs();
        // y = C's input gradient of x (+ bias): outCPerGroup(C) * kernel volume products, and the bias.
        Tensor a = Tensor.empty(s.inputShape());
        ConvNaive.backwardData(s, ax.segment(), ax.offset(), aw.segment(), aw.offset(), a.segment(), a.offset());
        float[] mag = a.toArray();
        if (b != null) {
            float[] ab = b.detach().abs().toArray();
            for (int i = 0; i < mag.length; i++) {
                mag[i] += ab[(int) (i / s.inSpatial() % s.inC())];
            }
        }
        ConvFixtureTest.assertWithin(c + " y", y.toArray(), ref,
                ConvFixtureTest.sumBound(mag, (long) s.outCPerGroup() * s.kernelVolume() + 1, ref));

        y.backward(g);
        // dx = C's forward of g: inCPerGroup(C) * kernel volume products.
        a = Tensor.empty(s.outputShape());
        ConvNaive.forward(s, ag.segment(), ag.offset(), aw.segment(), aw.offset(), null, 0, a.segment(), a.offset());
        expect(c, "gx", x, a.toArray(), (long) s.inCPerGroup() * s.kernelVolume());
        // dw = C's weight gradient with input g and output gradient x: n * C's output size products.
        a = Tensor.empty(s.weightShape());
        ConvNaive.backwardWeight(s, ag.segment(), ag.offset(), ax.segment(), ax.offset(), a.segment(), a.offset());
        expect(c, "gw", w, a.toArray(), (long) s.n() * s.outSpatial());
        if (b != null) {
            // db[oc] = the sum of g over the batch and the output's positions.
            float[] gs = ag.toArray();
            float[] sums = new float[s.inC()];
            double[] acc = new double[s.inC()];
            for (int i = 0; i < gs.length; i++) {
                acc[(int) (i / s.inSpatial() % s.inC())] += gs[i];
            }
            for (int k = 0; k < sums.length; k++) {
                sums[k] = (float) acc[k];
            }
            expect(c, "gb", b, sums, (long) s.n() * s.inSpatial());
        }
    }

    private static void expect(ConvFixtures.Case c, String key, Tensor leaf, float[] magnitudes, long terms) {
        float[] ref = c.load(key).toArray();
        ConvFixtureTest.assertWithin("F.convTranspose " + c + " " + key, leaf.grad().toArray(), ref,
                ConvFixtureTest.sumBound(magnitudes, terms, ref));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        // Bilinear in (x, w) and linear in b: central differences are exact up to rounding.
        GradientChecker.of("2d stride 2 padding 1 output padding 1",
                in -> F.convTranspose2d(in[0], in[1], in[2], D.stride(2).padding(1).outputPadding(1)))
                .check(Tensor.randn(1, 2, 2, 3, 3), Tensor.randn(2, 2, 3, 3, 3), Tensor.randn(3, 3));
        GradientChecker.of("1d groups dilation",
                in -> F.convTranspose1d(in[0], in[1], null, D.groups(2).dilation(2).stride(2)))
                .check(Tensor.randn(4, 1, 4, 5), Tensor.randn(5, 4, 1, 3));
        GradientChecker.of("3d per-axis stride",
                in -> F.convTranspose3d(in[0], in[1], in[2], D.stride(1, 2, 1).padding(0, 1, 0)))
                .check(Tensor.randn(6, 1, 2, 2, 2, 3), Tensor.randn(7, 2, 2, 2, 3, 2), Tensor.randn(8, 2));
    }

    @Test
    void unbatchedInputAndNonContiguousWeights() {
        Tensor x = Tensor.randn(11, 1, 3, 4, 5);
        Tensor w = Tensor.randn(12, 3, 2, 3, 3);
        float[] expected = F.convTranspose2d(x, w, null, D.stride(2)).toArray();
        Tensor y = F.convTranspose2d(x.select(0, 0), w, null, D.stride(2));
        assertArrayEquals(new long[] {2, 9, 11}, y.shape());
        assertArrayEquals(expected, y.toArray());
        Tensor wt = w.clone().transpose(2, 3).contiguous().transpose(2, 3);
        assertTrue(!wt.isContiguous());
        assertArrayEquals(expected, F.convTranspose2d(x, wt, null, D.stride(2)).toArray());
    }

    @Test
    void argumentErrorsNameTheArgumentAndShapes() {
        Tensor x = Tensor.zeros(1, 4, 5, 5);
        String m = assertThrows(IllegalArgumentException.class,
                () -> F.convTranspose2d(x, Tensor.zeros(3, 2, 3, 3), null)).getMessage();
        assertTrue(m.contains("convTranspose2d") && m.contains("weight") && m.contains("[3, 2, 3, 3]")
                && m.contains("[1, 4, 5, 5]"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> F.convTranspose2d(x, Tensor.zeros(4, 2, 3, 3), Tensor.zeros(3), D.groups(2))).getMessage();
        assertTrue(m.contains("bias") && m.contains("[4]") && m.contains("[3]"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> F.convTranspose2d(x, Tensor.zeros(4, 2, 3, 3), null, D.groups(3))).getMessage();
        assertTrue(m.contains("groups=3"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> F.convTranspose2d(x, Tensor.zeros(4, 2, 3, 3), null, D.stride(2).outputPadding(2)))
                .getMessage();
        assertTrue(m.contains("output padding") && m.contains("stride 2"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> F.convTranspose1d(x, Tensor.zeros(4, 2, 3), null)).getMessage();
        assertTrue(m.contains("convTranspose1d") && m.contains("input"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> F.convTranspose2d(x, Tensor.zeros(4, 2, 3, 3), null, D.padding(1, 1, 1))).getMessage();
        assertTrue(m.contains("padding"), m);
    }
}
