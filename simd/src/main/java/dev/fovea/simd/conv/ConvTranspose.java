package dev.fovea.simd.conv;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * Transposed convolution (PyTorch {@code ConvTranspose1d/2d/3d}, see {@link ConvTransposeSpec})
 * and its gradients, as the adjoint of the corresponding convolution C whose input is this
 * output and whose output is this input (same weights, zeros padding, with K = outC / groups *
 * kVol and P = in spatial; layout in {@code ConvCol2im}):
 * <pre>
 *   forward:        out  = col2im( W_g^T (K x inC/groups) * in_g (inC/groups x P) ) + bias   (C's input gradient)
 *   backwardData:   dIn_g = W_g * im2col(dOut)_g                                               (C's forward)
 *   backwardWeight: dW_g  = sum over images of in_g * im2col(dOut)_g^T                          (C's weight gradient)
 *   backwardBias:   dBias[oc] = sum over n and space of dOut
 * </pre>
 * All four run on im2col/col2im and GEMM ({@code ConvCol2imGemm}); output padding of at least
 * the stride (allowed when the dilation is larger) needs no special case because the geometry
 * takes this input's extent as C's output extent directly.
 *
 * <p><b>Layout:</b> contiguous float32 at element offsets: input {@code (n, inC, in...)},
 * weights {@code (inC, outC / groups, k...)}, output {@code (n, outC, out...)}, bias
 * {@code outC} floats (nullable). Results are overwritten, never read, and must not overlap an
 * operand.
 *
 * <p><b>Workspace:</b> a {@link Plan} owns one column matrix, {@code outC * kVol * inSpatial}
 * floats (none for 1x1 stride-1 unpadded specs); the static methods make a temporary plan per
 * call. <b>Threads:</b> as {@link ConvBackward}: bit-identical results for any thread count.
 */
public final class ConvTranspose {
    private ConvTranspose() {}

    /** Plans {@code spec}: allocates its column workspace once. */
    public static Plan plan(ConvTransposeSpec spec) {
        return new Plan(spec);
    }

    /** {@code out = convTranspose(in, w) + bias} ({@code bias} may be null); out overwritten. */
    public static void forward(ConvTransposeSpec spec, MemorySegment in, long inOff, MemorySegment w, long wOff,
                               MemorySegment bias, long biasOff, MemorySegment out, long outOff, ComputeContext ctx) {
        try (Plan p = plan(spec)) {
            p.forward(in, inOff, w, wOff, bias, biasOff, out, outOff, ctx);
        }
    }

    /** The input gradient {@code dIn = d(sum(out * dOut)) / d(in)}, overwriting dIn. */
    public static void backwardData(ConvTransposeSpec spec, MemorySegment dOut, long dOutOff, MemorySegment w,
                                    long wOff, MemorySegment dIn, long dInOff, ComputeContext ctx) {
        try (Plan p = plan(spec)) {
            p.backwardData(dOut, dOutOff, w, wOff, dIn, dInOff, ctx);
        }
    }

    /** The weight gradient {@code dW = d(sum(out * dOut)) / d(w)}, overwriting dW (zeros for n = 0). */
    public static void backwardWeight(ConvTransposeSpec spec, MemorySegment in, long inOff, MemorySegment dOut,
                                      long dOutOff, MemorySegment dW, long dWOff, ComputeContext ctx) {
        try (Plan p = plan(spec)) {
            p.backwardWeight(in, inOff, dOut, dOutOff, dW, dWOff, ctx);
        }
    }

    /** The bias gradient {@code dBias[oc] = sum over n and space of dOut}, overwriting dBias; allocates nothing. */
    public static void backwardBias(ConvTransposeSpec spec, MemorySegment dOut, long dOutOff, MemorySegment dBias,
                                    long dBiasOff) {
        check("dOut", dOut, dOutOff, spec.outputElements(), spec);
        check("dBias", dBias, dBiasOff, spec.outC(), spec);
        ConvCol2imGemm.biasSum(spec.n(), spec.outC(), spec.outSpatial(), dOut, dOutOff, dBias, dBiasOff);
    }

    /** Throws unless {@code seg} holds {@code elements} floats from element {@code off}. */
    private static void check(String name, MemorySegment seg, long off, long elements, ConvTransposeSpec spec) {
        if (seg == null) {
            throw new IllegalArgumentException(name + " must not be null for " + spec);
        }
        if (off < 0 || (off + elements) * Float.BYTES > seg.byteSize()) {
            throw new IllegalArgumentException(name + " needs " + elements + " floats from element offset " + off
                    + ", but its segment holds " + seg.byteSize() / Float.BYTES + " floats, for " + spec);
        }
    }

    /** A transposed convolution with its workspace, made once and run many times; not for concurrent calls. */
    public static final class Plan implements AutoCloseable {
        private final ConvTransposeSpec spec;
        private final ConvCol2imGemm engine;

        private Plan(ConvTransposeSpec spec) {
            this.spec = spec;
            this.engine = new ConvCol2imGemm(spec.geometry());
        }

        /** The spec this plan computes. */
        public ConvTransposeSpec spec() {
            return spec;
        }

        /** Bytes of column workspace held. */
        public long workspaceBytes() {
            return engine.workspaceBytes();
        }

        /** As {@link ConvTranspose#forward}. */
        public void forward(MemorySegment in, long inOff, MemorySegment w, long wOff, MemorySegment bias, long biasOff,
                            MemorySegment out, long outOff, ComputeContext ctx) {
            check("input", in, inOff, spec.inputElements(), spec);
            check("weights", w, wOff, spec.weightElements(), spec);
            check("output", out, outOff, spec.outputElements(), spec);
            if (bias != null) {
                check("bias", bias, biasOff, spec.outC(), spec);
            }
            engine.data(in, inOff, w, wOff, bias, biasOff, out, outOff, ctx);
        }

        /** As {@link ConvTranspose#backwardData}. */
        public void backwardData(MemorySegment dOut, long dOutOff, MemorySegment w, long wOff, MemorySegment dIn,
                                 long dInOff, ComputeContext ctx) {
            check("dOut", dOut, dOutOff, spec.outputElements(), spec);
            check("weights", w, wOff, spec.weightElements(), spec);
            check("dIn", dIn, dInOff, spec.inputElements(), spec);
            engine.forward(dOut, dOutOff, w, wOff, null, 0, dIn, dInOff, ctx);
        }

        /** As {@link ConvTranspose#backwardWeight}. */
        public void backwardWeight(MemorySegment in, long inOff, MemorySegment dOut, long dOutOff, MemorySegment dW,
                                   long dWOff, ComputeContext ctx) {
            check("input", in, inOff, spec.inputElements(), spec);
            check("dOut", dOut, dOutOff, spec.outputElements(), spec);
            check("dW", dW, dWOff, spec.weightElements(), spec);
            engine.weight(dOut, dOutOff, in, inOff, dW, dWOff, ctx);
        }

        /** Frees the workspace; the plan must not be used afterwards. */
        @Override
        public void close() {
            engine.close();
        }
    }
}
