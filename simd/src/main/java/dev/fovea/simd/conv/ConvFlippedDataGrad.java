package dev.fovea.simd.conv;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The input gradient of a stride-1 convolution with zeros padding, computed as a forward
 * convolution: the output gradient correlated with the flipped kernel whose channel axes are
 * swapped per group,
 * <pre>
 *   dIn = conv(dOut, W'),  W'[g * cg + ic, oc, k - 1 - t] = W[g * og + oc, ic, t]
 *   padding per side = dilation * (kernel - 1) - the forward's padding of that side
 * </pre>
 * so the planner's forward algorithms (implicit GEMM, Winograd, ...) compute it with no col2im
 * scatter. Its spec ({@link #dataSpec}) has inC and outC swapped, the output's extents as input,
 * and produces the input's extents. Only zeros padding and paddings no larger than the dilated
 * kernel's extent minus one map to this form ({@link #unsupportedReason}); col2im runs the rest.
 *
 * <p>Each call transposes the weights into a buffer allocated at construction (weights change
 * between training steps, so the forward plan is made per call). Results are the forward
 * algorithm's: bit-identical for any thread count; the error bound is that algorithm's
 * ({@link ConvAlgorithm#maxNmse}) for the data spec.
 */
final class ConvFlippedDataGrad implements AutoCloseable {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private final ConvSpec s;
    private final ConvSpec dataSpec;
    private final ConvPolicy policy;
    private final Arena arena;
    private final MemorySegment flipped;

    /** Plans the input gradient of {@code s} (which must be supported) with {@code policy}'s algorithms. */
    ConvFlippedDataGrad(ConvSpec s, ConvPolicy policy) {
        String why = unsupportedReason(s);
        if (why != null) {
            throw new IllegalArgumentException("flipped data gradient: " + why + " (" + s + ")");
        }
        this.s = s;
        this.dataSpec = dataSpec(s);
        this.policy = policy;
        this.arena = Arena.ofShared();
        this.flipped = arena.allocate(s.weightElements() * Float.BYTES, 64);
    }

    /** Null if the input gradient of {@code s} is a forward convolution here, else why not. */
    static String unsupportedReason(ConvSpec s) {
        if (s.stride(0) != 1 || s.stride(1) != 1 || s.stride(2) != 1) {
            return "needs stride 1 on every axis";
        }
        if (s.paddingMode() != PaddingMode.ZEROS) {
            return "needs zeros padding (other modes fold gradients back into the border)";
        }
        for (int a = 0; a < 3; a++) {
            int extent = s.dilation(a) * (s.kernel(a) - 1);
            if (s.padBegin(a) > extent || s.padEnd(a) > extent) {
                return "needs padding <= dilation * (kernel - 1) per side";
            }
        }
        return null;
    }

    /** The forward spec whose output is the input gradient of {@code s} (see the class comment). */
    static ConvSpec dataSpec(ConvSpec s) {
        int dims = s.dims();
        int[] size = new int[dims];
        int[] kernel = new int[dims];
        int[] dil = new int[dims];
        int[] begin = new int[dims];
        int[] end = new int[dims];
        for (int d = 0; d < dims; d++) {
            int a = 3 - dims + d;
            size[d] = s.out(a);
            kernel[d] = s.kernel(a);
            dil[d] = s.dilation(a);
            int extent = s.dilation(a) * (s.kernel(a) - 1);
            begin[d] = extent - s.padBegin(a);
            end[d] = extent - s.padEnd(a);
        }
        return ConvSpec.builder(dims).n(s.n()).inC(s.outC()).outC(s.inC()).groups(s.groups()).input(size)
                .kernel(kernel).dilation(dil).padding(Padding.of(begin, end)).build();
    }

    /** The spec of the forward convolution that computes the gradient. */
    ConvSpec dataSpec() {
        return dataSpec;
    }

    /** {@code dIn = d(sum(out * dOut)) / d(in)}, overwriting dIn; operands checked by the caller. */
    void data(MemorySegment dOut, long dOutOff, MemorySegment w, long wOff, MemorySegment dIn, long dInOff,
              ComputeContext ctx) {
        if (s.n() == 0) {
            return;
        }
        int cg = s.inCPerGroup();
        int og = s.outCPerGroup();
        int kVol = s.kernelVolume();
        for (int grp = 0; grp < s.groups(); grp++) {
            for (int oc = 0; oc < og; oc++) {
                for (int ic = 0; ic < cg; ic++) {
                    long src = wOff + ((long) (grp * og + oc) * cg + ic) * kVol;
                    long dst = ((long) (grp * cg + ic) * og + oc) * kVol + kVol - 1;
                    for (int t = 0; t < kVol; t++) {
                        flipped.setAtIndex(F, dst - t, w.getAtIndex(F, src + t));
                    }
                }
            }
        }
        Conv.plan(dataSpec, flipped, 0, policy, ctx).execute(dOut, dOutOff, null, 0, dIn, dInOff);
    }

    @Override
    public void close() {
        arena.close();
    }
}
