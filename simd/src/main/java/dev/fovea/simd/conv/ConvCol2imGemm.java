package dev.fovea.simd.conv;

import dev.fovea.simd.gemm.Epilogue;
import dev.fovea.simd.gemm.Sgemm;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.reduce.Reduce;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The GEMM engine behind {@link ConvBackward} and {@link ConvTranspose}: for one
 * {@link ConvCol2im.Geometry}, per image and group g (cg = inC / groups rows of channels, og =
 * outC / groups, K = cg * kVol, P = out spatial),
 * <pre>
 *   forward: out_g (og x P)  = W_g (og x K) * col_g (K x P)           col = im2col(in)
 *   data:    col_g (K x P)   = W_g^T * dOut_g;  dIn = col2im(col)
 *   weight:  dW_g (og x K)  += dOut_g (og x P) * col_g^T               images in order 0..n-1
 * </pre>
 * The groups of one image are one {@link Sgemm#sgemmBatched} call. When the column matrix is the
 * image itself (1x1, stride 1, unpadded) GEMM reads or writes the image directly and no
 * workspace exists.
 *
 * <p><b>Workspace:</b> one image's column matrix, {@code inC * kVol * P} floats, allocated once
 * in a shared arena owned by this object (freed by {@link #close}); the calls allocate nothing
 * else of size. Not safe for concurrent calls on one instance.
 *
 * <p><b>Threads:</b> GEMM threads itself; im2col is split over column rows and col2im over
 * channels, each output element written by one part in a fixed order, so results are
 * bit-identical for any thread count. Operands in a thread-confined arena run on the caller.
 */
final class ConvCol2imGemm implements AutoCloseable {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Below this many floats moved, im2col/col2im stay on the caller: a fork costs more than the copy. */
    private static final long PARALLEL_MIN_FLOATS = 1 << 15;

    private final ConvCol2im.Geometry g;
    private final Arena arena;
    private final MemorySegment col;

    ConvCol2imGemm(ConvCol2im.Geometry g) {
        this.g = g;
        if (g.identityColumns()) {
            arena = null;
            col = null;
        } else {
            arena = Arena.ofShared();
            col = arena.allocate(Math.max(1, g.colElements()) * Float.BYTES, 64);
        }
    }

    long workspaceBytes() {
        return col == null ? 0 : col.byteSize();
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }

    /** {@code out = conv(in, w) + bias} (bias per output channel, may be null); out overwritten. */
    void forward(MemorySegment in, long inOff, MemorySegment w, long wOff, MemorySegment bias, long biasOff,
                 MemorySegment out, long outOff, ComputeContext ctx) {
        int cg = g.cg();
        int og = g.og();
        int kk = cg * g.kVol();
        int p = g.outSpatial();
        for (int b = 0; b < g.n(); b++) {
            long inImg = inOff + (long) b * g.inC() * g.inSpatial();
            long outImg = outOff + (long) b * g.outC() * p;
            MemorySegment src = columns(in, inImg, ctx);
            long srcOff = col == null ? inImg : 0;
            for (int grp = 0; grp < g.groups(); grp++) {
                Epilogue epi = bias == null ? Epilogue.NONE : Epilogue.rowBias(bias, biasOff + (long) grp * og);
                Sgemm.sgemm(ctx, false, false, og, p, kk, 1f, w, wOff + (long) grp * og * kk, kk,
                        src, srcOff + (long) grp * kk * p, p, 0f, out, outImg + (long) grp * og * p, p, epi);
            }
        }
    }

    /**
     * {@code dIn = col2im(W^T dOut)} per image, each input channel starting from
     * {@code bias[c]} (null: 0); dIn overwritten.
     */
    void data(MemorySegment dOut, long dOutOff, MemorySegment w, long wOff, MemorySegment bias, long biasOff,
              MemorySegment dIn, long dInOff, ComputeContext ctx) {
        int cg = g.cg();
        int og = g.og();
        int kk = cg * g.kVol();
        int p = g.outSpatial();
        for (int b = 0; b < g.n(); b++) {
            long dOutImg = dOutOff + (long) b * g.outC() * p;
            long dInImg = dInOff + (long) b * g.inC() * g.inSpatial();
            MemorySegment dst = col == null ? dIn : col;
            long dstOff = col == null ? dInImg : 0;
            Sgemm.sgemmBatched(ctx, g.groups(), true, false, kk, p, og, 1f, w, wOff, kk, (long) og * kk,
                    dOut, dOutImg, p, (long) og * p, 0f, dst, dstOff, p, (long) kk * p, Epilogue.NONE);
            if (col == null) {
                addChannelBias(dIn, dInImg, bias, biasOff);
            } else {
                int parts = parts(ctx, g.colElements(), dOut, dIn, bias);
                int channels = g.inC();
                ctx.run(parts, (part, n) -> ConvCol2im.col2im(g, col, 0, dIn, dInImg, bias, biasOff,
                        ComputeContext.partBegin(channels, n, part), ComputeContext.partBegin(channels, n, part + 1)));
            }
        }
    }

    /** {@code dW = sum over images of dOut * im2col(in)^T}, images added in order; dW overwritten. */
    void weight(MemorySegment in, long inOff, MemorySegment dOut, long dOutOff, MemorySegment dW, long dWOff,
                ComputeContext ctx) {
        int og = g.og();
        int kk = g.cg() * g.kVol();
        int p = g.outSpatial();
        if (g.n() == 0) {
            dW.asSlice(dWOff * Float.BYTES, (long) g.outC() * kk * Float.BYTES).fill((byte) 0);
            return;
        }
        for (int b = 0; b < g.n(); b++) {
            long inImg = inOff + (long) b * g.inC() * g.inSpatial();
            long dOutImg = dOutOff + (long) b * g.outC() * p;
            MemorySegment src = columns(in, inImg, ctx);
            long srcOff = col == null ? inImg : 0;
            Sgemm.sgemmBatched(ctx, g.groups(), false, true, og, kk, p, 1f, dOut, dOutImg, p, (long) og * p,
                    src, srcOff, p, (long) kk * p, b == 0 ? 0f : 1f, dW, dWOff, kk, (long) og * kk, Epilogue.NONE);
        }
    }

    /**
     * {@code dBias[c] = sum over images and space of dOut}, dBias overwritten: a vectorised
     * {@link Reduce#sum} per (image, channel), images added in double in order.
     */
    static void biasSum(int n, int channels, long spatial, MemorySegment dOut, long dOutOff,
                        MemorySegment dBias, long dBiasOff) {
        for (int c = 0; c < channels; c++) {
            double acc = 0;
            for (int b = 0; b < n; b++) {
                acc += Reduce.sum(dOut, dOutOff + ((long) b * channels + c) * spatial, 1, spatial);
            }
            dBias.setAtIndex(F, dBiasOff + c, (float) acc);
        }
    }

    /** The column matrix of the image at {@code imgOff}: im2col into the workspace, or the image itself. */
    private MemorySegment columns(MemorySegment in, long imgOff, ComputeContext ctx) {
        if (col == null) {
            return in;
        }
        int rows = g.colRows();
        int parts = parts(ctx, g.colElements(), in, null, null);
        ctx.run(parts, (part, n) -> ConvCol2im.im2col(g, in, imgOff, col, 0,
                ComputeContext.partBegin(rows, n, part), ComputeContext.partBegin(rows, n, part + 1)));
        return col;
    }

    /** Adds {@code bias[c]} to every element of channel c of the image (identity columns only). */
    private void addChannelBias(MemorySegment img, long imgOff, MemorySegment bias, long biasOff) {
        if (bias == null) {
            return;
        }
        long spatial = g.inSpatial();
        for (int c = 0; c < g.inC(); c++) {
            float v = bias.getAtIndex(F, biasOff + c);
            for (long i = imgOff + c * spatial, end = i + spatial; i < end; i++) {
                img.setAtIndex(F, i, img.getAtIndex(F, i) + v);
            }
        }
    }

    private static int parts(ComputeContext ctx, long work, MemorySegment a, MemorySegment b, MemorySegment c) {
        if (ctx.threads() == 1 || work < PARALLEL_MIN_FLOATS || !ComputeContext.shareable(a, b, c)) {
            return 1;
        }
        return ctx.threads();
    }

}
