package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The input gradient of a stride-1 convolution with zeros padding, computed directly from shifted
 * rows of the output gradient: no column matrix, no col2im scatter, and (unlike a forward
 * convolution of the padded output gradient with the flipped kernel) no multiplications by
 * vertical padding. With {@code P} the padded input (layout of {@link ConvImplicitGemm}: tap
 * {@code t} of a channel reads it shifted by {@code s_t}) and {@code dOutWide} the output gradient
 * on wide columns ({@code j = (od * padH + oh) * padW + ow}, zeros on the columns no output maps
 * to and outside {@code [0, Nw)}), per group:
 * <pre>
 *   dP[ic, i] = sum over og channels o, taps t of W[o, ic, t] * dOutWide[o, i - s_t]
 *   dIn       = dP without its padding
 * </pre>
 * Each row of {@code dOutWide} sits after at least {@code max s_t} zeros, so every term is an
 * unmasked vector load of a shifted row. The vector kernel ({@link ConvShiftedDataGradVector})
 * computes 6 input channels by 4 vectors of {@code i} at a time (24 accumulators, weights
 * broadcast); channels beyond {@code cg} in the last block have zero weights and are discarded.
 *
 * <p><b>Workspace</b> per thread, a slice of the calling thread's {@link ConvWorkspace} zeroed per
 * call: one group's guarded output-gradient rows and 6 padded channels.
 *
 * <p><b>Threads and numerics:</b> images are split over the threads; each gradient element is one
 * float FMA chain over {@code (o, t)} in order ({@code og * kVol} terms), bit-identical for any
 * thread count. A non-finite weight meets zeros of {@code dOutWide} and can turn gradients NaN
 * that the reference leaves finite; the reference's are then non-finite too.
 *
 * <p>Supports stride 1 on every axis, zeros padding and the vector path ({@link #unsupportedReason}).
 */
final class ConvShiftedDataGrad implements AutoCloseable {
    /** Input channels per block: the rows of the vector kernel. */
    static final int ROWS = 6;
    /** Vectors per block along a channel. */
    private static final int VECTORS = 4;

    private final ConvSpec s;
    private final int lanes;
    private final int padSpatial;
    /** padSpatial rounded up to whole vectors: the row length of an output block. */
    private final int padVectors;
    /** Zeros before each output-gradient row: the largest tap shift rounded up to whole vectors. */
    private final int lead;
    /** Floats per guarded output-gradient row: lead plus the padded channel rounded up. */
    private final int rowStride;
    /** Byte offset of term (o, t) in a group's guarded rows: row o at {@code i - s_t}. */
    private final long[] termOffset;
    private final long perThread;

    /** Plans the gradient of {@code s}, which must be supported. */
    ConvShiftedDataGrad(ConvSpec s) {
        String why = unsupportedReason(s);
        if (why != null) {
            throw new IllegalArgumentException("shifted data gradient: " + why + " (" + s + ")");
        }
        this.s = s;
        this.lanes = Simd.floatLanes();
        int[] tapShift = ConvShiftedWeightGrad.tapShifts(s);
        this.padSpatial = (int) ConvPadInput.paddedSpatial(s);
        this.padVectors = roundUp(padSpatial, lanes) / lanes;
        this.lead = roundUp(tapShift[tapShift.length - 1], lanes);
        this.rowStride = lead + padVectors * lanes;
        int og = s.outCPerGroup();
        int kVol = s.kernelVolume();
        this.termOffset = new long[og * kVol];
        for (int o = 0; o < og; o++) {
            for (int t = 0; t < kVol; t++) {
                termOffset[o * kVol + t] = ((long) o * rowStride + lead - tapShift[t]) * Float.BYTES;
            }
        }
        this.perThread = (long) og * rowStride + (long) ROWS * padVectors * lanes;
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /** Null if this method runs {@code s}: stride 1, zeros padding, the vector path, int sizes. */
    static String unsupportedReason(ConvSpec s) {
        String stride = ConvShiftedWeightGrad.strideOneReason(s);
        if (stride != null) {
            return stride;
        }
        if (s.paddingMode() != PaddingMode.ZEROS) {
            return "needs zeros padding (other modes fold gradients back into the border)";
        }
        if (!Simd.VECTOR) {
            return "needs the vector path";
        }
        long lanes = Simd.floatLanes();
        long row = 2 * ConvPadInput.paddedSpatial(s) + 2 * lanes;
        if ((s.outCPerGroup() + ROWS) * row > Integer.MAX_VALUE / 4
                || (long) s.outCPerGroup() * s.kernelVolume() * ROWS > Integer.MAX_VALUE - 8) {
            return "its per-image workspace exceeds " + Integer.MAX_VALUE / 4 + " floats";
        }
        return null;
    }

    /** Bytes of workspace a call on one thread uses (of the thread's native buffer; one slice per thread). */
    long workspaceBytes() {
        return perThread * Float.BYTES;
    }

    /** {@code dIn = d(sum(out * dOut)) / d(in)}, overwriting dIn; operands checked by the caller. */
    void data(MemorySegment dOut, long dOutOff, MemorySegment w, long wOff, MemorySegment dIn, long dInOff,
              ComputeContext ctx) {
        boolean shared = ComputeContext.shareable(dOut, w, dIn);
        int parts = shared ? Math.min(ctx.threads(), s.n()) : 1;
        // zeros where scatterWide writes nothing: the leads, the columns no output maps to
        MemorySegment workspace = ConvWorkspace.local(Math.max(1, parts) * perThread * Float.BYTES)
                .asSlice(0, Math.max(1, parts) * perThread * Float.BYTES).fill((byte) 0);
        float[][] blocks = weightBlocks(w, wOff);
        if (parts <= 1) {
            for (int b = 0; b < s.n(); b++) {
                image(dOut, dOutOff, blocks, dIn, dInOff, b, workspace, 0);
            }
            return;
        }
        ctx.run(parts, (part, count) -> {
            int b1 = ComputeContext.partBegin(s.n(), count, part + 1);
            for (int b = ComputeContext.partBegin(s.n(), count, part); b < b1; b++) {
                image(dOut, dOutOff, blocks, dIn, dInOff, b, workspace, part * perThread);
            }
        });
    }

    /**
     * The weights per (group, block of 6 input channels), term-major for the kernel's broadcasts:
     * {@code block[(o * kVol + t) * 6 + r] = W[g * og + o, ic0 + r, t]}, zero for {@code ic0 + r >= cg}.
     */
    private float[][] weightBlocks(MemorySegment w, long wOff) {
        int og = s.outCPerGroup();
        int cg = s.inCPerGroup();
        int kVol = s.kernelVolume();
        int perGroup = (cg + ROWS - 1) / ROWS;
        float[][] blocks = new float[s.groups() * perGroup][og * kVol * ROWS];
        for (int grp = 0; grp < s.groups(); grp++) {
            for (int o = 0; o < og; o++) {
                for (int ic = 0; ic < cg; ic++) {
                    float[] block = blocks[grp * perGroup + ic / ROWS];
                    long src = wOff + ((long) (grp * og + o) * cg + ic) * kVol;
                    for (int t = 0; t < kVol; t++) {
                        block[(o * kVol + t) * ROWS + ic % ROWS] = w.getAtIndex(ValueLayout.JAVA_FLOAT, src + t);
                    }
                }
            }
        }
        return blocks;
    }

    /** Image {@code b} with the workspace slice at float offset {@code ws}. */
    private void image(MemorySegment dOut, long dOutOff, float[][] blocks, MemorySegment dIn, long dInOff, int b,
                       MemorySegment workspace, long ws) {
        int og = s.outCPerGroup();
        int cg = s.inCPerGroup();
        int terms = og * s.kernelVolume();
        int perGroup = (cg + ROWS - 1) / ROWS;
        long outBlock = ws + (long) og * rowStride;
        long outRowBytes = (long) padVectors * lanes * Float.BYTES;
        long vb = (long) lanes * Float.BYTES;
        for (int grp = 0; grp < s.groups(); grp++) {
            ConvShiftedWeightGrad.scatterWide(s, dOut, dOutOff, b, grp, workspace, ws + lead, rowStride);
            for (int cb = 0; cb < perGroup; cb++) {
                float[] block = blocks[grp * perGroup + cb];
                long base = ws * Float.BYTES;
                long out = outBlock * Float.BYTES;
                int v = 0;
                for (; v + VECTORS <= padVectors; v += VECTORS) {
                    ConvShiftedDataGradVector.block4(block, terms, workspace, base + v * vb, termOffset, workspace,
                            out + v * vb, outRowBytes);
                }
                for (; v < padVectors; v++) {
                    ConvShiftedDataGradVector.block1(block, terms, workspace, base + v * vb, termOffset, workspace,
                            out + v * vb, outRowBytes);
                }
                for (int r = 0; r < ROWS && cb * ROWS + r < cg; r++) {
                    long channel = dInOff + ((long) b * s.inC() + (long) grp * cg + cb * ROWS + r) * s.inSpatial();
                    crop(workspace, outBlock + (long) r * padVectors * lanes, dIn, channel);
                }
            }
        }
    }

    /** Copies the inner (unpadded) part of the padded channel at {@code src} to {@code dst}. */
    private void crop(MemorySegment workspace, long src, MemorySegment dst, long dstOff) {
        int padH = ConvPadInput.paddedExtent(s, 1);
        int padW = ConvPadInput.paddedExtent(s, 2);
        if (padSpatial == s.inSpatial()) {
            MemorySegment.copy(workspace, src * Float.BYTES, dst, dstOff * Float.BYTES, s.inSpatial() * Float.BYTES);
            return;
        }
        for (int d = 0; d < s.inD(); d++) {
            long from = src + ((long) (d + s.padBegin(0)) * padH + s.padBegin(1)) * padW + s.padBegin(2);
            ConvPadInput.copyRows(workspace, from, padW, dst, dstOff + (long) d * s.inH() * s.inW(), s.inW(),
                    s.inH(), s.inW());
        }
    }

    /** Nothing to free: the workspace is the thread's ({@link ConvWorkspace}). */
    @Override
    public void close() {
    }
}
