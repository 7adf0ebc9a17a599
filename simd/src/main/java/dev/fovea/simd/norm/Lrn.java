package dev.fovea.simd.norm;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.impl.Checks;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * Local response normalization across channels (AlexNet; PyTorch's {@code local_response_norm})
 * on a contiguous float32 {@code (n, channels, inner)} segment ({@link NormDims} with
 * {@code outer = n}, {@code inner} = the product of the spatial dims):
 * <pre>
 *   div[c] = k + alpha / size * sum over j in [c - size/2, c + (size-1)/2] of x[j]^2
 *   y[c]   = x[c] / div[c]^beta
 * </pre>
 * channels outside {@code [0, channels)} counting as zero (PyTorch pads the squares with zeros
 * and averages over {@code size}, padding included). The input gradient is
 * <pre>
 *   dx[j] = g[j] div[j]^-beta - 2 alpha beta / size * x[j] * sum over c whose window holds j of g[c] y[c] / div[c]
 * </pre>
 * Powers are {@code exp(beta log div)} with the library's own float exp and log (within 1 ulp
 * each). Windows are summed in channel order in float with fused multiply-adds; the vector path
 * equals the scalar reference bit for bit and the work is split over {@code (n, c)} runs, so
 * results do not depend on the thread count. Arguments are checked before any work
 * ({@link IllegalArgumentException} naming the kernel and argument); outputs are overwritten and
 * must not overlap the inputs.
 */
public final class Lrn {
    private Lrn() {}

    /**
     * The forward pass: {@code y}, and {@code div} (the base of the power, needed by
     * {@link #backward}) unless it is null.
     *
     * @throws IllegalArgumentException if {@code size < 1}, a parameter is not finite, or a segment is too small
     */
    public static void forward(NormDims d, int size, float alpha, float beta, float k, MemorySegment x, long xOff,
                               MemorySegment y, long yOff, MemorySegment div, long divOff, ComputeContext ctx) {
        String kernel = "Lrn.forward";
        check(kernel, d, size, alpha, beta, k);
        Checks.input(kernel, "x", x, xOff, 1, d.elements());
        Checks.output(kernel, "y", y, yOff, 1, d.elements());
        if (div != null) {
            Checks.output(kernel, "div", div, divOff, 1, d.elements());
        }
        float alphaOverSize = (float) ((double) alpha / size);
        Norm.split(ctx, d.runs(), d.inner() * size, (r0, r1) -> {
            if (Simd.VECTOR) {
                LrnVector.forward(d, size, alphaOverSize, beta, k, x, xOff, y, yOff, div, divOff, r0, r1);
            } else {
                LrnScalar.forward(d, size, alphaOverSize, beta, k, x, xOff, y, yOff, div, divOff, r0, r1, 0,
                        d.inner());
            }
        }, x, y, div);
    }

    /**
     * The input gradient {@code dx} from the output gradient {@code g}, the forward's input
     * {@code x}, output {@code y} and {@code div}.
     *
     * @throws IllegalArgumentException if {@code size < 1}, a parameter is not finite, or a segment is too small
     */
    public static void backward(NormDims d, int size, float alpha, float beta, MemorySegment g, long gOff,
                                MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment div,
                                long divOff, MemorySegment dx, long dxOff, ComputeContext ctx) {
        String kernel = "Lrn.backward";
        check(kernel, d, size, alpha, beta, 1f);
        Checks.input(kernel, "g", g, gOff, 1, d.elements());
        Checks.input(kernel, "x", x, xOff, 1, d.elements());
        Checks.input(kernel, "y", y, yOff, 1, d.elements());
        Checks.input(kernel, "div", div, divOff, 1, d.elements());
        Checks.output(kernel, "dx", dx, dxOff, 1, d.elements());
        float coef = (float) (2.0 * alpha * beta / size);
        Norm.split(ctx, d.runs(), d.inner() * 2L * size, (r0, r1) -> {
            if (Simd.VECTOR) {
                LrnVector.backward(d, size, beta, coef, g, gOff, x, xOff, y, yOff, div, divOff, dx, dxOff, r0, r1);
            } else {
                LrnScalar.backward(d, size, beta, coef, g, gOff, x, xOff, y, yOff, div, divOff, dx, dxOff, r0, r1,
                        0, d.inner());
            }
        }, g, x, y, div, dx);
    }

    private static void check(String kernel, NormDims d, int size, float alpha, float beta, float k) {
        if (d == null) {
            throw new IllegalArgumentException(kernel + ": dims must not be null");
        }
        if (size < 1) {
            throw new IllegalArgumentException(kernel + ": size must be >= 1, got " + size);
        }
        if (!Float.isFinite(alpha) || !Float.isFinite(beta) || !Float.isFinite(k)) {
            throw new IllegalArgumentException(kernel + ": alpha, beta and k must be finite, got alpha=" + alpha
                    + ", beta=" + beta + ", k=" + k);
        }
    }
}
