package dev.fovea.conformance;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Checks reverse-mode gradients against central finite differences (ggml's
 * {@code test-backend-ops} grad mode, PyTorch's {@code gradcheck}, in float32).
 *
 * <p><b>What is compared.</b> A non-scalar output {@code y = f(x...)} is reduced to the scalar
 * {@code L = sum(y * R)} with a fixed random {@code R} (seeded), so one backward pass checks the
 * whole vector-Jacobian product. For each input, up to {@link #maxSamples} elements are
 * perturbed (all of them for small tensors, a seeded sample otherwise); {@code L} is evaluated in
 * double from the float32 outputs, and the derivative is the secant slope
 * {@code (L(x+) - L(x-)) / (x+ - x-)} over the perturbed values as actually stored in float.
 * The 4-point option extrapolates two such slopes (step h and 2h) to cancel the h² term.
 *
 * <p><b>Step.</b> {@code h = eps * max(1, |x|)}, {@code eps = 1e-2} by default. Central
 * differences have truncation error {@code h² |f'''| / 6} (about 2e-5 |f'''| here) and rounding
 * error about {@code δL / h}, where {@code δL} is the change in float rounding of {@code L}
 * between the two evaluations. Outputs that do not depend on the perturbed element are computed
 * bit-identically both times and cancel, so {@code δL} is a few ulp of the outputs that do:
 * for an element feeding a sum of {@code n} O(1) terms, {@code δL ≈ n · 2^-24}, i.e.
 * {@code ≈ 6e-6} relative for n = 1000 after division by {@code h}. A smaller {@code h} would let
 * rounding dominate; float32 leaves no room for PyTorch's double-precision {@code eps = 1e-6}.
 *
 * <p><b>Tolerance.</b> An element passes when
 * {@code |numeric - analytic| <= atol + rtol * |analytic|} with {@code rtol = 1e-2} and
 * {@code atol = 1e-3 * max(1, max |analytic|)} over the input's sampled elements. Both error
 * terms above stay at least 10x below this for inputs of magnitude up to a few units and
 * derivatives of moderate curvature (|f'''| up to ~50), which is what the tests feed; a wrong
 * backward (a dropped term, a missing broadcast reduction, a transposed operand) is off by O(1)
 * relative and fails clearly.
 *
 * <p><b>Kinks.</b> Finite differences are wrong within {@code h} of a non-differentiable point.
 * Callers choose inputs away from kinks: {@link #awayFrom} pushes values out of a margin around
 * given points (0 for relu/abs, the bounds for clamp), and {@link #distinct} makes values whose
 * pairwise gaps exceed the step, so max/min/maximum never change their winner under perturbation.
 */
public final class GradientChecker {
    /** The function under test: builds the output from the (leaf) inputs. */
    @FunctionalInterface
    public interface Fn {
        /** Returns {@code f(inputs)}; must not modify the inputs. */
        Tensor apply(Tensor[] inputs);
    }

    private final String name;
    private final Fn fn;
    private double eps = 1e-2;
    private double rtol = 1e-2;
    private double atolFactor = 1e-3;
    private int maxSamples = 64;
    private boolean fourPoint;
    private long seed = 1234;

    private GradientChecker(String name, Fn fn) {
        this.name = name;
        this.fn = fn;
    }

    /** Starts a check of {@code fn}, named {@code name} in failure messages. */
    public static GradientChecker of(String name, Fn fn) {
        return new GradientChecker(name, fn);
    }

    /** Sets the relative step (default 1e-2). */
    public GradientChecker eps(double eps) {
        this.eps = eps;
        return this;
    }

    /** Sets the relative tolerance (default 1e-2). */
    public GradientChecker rtol(double rtol) {
        this.rtol = rtol;
        return this;
    }

    /** Sets the absolute tolerance as a fraction of the largest analytic gradient (default 1e-3). */
    public GradientChecker atol(double factor) {
        this.atolFactor = factor;
        return this;
    }

    /** Sets how many elements per input are perturbed at most (ggml's {@code gradMax}; default 64). */
    public GradientChecker maxSamples(int maxSamples) {
        this.maxSamples = maxSamples;
        return this;
    }

    /** Uses the 4-point (Richardson-extrapolated) difference instead of the 2-point one. */
    public GradientChecker fourPoint(boolean fourPoint) {
        this.fourPoint = fourPoint;
        return this;
    }

    /** Sets the seed of the output projection and of the element sample. */
    public GradientChecker seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Runs the check on {@code inputs} (copied; the originals are untouched).
     *
     * @return the largest {@code |numeric - analytic|} seen, for reporting
     * @throws AssertionError naming the function, input, element and both values on the first mismatches
     */
    public double check(Tensor... inputs) {
        Tensor[] leaves = new Tensor[inputs.length];
        try (Grad off = Grad.off()) {
            for (int i = 0; i < inputs.length; i++) {
                leaves[i] = inputs[i].detach().clone();
            }
        }
        for (Tensor leaf : leaves) {
            leaf.requiresGrad(true);
        }
        Tensor out = fn.apply(leaves);
        Tensor projection = Tensor.randn(seed, out.shape());
        double[] r = toDouble(projection);
        out.mul(projection).sum().backward();
        List<String> failures = new ArrayList<>();
        double worst = 0;
        for (int i = 0; i < leaves.length; i++) {
            worst = Math.max(worst, checkInput(leaves, i, r, failures));
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("GradientChecker[" + name + "]: " + failures.size() + " mismatches, first:\n  "
                    + String.join("\n  ", failures.subList(0, Math.min(8, failures.size()))));
        }
        return worst;
    }

    private double checkInput(Tensor[] leaves, int input, double[] r, List<String> failures) {
        Tensor leaf = leaves[input];
        long n = leaf.numel();
        float[] analytic = leaf.grad() == null ? new float[(int) n] : leaf.grad().toArray();
        long[] samples = sample(n, input);
        double maxAbs = 1;
        for (long j : samples) {
            maxAbs = Math.max(maxAbs, Math.abs(analytic[(int) j]));
        }
        double atol = atolFactor * maxAbs;
        double worst = 0;
        Tensor flat;
        try (Grad off = Grad.off()) {
            flat = leaf.view(-1);
        }
        for (long j : samples) {
            double numeric = numeric(leaves, flat, j, r);
            double a = analytic[(int) j];
            double err = Math.abs(numeric - a);
            worst = Math.max(worst, err);
            if (!(err <= atol + rtol * Math.abs(a))) {
                failures.add(String.format(Locale.ROOT, "input %d (shape %s) element %d: analytic %.6g vs numeric %.6g"
                        + " (|diff| %.3g > tolerance %.3g)", input, java.util.Arrays.toString(leaf.shape()), j, a, numeric,
                        err, atol + rtol * Math.abs(a)));
            }
        }
        return worst;
    }

    private long[] sample(long n, int input) {
        if (n <= maxSamples) {
            long[] all = new long[(int) n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        SplittableRandom rng = new SplittableRandom(seed * 31 + input);
        return rng.longs(0, n).distinct().limit(maxSamples).sorted().toArray();
    }

    private double numeric(Tensor[] leaves, Tensor flat, long j, double[] r) {
        try (Grad off = Grad.off()) {
            float v = flat.get(j);
            double h = eps * Math.max(1.0, Math.abs(v));
            double d1 = secant(leaves, flat, j, v, h, r);
            if (!fourPoint) {
                return d1;
            }
            double d2 = secant(leaves, flat, j, v, 2 * h, r);
            return (4 * d1 - d2) / 3;
        }
    }

    private double secant(Tensor[] leaves, Tensor flat, long j, float v, double h, double[] r) {
        float plus = (float) (v + h);
        float minus = (float) (v - h);
        flat.set(plus, j);
        double lPlus = loss(leaves, r);
        flat.set(minus, j);
        double lMinus = loss(leaves, r);
        flat.set(v, j);
        return (lPlus - lMinus) / ((double) plus - minus);
    }

    private double loss(Tensor[] leaves, double[] r) {
        float[] y = fn.apply(leaves).toArray();
        double sum = 0;
        for (int k = 0; k < y.length; k++) {
            sum += y[k] * r[k];
        }
        return sum;
    }

    private static double[] toDouble(Tensor t) {
        float[] f = t.toArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /**
     * Returns a copy of {@code x} whose values within {@code margin} of any of {@code kinks} are moved
     * to {@code kink ± margin} (on their own side), so that finite differences do not straddle a kink.
     */
    public static Tensor awayFrom(Tensor x, float margin, float... kinks) {
        float[] v = x.toArray();
        for (int i = 0; i < v.length; i++) {
            for (float k : kinks) {
                if (Math.abs(v[i] - k) < margin) {
                    v[i] = v[i] >= k ? k + margin : k - margin;
                }
            }
        }
        return Tensor.of(v, x.shape());
    }

    /**
     * Returns a tensor of {@code shape} holding a seeded shuffle of {@code start, start+gap, ...}:
     * all values distinct and at least {@code gap} apart, so no tie or near-tie exists.
     */
    public static Tensor distinct(long seed, float start, float gap, long... shape) {
        Tensor order = Tensor.rand(seed, shape);
        float[] keys = order.toArray();
        Integer[] idx = new Integer[keys.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(keys[a], keys[b]));
        float[] v = new float[keys.length];
        for (int rank = 0; rank < idx.length; rank++) {
            v[idx[rank]] = start + rank * gap;
        }
        return Tensor.of(v, shape);
    }
}
