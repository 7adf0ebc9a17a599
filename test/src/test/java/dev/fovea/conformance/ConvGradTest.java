package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.conv.ConvNaive;
import dev.fovea.simd.conv.ConvPolicy;
import dev.fovea.simd.conv.ConvSpec;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import dev.fovea.tensor.functional.ConvOptions;
import dev.fovea.tensor.functional.F;
import org.junit.jupiter.api.Test;

/**
 * {@link F#conv1d}, {@link F#conv2d} and {@link F#conv3d}: gradients against finite differences
 * ({@link GradientChecker}; a convolution is bilinear, so central differences are exact up to
 * rounding), results and gradients against a PyTorch fixture, views, and argument errors.
 */
class ConvGradTest {
    private static final ConvOptions D = ConvOptions.DEFAULT;

    private static void check(String name, int dims, ConvOptions o, long[] x, long[] w, boolean bias) {
        long seed = name.hashCode();
        GradientChecker checker = GradientChecker.of(name, in -> switch (dims) {
            case 1 -> F.conv1d(in[0], in[1], bias ? in[2] : null, o);
            case 2 -> F.conv2d(in[0], in[1], bias ? in[2] : null, o);
            default -> F.conv3d(in[0], in[1], bias ? in[2] : null, o);
        });
        Tensor xs = Tensor.randn(seed, x);
        Tensor ws = Tensor.randn(seed + 1, w);
        if (bias) {
            checker.check(xs, ws, Tensor.randn(seed + 2, w[0]));
        } else {
            checker.check(xs, ws);
        }
    }

    @Test
    void conv1d() {
        check("1d plain", 1, D, new long[] {2, 3, 7}, new long[] {4, 3, 3}, true);
        check("1d stride dilation padding", 1, D.stride(2).dilation(2).padding(2), new long[] {1, 2, 9},
                new long[] {3, 2, 3}, true);
        check("1d groups", 1, D.groups(2).padding(1), new long[] {1, 4, 6}, new long[] {6, 2, 3}, false);
        check("1d asymmetric", 1, D.padding(new int[] {2}, new int[] {0}), new long[] {1, 2, 5},
                new long[] {2, 2, 3}, true);
        check("1d reflect same", 1, D.padding("same").paddingMode("reflect"), new long[] {1, 2, 6},
                new long[] {2, 2, 4}, true);
    }

    @Test
    void conv2d() {
        check("2d plain", 2, D, new long[] {2, 2, 4, 5}, new long[] {3, 2, 3, 3}, true);
        check("2d stride per axis", 2, D.stride(2, 1).padding(1, 0), new long[] {1, 2, 5, 4},
                new long[] {2, 2, 3, 2}, true);
        check("2d dilation", 2, D.dilation(2).padding(2), new long[] {1, 2, 5, 5}, new long[] {2, 2, 3, 3}, false);
        check("2d groups", 2, D.groups(2).padding(1), new long[] {1, 4, 4, 4}, new long[] {4, 2, 3, 3}, true);
        check("2d depthwise x2", 2, D.groups(3).stride(2).padding(1), new long[] {1, 3, 5, 5},
                new long[] {6, 1, 3, 3}, true);
        check("2d asymmetric", 2, D.padding(new int[] {0, 2}, new int[] {1, 1}), new long[] {1, 2, 4, 4},
                new long[] {2, 2, 3, 3}, true);
        check("2d reflect", 2, D.padding(1, 2).paddingMode("reflect"), new long[] {1, 2, 4, 5},
                new long[] {2, 2, 3, 3}, true);
        check("2d replicate stride", 2, D.padding(2).stride(2).paddingMode("replicate"), new long[] {1, 1, 5, 4},
                new long[] {2, 1, 3, 3}, false);
        check("2d circular", 2, D.padding(1).paddingMode("circular"), new long[] {1, 2, 3, 4},
                new long[] {2, 2, 3, 3}, true);
    }

    @Test
    void activationOptionIsFusedWithoutGradientsAndDifferentiableWithThem() {
        ActivationFunction silu = ActivationFunction.of(ActivationFunction.Kind.SILU);
        Tensor x = Tensor.randn(5, 2, 3, 6, 7);
        Tensor w = Tensor.randn(6, 4, 3, 3, 3);
        Tensor b = Tensor.randn(7, 4);
        // No gradient recorded: the fused output has the bits of the convolution, then the activation.
        for (String algo : new String[] {"im2col", "winograd", "naive"}) {
            ConvOptions o = D.padding(1).policy(ConvPolicy.force(algo));
            float[] unfused = Activations.silu(F.conv2d(x, w, b, o)).toArray();
            assertArrayEquals(unfused, F.conv2d(x, w, b, o.activation(silu)).toArray(), 0f, algo);
        }
        // Recorded: the activation is a separate op, so gradients flow through it.
        check("2d silu activation", 2, D.padding(1).activation(silu), new long[] {1, 2, 4, 5},
                new long[] {3, 2, 3, 3}, true);
        check("1d relu6 activation", 1, D.activation(ActivationFunction.relu6()), new long[] {2, 2, 6},
                new long[] {2, 2, 3}, false);
    }

    @Test
    void conv3d() {
        check("3d plain", 3, D, new long[] {1, 2, 3, 4, 4}, new long[] {2, 2, 2, 3, 3}, true);
        check("3d stride dilation groups", 3, D.stride(1, 2, 2).dilation(2, 1, 1).padding(1).groups(2),
                new long[] {1, 4, 4, 5, 5}, new long[] {2, 2, 2, 3, 3}, true);
        check("3d asymmetric reflect", 3, D.padding(new int[] {1, 0, 2}, new int[] {0, 1, 1}).paddingMode("reflect"),
                new long[] {1, 1, 3, 4, 4}, new long[] {2, 1, 2, 2, 3}, true);
    }

    /**
     * Forward and gradients of {@code sum(y * g)} against PyTorch. The bounds hold for any float32
     * summation order (see {@link ConvFixtureTest}), so they stay valid when faster forward or
     * backward kernels replace today's: each gradient element is a sum of {@code m} products, with
     * m = outC / groups * kernel volume for the input, n * output spatial size for weight and bias.
     */
    @Test
    void conv2dMatchesPyTorchFixtureForwardAndBackward() {
        ConvFixtures.Case c = ConvFixtures.named("c2d_asym_stride");
        ConvSpec s = c.spec();
        Tensor x = c.load("x").requiresGrad(true);
        Tensor w = c.load("w").requiresGrad(true);
        Tensor b = c.load("b").requiresGrad(true);
        Tensor g = c.load("g");
        ConvOptions o = D.stride(c.ints("stride")).dilation(c.ints("dilation"))
                .padding(c.ints("pad_begin"), c.ints("pad_end"));
        Tensor y = F.conv2d(x, w, b, o);
        float[] ref = c.load("y").toArray();
        ConvFixtureTest.assertWithin("F.conv2d " + c, y.toArray(), ref,
                ConvFixtureTest.floatBound(s, x.detach(), w.detach(), b.detach(), ref));
        y.backward(g);

        Tensor ag = g.abs();
        Tensor ax = x.detach().abs();
        Tensor aw = w.detach().abs();
        long perOutput = (long) s.n() * s.outSpatial();
        Tensor a = Tensor.empty(s.inputShape());
        ConvNaive.backwardData(s, ag.segment(), ag.offset(), aw.segment(), aw.offset(), a.segment(), a.offset());
        expectGrad(c, "gx", x, a, (long) s.outCPerGroup() * s.kernelVolume());
        a = Tensor.empty(s.weightShape());
        ConvNaive.backwardWeight(s, ax.segment(), ax.offset(), ag.segment(), ag.offset(), a.segment(), a.offset());
        expectGrad(c, "gw", w, a, perOutput);
        a = Tensor.empty(s.outC());
        ConvNaive.backwardBias(s, ag.segment(), ag.offset(), a.segment(), a.offset());
        expectGrad(c, "gb", b, a, perOutput);
    }

    private static void expectGrad(ConvFixtures.Case c, String key, Tensor leaf, Tensor magnitudes, long terms) {
        float[] ref = c.load(key).toArray();
        ConvFixtureTest.assertWithin("F.conv2d " + c + " " + key, leaf.grad().toArray(), ref,
                ConvFixtureTest.sumBound(magnitudes.toArray(), terms, ref));
    }

    @Test
    void sameAndModesMatchFixtures() {
        for (String name : new String[] {"c2d_same_even_dil", "c2d_mode_reflect", "c2d_mode_circular",
                "c2d_depthwise_mult2"}) {
            ConvFixtures.Case c = ConvFixtures.named(name);
            ConvOptions o = D.stride(c.ints("stride")).dilation(c.ints("dilation")).groups(c.integer("groups"))
                    .paddingMode(c.get("mode"));
            o = c.get("padding").equals("same") ? o.padding("same") : o.padding(c.ints("pad_begin"));
            float[] ref = c.load("y").toArray();
            Tensor x = c.load("x");
            Tensor w = c.load("w");
            Tensor b = c.load("b");
            Tensor y = F.conv2d(x, w, b, o.policy(ConvPolicy.AUTO));
            ConvFixtureTest.assertWithin("F.conv2d " + c, y.toArray(), ref,
                    ConvFixtureTest.floatBound(c.spec(), x, w, b, ref));
        }
    }

    @Test
    void nonContiguousAndUnbatchedInputs() {
        Tensor x = Tensor.randn(5, 1, 2, 5, 6);
        Tensor w = Tensor.randn(6, 3, 2, 3, 3);
        float[] expected = F.conv2d(x, w, null, D.padding(1)).toArray();
        Tensor xt = x.clone().transpose(2, 3).contiguous().transpose(2, 3);
        assertTrue(!xt.isContiguous());
        assertArrayEquals(expected, F.conv2d(xt, w, null, D.padding(1)).toArray());
        Tensor y = F.conv2d(x.select(0, 0), w, null, D.padding(1));
        assertArrayEquals(new long[] {3, 5, 6}, y.shape());
        assertArrayEquals(expected, y.toArray());
        GradientChecker.of("transposed view", in -> F.conv2d(in[0].transpose(2, 3), in[1], null, D))
                .check(Tensor.randn(7, 1, 2, 4, 3), Tensor.randn(8, 2, 2, 2, 2));
    }

    @Test
    void noTapeWhenGradIsOff() {
        Tensor x = Tensor.randn(9, 1, 1, 4, 4).requiresGrad(true);
        try (Grad off = Grad.off()) {
            assertNull(F.conv2d(x, Tensor.randn(10, 1, 1, 3, 3), null).gradFn());
        }
        assertTrue(F.conv2d(x, Tensor.randn(10, 1, 1, 3, 3), null).gradFn() != null);
    }

    @Test
    void argumentErrorsNameTheArgumentAndShapes() {
        Tensor x = Tensor.zeros(1, 4, 5, 5);
        String m = assertThrows(IllegalArgumentException.class,
                () -> F.conv2d(x, Tensor.zeros(2, 3, 3, 3), null)).getMessage();
        assertTrue(m.contains("conv2d") && m.contains("weight") && m.contains("[2, 3, 3, 3]")
                && m.contains("[1, 4, 5, 5]"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> F.conv2d(x, Tensor.zeros(3, 2, 3, 3), null, D.groups(2))).getMessage();
        assertTrue(m.contains("groups=2") && m.contains("output channels"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> F.conv2d(x, Tensor.zeros(2, 4, 3, 3), Tensor.zeros(3))).getMessage();
        assertTrue(m.contains("bias") && m.contains("[2]") && m.contains("[3]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> F.conv1d(x, Tensor.zeros(2, 4, 3), null)).getMessage();
        assertTrue(m.contains("input") && m.contains("[1, 4, 5, 5]"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> F.conv2d(x, Tensor.zeros(2, 4, 7, 7), null)).getMessage();
        assertTrue(m.contains("empty") && m.contains("weight [2, 4, 7, 7]"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> F.conv2d(x, Tensor.zeros(2, 4, 3, 3), null, D.stride(1, 1, 1))).getMessage();
        assertTrue(m.contains("stride"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> F.conv2d(x, Tensor.zeros(2, 4, 3, 3), null, D.padding(5).paddingMode("reflect"))).getMessage();
        assertTrue(m.contains("reflect"), m);
        assertThrows(IllegalArgumentException.class, () -> D.padding("half"));
        assertThrows(IllegalArgumentException.class, () -> D.paddingMode("mirror"));
        assertThrows(IllegalArgumentException.class, () -> D.stride(0));
    }
}
