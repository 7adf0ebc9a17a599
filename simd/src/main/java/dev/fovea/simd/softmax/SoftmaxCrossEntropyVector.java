package dev.fovea.simd.softmax;

import static dev.fovea.simd.eltwise.impl.Mem.get;
import static dev.fovea.simd.eltwise.impl.Mem.put;
import static dev.fovea.simd.eltwise.impl.VectorLanes.L;
import static dev.fovea.simd.eltwise.impl.VectorLanes.S;
import static dev.fovea.simd.eltwise.impl.VectorLanes.load;
import static dev.fovea.simd.eltwise.impl.VectorLanes.store;
import static dev.fovea.simd.softmax.SoftmaxCrossEntropyScalar.target;
import static dev.fovea.simd.softmax.SoftmaxCrossEntropyScalar.weight;
import static dev.fovea.simd.softmax.SoftmaxVector.broadcast;
import static dev.fovea.simd.softmax.SoftmaxVector.lanes;

import dev.fovea.simd.eltwise.impl.FloatVectorMath;
import dev.fovea.simd.eltwise.impl.ScalarMath;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The Vector API kernels of {@link SoftmaxCrossEntropy}: each row read in vectors of {@code L}
 * classes (the last one masked); the forward's sums in blocks of
 * {@link SoftmaxVector#BLOCK_VECTORS} vectors, each block's lanes added to a double, lane 0 first;
 * the backward writes every class with one fused multiply-add, then rewrites the target class.
 * No argument checks.
 */
final class SoftmaxCrossEntropyVector {
    private SoftmaxCrossEntropyVector() {}

    static void forward(MemorySegment x, long xOff, MemorySegment targets, long tOff, MemorySegment weights, long wOff,
                        float smoothing, float weightSum, MemorySegment loss, long lossOff, MemorySegment stats,
                        long statsOff, long classes, long r0, long r1) {
        boolean smooth = smoothing != 0f;
        long block = (long) SoftmaxVector.BLOCK_VECTORS * L;
        for (long r = r0; r < r1; r++) {
            int t = target(targets, tOff, r);
            if (t < 0) {
                put(loss, lossOff + r, 0f);
                put(stats, statsOff + 2 * r, 0f);
                put(stats, statsOff + 2 * r + 1, 0f);
                continue;
            }
            long xb = xOff + r * classes;
            float max = SoftmaxVector.rowMax(x, xb, classes);
            double sum = 0;
            double spread = 0;
            for (long b = 0; b < classes; b += block) {
                long end = Math.min(classes, b + block);
                FloatVector sumAcc = FloatVector.zero(S);
                FloatVector spreadAcc = FloatVector.zero(S);
                long c = b;
                for (; c + L <= end; c += L) {
                    FloatVector shifted = load(x, xb + c).sub(max);
                    sumAcc = sumAcc.add(FloatVectorMath.exp(shifted));
                    if (smooth) {
                        FloatVector w = weights == null ? broadcast(1f) : load(weights, wOff + c);
                        spreadAcc = spreadAcc.sub(w.mul(shifted));
                    }
                }
                if (c < end) {
                    VectorMask<Float> m = S.indexInRange(c, end);
                    FloatVector shifted = load(x, xb + c, m).sub(max);
                    sumAcc = sumAcc.add(FloatVectorMath.exp(shifted), m);
                    if (smooth) {
                        FloatVector w = weights == null ? broadcast(1f) : load(weights, wOff + c, m);
                        spreadAcc = spreadAcc.sub(w.mul(shifted), m);
                    }
                }
                sum += lanes(sumAcc);
                spread += smooth ? lanes(spreadAcc) : 0;
            }
            float logSum = ScalarMath.log((float) sum);
            put(stats, statsOff + 2 * r, max);
            put(stats, statsOff + 2 * r + 1, logSum);
            put(loss, lossOff + r, SoftmaxCrossEntropyScalar.rowLoss(get(x, xb + t) - max, logSum,
                    weight(weights, wOff, t), smoothing, weightSum, spread, classes));
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
                for (long c = 0; c < classes; c += L) {
                    store(FloatVector.zero(S), dx, db + c, S.indexInRange(c, classes));
                }
                continue;
            }
            float max = get(stats, statsOff + 2 * r);
            float logSum = get(stats, statsOff + 2 * r + 1);
            float s = get(scale, scaleOff + r * scaleStride);
            float wt = weight(weights, wOff, t);
            float a = s * ((1f - smoothing) * wt + smoothing / classes * weightSum);
            float b = s * (smoothing / classes);
            FloatVector av = broadcast(a);
            FloatVector bv = broadcast(-b);
            long full = classes - classes % L;
            long c = 0;
            for (; c < full; c += L) {
                FloatVector p = FloatVectorMath.exp(load(x, xb + c).sub(max).sub(logSum));
                FloatVector w = weights == null ? broadcast(1f) : load(weights, wOff + c);
                store(av.fma(p, w.mul(bv)), dx, db + c);
            }
            if (c < classes) {
                VectorMask<Float> m = S.indexInRange(c, classes);
                FloatVector p = FloatVectorMath.exp(load(x, xb + c, m).sub(max).sub(logSum));
                FloatVector w = weights == null ? broadcast(1f) : load(weights, wOff + c, m);
                store(av.fma(p, w.mul(bv)), dx, db + c, m);
            }
            put(dx, db + t, SoftmaxCrossEntropyScalar.targetGradient(get(x, xb + t) - max - logSum, a, b, s, wt,
                    smoothing));
        }
    }
}
