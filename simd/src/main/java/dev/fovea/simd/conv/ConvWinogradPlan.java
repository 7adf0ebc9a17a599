package dev.fovea.simd.conv;

import dev.fovea.simd.Simd;
import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.gemm.Epilogue;
import dev.fovea.simd.gemm.PackedMatrix;
import dev.fovea.simd.gemm.Sgemm;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.parallel.PartTask;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A planned {@link ConvWinograd} convolution: transformed, packed filters and a workspace sized at
 * plan time, so {@link #execute} allocates nothing. See {@link ConvWinograd} for the math, the
 * layouts, the workspace formula and the threading.
 *
 * <p>The work is a list of units, one per (group, tile block); a block is a run of whole tile
 * rows of the batch (image after image), its tiles numbered row-major. A unit runs the input
 * transform of its {@code cg} channels into V, {@code alpha^2} GEMMs into M, and the output
 * transform of its {@code og} channels. The execute arguments are kept in fields while it runs and
 * the parallel tasks are made once, in the constructor, so a call allocates no lambdas.
 */
final class ConvWinogradPlan implements ConvPlan {
    /**
     * The bytes of V and M a tile block aims at: 4x the 1 MiB L2 of the project's machine (Zen 4).
     * Wide blocks make wide GEMMs (64 x n x 64, 36 of them, 1 thread: 86 GFLOP/s at n = 64, 93 at
     * n = 224), and V and M streaming through L3 cost less than that difference. F(4x4), 1 thread,
     * budgets of 2, 4 and 8 MiB, best of two runs: 3x3 64 -> 64 on 56x56 173/200/200 GFLOP/s
     * (direct-convolution FLOPs), 256 -> 256 on 14x14 160/162/160, 128 on 28x28 and 512 on 14x14
     * equal.
     */
    static final long BLOCK_BYTES = 4L << 20;
    /** Lower clamp of the block limit in tiles, for many channels: narrower GEMMs amortise B packing badly. */
    static final int MIN_BLOCK_TILES = 64;
    /** Upper clamp of the block limit in tiles, for few channels (depthwise), whose V and M are tiny. */
    static final int MAX_BLOCK_TILES = 1024;
    /** GEMM widths are rounded up to this many tiles (whole 16-float vectors; garbage columns are never read back). */
    private static final int GEMM_COLUMNS = 16;
    /** Staging rows are padded to a multiple of this: 64 bytes, and whole vectors of any width. */
    private static final int ROW_ALIGN = Math.max(16, Simd.floatLanes());
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private final ConvSpec spec;
    private final String name;
    private final boolean f4;
    private final int m;
    private final int alpha;
    private final int cg;
    private final int og;
    private final int tilesW;
    private final int tilesH;
    private final int tileRows;
    private final int blocks;
    private final int ld;
    private final int units;
    private final boolean outer;
    private final ComputeContext ctx;
    private final PackedMatrix[] packed;
    private final MemorySegment ws;
    private final long vmFloats;
    private final long stagingBase;
    private final long stagingFloats;
    /** Per staging slot: one zero-padded input row (vector path). */
    private final float[][] rowBufs;
    /** An all-zero input row, for rows above or below the input (vector path). */
    private final float[] zeroRow;
    /** Per thread: the output row buffer of {@link ConvWinogradVector#mergeRow} (vector path). */
    private final float[][] outRowBufs;

    // Arguments of the running execute (a plan runs on one caller at a time, see ConvPlan).
    private MemorySegment in;
    private long inOff;
    private MemorySegment bias;
    private long biasOff;
    private MemorySegment out;
    private long outOff;
    /** The residual added before the activation, or null; its element for output element i is at i + residualShift. */
    private MemorySegment residual;
    private long residualShift;
    /** The activation's code for the output transform ({@link DepthwisePlanes#activationCode}; -1: a pass after). */
    private int act;
    private float actLo;
    private float actHi;
    private int unit;
    private int transformParts;

    private final PartTask outerTask = this::outerPart;
    private final PartTask inputTask = this::inputPart;
    private final PartTask gemmTask = this::gemmPart;
    private final PartTask outputTask = this::outputPart;

    ConvWinogradPlan(ConvSpec spec, String name, boolean f4, MemorySegment weights, long weightOff,
                     ComputeContext ctx) {
        this(spec, name, f4, weights, weightOff, ctx, 0);
    }

    /**
     * Plans with at most {@code blockTilesLimit} tiles per block when positive (tests use it to
     * get many blocks, and blocks that span images, at small sizes); 0 for the default limit.
     */
    ConvWinogradPlan(ConvSpec spec, String name, boolean f4, MemorySegment weights, long weightOff,
                     ComputeContext ctx, int blockTilesLimit) {
        this.spec = spec;
        this.name = name;
        this.f4 = f4;
        this.m = f4 ? 4 : 2;
        this.alpha = m + 2;
        this.cg = spec.inCPerGroup();
        this.og = spec.outCPerGroup();
        this.ctx = ctx;
        this.tilesW = ceilDiv(spec.outW(), m);
        this.tilesH = ceilDiv(spec.outH(), m);
        long rowCount = (long) spec.n() * tilesH;
        long unitRows = rowCount * spec.groups();
        // Unit and row counts are ints, and so are the row buffer (about tilesW * m floats plus a
        // few vectors) and a block's staging row: bounded well inside int range.
        if (unitRows > Integer.MAX_VALUE || (long) tilesW * m + 3L * ROW_ALIGN > Integer.MAX_VALUE / 8) {
            throw new IllegalArgumentException("conv algorithm '" + name + "': too many tiles for " + spec);
        }
        this.tileRows = (int) rowCount;
        int a2 = alpha * alpha;
        long perTile = (long) a2 * (cg + og) * Float.BYTES;
        int blockMax = blockTilesLimit > 0 ? blockTilesLimit
                : (int) Math.clamp(BLOCK_BYTES / perTile, MIN_BLOCK_TILES, MAX_BLOCK_TILES);
        int rowsMax = Math.max(1, blockMax / tilesW);
        int fewest = Math.max(1, ceilDiv(tileRows, rowsMax));
        // An even block count when there are several, so that two threads get whole units each.
        this.blocks = fewest > 1 && fewest % 2 != 0 && fewest < tileRows ? fewest + 1 : fewest;
        int blockRows = Math.max(1, ceilDiv(tileRows, blocks));
        // The vector path writes whole vectors of tiles per tile row: the last row of a block may
        // run up to a vector past the block's tiles.
        int lanes = Simd.VECTOR ? Simd.floatLanes() : 1;
        long written = (long) (blockRows - 1) * tilesW + (long) ceilDiv(tilesW, lanes) * lanes;
        long widest = Math.max(written, gemmColumns(blockRows * tilesW));
        this.ld = (int) (ceilDiv(widest, ROW_ALIGN) * ROW_ALIGN);
        this.units = spec.groups() * blocks;
        int threads = ctx.threads();
        // Whole units per thread when that balances (or nearly: >= 4 units per thread); else each
        // unit's three stages are split over the threads (one image of one group, few tiles).
        this.outer = threads == 1 || units % threads == 0 || units >= 4 * threads;
        this.vmFloats = (long) a2 * (cg + og) * ld;
        this.stagingFloats = 2L * a2 * ld;
        int vmSlots = outer ? threads : 1;
        this.stagingBase = vmSlots * vmFloats;
        this.ws = Arena.ofAuto().allocate((stagingBase + threads * stagingFloats) * Float.BYTES, 64);
        int rowLength = Simd.VECTOR ? ConvWinogradVector.rowBufferLength(m, tilesW) : 0;
        this.rowBufs = new float[threads][rowLength];
        this.zeroRow = new float[rowLength];
        this.outRowBufs = new float[threads][Simd.VECTOR ? ConvWinogradVector.mergeBufferLength(m, tilesW) : 0];
        this.packed = transformFilters(weights, weightOff);
        warmPacked(gemmColumns(blockRows * tilesW), gemmColumns(tileRows / blocks * tilesW));
    }

    /** The GEMM width for a block of {@code nt} tiles. */
    private static int gemmColumns(int nt) {
        return nt < GEMM_COLUMNS ? nt : ceilDiv(nt, GEMM_COLUMNS) * GEMM_COLUMNS;
    }

    private PackedMatrix[] transformFilters(MemorySegment weights, long weightOff) {
        int a2 = alpha * alpha;
        long perXi = (long) og * cg;
        PackedMatrix[] result = new PackedMatrix[spec.groups() * a2];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment u = arena.allocate(a2 * perXi * Float.BYTES, 64);
            for (int g = 0; g < spec.groups(); g++) {
                for (int o = 0; o < og; o++) {
                    for (int c = 0; c < cg; c++) {
                        long w = weightOff + ((long) (g * og + o) * cg + c) * 9;
                        ConvWinogradTransforms.filter(f4, weights, w, u, (long) o * cg + c, perXi);
                    }
                }
                for (int xi = 0; xi < a2; xi++) {
                    result[g * a2 + xi] = PackedMatrix.packA(false, og, cg, u, xi * perXi, cg);
                }
            }
        }
        return result;
    }

    /**
     * Runs each packed filter once at both block widths on the (zeroed) workspace, so that any
     * lazily built copy the GEMM keeps for narrow products is made now and not in execute.
     */
    private void warmPacked(int widest, int narrowest) {
        try (ComputeContext single = ComputeContext.create(1)) {
            for (PackedMatrix p : packed) {
                for (int n : new int[] {widest, Math.max(1, narrowest)}) {
                    Sgemm.sgemm(single, p, false, n, 1f, ws, 0, ld, 0f, ws, mBase(0), ld, Epilogue.NONE);
                }
            }
        }
    }

    @Override
    public ConvSpec spec() {
        return spec;
    }

    @Override
    public String algorithm() {
        return name;
    }

    @Override
    public long workspaceBytes() {
        return ws.byteSize();
    }

    @Override
    public void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment out, long outOff,
                        ActivationFunction activation) {
        execute(in, inOff, bias, biasOff, null, 0, out, outOff, activation);
    }

    /** The residual is added in the output transform's row merge, before the activation and the store. */
    @Override
    public void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment residual,
                        long residualOff, MemorySegment out, long outOff, ActivationFunction activation) {
        ConvChecks.execute(spec, in, inOff, bias, biasOff, out, outOff);
        if (residual != null) {
            ConvChecks.residual(spec, residual, residualOff, out, outOff);
        }
        this.residual = residual;
        this.residualShift = residualOff - outOff;
        // ReLU and hardtanh in the output transform's stores; other functions in a pass after
        this.act = DepthwisePlanes.activationCode(activation);
        this.actLo = activation == null ? 0f : activation.alpha();
        this.actHi = activation == null ? 0f : activation.beta();
        this.in = in;
        this.inOff = inOff;
        this.bias = bias;
        this.biasOff = biasOff;
        this.out = out;
        this.outOff = outOff;
        // The pool's threads cannot touch segments of a thread-confined arena: transforms then run here.
        boolean shared = ComputeContext.shareable(in, out, bias) && (residual == null || ComputeContext.shareable(residual));
        this.transformParts = shared ? ctx.threads() : 1;
        try {
            if (outer) {
                ctx.run(transformParts, outerTask);
            } else {
                for (int u = 0; u < units; u++) {
                    unit = u;
                    ctx.run(transformParts, inputTask);
                    ctx.run(ctx.threads(), gemmTask);
                    ctx.run(transformParts, outputTask);
                }
            }
        } finally {
            this.in = null;
            this.bias = null;
            this.out = null;
            this.residual = null;
        }
        if (act < 0) {
            ConvActivation.after(activation, spec, out, outOff, ctx);
        }
    }


    /** Whole units {@code [partBegin, partEnd)} on slot {@code part}; the GEMM calls run inline. */
    private void outerPart(int part, int parts) {
        for (int u = ComputeContext.partBegin(units, parts, part); u < ComputeContext.partBegin(units, parts, part + 1); u++) {
            inputTransform(u, 0, cg, part, part);
            multiply(u, 0, alpha * alpha, part);
            outputTransform(u, 0, og, part, part);
        }
    }

    private void inputPart(int part, int parts) {
        inputTransform(unit, ComputeContext.partBegin(cg, parts, part), ComputeContext.partBegin(cg, parts, part + 1),
                0, part);
    }

    private void gemmPart(int part, int parts) {
        int a2 = alpha * alpha;
        multiply(unit, ComputeContext.partBegin(a2, parts, part), ComputeContext.partBegin(a2, parts, part + 1), 0);
    }

    private void outputPart(int part, int parts) {
        outputTransform(unit, ComputeContext.partBegin(og, parts, part), ComputeContext.partBegin(og, parts, part + 1),
                0, part);
    }

    /** The first tile row (of the whole batch) of unit {@code u}'s block. */
    private int rowBegin(int u) {
        return ComputeContext.partBegin(tileRows, blocks, u % blocks);
    }

    private int rowEnd(int u) {
        return ComputeContext.partBegin(tileRows, blocks, u % blocks + 1);
    }

    private int blockTiles(int u) {
        return (rowEnd(u) - rowBegin(u)) * tilesW;
    }

    private long vBase(int slot) {
        return slot * vmFloats;
    }

    private long mBase(int slot) {
        return slot * vmFloats + (long) alpha * alpha * cg * ld;
    }

    /** V = B^T d B for channels {@code [c0, c1)} of unit {@code u}, into VM slot {@code slot}. */
    private void inputTransform(int u, int c0, int c1, int slot, int stagingSlot) {
        int g = u / blocks;
        int r0 = rowBegin(u);
        int r1 = rowEnd(u);
        int nt = blockTiles(u);
        long d = stagingBase + stagingSlot * stagingFloats;
        long tmp = d + (long) alpha * alpha * ld;
        long vStride = (long) cg * ld;
        long planeSize = (long) spec.inH() * spec.inW();
        float[] rowBuf = rowBufs[stagingSlot];
        for (int c = c0; c < c1; c++) {
            // rows in increasing order: each one overwrites the vector tail the previous one ran into
            for (int r = r0; r < r1; r++) {
                int img = r / tilesH;
                long plane = inOff + ((long) img * spec.inC() + (long) g * cg + c) * planeSize;
                ConvWinogradTransforms.gatherRow(f4, in, plane, spec.inH(), spec.inW(), spec.padBegin(1),
                        spec.padBegin(2), tilesW, r % tilesH, rowBuf, zeroRow, ws, d + (long) (r - r0) * tilesW, ld);
            }
            ConvWinogradTransforms.input(f4, ws, d, ws, tmp, ld, nt, ws, vBase(slot) + (long) c * ld, vStride);
        }
    }

    /** M[xi] = U[g][xi] * V[xi] for {@code xi} in {@code [xi0, xi1)}. */
    private void multiply(int u, int xi0, int xi1, int slot) {
        int g = u / blocks;
        int nt = gemmColumns(blockTiles(u));
        int a2 = alpha * alpha;
        for (int xi = xi0; xi < xi1; xi++) {
            Sgemm.sgemm(ctx, packed[g * a2 + xi], false, nt, 1f, ws, vBase(slot) + (long) xi * cg * ld, ld, 0f,
                    ws, mBase(slot) + (long) xi * og * ld, ld, Epilogue.NONE);
        }
    }

    /** Y = A^T M A (+ bias) for output channels {@code [o0, o1)} of unit {@code u}. */
    private void outputTransform(int u, int o0, int o1, int slot, int stagingSlot) {
        int g = u / blocks;
        int r0 = rowBegin(u);
        int r1 = rowEnd(u);
        int nt = blockTiles(u);
        long y = stagingBase + stagingSlot * stagingFloats;
        long tmp = y + (long) alpha * alpha * ld;
        long planeSize = (long) spec.outH() * spec.outW();
        for (int o = o0; o < o1; o++) {
            int oc = g * og + o;
            ConvWinogradTransforms.output(f4, ws, mBase(slot) + (long) o * ld, (long) og * ld, ws, tmp, ld, nt, ws, y);
            float b = bias == null ? 0f : bias.getAtIndex(F, biasOff + oc);
            for (int r = r0; r < r1; r++) {
                long plane = outOff + ((long) (r / tilesH) * spec.outC() + oc) * planeSize;
                ConvWinogradTransforms.scatterRow(f4, ws, y + (long) (r - r0) * tilesW, ld, b, Math.max(act, 0),
                        actLo, actHi, residual, residualShift, out, plane, spec.outH(), spec.outW(), tilesW, r % tilesH,
                        outRowBufs[stagingSlot]);
            }
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
