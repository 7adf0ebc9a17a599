package dev.fovea.tensor.functional;

import dev.fovea.simd.norm.Norm;
import dev.fovea.simd.norm.NormDims;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.ChannelNormCore.Layout;

/**
 * Batch, instance and group norm behind {@link Normalization}: argument checks (all before any
 * work), the statistics (from the batch through {@link Norm#moments}, or from the running
 * statistics), the running-statistics update, then {@link ChannelNormCore} for the rest.
 */
final class ChannelNormOps {
    private ChannelNormOps() {}

    /** See {@link Normalization#batchNorm(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, double, double)}. */
    static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                            boolean training, double momentum, double eps) {
        String op = "batch_norm";
        NormSupport.input(op, input, 2, "(n, c, ...) with at least 2 dims");
        long c = input.shape()[1];
        checkAffineAndRunning(op, input, c, runningMean, runningVar, weight, bias);
        NormSupport.parameters(op, eps, momentum);
        long n = input.shape()[0];
        long s = NormSupport.trailing(input, 2);
        if (training && n * s <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got"
                    + " input of shape " + Shape.toString(input.shape()));
        }
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException(op + ": runningMean and runningVar must be given in evaluation mode"
                    + " (training = false)");
        }
        if (training) {
            NormSupport.updatable(op, runningMean);
            NormSupport.updatable(op, runningVar);
        }
        Layout l = new Layout(n, c, s, 1, true);
        Tensor xc = NormSupport.contiguous(input);
        if (!training) {
            double[] mean = NormSupport.values(runningMean, c, 0);
            double[] invstd = NormSupport.invstd(NormSupport.values(runningVar, c, 1), eps);
            return ChannelNormCore.apply(op, input, xc, l, mean, invstd, false, weight, bias);
        }
        double[][] stats = moments(l.statDims(), xc);
        double m = l.count();
        double[] unbiased = new double[(int) c];
        for (int i = 0; i < c; i++) {
            unbiased[i] = stats[1][i] * m / (m - 1);
        }
        NormSupport.update(runningMean, stats[0], momentum);
        NormSupport.update(runningVar, unbiased, momentum);
        return ChannelNormCore.apply(op, input, xc, l, stats[0], NormSupport.invstd(stats[1], eps), true, weight,
                bias);
    }

    /** See {@link Normalization#instanceNorm(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, double, double)}. */
    static Tensor instanceNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                               boolean useInputStats, double momentum, double eps) {
        String op = "instance_norm";
        NormSupport.input(op, input, 2, "(n, c, ...) with at least 2 dims");
        long c = input.shape()[1];
        checkAffineAndRunning(op, input, c, runningMean, runningVar, weight, bias);
        NormSupport.parameters(op, eps, momentum);
        long n = input.shape()[0];
        long s = NormSupport.trailing(input, 2);
        if (useInputStats && s <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 spatial element when training, got input"
                    + " of shape " + Shape.toString(input.shape()));
        }
        if (!useInputStats && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException(op + ": runningMean and runningVar must be given when useInputStats"
                    + " is false");
        }
        if (useInputStats) {
            NormSupport.updatable(op, runningMean);
            NormSupport.updatable(op, runningVar);
        }
        Layout l = new Layout(n, c, s, c, false);
        Tensor xc = NormSupport.contiguous(input);
        if (!useInputStats) {
            double[] rm = NormSupport.values(runningMean, c, 0);
            double[] rv = NormSupport.values(runningVar, c, 1);
            double[] mean = new double[(int) (n * c)];
            double[] var = new double[mean.length];
            for (int u = 0; u < mean.length; u++) {
                mean[u] = rm[(int) (u % c)];
                var[u] = rv[(int) (u % c)];
            }
            return ChannelNormCore.apply(op, input, xc, l, mean, NormSupport.invstd(var, eps), false, weight, bias);
        }
        double[][] stats = moments(l.statDims(), xc);
        if (runningMean != null || runningVar != null) {
            double[] batchMean = new double[(int) c];
            double[] batchVar = new double[(int) c];
            for (int u = 0; u < n * c; u++) {
                batchMean[(int) (u % c)] += stats[0][u] / n;
                batchVar[(int) (u % c)] += stats[1][u] * s / (s - 1) / n;
            }
            NormSupport.update(runningMean, batchMean, momentum);
            NormSupport.update(runningVar, batchVar, momentum);
        }
        return ChannelNormCore.apply(op, input, xc, l, stats[0], NormSupport.invstd(stats[1], eps), true, weight,
                bias);
    }

    /** See {@link Normalization#groupNorm(Tensor, int, Tensor, Tensor, double)}. */
    static Tensor groupNorm(Tensor input, int numGroups, Tensor weight, Tensor bias, double eps) {
        String op = "group_norm";
        NormSupport.input(op, input, 2, "(n, c, ...) with at least 2 dims");
        long c = input.shape()[1];
        if (numGroups < 1 || c % numGroups != 0) {
            throw new IllegalArgumentException(op + ": the number of channels must be divisible by numGroups (>= 1),"
                    + " got input of shape " + Shape.toString(input.shape()) + " and numGroups=" + numGroups);
        }
        NormSupport.perChannel(op, "weight", weight, c, input);
        NormSupport.perChannel(op, "bias", bias, c, input);
        NormSupport.parameters(op, eps, 0);
        Layout l = new Layout(input.shape()[0], c, NormSupport.trailing(input, 2), numGroups, false);
        if (l.count() == 0) {
            throw new IllegalArgumentException(op + ": the groups of input " + Shape.toString(input.shape())
                    + " are empty");
        }
        Tensor xc = NormSupport.contiguous(input);
        double[][] stats = moments(l.statDims(), xc);
        return ChannelNormCore.apply(op, input, xc, l, stats[0], NormSupport.invstd(stats[1], eps), true, weight,
                bias);
    }

    private static void checkAffineAndRunning(String op, Tensor input, long c, Tensor runningMean, Tensor runningVar,
                                              Tensor weight, Tensor bias) {
        NormSupport.perChannel(op, "runningMean", runningMean, c, input);
        NormSupport.perChannel(op, "runningVar", runningVar, c, input);
        NormSupport.perChannel(op, "weight", weight, c, input);
        NormSupport.perChannel(op, "bias", bias, c, input);
    }

    /** Mean and biased variance per statistic, in double. */
    private static double[][] moments(NormDims d, Tensor xc) {
        if (d.channels() > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("normalization: too many statistics (" + d.channels() + ")");
        }
        Tensor stats = Tensor.empty(2, d.channels());
        Norm.moments(d, xc.segment(), xc.offset(), stats.segment(), stats.offset(), NormSupport.ctx());
        return new double[][] {NormSupport.row(stats, 0), NormSupport.row(stats, 1)};
    }
}
