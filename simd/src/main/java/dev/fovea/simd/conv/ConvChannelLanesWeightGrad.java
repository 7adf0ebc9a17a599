package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The weight gradient with the output channels across the vector lanes: per output position, one
 * vector of the output gradient (a lane per output channel) times the broadcast input value under
 * each tap. No lane is spent on the columns a row-shifted kernel computes past the end of each
 * output row, and none is summed at the end, so it wins over {@link ConvShiftedWeightGrad} where the
 * output channels fill the lanes and the rows are short (LeNet-5's {@code 6 -> 16} 5x5 layer on
 * 14x14: 100 of its 144 wide columns are real). {@link #prefers} says where.
 *
 * <p>With the input padded as {@link ConvPadInput} pads it (any {@link PaddingMode}; channel
 * stride {@code padSpatial}) and {@code s_t} the offset of tap {@code t} in a padded channel
 * (dilation included), output position {@code (od, oh, ow)} reads padded offset
 * {@code pos = (od * sd * padH + oh * sh) * padW + ow * sw}. Per group, with {@code K = cg * kVol}:
 * <pre>
 *   dW[o, ic * kVol + t] = sum over images b, positions (od, oh, ow) of dOut[b, o, od, oh, ow] * P[b, ic, pos + s_t]
 * </pre>
 * The output gradient is first transposed to {@code dOutT[b][grp][v][position][lane]}, output
 * channel {@code v * lanes + lane} of the group (lanes past the group's channels are zeros). The
 * kernel ({@link ConvChannelLanesWeightGradVector}) computes a block of {@link #TAPS} taps for one
 * vector of output channels; a short last tap block repeats its first tap and is discarded.
 *
 * <p><b>Workspace:</b> the accumulators of each image group ({@code units * TAPS * lanes} floats
 * per group, in the calling thread's {@link ConvWorkspace#accumulators}), and in each working
 * thread's {@link ConvWorkspace#floats} one chunk of images ({@link #CHUNK_BYTES}) of padded input
 * ({@code inC * padSpatial} floats each) and transposed output gradient
 * ({@code groups * ceil(og / lanes) * outSpatial * lanes} each). Heap arrays, not native memory:
 * the kernel's 12 input reads per position then need no index check inside its loop (1.3x in a
 * scratch harness against the same kernel on a {@code MemorySegment}). With padding, an image is
 * padded in the thread's native buffer first and then copied in. Calls allocate nothing once the
 * thread's buffers have grown. Not safe for concurrent calls on one object.
 *
 * <p><b>Threads and numerics:</b> the images are cut into {@link ConvShiftedWeightGrad#imageGroups}
 * fixed groups, which the threads share out (one fork per call); each group is one float FMA chain
 * per gradient element over its images and positions in order, and the groups' sums are added in
 * group order. The groups depend on {@code n} only, so results are bit-identical for any thread
 * count; the error is float rounding of a sum of {@code n * outSpatial} products.
 *
 * <p>Supports every {@link ConvSpec} (stride, dilation, padding, groups, 1-3 dims) on the vector
 * path within int-indexed arrays ({@link #unsupportedReason}).
 */
final class ConvChannelLanesWeightGrad implements ConvDirectWeightGrad {
    /** Taps per block: the accumulators of the vector kernel. */
    static final int TAPS = 12;
    /**
     * Images per pass: as many as keep their padded input and transposed output gradient within
     * this many bytes (a quarter of Zen 4's 1 MiB L2), which every block of the pass reads once.
     */
    static final int CHUNK_BYTES = 256 << 10;
    /*
     * The cost model of prefers(), in nanoseconds, fitted to both kernels on nine layers (Zen 4,
     * one thread, JDK 25; bench/RESULTS.md): per vector FMA of each kernel, per float this kernel
     * transposes or copies in, and the row-shifted kernel's cost per output row it scatters and per
     * block and image it runs (its short inner loops and accumulator reloads).
     */
    private static final double NS_PER_FMA = 0.42;
    private static final double NS_PER_TRANSPOSED = 0.4;
    private static final double NS_PER_COPIED = 0.25;
    private static final double SHIFTED_NS_PER_FMA = 0.33;
    private static final double SHIFTED_NS_PER_ROW = 8;
    private static final double SHIFTED_NS_PER_BLOCK_IMAGE = 30;

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private final ConvSpec s;
    private final int lanes;
    /** Vectors of output channels per group. */
    private final int vectors;
    private final int kBlocks;
    private final int units;
    private final int padSpatial;
    private final boolean padded;
    private final int xImage;
    private final int dyImage;
    /** Output positions per image. */
    private final int positions;
    private final int stateFloats;
    private final int chunk;
    /** The padded-channel offsets of each tap block's taps, relative to its group's first channel. */
    private final int[][] blockShifts;

    /** Plans {@code s}, which must be supported. */
    ConvChannelLanesWeightGrad(ConvSpec s) {
        String why = unsupportedReason(s);
        if (why != null) {
            throw new IllegalArgumentException("channel-lanes weight gradient: " + why + " (" + s + ")");
        }
        this.s = s;
        this.lanes = Simd.floatLanes();
        this.vectors = (s.outCPerGroup() + lanes - 1) / lanes;
        int kk = s.inCPerGroup() * s.kernelVolume();
        this.kBlocks = (kk + TAPS - 1) / TAPS;
        this.units = s.groups() * vectors * kBlocks;
        this.padSpatial = (int) ConvPadInput.paddedSpatial(s);
        this.padded = padSpatial != s.inSpatial();
        this.xImage = s.inC() * padSpatial;
        this.positions = (int) s.outSpatial();
        this.dyImage = s.groups() * vectors * positions * lanes;
        this.stateFloats = units * TAPS * lanes;
        long fitting = CHUNK_BYTES / (((long) xImage + dyImage) * Float.BYTES);
        long room = (Integer.MAX_VALUE - 8L) / ((long) xImage + dyImage);
        int perGroup = (s.n() + ConvShiftedWeightGrad.IMAGE_GROUPS - 1) / ConvShiftedWeightGrad.IMAGE_GROUPS;
        this.chunk = (int) Math.max(1, Math.min(Math.min(perGroup, fitting), room));
        int[] tap = ConvShiftedWeightGrad.tapShifts(s);
        int kVol = s.kernelVolume();
        this.blockShifts = new int[kBlocks][TAPS];
        for (int b = 0; b < kBlocks; b++) {
            for (int c = 0; c < TAPS; c++) {
                int k = b * TAPS + c < kk ? b * TAPS + c : b * TAPS;
                blockShifts[b][c] = k / kVol * padSpatial + tap[k % kVol];
            }
        }
    }

    /** Null if the kernel runs {@code s}, else why not: the vector path, and arrays indexed by int. */
    static String unsupportedReason(ConvSpec s) {
        if (!Simd.VECTOR) {
            return "needs the vector path";
        }
        long lanes = Simd.floatLanes();
        long vectors = (s.outCPerGroup() + lanes - 1) / lanes;
        long kBlocks = ((long) s.inCPerGroup() * s.kernelVolume() + TAPS - 1) / TAPS;
        long state = ConvShiftedWeightGrad.IMAGE_GROUPS * s.groups() * vectors * kBlocks * TAPS * lanes;
        long image = (long) s.inC() * ConvPadInput.paddedSpatial(s) + s.groups() * vectors * s.outSpatial() * lanes;
        if (state > Integer.MAX_VALUE - 8 || image > Integer.MAX_VALUE - 8) {
            return "its accumulators or one image's workspace exceed " + (Integer.MAX_VALUE - 8) + " floats";
        }
        return null;
    }

    /**
     * True if this kernel should run {@code s} rather than {@link ConvShiftedWeightGrad} (both must
     * support it), by a cost model of both. The row-shifted kernel spends lanes on the wide columns
     * past each output row and rows on padding the output channels to blocks of 6, and pays per
     * short row; this one spends lanes past the output channels in their last vector, and transposes
     * the output gradient. It wins on LeNet-5's {@code 6 -> 16} layer (1.4-1.6x) and loses on its
     * {@code 1 -> 6} layer (0.3x) and on large images.
     */
    static boolean prefers(ConvSpec s) {
        double lanes = Simd.floatLanes();
        double n = s.n();
        double og = s.outCPerGroup();
        double kk = (double) s.inCPerGroup() * s.kernelVolume();
        double positions = s.outSpatial();
        double vectors = Math.ceil(og / lanes);
        double here = NS_PER_FMA * n * s.groups() * positions * vectors * Math.ceil(kk / TAPS) * TAPS
                + NS_PER_TRANSPOSED * n * s.groups() * positions * vectors * lanes
                + NS_PER_COPIED * n * s.inC() * ConvPadInput.paddedSpatial(s);
        double rows = ConvShiftedWeightGrad.ROWS;
        double taps = ConvShiftedWeightGrad.TAPS;
        double wideVectors = Math.ceil(ConvImplicitGemm.wideColumns(s) / lanes);
        double blocks = s.groups() * Math.ceil(og / rows) * Math.ceil(kk / taps);
        double shifted = SHIFTED_NS_PER_FMA * n * wideVectors * blocks * rows * taps
                + SHIFTED_NS_PER_ROW * n * s.outC() * s.outD() * s.outH()
                + SHIFTED_NS_PER_BLOCK_IMAGE * n * blocks;
        return here < shifted;
    }

    @Override
    public String method() {
        return "channel-lanes";
    }

    @Override
    public long workspaceBytes() {
        return ((long) ConvShiftedWeightGrad.imageGroups(s.n()) * stateFloats + (long) chunk * (xImage + dyImage))
                * Float.BYTES + (padded ? (long) xImage * Float.BYTES : 0);
    }

    @Override
    public void weight(MemorySegment in, long inOff, MemorySegment dOut, long dOutOff, MemorySegment dW, long dWOff,
                       ComputeContext ctx) {
        int n = s.n();
        int groups = ConvShiftedWeightGrad.imageGroups(n);
        ComputeContext use = ComputeContext.shareable(in, dOut, dW) ? ctx : null;
        float[] acc = ConvWorkspace.accumulators(groups * stateFloats);
        Arrays.fill(acc, 0, groups * stateFloats, 0f);
        ConvShiftedWeightGrad.forEach(use, groups, (g0, g1) -> {
            for (int g = g0; g < g1; g++) {
                imageGroup(in, inOff, dOut, dOutOff, ConvShiftedWeightGrad.groupStart(g, n, groups),
                        ConvShiftedWeightGrad.groupStart(g + 1, n, groups), acc, g * stateFloats);
            }
        });
        int og = s.outCPerGroup();
        int kk = s.inCPerGroup() * s.kernelVolume();
        for (int u = 0; u < units; u++) {
            int grp = u / (vectors * kBlocks);
            int v = u / kBlocks % vectors;
            int k0 = u % kBlocks * TAPS;
            for (int c = 0; c < TAPS && k0 + c < kk; c++) {
                int at = (u * TAPS + c) * lanes;
                for (int o = 0; o < lanes && v * lanes + o < og; o++) {
                    // the image groups' sums, added in group order
                    float sum = 0;
                    for (int g = 0; g < groups; g++) {
                        sum += acc[g * stateFloats + at + o];
                    }
                    dW.setAtIndex(F, dWOff + (long) (grp * og + v * lanes + o) * kk + k0 + c, sum);
                }
            }
        }
    }

    /**
     * Adds the products of images {@code [i0, i1)} to the accumulators at {@code acc[accOff...]},
     * chunk by chunk in the current thread's array.
     */
    private void imageGroup(MemorySegment in, long inOff, MemorySegment dOut, long dOutOff, int i0, int i1,
                            float[] acc, int accOff) {
        float[] ws = ConvWorkspace.floats(chunk * (xImage + dyImage));
        int dyStart = chunk * xImage;
        int cg = s.inCPerGroup();
        int padH = ConvPadInput.paddedExtent(s, 1);
        int padW = ConvPadInput.paddedExtent(s, 2);
        int outPlane = s.outH() * s.outW();
        int depthStep = s.stride(0) * padH * padW;
        int rowStep = s.stride(1) * padW;
        int colStep = s.stride(2);
        for (int n0 = i0; n0 < i1; n0 += chunk) {
            int count = Math.min(i1, n0 + chunk) - n0;
            for (int b = 0; b < count; b++) {
                copyIn(in, inOff, dOut, dOutOff, n0 + b, ws, b * xImage, dyStart + b * dyImage);
            }
            for (int u = 0; u < units; u++) {
                int grp = u / (vectors * kBlocks);
                int v = u / kBlocks % vectors;
                int[] shift = blockShifts[u % kBlocks];
                for (int b = 0; b < count; b++) {
                    int x = b * xImage + grp * cg * padSpatial;
                    int dy = dyStart + b * dyImage + (grp * vectors + v) * positions * lanes;
                    for (int od = 0; od < s.outD(); od++) {
                        ConvChannelLanesWeightGradVector.block(ws, dy + od * outPlane * lanes, ws, x + od * depthStep,
                                shift, s.outH(), rowStep, s.outW(), colStep, acc, accOff + u * TAPS * lanes);
                    }
                }
            }
        }
    }

    /**
     * Writes image {@code b}'s padded input to {@code ws[x...]} and its output gradient,
     * transposed to output channels across the lanes, to {@code ws[dy...]}.
     */
    private void copyIn(MemorySegment in, long inOff, MemorySegment dOut, long dOutOff, int b, float[] ws, int x,
                        int dy) {
        ConvPadInput.padInto(s, in, inOff + (long) b * s.inC() * s.inSpatial(), ws, x);
        int og = s.outCPerGroup();
        for (int grp = 0; grp < s.groups(); grp++) {
            for (int v = 0; v < vectors; v++) {
                int base = dy + (grp * vectors + v) * positions * lanes;
                int real = Math.min(lanes, og - v * lanes);
                for (int o = 0; o < real; o++) {
                    long src = dOutOff + ((long) b * s.outC() + grp * og + v * lanes + o) * positions;
                    for (int p = 0; p < positions; p++) {
                        ws[base + p * lanes + o] = dOut.getAtIndex(F, src + p);
                    }
                }
                for (int o = real; o < lanes; o++) {
                    for (int p = 0; p < positions; p++) {
                        ws[base + p * lanes + o] = 0f;
                    }
                }
            }
        }
    }
}
