package dev.fovea.simd.resample;

import dev.fovea.simd.Simd;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * Resampling kernels (PyTorch's {@code interpolate}: nearest, nearest-exact, linear / bilinear /
 * trilinear, bicubic) on contiguous float32 {@code (planes, inD, inH, inW)} segments at element
 * offsets, and their gradients. The math, per output sample (axes absent from the spec skipped):
 * <pre>
 *   out[od][oh][ow] = sum_a wD[a][od] * sum_b wH[b][oh] * sum_c wW[c][ow] * in[iD[a][od]][iH[b][oh]][iW[c][ow]]
 * </pre>
 * with the per-axis indices and weights of {@link ResampleMode} (PyTorch's, see the spec). The
 * sums are float32, innermost (W) first, each a product followed by fused multiply-adds in tap
 * order; the gradient is the exact transpose of the same separable passes (W, then H, then D),
 * each summing its contributions in order of ascending output position and tap.
 *
 * <p>Every method checks its segments against the spec before any work (an
 * {@link IllegalArgumentException} naming the argument), overwrites its output (which must not
 * overlap the input), and splits the planes over the context's threads: each plane is computed by
 * one thread in a fixed order, so results are bit-identical for any thread count. The Vector API
 * kernels ({@code ResampleVector}) give the same bits as the scalar reference ({@code ResampleNaive}),
 * which runs when the vector path is off. Small per-thread heap buffers are allocated per call (and
 * one native slice per thread for 3-d), nothing per plane.
 */
public final class Resample {
    private Resample() {}

    /**
     * Resamples every plane of {@code in} into {@code out}.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec or {@code out} is read-only
     */
    public static void forward(ResampleSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff,
                               ComputeContext ctx) {
        check(s, "input", in, inOff, s.inPlane(), "output", out, outOff, s.outPlane());
        Planes.split("resample", ctx, s.planes(), s.outPlane(), (p0, p1) -> {
            if (Simd.VECTOR) {
                ResampleVector.forward(s, in, inOff, out, outOff, p0, p1);
            } else {
                ResampleNaive.forward(s, in, inOff, out, outOff, p0, p1);
            }
        }, in, out);
    }

    /**
     * The input gradient: {@code gradIn} (input-shaped, overwritten) receives each output
     * gradient scattered to the input samples it was made from, times their weights.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec or {@code gradIn} is read-only
     */
    public static void backward(ResampleSpec s, MemorySegment gradOut, long gOff, MemorySegment gradIn, long giOff,
                                ComputeContext ctx) {
        check(s, "gradOut", gradOut, gOff, s.outPlane(), "gradIn", gradIn, giOff, s.inPlane());
        AxisTable.Transposed tw = s.table(2).transposed();
        Planes.split("resample backward", ctx, s.planes(), s.outPlane(), (p0, p1) -> {
            if (Simd.VECTOR) {
                ResampleVector.backward(s, tw, gradOut, gOff, gradIn, giOff, p0, p1);
            } else {
                ResampleNaive.backward(s, tw, gradOut, gOff, gradIn, giOff, p0, p1);
            }
        }, gradOut, gradIn);
    }

    /**
     * The scalar reference of {@link #forward}, on the calling thread: the fallback, and the oracle
     * the vector kernel is tested against (same bits).
     *
     * @throws IllegalArgumentException if a segment is too small for the spec
     */
    public static void reference(ResampleSpec s, MemorySegment in, long inOff, MemorySegment out, long outOff) {
        check(s, "input", in, inOff, s.inPlane(), "output", out, outOff, s.outPlane());
        ResampleNaive.forward(s, in, inOff, out, outOff, 0, planes(s));
    }

    /**
     * The scalar reference of {@link #backward}, on the calling thread.
     *
     * @throws IllegalArgumentException if a segment is too small for the spec
     */
    public static void referenceBackward(ResampleSpec s, MemorySegment gradOut, long gOff, MemorySegment gradIn,
                                         long giOff) {
        check(s, "gradOut", gradOut, gOff, s.outPlane(), "gradIn", gradIn, giOff, s.inPlane());
        ResampleNaive.backward(s, s.table(2).transposed(), gradOut, gOff, gradIn, giOff, 0, planes(s));
    }

    private static int planes(ResampleSpec s) {
        if (s.planes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("resample: n * c must be below 2^31, got " + s.planes());
        }
        return (int) s.planes();
    }

    private static void check(ResampleSpec s, String srcName, MemorySegment src, long srcOff, long srcPlane,
                              String dstName, MemorySegment dst, long dstOff, long dstPlane) {
        if (s == null) {
            throw new IllegalArgumentException("resample: spec must not be null");
        }
        Planes.floats("resample: " + srcName, src, srcOff, s.planes() * srcPlane, s);
        Planes.floats("resample: " + dstName, dst, dstOff, s.planes() * dstPlane, s);
        Planes.writable("resample: " + dstName, dst, s);
    }
}
