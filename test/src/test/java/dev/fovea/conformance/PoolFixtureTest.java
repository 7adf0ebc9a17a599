package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.F;
import dev.fovea.tensor.functional.MaxPoolResult;
import dev.fovea.tensor.functional.PoolOptions;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The pooling functions of {@link F} against the PyTorch fixtures written by
 * {@code scripts/fixtures/pool_fixtures.py}: max, average and power-average pooling 1-3 d (stride,
 * padding, dilation, ceil mode, count_include_pad, divisor_override, Keras' same), adaptive max and
 * average pooling 1-3 d (shrinking, growing, global), and max unpooling; values, max indices, and
 * the input gradient of {@code sum(y * g)} through autograd.
 *
 * <p><b>Tolerances.</b> The fixtures are float64 results of the float32 inputs rounded once, so
 * they are the correctly rounded answers. Max pooling and unpooling only select, so their values
 * and indices must match exactly. An average or a gradient is a float32 sum of at most K + 1
 * terms (K = the window size; for a gradient, the windows sharing an element), within
 * {@code (K + 1) u A} of the exact sum, A being the sum of the terms' magnitudes (Higham, thm 4.4).
 * A is not at hand per element, so the bound used is {@code 4 (K + 2) u max|ref|} plus the
 * fixture's own rounding: with inputs of unit scale that is a few times the rigorous bound, and
 * still orders of magnitude below the error of a wrong divisor (at least 1/K of the value;
 * dropping the end padding from the include-pad divisor fails 4 cases). Power-average pooling
 * gets 8 more units for its two powers.
 */
class PoolFixtureTest {
    private static final double U = 0x1p-24;

    @TestFactory
    Stream<DynamicTest> everyCase() {
        return FixtureManifest.read("pool").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(FixtureManifest.Entry c) {
        String op = c.get("op");
        int dims = c.integer("dims");
        Tensor x = c.load("x").requiresGrad(true);
        Tensor idx = null;
        Tensor y = switch (op) {
            case "max" -> {
                MaxPoolResult r = F.maxPoolWithIndices(dims, x, options(c));
                idx = r.indices();
                yield r.values();
            }
            case "avg" -> dims == 1 ? F.avgPool1d(x, options(c)) : dims == 2 ? F.avgPool2d(x, options(c))
                    : F.avgPool3d(x, options(c));
            case "lp" -> dims == 1 ? F.lpPool1d(x, Float.parseFloat(c.get("p")), options(c))
                    : F.lpPool2d(x, Float.parseFloat(c.get("p")), options(c));
            case "adaptive_max" -> {
                MaxPoolResult r = F.adaptiveMaxPoolWithIndices(dims, x, c.ints("size"));
                idx = r.indices();
                yield r.values();
            }
            case "adaptive_avg" -> switch (dims) {
                case 1 -> F.adaptiveAvgPool1d(x, c.integer("size"));
                case 2 -> F.adaptiveAvgPool2d(x, c.ints("size"));
                default -> F.adaptiveAvgPool3d(x, c.ints("size"));
            };
            case "unpool" -> F.maxUnpool2d(x, c.load("idx"), PoolOptions.kernel(c.ints("kernel"))
                    .stride(c.ints("stride")).padding(c.ints("padding")), c.ints("out"));
            default -> throw new IllegalStateException(c + ": unknown op " + op);
        };
        Tensor yRef = c.load("y");
        assertArrayEquals(yRef.shape(), y.shape(), c + ": output shape");
        boolean selects = op.equals("max") || op.equals("adaptive_max") || op.equals("unpool");
        int k = windowSize(c, op, x, y);
        double extra = op.equals("lp") ? 8 : 0;
        compare(c + " y", y.toArray(), yRef.toArray(), selects ? 0 : 4 * (k + 2 + extra) * U);
        if (idx != null && c.has("idx")) {
            assertArrayEquals(c.load("idx").toArray(), idx.toArray(), c + ": indices");
        }
        y.backward(c.load("g"));
        compare(c + " gx", x.grad().toArray(), c.load("gx").toArray(),
                op.equals("unpool") ? 0 : 4 * (k + 2 + extra) * U);
    }

    private static PoolOptions options(FixtureManifest.Entry c) {
        PoolOptions o = PoolOptions.kernel(c.ints("kernel")).stride(c.ints("stride")).dilation(c.ints("dilation"))
                .ceilMode(c.integer("ceil") == 1).countIncludePad(c.integer("include_pad") == 1)
                .divisorOverride(c.integer("divisor"));
        String padding = c.get("padding");
        return padding.equals("same") || padding.equals("valid") ? o.padding(padding) : o.padding(c.ints("padding"));
    }

    /** The largest number of terms an output or gradient element sums: the window (or adaptive window) size. */
    private static int windowSize(FixtureManifest.Entry c, String op, Tensor x, Tensor y) {
        if (op.startsWith("adaptive")) {
            long in = x.numel() / (x.shape()[0] * x.shape()[1]);
            long out = y.numel() / (y.shape()[0] * y.shape()[1]);
            return (int) (in / out + 1) * (1 << c.integer("dims"));
        }
        if (op.equals("unpool")) {
            return 1;
        }
        int k = 1;
        for (int v : c.ints("kernel")) {
            k *= v;
        }
        return k;
    }

    /** |actual - expected| <= bound * max|expected| + ulp(expected) per element. */
    private static void compare(String what, float[] actual, float[] expected, double rel) {
        double max = 0;
        for (float v : expected) {
            max = Math.max(max, Math.abs(v));
        }
        double[] bound = new double[expected.length];
        for (int i = 0; i < bound.length; i++) {
            bound[i] = rel * max + Math.ulp(expected[i]);
        }
        if (rel == 0) {
            assertArrayEquals(expected, actual, what);
            return;
        }
        ConvFixtureTest.assertWithin(what, actual, expected, bound);
    }
}
