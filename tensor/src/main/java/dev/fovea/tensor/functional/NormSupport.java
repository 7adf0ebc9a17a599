package dev.fovea.tensor.functional;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.ops.Checks;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Helpers of the normalization ops: argument checks that name the op, the argument and the
 * shapes; the small per-channel float tables the {@code dev.fovea.simd.norm} kernels take; and
 * the in-place update of running statistics.
 */
final class NormSupport {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private NormSupport() {}

    static ComputeContext ctx() {
        return ComputeContext.current();
    }

    /** The input as a contiguous tensor, copied without recording a node (the op records its own). */
    static Tensor contiguous(Tensor input) {
        try (Grad off = Grad.off()) {
            return input.contiguous();
        }
    }

    /** Checks the input is live and has at least {@code minRank} dims (the channels at dim 1). */
    static void input(String op, Tensor input, int minRank, String expected) {
        Checks.live(op, "input", input);
        if (input.rank() < minRank) {
            throw new IllegalArgumentException(op + ": input must be " + expected + ", got shape "
                    + Shape.toString(input.shape()));
        }
    }

    /** Checks an optional per-channel tensor (weight, bias, running stats): null, or shape {@code [channels]}. */
    static void perChannel(String op, String arg, Tensor t, long channels, Tensor input) {
        if (t == null) {
            return;
        }
        Checks.live(op, arg, t);
        if (t.rank() != 1 || t.shape()[0] != channels) {
            throw new IllegalArgumentException(op + ": " + arg + " must have shape [" + channels + "] (one value per"
                    + " channel of input " + Shape.toString(input.shape()) + "), got " + Shape.toString(t.shape()));
        }
    }

    /** Checks running statistics that are about to be updated in place. */
    static void updatable(String op, Tensor running) {
        if (running != null) {
            Checks.writable(op, running);
        }
    }

    /** Checks {@code eps} (finite, >= 0) and {@code momentum} (finite). */
    static void parameters(String op, double eps, double momentum) {
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(op + ": eps must be finite and >= 0, got " + eps);
        }
        if (!Double.isFinite(momentum)) {
            throw new IllegalArgumentException(op + ": momentum must be finite, got " + momentum);
        }
    }

    /** The product of the dims from {@code from} on (1 for none). */
    static long trailing(Tensor t, int from) {
        long p = 1;
        for (int d = from; d < t.rank(); d++) {
            p *= t.shape()[d];
        }
        return p;
    }

    /** The values of an optional tensor in double, or {@code fill} repeated {@code n} times when it is null. */
    static double[] values(Tensor t, long n, double fill) {
        double[] v = new double[(int) n];
        if (t == null) {
            java.util.Arrays.fill(v, fill);
            return v;
        }
        float[] f = t.toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = f[i];
        }
        return v;
    }

    /** A {@code rows.length x n} float table (one row per array), each value rounded once. */
    static Tensor table(double[]... rows) {
        int n = rows[0].length;
        Tensor t = Tensor.empty(rows.length, n);
        MemorySegment s = t.segment();
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < n; i++) {
                s.setAtIndex(F, t.offset() + (long) r * n + i, (float) rows[r][i]);
            }
        }
        return t;
    }

    /** Row {@code row} of a table made by {@link #table} (or written by a kernel), in double. */
    static double[] row(Tensor table, int row) {
        int n = (int) table.shape()[1];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = table.segment().getAtIndex(F, table.offset() + (long) row * n + i);
        }
        return v;
    }

    /** A tensor of {@code shape} holding {@code values} rounded to float. */
    static Tensor tensor(double[] values, long[] shape) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return Tensor.of(f, shape);
    }

    /** {@code 1 / sqrt(var + eps)} per element. */
    static double[] invstd(double[] var, double eps) {
        double[] r = new double[var.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = 1 / Math.sqrt(var[i] + eps);
        }
        return r;
    }

    /**
     * PyTorch's running-statistics update, in place: {@code running = (1 - momentum) * running
     * + momentum * batch}.
     */
    static void update(Tensor running, double[] batch, double momentum) {
        if (running == null) {
            return;
        }
        double[] old = values(running, batch.length, 0);
        double[] updated = new double[batch.length];
        for (int i = 0; i < updated.length; i++) {
            updated[i] = (1 - momentum) * old[i] + momentum * batch[i];
        }
        running.copyFrom(tensor(updated, running.shape()));
    }
}
