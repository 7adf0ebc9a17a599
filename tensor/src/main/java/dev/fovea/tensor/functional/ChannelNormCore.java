package dev.fovea.tensor.functional;

import dev.fovea.simd.norm.Norm;
import dev.fovea.simd.norm.NormDims;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;

/**
 * The affine pass and the backward shared by batch, instance and group norm, once the statistics
 * are known. The input is viewed as {@code (n, c, s)} ({@code s} = the product of the spatial
 * dims); statistics are per channel across the batch (batch norm, {@link Layout#perChannel}) or
 * per sample and group of {@code c / groups} channels (group norm; instance norm is
 * {@code groups = c}).
 *
 * <p>The kernels work on <i>units</i>: the channels for batch norm (dims {@code (n, c, s)}), the
 * {@code (sample, channel)} planes otherwise (dims {@code (1, n c, s)}). Each unit has its
 * statistic {@code stat(u)} and its channel {@code channel(u)} for the affine weight and bias.
 *
 * <p><b>Backward</b> (PyTorch's formulas, with {@code xhat = (x - mean) invstd},
 * {@code M} elements per statistic): {@code dw[c] = sum(g xhat)}, {@code db[c] = sum(g)}, and with
 * batch statistics {@code dx = invstd (w g - mean(w g) - xhat mean(w g xhat))} over each
 * statistic's elements; with given (running) statistics {@code dx = w invstd g}. The kernels return
 * {@code sum(g)} and {@code sum(g (x - mean))} per unit; the small per-unit and per-statistic sums
 * are finished here in double, in unit order.
 */
final class ChannelNormCore {
    private ChannelNormCore() {}

    /** The shape of the problem: {@code groups} statistics per sample unless {@code perChannel}. */
    record Layout(long n, long c, long s, long groups, boolean perChannel) {
        long units() {
            return perChannel ? c : n * c;
        }

        NormDims dims() {
            return perChannel ? new NormDims(n, c, s) : new NormDims(1, n * c, s);
        }

        /** The dims the statistics are reduced over: one channel per statistic. */
        NormDims statDims() {
            return perChannel ? new NormDims(n, c, s) : new NormDims(1, n * groups, c / groups * s);
        }

        long statCount() {
            return perChannel ? c : n * groups;
        }

        /** Elements per statistic. */
        long count() {
            return perChannel ? n * s : c / groups * s;
        }

        int stat(long u) {
            return (int) (perChannel ? u : (u / c) * groups + (u % c) / (c / groups));
        }

        int channel(long u) {
            return (int) (u % c);
        }
    }

    /**
     * {@code y = (x - mean) invstd w + b} per unit, recording the backward when an argument
     * requires grad.
     *
     * @param xc the input made contiguous
     * @param fromBatch whether the statistics were computed from this input (their gradient flows)
     */
    static Tensor apply(String op, Tensor input, Tensor xc, Layout l, double[] mean, double[] invstd,
                        boolean fromBatch, Tensor weight, Tensor bias) {
        int units = (int) l.units();
        double[] w = NormSupport.values(weight, l.c(), 1);
        double[] b = NormSupport.values(bias, l.c(), 0);
        double[] um = new double[units];
        double[] scale = new double[units];
        double[] shift = new double[units];
        for (int u = 0; u < units; u++) {
            int s = l.stat(u);
            int ch = l.channel(u);
            um[u] = mean[s];
            scale[u] = invstd[s] * w[ch];
            shift[u] = b[ch];
        }
        Tensor coef = NormSupport.table(um, scale, shift);
        NormDims dims = l.dims();
        Tensor y = Tensor.empty(input.shape());
        Norm.normalize(dims, xc.segment(), xc.offset(), y.segment(), y.offset(), coef.segment(), coef.offset(),
                NormSupport.ctx());
        return Autograd.record(op, y, g -> backward(l, g, input, xc, coef, invstd, w, fromBatch, weight, bias),
                input, weight, bias);
    }

    private static Tensor[] backward(Layout l, Tensor g, Tensor input, Tensor xc, Tensor coef, double[] invstd,
                                     double[] w, boolean fromBatch, Tensor weight, Tensor bias) {
        Tensor gc = g.contiguous();
        NormDims dims = l.dims();
        boolean needX = input.requiresGrad();
        boolean needW = weight != null && weight.requiresGrad();
        boolean needB = bias != null && bias.requiresGrad();
        int units = (int) l.units();
        double[] sumG = new double[units];
        double[] sumGX = new double[units];
        if (needW || needB || (needX && fromBatch)) {
            Tensor sums = Tensor.empty(2, units);
            Norm.gradSums(dims, gc.segment(), gc.offset(), xc.segment(), xc.offset(), coef.segment(), coef.offset(),
                    sums.segment(), sums.offset(), NormSupport.ctx());
            sumG = NormSupport.row(sums, 0);
            sumGX = NormSupport.row(sums, 1);
        }
        double[] dw = new double[(int) l.c()];
        double[] db = new double[(int) l.c()];
        double[] groupG = new double[(int) l.statCount()];
        double[] groupGX = new double[(int) l.statCount()];
        for (int u = 0; u < units; u++) {
            int s = l.stat(u);
            int ch = l.channel(u);
            dw[ch] += sumGX[u] * invstd[s];
            db[ch] += sumG[u];
            groupG[s] += w[ch] * sumG[u];
            groupGX[s] += w[ch] * sumGX[u];
        }
        Tensor dx = null;
        if (needX) {
            double[] center = NormSupport.row(coef, 0);
            double[] a = new double[units];
            double[] bx = new double[units];
            double[] bias0 = new double[units];
            double m = l.count();
            for (int u = 0; u < units; u++) {
                int s = l.stat(u);
                double is = invstd[s];
                a[u] = w[l.channel(u)] * is;
                if (fromBatch) {
                    bx[u] = -is * is * is * groupGX[s] / m;
                    bias0[u] = -is * groupG[s] / m;
                }
            }
            Tensor k = NormSupport.table(center, a, bx, bias0);
            dx = Tensor.empty(input.shape());
            Norm.backward(dims, gc.segment(), gc.offset(), xc.segment(), xc.offset(), dx.segment(), dx.offset(),
                    k.segment(), k.offset(), NormSupport.ctx());
        }
        return new Tensor[] {
            dx,
            needW ? NormSupport.tensor(dw, weight.shape()) : null,
            needB ? NormSupport.tensor(db, bias.shape()) : null
        };
    }
}
