package dev.fovea.simd.conv;

import dev.fovea.simd.internal.FloatSpecies;
import dev.fovea.simd.internal.LanePermutes;
import dev.fovea.simd.internal.PartialVectors;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The depthwise kernel for 3x3 stride 2 (dilation 1, any padding): MobileNetV2's down-sampling
 * layers. An output row is cut into column blocks of {@link #BLOCK} outputs; per block and kernel
 * row, two vector loads hold the 2 L inputs the block reads, and three two-vector permutes pick
 * the inputs of taps kw = 0, 1, 2 (lanes 2j, 2j + 1, 2j + 2). Which lanes read inside the row
 * depends on the column block only, so the masks of a block (zeroing the inputs outside the row,
 * -0 weights for the taps outside) are made once per plan, and the weights are blended once per
 * block and plane, not per row. Every output is the scalar loop's FMA chain (bias, then the taps
 * in (kh, kw) order, a tap outside adding exactly -0; rows outside are skipped), and ReLU and
 * hardtanh are applied before the store as in {@link ConvDepthwiseFlat}.
 *
 * <p>It replaces, for these layers, the row kernel's masked blocks, which built two masks and a
 * weight blend per tap and read with masked loads: Zen 4, 1 thread, 576 x 14 x 14 -> 7 x 7 took
 * 0.45 ms (1.1 GFLOP/s) that way.
 */
final class ConvDepthwiseStride2 implements DepthwisePlanes {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    /** Outputs per column block: the last lane's tap kw = 2 reads input lane 2 (BLOCK - 1) + 2 < 2 L. */
    static final int BLOCK = L - 1;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final long B = Float.BYTES;
    private static final FloatVector NEG_ZERO = FloatVector.broadcast(S, -0f);
    private static final FloatVector ZERO = FloatVector.zero(S);
    private static final FloatVector TAP0 = LanePermutes.of(j -> 2 * j);
    private static final FloatVector TAP1 = LanePermutes.of(j -> 2 * j + 1);
    private static final FloatVector TAP2 = LanePermutes.of(j -> Math.min(2 * j + 2, 2 * L - 1));
    /** Longs per column block in {@link #blocks}. */
    private static final int PER_BLOCK = 6;

    private final int inH;
    private final int inW;
    private final int outH;
    private final int outW;
    private final int padH;
    /**
     * Per column block: first input column, the lane bits of the two loads' columns inside the row,
     * of the lanes whose taps kw = 0, 1, 2 read inside it, and of the block's outputs.
     */
    private final long[] blocks;

    private ConvDepthwiseStride2(ConvSpec s) {
        inH = s.inH();
        inW = s.inW();
        outH = s.outH();
        outW = s.outW();
        padH = s.padBegin(1);
        int count = (outW + BLOCK - 1) / BLOCK;
        blocks = new long[count * PER_BLOCK];
        for (int b = 0; b < count; b++) {
            int ow0 = b * BLOCK;
            int c0 = 2 * ow0 - s.padBegin(2);
            int lanes = Math.min(BLOCK, outW - ow0);
            blocks[b * PER_BLOCK] = c0;
            blocks[b * PER_BLOCK + 1] = PartialVectors.laneBits(c0, inW);
            blocks[b * PER_BLOCK + 2] = PartialVectors.laneBits(c0 + L, inW);
            for (int kw = 0; kw < 3; kw++) {
                long bits = 0;
                for (int j = 0; j < lanes; j++) {
                    int c = c0 + 2 * j + kw;
                    if (c >= 0 && c < inW) {
                        bits |= 1L << j;
                    }
                }
                blocks[b * PER_BLOCK + 3 + kw] = bits;
            }
        }
    }

    /** Returns the tables for {@code s}, or null unless it is 3x3, stride 2, dilation 1 (2-d). */
    static ConvDepthwiseStride2 of(ConvSpec s) {
        boolean applies = s.kH() == 3 && s.kW() == 3 && s.stride(1) == 2 && s.stride(2) == 2 && s.dilation(1) == 1
                && s.dilation(2) == 1;
        return applies ? new ConvDepthwiseStride2(s) : null;
    }

    @Override
    public boolean fits(MemorySegment in, long inBase, MemorySegment out, long outBase) {
        long firstColumn = blocks[0];
        long lastColumn = blocks[blocks.length - PER_BLOCK];
        long lastOutput = (long) (outH - 1) * outW + (long) (blocks.length / PER_BLOCK - 1) * BLOCK;
        return PartialVectors.fits(in, (inBase + firstColumn) * B)
                && PartialVectors.fits(in, (inBase + (long) (inH - 1) * inW + lastColumn + L) * B)
                && PartialVectors.fits(out, (outBase + lastOutput) * B);
    }

    @Override
    public void plane(MemorySegment in, long inBase, float[] w, int wb, float bias, MemorySegment out, long outBase,
                      int act, float actLo, float actHi) {
        for (int b = 0; b < blocks.length; b += PER_BLOCK) {
            block(in, inBase, w, wb, bias, out, outBase + (long) (b / PER_BLOCK) * BLOCK, b, act, actLo, actHi);
        }
    }

    /** Every output row of the column block whose tables start at {@code blocks[bi]}; {@code outBase} is its column. */
    private void block(MemorySegment in, long inBase, float[] w, int wb, float bias, MemorySegment out, long outBase,
                       int bi, int act, float actLo, float actHi) {
        long c0 = blocks[bi];
        VectorMask<Float> lo = VectorMask.fromLong(S, blocks[bi + 1]);
        VectorMask<Float> hi = VectorMask.fromLong(S, blocks[bi + 2]);
        VectorMask<Float> k0 = VectorMask.fromLong(S, blocks[bi + 3]);
        VectorMask<Float> k1 = VectorMask.fromLong(S, blocks[bi + 4]);
        VectorMask<Float> k2 = VectorMask.fromLong(S, blocks[bi + 5]);
        VectorMask<Float> store = VectorMask.fromLong(S, PartialVectors.laneBits(0, Math.min(BLOCK, outW - (bi / PER_BLOCK) * BLOCK)));
        FloatVector v0 = NEG_ZERO.blend(FloatVector.broadcast(S, w[wb]), k0);
        FloatVector v1 = NEG_ZERO.blend(FloatVector.broadcast(S, w[wb + 1]), k1);
        FloatVector v2 = NEG_ZERO.blend(FloatVector.broadcast(S, w[wb + 2]), k2);
        FloatVector v3 = NEG_ZERO.blend(FloatVector.broadcast(S, w[wb + 3]), k0);
        FloatVector v4 = NEG_ZERO.blend(FloatVector.broadcast(S, w[wb + 4]), k1);
        FloatVector v5 = NEG_ZERO.blend(FloatVector.broadcast(S, w[wb + 5]), k2);
        FloatVector v6 = NEG_ZERO.blend(FloatVector.broadcast(S, w[wb + 6]), k0);
        FloatVector v7 = NEG_ZERO.blend(FloatVector.broadcast(S, w[wb + 7]), k1);
        FloatVector v8 = NEG_ZERO.blend(FloatVector.broadcast(S, w[wb + 8]), k2);
        FloatVector bv = FloatVector.broadcast(S, bias);
        FloatVector low = FloatVector.broadcast(S, act == ACT_RELU ? 0f : actLo);
        FloatVector high = FloatVector.broadcast(S, actHi);
        for (int oh = 0; oh < outH; oh++) {
            int ih = 2 * oh - padH;
            long a = (inBase + (long) ih * inW + c0) * B;
            long rs = inW * B;
            FloatVector acc = bv;
            FloatVector x0;
            FloatVector x1;
            if (ih >= 0 && ih < inH) {
                x0 = ZERO.blend(FloatVector.fromMemorySegment(S, in, a, O), lo);
                x1 = ZERO.blend(FloatVector.fromMemorySegment(S, in, a + L * B, O), hi);
                acc = TAP0.selectFrom(x0, x1).fma(v0, acc);
                acc = TAP1.selectFrom(x0, x1).fma(v1, acc);
                acc = TAP2.selectFrom(x0, x1).fma(v2, acc);
            }
            if (ih + 1 >= 0 && ih + 1 < inH) {
                x0 = ZERO.blend(FloatVector.fromMemorySegment(S, in, a + rs, O), lo);
                x1 = ZERO.blend(FloatVector.fromMemorySegment(S, in, a + rs + L * B, O), hi);
                acc = TAP0.selectFrom(x0, x1).fma(v3, acc);
                acc = TAP1.selectFrom(x0, x1).fma(v4, acc);
                acc = TAP2.selectFrom(x0, x1).fma(v5, acc);
            }
            if (ih + 2 >= 0 && ih + 2 < inH) {
                x0 = ZERO.blend(FloatVector.fromMemorySegment(S, in, a + 2 * rs, O), lo);
                x1 = ZERO.blend(FloatVector.fromMemorySegment(S, in, a + 2 * rs + L * B, O), hi);
                acc = TAP0.selectFrom(x0, x1).fma(v6, acc);
                acc = TAP1.selectFrom(x0, x1).fma(v7, acc);
                acc = TAP2.selectFrom(x0, x1).fma(v8, acc);
            }
            if (act == ACT_RELU) {
                acc = acc.blend(low, acc.compare(VectorOperators.LE, low));
            } else if (act == ACT_HARDTANH) {
                VectorMask<Float> below = acc.compare(VectorOperators.LT, low);
                acc = acc.blend(high, acc.compare(VectorOperators.GT, high)).blend(low, below);
            }
            acc.intoMemorySegment(out, (outBase + (long) oh * outW) * B, O, store);
        }
    }
}
