package dev.fovea.simd.conv;

import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;

/**
 * Winograd minimal-filtering convolution for 3x3, stride-1, undilated 2-d convolutions
 * (Lavin &amp; Gray, "Fast Algorithms for Convolutional Neural Networks", arXiv:1509.09308).
 *
 * <p><b>Math.</b> F(m x m, 3x3) computes an {@code m x m} output tile from an
 * {@code alpha x alpha} input tile ({@code alpha = m + 2}) as
 * <pre>
 *   Y = A^T [ sum_c (G g_{o,c} G^T) .* (B^T d_c B) ] A
 * </pre>
 * and the sum over input channels {@code c} of the element-wise products is, for each of the
 * {@code alpha^2} tile positions {@code xi}, one matrix product
 * {@code M[xi] (og x tiles) = U[xi] (og x cg) * V[xi] (cg x tiles)}. {@link #F4X4} uses
 * F(4x4,3x3) ({@code alpha = 6}, 36 GEMMs, 4x fewer multiplies than direct), {@link #F2X2} uses
 * F(2x2,3x3) ({@code alpha = 4}, 16 GEMMs, 2.25x fewer). Names below: {@code cg = inC / groups},
 * {@code og = outC / groups}; tiles cover the output in {@code ceil(outH / m) x ceil(outW / m)}
 * tiles, row-major.
 *
 * <p><b>Layout.</b> Input {@code (n, inC, inH, inW)}, weights {@code (outC, cg, 3, 3)}, output
 * {@code (n, outC, outH, outW)}, contiguous float32 (NCHW), offsets in elements. At plan time the
 * filters are transformed once in double ({@code U = G g G^T}) and stored per group as
 * {@code alpha^2} matrices {@code og x cg}, each pre-packed for the GEMM micro-kernel. Execute
 * works on units of (group, tile block): the input transform fills {@code V[xi][c][tile]} for
 * the block, {@code alpha^2} GEMMs give {@code M[xi][o][tile]}, and the output transform adds the
 * bias and writes the valid part of every tile. Tiles that overlap the padding or the
 * bottom/right edge read zeros. The output is overwritten and must not overlap the input.
 *
 * <p><b>Tile blocks and workspace.</b> A block is a run of whole tile rows of the batch, image
 * after image ({@code n * ceil(outH / m)} rows in all), so the GEMMs of a small feature map are
 * as wide as those of a large one: {@code clamp(4 MiB / (alpha^2 (cg + og) 4 bytes), 64, 1024)}
 * tiles at most, rounded down to whole rows (at least one), the rows cut into blocks of equal
 * size to within one; an odd count of several blocks is made even, so that two threads get
 * whole units. ResNet-18 layer 1 (64 channels, 14 x 14 tiles of F(4x4)) is one block of 196
 * tiles at batch 1 and 8 blocks of 196 at batch 8. A block's GEMMs are {@code og x nt' x cg} with
 * {@code nt'} its tile count rounded up to 16 (whole vectors; the extra columns are never read
 * back). The vector path writes whole vectors of tiles per tile row, so staging rows are
 * {@code ld = roundUp(max((rows - 1) tilesW + roundUp(tilesW, lanes), nt'), max(16, lanes))}
 * floats for a block of {@code rows} tile rows ({@code lanes = 1} on the scalar path), and the
 * workspace is {@code 4 * (slots * alpha^2 (cg + og) ld + threads * 2 alpha^2 ld)} bytes, where
 * {@code slots = threads} when whole units are spread over the threads and 1 otherwise; each
 * thread also has a heap row buffer of {@code 4 * (ceil(tilesW / lanes) lanes m + m + lanes)}
 * bytes.
 *
 * <p><b>Transforms.</b> The staging rows hold one tile element for every tile of the block, so
 * the 1-d transforms are contiguous vector loads with tiles along the lanes. On the vector path
 * each input row is copied into a zero-padded row buffer and split into the staging rows of its
 * tiles with two-source vector permutes (for F(4x4): 12 permutes per 16 tiles and input row), and
 * output rows are merged back the same way; the scalar path copies element by element.
 *
 * <p><b>Threads.</b> When the units divide evenly over the context's threads (or there are at
 * least 4 per thread) each thread runs whole units in its own workspace slot; otherwise (one
 * block of one group) each unit's input transform is split over channels, its GEMMs
 * over {@code xi} and its output transform over output channels. Block sizes depend on the spec
 * only, and every output element is computed by the same operations in the same order either way,
 * so results are bit-identical for any thread count. Inputs in thread-confined arenas are
 * transformed on the calling thread.
 *
 * <p><b>Error bound.</b> The transforms amplify rounding error, F(4x4) much more than F(2x2)
 * (its points 2 and -2 and the 1/24 ... 1/4 scales of G). Measured against the naive
 * convolution accumulated in double, with inputs and weights uniform in [-1, 1]: see
 * {@link #maxNmse()} of each instance for the documented bound and the measured worst case.
 *
 * <p>Supported: {@code dims() == 2}, kernel 3x3, stride 1, dilation 1, any explicit, same, full or
 * valid padding, any groups (depthwise runs, but {@link ConvDepthwise} is the fast path there),
 * padding mode {@link PaddingMode#ZEROS}.
 */
public final class ConvWinograd implements ConvAlgorithm {
    /** F(4x4, 3x3): 6x6 input tiles, 4x4 output tiles; AUTO's choice for 3x3 layers. */
    public static final ConvWinograd F4X4 = new ConvWinograd("winograd", true);
    /** F(2x2, 3x3): 4x4 input tiles, 2x2 output tiles; fewer FLOPs saved, far more accurate. */
    public static final ConvWinograd F2X2 = new ConvWinograd("winograd-f2", false);

    private final String name;
    private final boolean f4;

    private ConvWinograd(String name, boolean f4) {
        this.name = name;
        this.f4 = f4;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String unsupportedReason(ConvSpec spec) {
        if (spec.dims() != 2) {
            return "needs a 2-d convolution, got dims=" + spec.dims();
        }
        if (spec.kH() != 3 || spec.kW() != 3) {
            return "needs a 3x3 kernel, got kH=" + spec.kH() + ", kW=" + spec.kW();
        }
        if (spec.stride(1) != 1 || spec.stride(2) != 1) {
            return "needs stride 1, got strideH=" + spec.stride(1) + ", strideW=" + spec.stride(2);
        }
        if (spec.dilation(1) != 1 || spec.dilation(2) != 1) {
            return "needs dilation 1, got dilH=" + spec.dilation(1) + ", dilW=" + spec.dilation(2);
        }
        if (spec.paddingMode() != PaddingMode.ZEROS) {
            return "needs paddingMode ZEROS, got paddingMode=" + spec.paddingMode()
                    + " (pad the input first, or use im2col or naive)";
        }
        return null;
    }

    /**
     * The documented error bound: NMSE against the naive convolution accumulated in double, inputs
     * and weights uniform in [-1, 1]. Measured worst cases ({@code ConvWinogradTest}: the supported
     * specs of {@code ConvTester.sweep(100, 11)}, 80 random 3x3 specs with channels up to 64,
     * groups and depthwise, every padding kind, with and without bias, 1 and 2 threads, and a
     * 64 -> 64 layer on 28x28; at 512-bit, 256-bit and scalar): F(4x4,3x3) NMSE 3.3e-12, max
     * relative error {@code max|y - ref| / max|ref|} 6.5e-6; F(2x2,3x3) NMSE 8.6e-14, max relative
     * error 3.7e-7. The error grows with the channel count: {@code bench conv}'s check of VGG-16
     * conv5_3 (512 -> 512 channels, 14x14) measured F(4x4,3x3) NMSE 1.9e-11, and F(2x2,3x3)
     * exceeded 4e-13 there. Bounds: 1e-10 and 2e-12, about 5x the worst seen for F(4x4,3x3) and
     * the same growth allowed for F(2x2,3x3).
     */
    @Override
    public double maxNmse() {
        return f4 ? 1e-10 : 2e-12;
    }

    @Override
    public ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ComputeContext ctx) {
        ConvChecks.supported(this, spec);
        ConvChecks.operand("weights", weights, weightOff, spec.weightElements(), spec);
        if (ctx == null) {
            throw new IllegalArgumentException("conv algorithm '" + name + "': ctx must not be null for " + spec);
        }
        return new ConvWinogradPlan(spec, name, f4, weights, weightOff, ctx);
    }
}
