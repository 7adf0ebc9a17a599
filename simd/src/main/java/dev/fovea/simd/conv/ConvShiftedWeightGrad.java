package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The weight gradient of a stride-1 convolution as dot products of shifted rows, with no im2col
 * matrix and no GEMM packing: the kernel for small channel counts, where im2col's copies and
 * the transposes of a GEMM with a short reduction cost more than the arithmetic (LeNet-5's
 * {@code 1 -> 6} and {@code 6 -> 16} channel 5x5 layers spent 32% of a training step there).
 *
 * <p>With the input padded as {@link ConvImplicitGemm} pads it ({@code P}, per channel
 * {@code padD * padH * padW} floats, any {@link PaddingMode}), tap {@code t} of channel {@code ic}
 * reads {@code P[ic]} shifted by {@code s_t} and output position {@code (od, oh, ow)} is wide
 * column {@code j = (od * padH + oh) * padW + ow}. Per group, with {@code K = cg * kVol} and
 * {@code dOutWide} the output gradient scattered to wide columns (zeros elsewhere):
 * <pre>
 *   dW[o, ic * kVol + t] = sum over images b, sum over j of dOutWide[b, o, j] * P[b, ic, s_t + j]
 * </pre>
 * The vector kernel ({@link ConvShiftedWeightGradVector}) computes a block of 6 output channels
 * by 4 taps at a time, 24 accumulators over the lanes of {@code j}. Each image group
 * ({@link #IMAGE_GROUPS}) runs its images in chunks ({@link #CHUNK_BYTES}) over all blocks, so
 * that blocks sharing rows find them in L1; each block's accumulators wait in a float array
 * between chunks, and their lanes are summed at the end. Zero rows pad the output channels to a
 * multiple of 6 and a short last tap block repeats its first tap; both are discarded.
 *
 * <p><b>Workspace</b>, in each working thread's native {@link ConvWorkspace#local} buffer, zeroed
 * once per call and thread, for one chunk of images: the padded input, {@code chunk * inC * (padSpatial +
 * lanes)} floats (the extra lanes let a row's last vector run past the channel), and the wide
 * output gradient, {@code chunk * groups * ceil6(og) * Nw'} floats with {@code Nw'} the wide
 * columns rounded up to whole vectors. Each chunk is copied in just before the blocks read it. The
 * accumulators of every image group are in the calling thread's
 * {@link ConvWorkspace#accumulators}. Calls allocate nothing of size once the thread's buffers have
 * grown. Not safe for concurrent calls on one object.
 *
 * <p><b>Threads and numerics:</b> the threads share out the image groups, one fork per call.
 * Every gradient element is, per group, one block's lane-wise float FMA chain over the group's
 * images and columns in order, then a sum of the lanes in order; the groups' sums are added in
 * group order. The groups and chunks depend on the spec only, so results are bit-identical for any
 * thread count. Each lane sums about {@code n * Nw / (lanes * groups)} products: the error is float
 * rounding of that length. A non-finite input value can turn gradients NaN that the reference
 * leaves finite (it meets a zero of {@code dOutWide} in a discarded column), never the reverse.
 *
 * <p>Supports stride 1 on every axis on the vector path ({@link #unsupportedReason}).
 */
final class ConvShiftedWeightGrad implements ConvDirectWeightGrad {
    /** Output channels per block: the rows of the vector kernel. */
    static final int ROWS = 6;
    /** Taps per block: the columns of the vector kernel. */
    static final int TAPS = 4;
    /** Accumulators per block. */
    private static final int BLOCK = ROWS * TAPS;
    /**
     * Images per pass over the blocks: as many as keep one block's rows of the wide gradient and
     * one padded channel of each image within this many bytes (about L1), so that the blocks that
     * share rows or a channel find them in L1. Each block's accumulators wait in a float array
     * between passes.
     */
    static final int CHUNK_BYTES = 24 << 10;
    /**
     * Fixed groups the images are cut into for the threads to share out, in both weight-gradient
     * kernels: each group sums its images into its own accumulators and the groups are added in
     * order, so the result depends on {@code n} only, never on the thread count. One fork per
     * call: per-chunk forks had cost LeNet-5's {@code 1 -> 6} layer 2-6x its one-thread time on
     * 2 threads. A multiple of common thread counts.
     */
    static final int IMAGE_GROUPS = 8;

    private final ConvSpec s;
    private final int lanes;
    private final long padSpatial;
    /** Floats between padded channels: padSpatial plus a vector of zeros. */
    private final long channelStride;
    private final int wide;
    /** {@link #wide} rounded up to whole vectors: the row stride of the wide gradient. */
    private final int widePadded;
    /** Output channels per group rounded up to whole blocks. */
    private final int ogPadded;
    private final int[] tapShift;
    /** Bytes of the padded chunk, then of the wide output gradient, in the workspace (64-byte multiples). */
    private final long paddedBytes;
    private final long wideBytes;
    private final int oBlocks;
    private final int kBlocks;
    private final int chunk;

    /** Allocates the workspace for {@code s}, which must be supported. */
    ConvShiftedWeightGrad(ConvSpec s) {
        String why = unsupportedReason(s);
        if (why != null) {
            throw new IllegalArgumentException("shifted weight gradient: " + why + " (" + s + ")");
        }
        this.s = s;
        this.lanes = Simd.floatLanes();
        this.padSpatial = ConvPadInput.paddedSpatial(s);
        this.channelStride = padSpatial + lanes;
        this.wide = (int) ConvImplicitGemm.wideColumns(s);
        this.widePadded = (wide + lanes - 1) / lanes * lanes;
        this.ogPadded = (s.outCPerGroup() + ROWS - 1) / ROWS * ROWS;
        this.tapShift = tapShifts(s);
        this.oBlocks = ogPadded / ROWS;
        this.kBlocks = (s.inCPerGroup() * s.kernelVolume() + TAPS - 1) / TAPS;
        long fitting = CHUNK_BYTES / (((long) ROWS * widePadded + channelStride) * Float.BYTES);
        this.chunk = (int) Math.max(1, Math.min((s.n() + IMAGE_GROUPS - 1) / IMAGE_GROUPS, fitting));
        this.paddedBytes = roundUp64((long) chunk * s.inC() * channelStride * Float.BYTES);
        this.wideBytes = roundUp64((long) chunk * s.groups() * ogPadded * widePadded * Float.BYTES);
    }

    private static long roundUp64(long bytes) {
        return (bytes + 63) / 64 * 64;
    }

    /** Null if the kernel runs {@code s}, else why not: stride 1 on every axis, the vector path, int sizes. */
    static String unsupportedReason(ConvSpec s) {
        String stride = strideOneReason(s);
        if (stride != null) {
            return stride;
        }
        if (!Simd.VECTOR) {
            return "needs the vector path";
        }
        long lanes = Simd.floatLanes();
        long wideRow = (ConvImplicitGemm.wideColumns(s) + lanes - 1) / lanes * lanes;
        long perImage = Math.max((long) s.inC() * (ConvPadInput.paddedSpatial(s) + lanes),
                (long) s.groups() * (s.outCPerGroup() + ROWS) * wideRow);
        long blocks = (long) s.groups() * ((s.outCPerGroup() + ROWS - 1) / ROWS)
                * (((long) s.inCPerGroup() * s.kernelVolume() + TAPS - 1) / TAPS);
        if (perImage * Math.max(1, s.n()) > Integer.MAX_VALUE
                || IMAGE_GROUPS * blocks * BLOCK * lanes > Integer.MAX_VALUE - 8) {
            return "its workspace exceeds " + Integer.MAX_VALUE + " floats";
        }
        return null;
    }

    /** Null if {@code s} has stride 1 on every axis, which the shifted-row kernels need, else why not. */
    static String strideOneReason(ConvSpec s) {
        return s.stride(0) != 1 || s.stride(1) != 1 || s.stride(2) != 1 ? "needs stride 1 on every axis" : null;
    }

    /** Bytes of workspace used (of a thread's native buffer, and the image groups' accumulators). */
    @Override
    public long workspaceBytes() {
        return paddedBytes + wideBytes
                + (long) imageGroups(s.n()) * s.groups() * oBlocks * kBlocks * BLOCK * lanes * Float.BYTES;
    }

    /** Element offset of tap {@code t = (kd * kH + kh) * kW + kw} in a padded channel. */
    static int[] tapShifts(ConvSpec s) {
        int padH = ConvPadInput.paddedExtent(s, 1);
        int padW = ConvPadInput.paddedExtent(s, 2);
        int[] shift = new int[s.kernelVolume()];
        int t = 0;
        for (int kd = 0; kd < s.kD(); kd++) {
            for (int kh = 0; kh < s.kH(); kh++) {
                for (int kw = 0; kw < s.kW(); kw++) {
                    shift[t++] = ((kd * s.dilation(0)) * padH + kh * s.dilation(1)) * padW + kw * s.dilation(2);
                }
            }
        }
        return shift;
    }

    @Override
    public String method() {
        return "shifted-rows";
    }

    @Override
    public void weight(MemorySegment in, long inOff, MemorySegment dOut, long dOutOff, MemorySegment dW, long dWOff,
                       ComputeContext ctx) {
        int n = s.n();
        int groups = imageGroups(n);
        int cg = s.inCPerGroup();
        int og = s.outCPerGroup();
        int kk = cg * s.kernelVolume();
        ComputeContext use = ComputeContext.shareable(in, dOut, dW) ? ctx : null;
        int units = s.groups() * oBlocks * kBlocks;
        int stateFloats = units * BLOCK * lanes;
        float[] acc = ConvWorkspace.accumulators(groups * stateFloats);
        java.util.Arrays.fill(acc, 0, groups * stateFloats, 0f);
        forEach(use, groups, (g0, g1) -> {
            // zeros where copyIn writes nothing (the wide columns no output maps to, the lanes after each
            // channel), once per thread: the groups' copies overwrite only the other places
            MemorySegment ws = ConvWorkspace.local(paddedBytes + wideBytes);
            MemorySegment padded = ws.asSlice(0, paddedBytes).fill((byte) 0);
            MemorySegment dOutWide = ws.asSlice(paddedBytes, wideBytes).fill((byte) 0);
            for (int g = g0; g < g1; g++) {
                imageGroup(in, inOff, dOut, dOutOff, groupStart(g, n, groups), groupStart(g + 1, n, groups), acc,
                        g * stateFloats, padded, dOutWide);
            }
        });
        for (int u = 0; u < units; u++) {
            int grp = u / (oBlocks * kBlocks);
            int ob = u / kBlocks % oBlocks;
            int k0 = u % kBlocks * TAPS;
            for (int r = 0; r < ROWS && ob * ROWS + r < og; r++) {
                long row = dWOff + (long) (grp * og + ob * ROWS + r) * kk;
                for (int c = 0; c < TAPS && k0 + c < kk; c++) {
                    // each group's accumulator lanes added in lane order, the groups in group order
                    int at = (u * BLOCK + r * TAPS + c) * lanes;
                    float sum = 0;
                    for (int g = 0; g < groups; g++) {
                        float part = 0;
                        for (int e = g * stateFloats + at; e < g * stateFloats + at + lanes; e++) {
                            part += acc[e];
                        }
                        sum += part;
                    }
                    dW.setAtIndex(ValueLayout.JAVA_FLOAT, row + k0 + c, sum);
                }
            }
        }
    }

    /** Image groups a weight gradient cuts {@code n} images into: {@link #IMAGE_GROUPS}, or n if fewer. */
    static int imageGroups(int n) {
        return Math.max(1, Math.min(IMAGE_GROUPS, n));
    }

    /** The first image of group {@code g} of {@code groups} over {@code n} images (g = groups gives n). */
    static int groupStart(int g, int n, int groups) {
        return (int) ((long) g * n / groups);
    }

    /**
     * Adds the products of images {@code [i0, i1)} to the accumulators at {@code acc[accOff...]},
     * chunk by chunk in the current thread's {@code padded} and {@code dOutWide} (zero where copyIn
     * writes nothing).
     */
    private void imageGroup(MemorySegment in, long inOff, MemorySegment dOut, long dOutOff, int i0, int i1,
                            float[] acc, int accOff, MemorySegment padded, MemorySegment dOutWide) {
        int cg = s.inCPerGroup();
        int kk = cg * s.kernelVolume();
        long aImageBytes = (long) s.groups() * ogPadded * widePadded * Float.BYTES;
        long bImageBytes = (long) s.inC() * channelStride * Float.BYTES;
        long[] shifts = new long[TAPS];
        for (int n0 = i0; n0 < i1; n0 += chunk) {
            int count = Math.min(i1, n0 + chunk) - n0;
            for (int b = 0; b < count; b++) {
                copyIn(in, inOff, dOut, dOutOff, n0 + b, padded, dOutWide, b);
            }
            for (int u = 0; u < s.groups() * oBlocks * kBlocks; u++) {
                int grp = u / (oBlocks * kBlocks);
                int ob = u / kBlocks % oBlocks;
                int k0 = u % kBlocks * TAPS;
                for (int c = 0; c < TAPS; c++) {
                    int k = k0 + c < kk ? k0 + c : k0;
                    int ic = grp * cg + k / s.kernelVolume();
                    shifts[c] = (ic * channelStride + tapShift[k % s.kernelVolume()]) * Float.BYTES;
                }
                long aBase = ((long) grp * ogPadded + (long) ob * ROWS) * widePadded * Float.BYTES;
                ConvShiftedWeightGradVector.block(dOutWide, aBase, aImageBytes, (long) widePadded * Float.BYTES,
                        padded, bImageBytes, shifts, 0, count, widePadded, acc, accOff + u * BLOCK * lanes);
            }
        }
    }

    /**
     * Pads image {@code b}'s channels into the workspace's image slot {@code slot} and scatters its
     * output gradient to that slot's wide columns.
     */
    private void copyIn(MemorySegment in, long inOff, MemorySegment dOut, long dOutOff, int b, MemorySegment padded,
                        MemorySegment dOutWide, int slot) {
        long imageIn = inOff + (long) b * s.inC() * s.inSpatial();
        long imagePadded = (long) slot * s.inC() * channelStride;
        for (int c = 0; c < s.inC(); c++) {
            // pad() writes channel c at dstOff + c * padSpatial: shift dstOff so it lands at c * channelStride.
            ConvPadInput.pad(s, in, imageIn, padded, imagePadded + c * (channelStride - padSpatial), c, c + 1);
        }
        for (int grp = 0; grp < s.groups(); grp++) {
            scatterWide(s, dOut, dOutOff, b, grp, dOutWide,
                    (((long) slot * s.groups() + grp) * ogPadded) * widePadded, widePadded);
        }
    }

    /**
     * Copies the output gradient of image {@code b}, group {@code grp} to wide columns: channel
     * {@code o}'s position {@code (od, oh, ow)} to {@code dst[dstOff + o * rowStride + (od * padH
     * + oh) * padW + ow]} (element offsets). The other columns are left as they are (zeros).
     */
    static void scatterWide(ConvSpec s, MemorySegment dOut, long dOutOff, int b, int grp, MemorySegment dst,
                            long dstOff, long rowStride) {
        int og = s.outCPerGroup();
        int padH = ConvPadInput.paddedExtent(s, 1);
        int padW = ConvPadInput.paddedExtent(s, 2);
        int outW = s.outW();
        for (int o = 0; o < og; o++) {
            long src = dOutOff + ((long) b * s.outC() + (long) grp * og + o) * s.outSpatial();
            long row = dstOff + o * rowStride;
            for (int od = 0; od < s.outD(); od++, src += (long) s.outH() * outW) {
                ConvPadInput.copyRows(dOut, src, outW, dst, row + (long) od * padH * padW, padW, s.outH(), outW);
            }
        }
    }

    /** Runs {@code body} over {@code [0, n)} on {@code ctx}'s threads, or on the caller if ctx is null. */
    static void forEach(ComputeContext ctx, int n, dev.fovea.simd.parallel.RangeTask body) {
        if (ctx == null) {
            body.run(0, n);
        } else {
            ctx.parallelFor(n, 1, body);
        }
    }
}
