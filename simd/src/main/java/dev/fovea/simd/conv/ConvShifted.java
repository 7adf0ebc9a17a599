package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Direct convolution from shifted rows of the padded input: no column matrix and no packing of
 * the weights per plan into GEMM panels, for layers with few channels, where im2col's copies and
 * a GEMM with a short side cost more than the arithmetic (LeNet-5's {@code 1 -> 6} and
 * {@code 6 -> 16} channel 5x5 layers). Stride 1 on every axis; any kernel, dilation, groups,
 * padding and {@link PaddingMode}, 1 to 3 dims.
 *
 * <p>With {@code P} the input padded as {@link ConvImplicitGemm} pads it (tap {@code t} of a
 * channel reads it shifted by {@code s_t}) and wide column {@code j = (od * padH + oh) * padW + ow},
 * per group:
 * <pre>
 *   wide[o, j]          = sum over ic < cg, taps t, in order, of W[o, ic, t] * P[ic, j + s_t]  (then + bias[o])
 *   out[o, od, oh, ow]  = wide[o, (od * padH + oh) * padW + ow]
 * </pre>
 * The kernel is {@link ConvShiftedDataGradVector}'s: 6 output channels by 4 vectors of {@code j},
 * 24 accumulators, weights broadcast from a heap copy arranged at plan time, every term one
 * unmasked load of a shifted row. The bias is one more term, times a row of ones. Output channels
 * past {@code og} in the last block of 6 have zero weights and are discarded, as are the wide
 * columns no output maps to.
 *
 * <p><b>Workspace</b>: the calling thread's {@link ConvWorkspace}, one slice per thread: an image's
 * padded channels (each followed by a vector, so that the last vectors of a row stay inside), the
 * row of ones and a block of 6 wide rows. Nothing in it needs zeros: lanes past a channel's
 * padded extent reach only discarded columns.
 *
 * <p><b>Threads and numerics:</b> images are split over the threads; each output is one float
 * FMA chain over {@code (ic, t)} in order, then the bias, bit-identical for any thread count. The
 * activation runs in one pass over the output after ({@link ConvActivation#after}).
 */
public final class ConvShifted implements ConvAlgorithm {
    /** The single instance. */
    public static final ConvShifted INSTANCE = new ConvShifted();
    /** Output channels per kernel block: the rows of {@link ConvShiftedDataGradVector#block4}. */
    static final int ROWS = 6;
    /** Vectors per kernel block along the wide columns. */
    private static final int VECTORS = 4;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Below this many output floats a call stays on the caller: a fork costs more than the work. */
    private static final long PARALLEL_MIN_OUTPUTS = 1 << 13;

    /**
     * AUTO takes this algorithm (where implicit GEMM would run a stride-1 kernel larger than 1x1)
     * up to this many output channels per group: each block of 6 reads the whole padded image
     * again. Measured against implicit GEMM (1 thread, Zen 4): 1.5x at {@code 1 -> 6} and 1.06x at
     * {@code 6 -> 16} (LeNet-5, batch 64), 1.3x at {@code 3 -> 32}, 1.4-1.5x at {@code 3 -> 64}
     * (224 x 224, batch 1), 1.09x at {@code 32 -> 32} with a 5x5 kernel.
     */
    static final int AUTO_MAX_OUT_CHANNELS = 64;
    /** ... and up to a padded image of this many bytes, so that the blocks find it in L2. */
    static final long AUTO_MAX_PADDED_IMAGE_BYTES = 256 << 10;

    private ConvShifted() {}

    /** True if AUTO should run {@code spec} here rather than on implicit GEMM (see {@link #AUTO_MAX_OUT_CHANNELS}). */
    static boolean autoPrefers(ConvSpec spec) {
        return spec.outCPerGroup() <= AUTO_MAX_OUT_CHANNELS
                && spec.inC() * channelStride(spec) * Float.BYTES <= AUTO_MAX_PADDED_IMAGE_BYTES;
    }

    @Override
    public String name() {
        return "shifted";
    }

    @Override
    public String unsupportedReason(ConvSpec spec) {
        String stride = ConvShiftedWeightGrad.strideOneReason(spec);
        if (stride != null) {
            return stride;
        }
        if (!Simd.VECTOR) {
            return "needs the vector path";
        }
        long lanes = Simd.floatLanes();
        long terms = (long) spec.inCPerGroup() * spec.kernelVolume() + 1;
        if (perThreadFloats(spec) > Integer.MAX_VALUE / 4 || terms * ROWS > Integer.MAX_VALUE - 8
                || ConvImplicitGemm.wideColumns(spec) + lanes > Integer.MAX_VALUE) {
            return "its per-image workspace exceeds " + Integer.MAX_VALUE / 4 + " floats";
        }
        return null;
    }

    /** Float FMA chains of {@code cg * kVol + 1} terms, as the GEMM-based plans sum them. */
    @Override
    public double maxNmse() {
        return ConvIm2col.INSTANCE.maxNmse();
    }

    @Override
    public ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ComputeContext ctx) {
        ConvChecks.supported(this, spec);
        ConvChecks.operand("weights", weights, weightOff, spec.weightElements(), spec);
        return new Plan(spec, weightBlocks(spec, weights, weightOff), rowOffsets(spec), ctx);
    }

    /** Floats between padded channels in the workspace: the padded extent plus a vector. */
    private static long channelStride(ConvSpec spec) {
        return ConvPadInput.paddedSpatial(spec) + Simd.floatLanes();
    }

    /** The wide columns rounded up to whole vectors. */
    private static long widePadded(ConvSpec spec) {
        long lanes = Simd.floatLanes();
        return (ConvImplicitGemm.wideColumns(spec) + lanes - 1) / lanes * lanes;
    }

    /** Floats of one thread's slice: the padded image, the row of ones, a block of 6 wide rows. */
    private static long perThreadFloats(ConvSpec spec) {
        return spec.inC() * channelStride(spec) + (1 + ROWS) * widePadded(spec);
    }

    /**
     * The weights per (group, block of 6 output channels), term-major for the kernel's broadcasts:
     * {@code block[(ic * kVol + t) * 6 + r] = W[g * og + ob * 6 + r, ic, t]}, zero past {@code og};
     * one more term at the end for the bias, written per call.
     */
    private static float[][] weightBlocks(ConvSpec spec, MemorySegment w, long wOff) {
        int og = spec.outCPerGroup();
        int kk = spec.inCPerGroup() * spec.kernelVolume();
        int perGroup = (og + ROWS - 1) / ROWS;
        float[][] blocks = new float[spec.groups() * perGroup][(kk + 1) * ROWS];
        for (int o = 0; o < spec.outC(); o++) {
            int grp = o / og;
            int local = o % og;
            float[] block = blocks[grp * perGroup + local / ROWS];
            for (int p = 0; p < kk; p++) {
                block[p * ROWS + local % ROWS] = w.getAtIndex(F, wOff + (long) o * kk + p);
            }
        }
        return blocks;
    }

    /**
     * Byte offsets of the terms of each group from the start of a thread's slice: term
     * {@code ic * kVol + t} at padded channel {@code g * cg + ic} shifted by {@code s_t}, and the
     * bias term at the row of ones.
     */
    private static long[][] rowOffsets(ConvSpec spec) {
        int cg = spec.inCPerGroup();
        int kVol = spec.kernelVolume();
        int[] shift = ConvShiftedWeightGrad.tapShifts(spec);
        long stride = channelStride(spec);
        long ones = spec.inC() * stride;
        long[][] offsets = new long[spec.groups()][cg * kVol + 1];
        for (int grp = 0; grp < spec.groups(); grp++) {
            for (int ic = 0; ic < cg; ic++) {
                for (int t = 0; t < kVol; t++) {
                    offsets[grp][ic * kVol + t] = (((long) grp * cg + ic) * stride + shift[t]) * Float.BYTES;
                }
            }
            offsets[grp][cg * kVol] = ones * Float.BYTES;
        }
        return offsets;
    }

    private record Plan(ConvSpec spec, float[][] blocks, long[][] rowOff, ComputeContext ctx) implements ConvPlan {
        @Override
        public String algorithm() {
            return "shifted";
        }

        /** Bytes of the thread's native buffer a call on one thread uses (one slice per thread). */
        @Override
        public long workspaceBytes() {
            return perThreadFloats(spec) * Float.BYTES;
        }

        @Override
        public void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment out,
                            long outOff, ActivationFunction activation) {
            ConvChecks.execute(spec, in, inOff, bias, biasOff, out, outOff);
            int n = spec.n();
            if (n > 0 && spec.outputElements() > 0) {
                setBias(bias, biasOff);
                boolean fork = ctx.threads() > 1 && n > 1 && spec.outputElements() >= PARALLEL_MIN_OUTPUTS
                        && ComputeContext.shareable(in, out, bias);
                int parts = fork ? Math.min(ctx.threads(), n) : 1;
                long slice = perThreadFloats(spec);
                MemorySegment ws = ConvWorkspace.local(parts * slice * Float.BYTES);
                if (parts == 1) {
                    // no task object: inference runs this in a loop that must not allocate
                    images(in, inOff, out, outOff, 0, n, ws, 0);
                } else {
                    ctx.run(parts, (part, count) -> images(in, inOff, out, outOff,
                            ComputeContext.partBegin(n, count, part), ComputeContext.partBegin(n, count, part + 1), ws,
                            part * slice));
                }
            }
            ConvActivation.after(activation, spec, out, outOff, ctx);
        }

        /** Writes the bias (zeros without one) into each block's last term. */
        private void setBias(MemorySegment bias, long biasOff) {
            int og = spec.outCPerGroup();
            int perGroup = (og + ROWS - 1) / ROWS;
            int last = (spec.inCPerGroup() * spec.kernelVolume()) * ROWS;
            for (int o = 0; o < spec.outC(); o++) {
                int local = o % og;
                blocks[o / og * perGroup + local / ROWS][last + local % ROWS] =
                        bias == null ? 0f : bias.getAtIndex(F, biasOff + o);
            }
        }

        /** Images {@code [b0, b1)} with the workspace slice at float offset {@code at}. */
        private void images(MemorySegment in, long inOff, MemorySegment out, long outOff, int b0, int b1,
                            MemorySegment ws, long at) {
            fillOnes(ws, at + spec.inC() * channelStride(spec));
            for (int b = b0; b < b1; b++) {
                image(in, inOff, out, outOff, b, ws, at);
            }
        }

        private void fillOnes(MemorySegment ws, long at) {
            long wide = widePadded(spec);
            for (long i = 0; i < wide; i++) {
                ws.setAtIndex(F, at + i, 1f);
            }
        }

        /** Image {@code b}, with the workspace slice at float offset {@code at}. */
        private void image(MemorySegment in, long inOff, MemorySegment out, long outOff, int b, MemorySegment ws,
                           long at) {
            int lanes = Simd.floatLanes();
            long stride = channelStride(spec);
            long wide = widePadded(spec);
            int vectors = (int) (wide / lanes);
            long block = at + spec.inC() * stride + wide;
            long vb = (long) lanes * Float.BYTES;
            long rowBytes = wide * Float.BYTES;
            int og = spec.outCPerGroup();
            int perGroup = (og + ROWS - 1) / ROWS;
            int terms = spec.inCPerGroup() * spec.kernelVolume() + 1;
            long image = inOff + (long) b * spec.inC() * spec.inSpatial();
            for (int c = 0; c < spec.inC(); c++) {
                // pad() writes channel c at dstOff + c * padSpatial: shift dstOff so it lands at c * stride
                ConvPadInput.pad(spec, in, image, ws, at + c * (stride - ConvPadInput.paddedSpatial(spec)), c, c + 1);
            }
            long base = at * Float.BYTES;
            for (int grp = 0; grp < spec.groups(); grp++) {
                long[] offsets = rowOff[grp];
                for (int ob = 0; ob < perGroup; ob++) {
                    float[] w = blocks[grp * perGroup + ob];
                    int v = 0;
                    for (; v + VECTORS <= vectors; v += VECTORS) {
                        ConvShiftedDataGradVector.block4(w, terms, ws, base + v * vb, offsets, ws,
                                block * Float.BYTES + v * vb, rowBytes);
                    }
                    for (; v < vectors; v++) {
                        ConvShiftedDataGradVector.block1(w, terms, ws, base + v * vb, offsets, ws,
                                block * Float.BYTES + v * vb, rowBytes);
                    }
                    for (int r = 0; r < ROWS && ob * ROWS + r < og; r++) {
                        int o = grp * og + ob * ROWS + r;
                        crop(ws, block + r * wide, out, outOff + ((long) b * spec.outC() + o) * spec.outSpatial());
                    }
                }
            }
        }

        /** Copies the valid {@code outW}-wide runs of the wide row at {@code src} to the output channel at {@code dst}. */
        private void crop(MemorySegment ws, long src, MemorySegment out, long dst) {
            int padH = ConvPadInput.paddedExtent(spec, 1);
            int padW = ConvPadInput.paddedExtent(spec, 2);
            long plane = (long) spec.outH() * spec.outW();
            for (int od = 0; od < spec.outD(); od++) {
                ConvPadInput.copyRows(ws, src + (long) od * padH * padW, padW, out, dst + od * plane, spec.outW(),
                        spec.outH(), spec.outW());
            }
        }
    }
}
