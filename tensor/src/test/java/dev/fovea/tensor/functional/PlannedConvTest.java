package dev.fovea.tensor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.conv.ConvPolicy;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PlannedConv} against {@link F}'s per-call convolutions: the same planner picks the same
 * algorithm, so the values must be bit-identical; F's convolutions are themselves checked against
 * the naive loops (simd) and PyTorch fixtures (test module).
 */
class PlannedConvTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                // dims, input shape, weight shape, options
                Arguments.of(2, new long[] {1, 64, 14, 14}, new long[] {64, 64, 3, 3}, ConvOptions.DEFAULT.padding(1)),
                Arguments.of(2, new long[] {2, 3, 17, 19}, new long[] {8, 3, 7, 7},
                        ConvOptions.DEFAULT.stride(2).padding(3).activation(ActivationFunction.relu6())),
                Arguments.of(2, new long[] {1, 16, 9, 9}, new long[] {16, 1, 3, 3},
                        ConvOptions.DEFAULT.groups(16).padding(1).paddingMode("reflect")),
                Arguments.of(2, new long[] {1, 32, 8, 8}, new long[] {48, 32, 1, 1},
                        ConvOptions.DEFAULT.activation(ActivationFunction.leakyRelu(0.1f))),
                Arguments.of(2, new long[] {1, 4, 10, 10}, new long[] {6, 4, 3, 3},
                        ConvOptions.DEFAULT.dilation(2).padding("same").policy(ConvPolicy.force("naive"))),
                Arguments.of(1, new long[] {3, 5, 20}, new long[] {7, 5, 4}, ConvOptions.DEFAULT.stride(3).padding(2)),
                Arguments.of(3, new long[] {1, 2, 5, 6, 7}, new long[] {3, 2, 3, 3, 3},
                        ConvOptions.DEFAULT.padding(1).paddingMode("circular")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void equalsThePerCallConvolutionBitForBit(int dims, long[] inShape, long[] wShape, ConvOptions o) {
        Tensor x = Tensor.randn(11L, inShape);
        Tensor w = Tensor.randn(12L, wShape).mul(0.2f);
        Tensor b = Tensor.randn(13L, wShape[0]);
        PlannedConv plan = PlannedConv.plan(dims, inShape, w, b, o, ComputeContext.defaultContext());
        Tensor expected = switch (dims) {
            case 1 -> F.conv1d(x, w, b, o);
            case 2 -> F.conv2d(x, w, b, o);
            default -> F.conv3d(x, w, b, o);
        };
        assertArrayEquals(expected.shape(), plan.outputShape());
        for (int run = 0; run < 3; run++) {
            // Later runs reuse the workspace: a stale buffer would show here.
            Tensor x2 = run == 1 ? Tensor.randn(14L, inShape) : x;
            Tensor want = run == 1 ? switch (dims) {
                case 1 -> F.conv1d(x2, w, b, o);
                case 2 -> F.conv2d(x2, w, b, o);
                default -> F.conv3d(x2, w, b, o);
            } : expected;
            assertArrayEquals(want.toArray(), plan.apply(x2).toArray(), "run " + run + " of " + plan);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void residualFormEqualsConvolutionThenAddThenActivationBitForBit(int dims, long[] inShape, long[] wShape,
                                                                   ConvOptions o) {
        Tensor x = Tensor.randn(31L, inShape);
        Tensor w = Tensor.randn(32L, wShape).mul(0.2f);
        Tensor b = Tensor.randn(33L, wShape[0]);
        PlannedConv plan = PlannedConv.plan(dims, inShape, w, b, o, ComputeContext.defaultContext());
        Tensor r = Tensor.randn(34L, plan.outputShape());
        ConvOptions plain = o.activation(null);
        Tensor conv = switch (dims) {
            case 1 -> F.conv1d(x, w, b, plain);
            case 2 -> F.conv2d(x, w, b, plain);
            default -> F.conv3d(x, w, b, plain);
        };
        Tensor sum = conv.add(r);
        Tensor want = o.activation() == null ? sum : Activations.activation(sum, o.activation());
        assertArrayEquals(want.toArray(), plan.apply(x, r).toArray(), plan.toString());
        Tensor out = Tensor.empty(plan.outputShape());
        plan.bind(x, r, out).run();
        assertArrayEquals(want.toArray(), out.toArray(), "bound: " + plan);
    }

    @Test
    void refusesAResidualOfAnotherShapeOrOverlappingTheOutput() {
        long[] inShape = {1, 64, 14, 14};
        Tensor w = Tensor.randn(41L, 64, 64, 3, 3).mul(0.1f);
        PlannedConv plan = PlannedConv.plan(2, inShape, w, null, ConvOptions.DEFAULT.padding(1),
                ComputeContext.defaultContext());
        Tensor x = Tensor.randn(42L, inShape);
        Tensor out = Tensor.empty(plan.outputShape());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> plan.apply(x, Tensor.randn(43L, 1, 64, 14, 13)));
        assertTrue(shape.getMessage().contains("residual must have the output shape [1, 64, 14, 14], got [1, 64, 14, 13]"),
                shape.getMessage());
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                () -> plan.applyInto(x, out, out));
        assertTrue(overlap.getMessage().contains("residual must not overlap the output"), overlap.getMessage());
        Tensor strided = Tensor.randn(44L, 1, 64, 14, 14).transpose(2, 3);
        IllegalArgumentException bound = assertThrows(IllegalArgumentException.class,
                () -> plan.bind(x, strided, out));
        assertTrue(bound.getMessage().contains("a bound residual must be contiguous"), bound.getMessage());
    }

    @Test
    void readsNonContiguousInputsAndKeepsCopiedWeightsBeyondTheScope() {
        Tensor x = Tensor.randn(21L, 1, 8, 12, 12);
        Tensor wt = Tensor.randn(22L, 8, 16, 3, 3).mul(0.2f).transpose(0, 1);   // a non-contiguous view
        Tensor b = Tensor.randn(23L, 16);
        ConvOptions o = ConvOptions.DEFAULT.padding(1);
        PlannedConv plan;
        try (Scope scope = Scope.open()) {
            // The contiguous copy of wt is made while a scope is open; the plan must still work after it closes.
            plan = PlannedConv.plan(2, x.shape(), wt, b, o, ComputeContext.defaultContext());
        }
        Tensor xt = x.transpose(2, 3).contiguous().transpose(2, 3);
        assertFalse(xt.isContiguous());
        assertArrayEquals(F.conv2d(x, wt, b, o).toArray(), plan.apply(xt).toArray());
    }

    @Test
    void refusesOtherShapesNamingBoth() {
        Tensor w = Tensor.randn(1L, 4, 3, 3, 3);
        PlannedConv plan = PlannedConv.plan(2, new long[] {1, 3, 8, 8}, w, null, ConvOptions.DEFAULT,
                ComputeContext.defaultContext());
        assertTrue(plan.accepts(new long[] {1, 3, 8, 8}));
        assertFalse(plan.accepts(new long[] {2, 3, 8, 8}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan.apply(Tensor.zeros(2, 3, 8, 8)));
        assertTrue(e.getMessage().contains("[1, 3, 8, 8]") && e.getMessage().contains("[2, 3, 8, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> plan.applyInto(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(1, 4, 5, 5)));
        assertTrue(e.getMessage().contains("[1, 4, 6, 6]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PlannedConv.plan(2, new long[] {1, 5, 8, 8}, w, null,
                ConvOptions.DEFAULT, ComputeContext.defaultContext()));
        assertTrue(e.getMessage().contains("input channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PlannedConv.plan(2, new long[] {3, 8, 8}, w, null,
                ConvOptions.DEFAULT, ComputeContext.defaultContext()));
        assertTrue(e.getMessage().contains("4 dims"), e.getMessage());
    }
}
