package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Materialises the padded input of a convolution: channels laid out {@code (c, inD, inH, inW)}
 * are copied into a workspace laid out {@code (c, padD, padH, padW)} with
 * {@code padX = inX + padBegin(axis) + padEnd(axis)} ({@link #paddedExtent}), and the border is
 * filled as the spec's {@link PaddingMode} says: zeros, reflect, replicate or circular, each axis
 * mapped independently by {@link PaddingMode#sourceIndex} exactly as {@link ConvNaive} reads it.
 * After this, any algorithm can run the convolution on the workspace as an unpadded one: padded
 * position {@code p} along an axis is input position {@code p - padBegin(axis)}.
 *
 * <p>Reusable by any algorithm (implicit GEMM, Winograd, direct kernels): a kernel in the house
 * style, static, over a {@code [c0, c1)} channel range so the caller splits channels over its
 * threads; it never allocates. Workspace per channel: {@link #paddedSpatial} floats. Each row of
 * the input is one bulk copy; only the border is computed element by element. {@code dst} must
 * not overlap {@code in}. Element offsets, not bytes.
 */
final class ConvPadInput {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Shorter runs are written element by element: a bulk copy or fill has a fixed call cost. */
    private static final int BULK_MIN = 8;
    /**
     * Runs up to this many floats are copied with vectors where the vector path is on
     * ({@link ConvIm2colVector#copyShort}): a bulk copy costs ~8 ns per call, which was 10% of a
     * LeNet-5 run (its implicit GEMM copies 328 output rows of 28 and 10 floats).
     */
    private static final int VECTOR_COPY_MAX = 64;
    /** Floats in {@link #ZEROS}. */
    private static final long ZEROS_FLOATS = 4096;
    /** A block of zeros that {@link #zero} copies from. */
    private static final MemorySegment ZEROS = java.lang.foreign.Arena.global().allocate(ZEROS_FLOATS * Float.BYTES, 64);

    private ConvPadInput() {}

    /** The padded extent along {@code axis} (0 = D, 1 = H, 2 = W): {@code in + padBegin + padEnd}. */
    static int paddedExtent(ConvSpec s, int axis) {
        return s.in(axis) + s.padBegin(axis) + s.padEnd(axis);
    }

    /** Floats of one padded channel: {@code padD * padH * padW}. */
    static long paddedSpatial(ConvSpec s) {
        return (long) paddedExtent(s, 0) * paddedExtent(s, 1) * paddedExtent(s, 2);
    }

    /**
     * Writes padded channels {@code [c0, c1)}: channel {@code c} is read from
     * {@code in[inOff + c * inSpatial ...]} and written, padded, to
     * {@code dst[dstOff + c * paddedSpatial ...]} (overwritten, every element of the channel).
     */
    static void pad(ConvSpec s, MemorySegment in, long inOff, MemorySegment dst, long dstOff, int c0, int c1) {
        int padD = paddedExtent(s, 0);
        int padH = paddedExtent(s, 1);
        int padW = paddedExtent(s, 2);
        PaddingMode mode = s.paddingMode();
        if (paddedSpatial(s) == s.inSpatial()) {
            // no padding: the channels are one contiguous run on both sides
            long count = (c1 - c0) * s.inSpatial();
            if (count <= VECTOR_COPY_MAX) {
                copy(in, inOff + c0 * s.inSpatial(), dst, dstOff + c0 * s.inSpatial(), (int) count);
            } else {
                MemorySegment.copy(in, (inOff + c0 * s.inSpatial()) * Float.BYTES, dst,
                        (dstOff + c0 * s.inSpatial()) * Float.BYTES, count * Float.BYTES);
            }
            return;
        }
        for (int c = c0; c < c1; c++) {
            long src = inOff + c * s.inSpatial();
            long row = dstOff + c * paddedSpatial(s);
            for (int pd = 0; pd < padD; pd++) {
                int id = mode.sourceIndex(pd - s.padBegin(0), s.inD());
                for (int ph = 0; ph < padH; ph++, row += padW) {
                    int ih = mode.sourceIndex(ph - s.padBegin(1), s.inH());
                    if (id < 0 || ih < 0) {
                        zero(dst, row, padW);
                    } else {
                        padRow(s, mode, in, src + ((long) id * s.inH() + ih) * s.inW(), dst, row);
                    }
                }
            }
        }
    }

    /** One padded row of {@code padW} floats from the input row at {@code src}. */
    private static void padRow(ConvSpec s, PaddingMode mode, MemorySegment in, long src, MemorySegment dst,
                               long row) {
        int inW = s.inW();
        int before = s.padBegin(2);
        for (int x = 0; x < before; x++) {
            dst.setAtIndex(F, row + x, edge(mode, in, src, x - before, inW));
        }
        copy(in, src, dst, row + before, inW);
        for (int x = 0; x < s.padEnd(2); x++) {
            dst.setAtIndex(F, row + before + inW + x, edge(mode, in, src, inW + x, inW));
        }
    }

    /** The value padding mode {@code mode} gives at coordinate {@code i} of a row of {@code size} at {@code src}. */
    static float edge(PaddingMode mode, MemorySegment in, long src, int i, int size) {
        int j = mode.sourceIndex(i, size);
        return j < 0 ? 0f : in.getAtIndex(F, src + j);
    }

    /** Copies {@code count} floats; element offsets. */
    static void copy(MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int count) {
        if (count <= VECTOR_COPY_MAX && Simd.VECTOR) {
            ConvIm2colVector.copyShort(src, srcOff, dst, dstOff, count);
            return;
        }
        if (count >= BULK_MIN) {
            MemorySegment.copy(src, srcOff * Float.BYTES, dst, dstOff * Float.BYTES, (long) count * Float.BYTES);
        } else {
            for (int i = 0; i < count; i++) {
                dst.setAtIndex(F, dstOff + i, src.getAtIndex(F, srcOff + i));
            }
        }
    }

    /**
     * Writes the padded channels of the image at {@code in[imageOff...]} to {@code dst[dstOff...]}
     * ({@code inC * paddedSpatial} floats, a heap array for kernels that broadcast from it): one
     * bulk copy without padding, else padded in the thread's {@link ConvWorkspace#local} buffer and
     * copied over.
     */
    static void padInto(ConvSpec s, MemorySegment in, long imageOff, float[] dst, int dstOff) {
        int floats = (int) (s.inC() * paddedSpatial(s));
        if (paddedSpatial(s) == s.inSpatial()) {
            MemorySegment.copy(in, F, imageOff * Float.BYTES, dst, dstOff, floats);
            return;
        }
        MemorySegment tmp = ConvWorkspace.local((long) floats * Float.BYTES);
        pad(s, in, imageOff, tmp, 0, 0, s.inC());
        MemorySegment.copy(tmp, F, 0, dst, dstOff, floats);
    }

    /**
     * Copies {@code rows} runs of {@code count} floats, run r from {@code src[srcOff + r * srcStride]}
     * to {@code dst[dstOff + r * dstStride]}; element offsets. Short runs go through one vector loop
     * ({@link ConvIm2colVector#copyRows}) instead of a call per run.
     */
    static void copyRows(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                         long dstStride, int rows, int count) {
        if (rows > 0 && count > 0 && count <= VECTOR_COPY_MAX && Simd.VECTOR) {
            ConvIm2colVector.copyRows(src, srcOff, srcStride, dst, dstOff, dstStride, rows, count);
            return;
        }
        for (int r = 0; r < rows; r++) {
            copy(src, srcOff + r * srcStride, dst, dstOff + r * dstStride, count);
        }
    }

    /** Sets {@code count} floats to +0; element offsets. */
    static void zero(MemorySegment dst, long dstOff, int count) {
        if (count >= BULK_MIN) {
            // Bulk copies from a block of zeros, not asSlice(..).fill: a slice is a new segment object per call.
            for (long done = 0; done < count; done += ZEROS_FLOATS) {
                long m = Math.min(ZEROS_FLOATS, count - done);
                MemorySegment.copy(ZEROS, 0, dst, (dstOff + done) * Float.BYTES, m * Float.BYTES);
            }
        } else {
            for (int i = 0; i < count; i++) {
                dst.setAtIndex(F, dstOff + i, 0f);
            }
        }
    }
}
