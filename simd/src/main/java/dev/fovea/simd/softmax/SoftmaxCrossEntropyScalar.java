package dev.fovea.simd.softmax;

import static dev.fovea.simd.eltwise.impl.Mem.get;
import static dev.fovea.simd.eltwise.impl.Mem.put;

import dev.fovea.simd.eltwise.impl.ScalarMath;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The scalar reference of {@link SoftmaxCrossEntropy}: a row at a time, the row sums accumulated
 * in double in class order, the gradient's elementwise formula operation for operation as in
 * {@link SoftmaxCrossEntropyVector}. No argument checks.
 */
final class SoftmaxCrossEntropyScalar {
    private SoftmaxCrossEntropyScalar() {}

    static int target(MemorySegment targets, long tOff, long r) {
        return targets.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, tOff + r);
    }

    static float weight(MemorySegment weights, long wOff, long c) {
        return weights == null ? 1f : get(weights, wOff + c);
    }

    /**
     * The loss of a row from its statistics: {@code (1 - eps) w_t nll + (eps / C) (W ls + spread)},
     * {@code nll = ls - (x_t - m)}, {@code spread = sum_c w_c (m - x_c)}.
     */
    static float rowLoss(float shiftedTarget, float logSum, float wt, float smoothing, float weightSum, double spread,
                         long classes) {
        float nll = wt * (logSum - shiftedTarget);
        if (smoothing == 0f) {
            return nll;
        }
        float smooth = (float) ((double) weightSum * logSum + spread);
        return (1f - smoothing) * nll + smoothing / classes * smooth;
    }

    static void forward(MemorySegment x, long xOff, MemorySegment targets, long tOff, MemorySegment weights, long wOff,
                        float smoothing, float weightSum, MemorySegment loss, long lossOff, MemorySegment stats,
                        long statsOff, long classes, long r0, long r1) {
        for (long r = r0; r < r1; r++) {
            int t = target(targets, tOff, r);
            if (t < 0) {
                put(loss, lossOff + r, 0f);
                put(stats, statsOff + 2 * r, 0f);
                put(stats, statsOff + 2 * r + 1, 0f);
                continue;
            }
            long xb = xOff + r * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (long c = 0; c < classes; c++) {
                max = Math.max(max, get(x, xb + c));
            }
            double sum = 0;
            double spread = 0;
            for (long c = 0; c < classes; c++) {
                float shifted = get(x, xb + c) - max;
                sum += ScalarMath.exp(shifted);
                if (smoothing != 0f) {
                    spread -= (double) weight(weights, wOff, c) * shifted;
                }
            }
            float logSum = ScalarMath.log((float) sum);
            put(stats, statsOff + 2 * r, max);
            put(stats, statsOff + 2 * r + 1, logSum);
            put(loss, lossOff + r, rowLoss(get(x, xb + t) - max, logSum, weight(weights, wOff, t), smoothing,
                    weightSum, spread, classes));
        }
    }

    static void backward(MemorySegment x, long xOff, MemorySegment targets, long tOff, MemorySegment weights, long wOff,
                         float smoothing, float weightSum, MemorySegment stats, long statsOff, MemorySegment scale,
                         long scaleOff, long scaleStride, MemorySegment dx, long dxOff, long classes, long r0, long r1) {
        for (long r = r0; r < r1; r++) {
            int t = target(targets, tOff, r);
            long xb = xOff + r * classes;
            long db = dxOff + r * classes;
            if (t < 0) {
                for (long c = 0; c < classes; c++) {
                    put(dx, db + c, 0f);
                }
                continue;
            }
            float max = get(stats, statsOff + 2 * r);
            float logSum = get(stats, statsOff + 2 * r + 1);
            float s = get(scale, scaleOff + r * scaleStride);
            float wt = weight(weights, wOff, t);
            float a = s * ((1f - smoothing) * wt + smoothing / classes * weightSum);
            float b = s * (smoothing / classes);
            for (long c = 0; c < classes; c++) {
                float p = ScalarMath.exp(get(x, xb + c) - max - logSum);
                put(dx, db + c, Math.fma(a, p, -(b * weight(weights, wOff, c))));
            }
            put(dx, db + t, targetGradient(get(x, xb + t) - max - logSum, a, b, s, wt, smoothing));
        }
    }

    /** The gradient at the target class: {@code a p_t - (b w_t + s (1 - eps) w_t)}, one fused multiply-add. */
    static float targetGradient(float logP, float a, float b, float s, float wt, float smoothing) {
        return Math.fma(a, ScalarMath.exp(logP), -(b * wt + s * ((1f - smoothing) * wt)));
    }
}
