package dev.fovea.tensor.functional;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.softmax.SoftmaxCrossEntropy;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.ops.Checks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The classification losses of {@link Losses}: negative log likelihood and cross entropy. Cross
 * entropy with class indices on {@code (N, C)} or {@code (C)} logits, the hot case of training,
 * runs the fused {@link SoftmaxCrossEntropy} kernels (two reads of the logits forward, one read and
 * one write backward, nothing of the logits' size kept); on K-dim inputs it is log-softmax (the
 * vectorized {@code Softmax} kernels) followed by the likelihood. The likelihood gathers one element
 * per target and its backward scatters one gradient per target: data movement of
 * {@code N * d1 * ...} elements, done by plain loops here, next to the validation of the targets.
 * With class probabilities, cross entropy composes log-softmax with the tensor ops.
 *
 * <p>Inputs are {@code (C)}, {@code (N, C)} or {@code (N, C, d1, ..., dk)}, classes along dim 1 (dim 0
 * unbatched); class-index targets have the input's shape without the class dim and hold whole
 * numbers in {@code [0, C)} or the ignore index (as floats: tensors are float32).
 */
final class ClassLossOp {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ClassLossOp() {}

    /**
     * Validated class-index targets: {@code classes[j]} is the class of target {@code j}
     * ({@code n * inner + i}) or -1 if ignored; {@code weights} the class weights or null (all 1);
     * {@code totalWeight} the sum of the weights of the counted targets (PyTorch's mean divisor).
     */
    private record Targets(int[] classes, float[] weights, long n, long c, long inner, double totalWeight,
                           long[] lossShape) {
        float weight(int cls) {
            return weights == null ? 1f : weights[cls];
        }
    }

    /** {@code nll_loss}: {@code -w[t] x[n, t, d...]} per target, reduced (MEAN divides by the summed weights). */
    static Tensor nll(Tensor input, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction) {
        String op = "nll_loss";
        LossSupport.inputs(op, input, target, reduction);
        Targets t = targets(op, input, target, weight, ignoreIndex);
        return likelihood(op, input, t, reduction);
    }

    /**
     * {@code cross_entropy}: with class-index targets (the input's shape without the class dim), the
     * likelihood of {@code log_softmax(input)} mixed with label smoothing as PyTorch 1.13 does; with
     * class probabilities (the input's shape), {@code -sum_c w_c p_c log_softmax(input)_c}.
     */
    static Tensor crossEntropy(Tensor input, Tensor target, CrossEntropyOptions o) {
        String op = "cross_entropy";
        if (o == null) {
            throw new IllegalArgumentException(op + ": options must not be null (use CrossEntropyOptions.DEFAULT)");
        }
        LossSupport.inputs(op, input, target, o.reduction());
        Tensor weight = o.weight();
        if (input.rank() > 0 && Arrays.equals(input.shape(), target.shape())) {
            return withProbabilities(op, input, target, o);
        }
        Targets t = targets(op, input, target, weight, o.ignoreIndex());
        return input.rank() <= 2 ? fusedRows(op, input, t, weight, o.labelSmoothing(), o.reduction())
                : composed(op, input, t, weight, o.labelSmoothing(), o.reduction());
    }

    /** Cross entropy of K-dim logits {@code (N, C, d1, ...)}: log-softmax over dim 1, then the likelihood. */
    private static Tensor composed(String op, Tensor input, Targets t, Tensor weight, float eps, Reduction reduction) {
        int classDim = 1;
        Tensor logP = SoftmaxOp.forward(true, input, classDim);
        Tensor nll = likelihood(op, logP, t, reduction);
        if (eps == 0f) {
            return nll;
        }
        // PyTorch: (1 - eps) nll + eps / C * smooth, smooth = -sum_c w_c log p_c per counted target
        // (0 for ignored ones, whatever their logits), reduced like nll (MEAN divides by the same
        // summed weights).
        Tensor weighted = weight == null ? logP : logP.mul(classView(weight, input.rank()));
        float[] counted = new float[t.classes.length];
        for (int j = 0; j < counted.length; j++) {
            counted[j] = t.classes[j] < 0 ? 0f : 1f;
        }
        Tensor smooth = Tensor.where(Tensor.of(counted, t.lossShape), weighted.sum(classDim).neg(), Tensor.scalar(0f));
        Tensor reduced = switch (reduction) {
            case NONE -> smooth;
            case SUM -> smooth.sum();
            case MEAN -> smooth.sum().div((float) t.totalWeight);
        };
        return nll.mul(1f - eps).add(reduced.mul(eps / t.c));
    }

    /**
     * Cross entropy of {@code (N, C)} or {@code (C)} logits through the fused {@link SoftmaxCrossEntropy}
     * kernels: per-row losses, reduced here in double, and a backward that writes the input gradient
     * in one pass from the saved row statistics.
     */
    private static Tensor fusedRows(String op, Tensor input, Targets t, Tensor weight, float eps, Reduction reduction) {
        Tensor x = input.contiguous();
        long rows = t.n;
        MemorySegment targets = Arena.ofAuto().allocate(Math.max(1, rows) * Integer.BYTES, 64);
        for (int j = 0; j < rows; j++) {
            targets.setAtIndex(ValueLayout.JAVA_INT, j, t.classes[j]);
        }
        Tensor w = weight == null ? null : weight.contiguous();
        MemorySegment ws = w == null ? null : w.segment();
        long wOff = w == null ? 0 : w.offset();
        Tensor perRow = Tensor.empty(t.lossShape);
        MemorySegment stats = Arena.ofAuto().allocate(Math.max(1, 2 * rows) * Float.BYTES, 64);
        SoftmaxCrossEntropy.forward(x.segment(), x.offset(), targets, 0, ws, wOff, eps, perRow.segment(),
                perRow.offset(), stats, 0, rows, t.c, ctx());
        double sum = 0;
        for (long r = 0; r < rows; r++) {
            sum += perRow.segment().getAtIndex(F, perRow.offset() + r);
        }
        Tensor out = switch (reduction) {
            case NONE -> perRow;
            case SUM -> Tensor.scalar((float) sum);
            case MEAN -> Tensor.scalar((float) (sum / t.totalWeight));
        };
        long[] inShape = input.shape();
        return Autograd.record(op, out, g -> {
            Tensor scale = reduction == Reduction.MEAN ? Tensor.scalar((float) (g.item() / t.totalWeight))
                    : g.contiguous();
            Tensor dx = Tensor.empty(inShape);
            SoftmaxCrossEntropy.backward(x.segment(), x.offset(), targets, 0, ws, wOff, eps, stats, 0, scale.segment(),
                    scale.offset(), reduction == Reduction.NONE ? 1 : 0, dx.segment(), dx.offset(), rows, t.c, ctx());
            return new Tensor[] {dx};
        }, input);
    }

    private static ComputeContext ctx() {
        return ComputeContext.current();
    }

    private static Tensor withProbabilities(String op, Tensor input, Tensor target, CrossEntropyOptions o) {
        if (o.ignoreIndex() != CrossEntropyOptions.DEFAULT.ignoreIndex()) {
            throw new IllegalArgumentException(op + ": ignore_index " + o.ignoreIndex() + " is not supported for"
                    + " class-probability targets (target shape " + Shape.toString(target.shape())
                    + " = input shape), as in PyTorch");
        }
        int classDim = input.rank() == 1 ? 0 : 1;
        long c = input.shape()[classDim];
        checkWeight(op, o.weight(), c, input);
        float eps = o.labelSmoothing();
        Tensor p = eps == 0f ? target : target.mul(1f - eps).add(eps / c);
        Tensor terms = SoftmaxOp.forward(true, input, classDim).mul(p);
        if (o.weight() != null) {
            terms = terms.mul(classView(o.weight(), input.rank()));
        }
        return switch (o.reduction()) {
            case NONE -> terms.sum(classDim).neg();
            case SUM -> terms.sum().neg();
            case MEAN -> terms.sum().neg().div((float) (input.numel() / Math.max(1, c)));
        };
    }

    /** The class weights shaped to broadcast along the class dim of an input of rank {@code rank}. */
    private static Tensor classView(Tensor weight, int rank) {
        if (rank <= 1) {
            return weight;
        }
        long[] shape = new long[rank - 1];
        Arrays.fill(shape, 1);
        shape[0] = weight.numel();
        return weight.reshape(shape);
    }

    /** The gathered, weighted and negated likelihoods, reduced, with their scatter backward. */
    private static Tensor likelihood(String op, Tensor input, Targets t, Reduction reduction) {
        Tensor x = input.contiguous();
        MemorySegment xs = x.segment();
        long xOff = x.offset();
        int[] cls = t.classes;
        Tensor perTarget = reduction == Reduction.NONE ? Tensor.zeros(t.lossShape) : null;
        double sum = 0;
        for (int j = 0; j < cls.length; j++) {
            if (cls[j] < 0) {
                continue;
            }
            float loss = -t.weight(cls[j]) * xs.getAtIndex(F, xOff + at(t, j));
            sum += loss;
            if (perTarget != null) {
                perTarget.segment().setAtIndex(F, perTarget.offset() + j, loss);
            }
        }
        Tensor out = switch (reduction) {
            case NONE -> perTarget;
            case SUM -> Tensor.scalar((float) sum);
            case MEAN -> Tensor.scalar((float) (sum / t.totalWeight));
        };
        long[] inShape = input.shape();
        return Autograd.record(op, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.zeros(inShape);
            double scale = reduction == Reduction.MEAN ? 1.0 / t.totalWeight : 1.0;
            for (int j = 0; j < cls.length; j++) {
                if (cls[j] >= 0) {
                    float gj = gc.segment().getAtIndex(F, gc.offset() + (reduction == Reduction.NONE ? j : 0));
                    dx.segment().setAtIndex(F, dx.offset() + at(t, j), (float) (-t.weight(cls[j]) * gj * scale));
                }
            }
            return new Tensor[] {dx};
        }, input);
    }

    /** The input element of target {@code j}: {@code (n, classes[j], i)} with {@code j = n * inner + i}. */
    private static long at(Targets t, int j) {
        long n = j / t.inner;
        long i = j % t.inner;
        return (n * t.c + t.classes[j]) * t.inner + i;
    }

    private static Targets targets(String op, Tensor input, Tensor target, Tensor weight, int ignoreIndex) {
        long[] in = input.shape();
        if (in.length == 0) {
            throw new IllegalArgumentException(op + ": input must have a class dim: (C), (N, C) or (N, C, d1, ...),"
                    + " got a scalar");
        }
        int classDim = in.length == 1 ? 0 : 1;
        long c = in[classDim];
        long[] expected = new long[in.length - 1];
        for (int k = 0, e = 0; k < in.length; k++) {
            if (k != classDim) {
                expected[e++] = in[k];
            }
        }
        if (!Arrays.equals(target.shape(), expected)) {
            throw new IllegalArgumentException(op + ": target of class indices must have shape "
                    + Shape.toString(expected) + " (the input's shape " + Shape.toString(in) + " without the class dim "
                    + classDim + ")" + (op.equals("cross_entropy") ? ", or the input's shape for class probabilities" : "")
                    + "; got " + Shape.toString(target.shape()));
        }
        checkWeight(op, weight, c, input);
        float[] w = weight == null ? null : weight.contiguous().toArray();
        float[] v = target.toArray();
        int[] classes = new int[v.length];
        double total = 0;
        for (int j = 0; j < v.length; j++) {
            if (v[j] == ignoreIndex) {
                classes[j] = -1;
                continue;
            }
            if (!(v[j] >= 0 && v[j] < c) || v[j] != Math.rint(v[j])) {
                throw new IllegalArgumentException(op + ": target holds " + v[j] + " at flat index " + j
                        + "; expected class indices (whole numbers in [0, " + c + ")) or ignore_index " + ignoreIndex
                        + " (input shape " + Shape.toString(in) + ", target shape " + Shape.toString(target.shape()) + ")");
            }
            classes[j] = (int) v[j];
            total += w == null ? 1 : w[classes[j]];
        }
        long inner = 1;
        for (int k = 2; k < in.length; k++) {
            inner *= in[k];
        }
        return new Targets(classes, w, classDim == 0 ? 1 : in[0], c, inner, total, expected);
    }

    /** Checks class weights: null, or 1-d of the class count, constant; and that there is a class. */
    private static void checkWeight(String op, Tensor weight, long c, Tensor input) {
        if (c < 1) {
            throw new IllegalArgumentException(op + ": input needs at least one class, got shape "
                    + Shape.toString(input.shape()));
        }
        if (weight == null) {
            return;
        }
        Checks.live(op, "weight", weight);
        if (weight.rank() != 1 || weight.shape()[0] != c) {
            throw new IllegalArgumentException(op + ": weight must be 1-d with one weight per class, shape [" + c
                    + "] for input shape " + Shape.toString(input.shape()) + "; got " + Shape.toString(weight.shape()));
        }
        LossSupport.constant(op, "weight", weight);
    }
}
