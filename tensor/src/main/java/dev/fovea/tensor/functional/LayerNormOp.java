package dev.fovea.tensor.functional;

import dev.fovea.simd.norm.Norm;
import dev.fovea.simd.norm.NormDims;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.ops.Checks;
import java.util.Arrays;

/**
 * Layer norm behind {@link Normalization}. It views the input as {@code (rows, m)}, {@code m} = the product of
 * {@code normalizedShape}: statistics per row ({@link Norm#moments}), then
 * {@link Norm#normalizeRows} with the elementwise weight and bias. Backward, with
 * {@code gw = g w}: {@code dx = invstd (gw - mean(gw) - xhat mean(gw xhat))} per row through
 * {@link Norm#gradSums} and {@link Norm#backward}; {@code dw = sum over rows of g xhat} and
 * {@code db = sum over rows of g} are column sums of existing tensor ops (composition of
 * vectorized kernels).
 */
final class LayerNormOp {
    private LayerNormOp() {}

    /** See {@link Normalization#layerNorm(Tensor, long[], Tensor, Tensor, double)}. */
    static Tensor layerNorm(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        String op = "layer_norm";
        NormSupport.input(op, input, 1, "a tensor with at least 1 dim");
        int k = normalizedShape == null ? 0 : normalizedShape.length;
        long[] shape = input.shape();
        if (k < 1 || k > shape.length
                || !Arrays.equals(normalizedShape, Arrays.copyOfRange(shape, shape.length - k, shape.length))) {
            String expected = k < 1 ? "[*, ...]" : "[*, " + Shape.toString(normalizedShape).substring(1);
            throw new IllegalArgumentException(op + ": normalizedShape=" + Arrays.toString(normalizedShape)
                    + " must be 1 or more trailing dims of the input, expected input of shape " + expected
                    + ", got " + Shape.toString(shape));
        }
        elementwise(op, "weight", weight, normalizedShape);
        elementwise(op, "bias", bias, normalizedShape);
        NormSupport.parameters(op, eps, 0);
        long cols = Shape.numel(normalizedShape);
        long rows = cols == 0 ? 0 : input.numel() / cols;
        if (cols == 0) {
            throw new IllegalArgumentException(op + ": normalizedShape " + Shape.toString(normalizedShape)
                    + " has no elements");
        }
        Tensor xc = NormSupport.contiguous(input);
        NormDims d = new NormDims(1, rows, cols);
        Tensor moments = Tensor.empty(2, rows);
        Norm.moments(d, xc.segment(), xc.offset(), moments.segment(), moments.offset(), NormSupport.ctx());
        double[] mean = NormSupport.row(moments, 0);
        double[] invstd = NormSupport.invstd(NormSupport.row(moments, 1), eps);
        Tensor stats = NormSupport.table(mean, invstd);
        Tensor wc = weight == null ? null : NormSupport.contiguous(weight);
        Tensor bc = bias == null ? null : NormSupport.contiguous(bias);
        Tensor y = Tensor.empty(shape);
        Norm.normalizeRows(rows, cols, xc.segment(), xc.offset(), y.segment(), y.offset(), stats.segment(),
                stats.offset(), wc == null ? null : wc.segment(), wc == null ? 0 : wc.offset(),
                bc == null ? null : bc.segment(), bc == null ? 0 : bc.offset(), NormSupport.ctx());
        return Autograd.record(op, y, g -> backward(d, g, input, xc, stats, invstd, weight, wc, bias), input,
                weight, bias);
    }

    private static Tensor[] backward(NormDims d, Tensor g, Tensor input, Tensor xc, Tensor stats, double[] invstd,
                                     Tensor weight, Tensor wc, Tensor bias) {
        long rows = d.channels();
        long cols = d.inner();
        Tensor g2 = g.reshape(rows, cols).contiguous();
        Tensor dx = null;
        if (input.requiresGrad()) {
            Tensor gw = wc == null ? g2 : g2.mul(wc.reshape(1, cols));
            Tensor sums = Tensor.empty(2, rows);
            Norm.gradSums(d, gw.segment(), gw.offset(), xc.segment(), xc.offset(), stats.segment(), stats.offset(),
                    sums.segment(), sums.offset(), NormSupport.ctx());
            double[] sumG = NormSupport.row(sums, 0);
            double[] sumGX = NormSupport.row(sums, 1);
            double[] a = new double[(int) rows];
            double[] b = new double[(int) rows];
            double[] bias0 = new double[(int) rows];
            for (int r = 0; r < rows; r++) {
                double is = invstd[r];
                a[r] = is;
                b[r] = -is * is * is * sumGX[r] / cols;
                bias0[r] = -is * sumG[r] / cols;
            }
            Tensor k = NormSupport.table(NormSupport.row(stats, 0), a, b, bias0);
            dx = Tensor.empty(input.shape());
            Norm.backward(d, gw.segment(), gw.offset(), xc.segment(), xc.offset(), dx.segment(), dx.offset(),
                    k.segment(), k.offset(), NormSupport.ctx());
        }
        Tensor dw = null;
        if (weight != null && weight.requiresGrad()) {
            Tensor xhat = Tensor.empty(rows, cols);
            Tensor k = NormSupport.table(NormSupport.row(stats, 0), invstd, new double[(int) rows]);
            Norm.normalize(d, xc.segment(), xc.offset(), xhat.segment(), xhat.offset(), k.segment(), k.offset(),
                    NormSupport.ctx());
            dw = g2.mul(xhat).sum(0).reshape(weight.shape());
        }
        Tensor db = bias != null && bias.requiresGrad() ? g2.sum(0).reshape(bias.shape()) : null;
        return new Tensor[] {dx, dw, db};
    }

    private static void elementwise(String op, String arg, Tensor t, long[] normalizedShape) {
        if (t == null) {
            return;
        }
        Checks.live(op, arg, t);
        if (!Arrays.equals(t.shape(), normalizedShape)) {
            throw new IllegalArgumentException(op + ": " + arg + " must have the normalized shape "
                    + Shape.toString(normalizedShape) + ", got " + Shape.toString(t.shape()));
        }
    }
}
