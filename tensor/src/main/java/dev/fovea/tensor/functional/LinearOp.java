package dev.fovea.tensor.functional;

import dev.fovea.simd.gemm.Epilogue;
import dev.fovea.simd.gemm.Sgemm;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.ops.Checks;
import java.util.Arrays;

/**
 * The ops behind {@link Linear}. {@code linear} is one {@link Sgemm} call over the flattened
 * leading dims, {@code x (m x in) * W^T} with W read in place (its rows or, for a transposed view,
 * its columns, unit-stride) and the bias added per column in the GEMM's epilogue; its backward is
 * two matmuls and a column sum. {@code bilinear} is composed of a linear map and a batched
 * matmul, so autograd derives its backward.
 */
final class LinearOp {
    private LinearOp() {}

    static Tensor linear(Tensor x, Tensor w, Tensor b) {
        Checks.live("linear", "input", x);
        Checks.live("linear", "weight", w);
        if (w.rank() != 2) {
            throw new IllegalArgumentException("linear: weight must be 2-d (outFeatures, inFeatures), got shape "
                    + Shape.toString(w.shape()));
        }
        long outF = w.size(0);
        long inF = w.size(1);
        if (x.rank() < 1 || x.size(-1) != inF) {
            throw new IllegalArgumentException("linear: input of shape " + Shape.toString(x.shape()) + " has "
                    + (x.rank() < 1 ? "no feature dim" : x.size(-1) + " features (last dim)") + " but weight of shape "
                    + Shape.toString(w.shape()) + " expects " + inF);
        }
        if (b != null && (Checks.live("linear", "bias", b).rank() != 1 || b.size(0) != outF)) {
            throw new IllegalArgumentException("linear: bias must have shape [" + outF + "] (weight "
                    + Shape.toString(w.shape()) + "), got " + Shape.toString(b.shape()));
        }
        long[] xShape = x.shape();
        long rows = Shape.numel(Arrays.copyOf(xShape, xShape.length - 1));
        if (rows > Integer.MAX_VALUE || inF > Integer.MAX_VALUE || outF > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("linear: matrix dims above 2^31-1 are not supported, got input "
                    + Shape.toString(xShape) + " and weight " + Shape.toString(w.shape()));
        }
        long[] yShape = xShape.clone();
        yShape[yShape.length - 1] = outF;
        Tensor xView = x.detach().reshape(rows, inF);
        Tensor x2 = rowMajor(xView) ? xView : xView.contiguous();
        Tensor wd = w.detach();
        boolean columnMajor = !rowMajor(wd) && rowMajor(wd.t());
        wd = columnMajor || rowMajor(wd) ? wd : wd.contiguous();
        Tensor bd = b == null ? null : b.detach().contiguous();
        Tensor y = Tensor.empty(yShape);
        Epilogue epilogue = bd == null ? Epilogue.NONE : Epilogue.columnBias(bd.segment(), bd.offset());
        // B = W^T (k x n): stored as W's rows (transposed, n x k), or for a transposed view as its columns.
        Sgemm.sgemm(ComputeContext.current(), false, !columnMajor, (int) rows, (int) outF, (int) inF, 1f,
                x2.segment(), x2.offset(), ld(x2), wd.segment(), wd.offset(), columnMajor ? ld(wd.t()) : ld(wd), 0f,
                y.segment(), y.offset(), (int) Math.max(1, outF), epilogue);
        Tensor wk = wd;
        long m = rows;
        return Autograd.record("linear", y, g -> {
            Tensor g2 = g.reshape(m, outF);
            return new Tensor[] {
                x.requiresGrad() ? g2.matmul(wk).reshape(xShape) : null,
                w.requiresGrad() ? g2.t().matmul(x2) : null,
                b != null && b.requiresGrad() ? g2.sum(0) : null};
        }, x, w, b);
    }

    /** The leading dimension the kernel reads a {@link #rowMajor} matrix with. */
    private static int ld(Tensor t) {
        return (int) (t.size(0) <= 1 ? Math.max(1, t.size(1)) : t.strides()[0]);
    }

    /** True when the rows of the 2-d {@code t} are unit-stride and do not overlap (the kernel reads it in place). */
    private static boolean rowMajor(Tensor t) {
        long[] st = t.strides();
        long rows = t.size(0);
        long cols = t.size(1);
        return (st[1] == 1 || cols <= 1) && (rows <= 1 || st[0] >= Math.max(1, cols)) && st[0] <= Integer.MAX_VALUE;
    }

    static Tensor bilinear(Tensor x1, Tensor x2, Tensor w, Tensor b) {
        Checks.live("bilinear", "input1", x1);
        Checks.live("bilinear", "input2", x2);
        Checks.live("bilinear", "weight", w);
        if (w.rank() != 3) {
            throw new IllegalArgumentException("bilinear: weight must be 3-d (outFeatures, in1Features, in2Features),"
                    + " got shape " + Shape.toString(w.shape()));
        }
        long outF = w.size(0);
        long in1 = w.size(1);
        long in2 = w.size(2);
        if (x1.rank() < 1 || x2.rank() < 1 || x1.size(-1) != in1 || x2.size(-1) != in2) {
            throw new IllegalArgumentException("bilinear: inputs of shapes " + Shape.toString(x1.shape()) + " and "
                    + Shape.toString(x2.shape()) + " must end in " + in1 + " and " + in2 + " features for weight of shape "
                    + Shape.toString(w.shape()));
        }
        long[] lead = Arrays.copyOf(x1.shape(), x1.rank() - 1);
        if (!Arrays.equals(lead, Arrays.copyOf(x2.shape(), x2.rank() - 1))) {
            throw new IllegalArgumentException("bilinear: input batch dims must match, got shapes "
                    + Shape.toString(x1.shape()) + " and " + Shape.toString(x2.shape()));
        }
        if (b != null && (Checks.live("bilinear", "bias", b).rank() != 1 || b.size(0) != outF)) {
            throw new IllegalArgumentException("bilinear: bias must have shape [" + outF + "] (weight "
                    + Shape.toString(w.shape()) + "), got " + Shape.toString(b.shape()));
        }
        long batch = Shape.numel(lead);
        // u[n, o * in1 + i] = sum_j W[o, i, j] x2[n, j]; y[n, o] = sum_i u[n, o, i] x1[n, i]
        Tensor u = linear(x2.reshape(batch, in2), w.reshape(outF * in1, in2), null);
        Tensor y = u.reshape(batch, outF, in1).matmul(x1.reshape(batch, in1, 1)).reshape(batch, outF);
        if (b != null) {
            y = y.add(b);
        }
        long[] yShape = Arrays.copyOf(lead, lead.length + 1);
        yShape[lead.length] = outF;
        return y.reshape(yShape);
    }
}
