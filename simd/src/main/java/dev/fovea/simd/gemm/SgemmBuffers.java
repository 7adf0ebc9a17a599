package dev.fovea.simd.gemm;

import java.util.Arrays;

/**
 * The packing buffers of one thread, and its reusable job and share records, cached so that
 * the steady state allocates nothing: each array grows to the largest size a call on this thread
 * needed and is kept for the thread's life (for A at most {@code SgemmDriver.A_BLOCK_FLOATS} plus one k-block of panels, 8 MiB; for B
 * {@code SgemmDriver.B_BLOCK_FLOATS}, 640 KiB; so about 9 MiB per thread that ran a large GEMM, and only
 * what the largest call needed otherwise).
 *
 * <p>Why heap {@code float[]} and not a native workspace: the packed panels are read in the
 * micro-kernel's inner loop, and there heap arrays measured 85-90% of peak against 74-81% (and
 * unstable) for segment reads (PERFORMANCE-NOTES, Zen 4); array indexing also lets C2 hoist the
 * range checks out of the k loop. The calling thread's A buffer is shared read-only with the
 * context's workers for the duration of one call, which is safe because the caller is blocked in
 * that call.
 */
final class SgemmBuffers {
    private static final ThreadLocal<SgemmBuffers> LOCAL = ThreadLocal.withInitial(SgemmBuffers::new);

    private float[] a = new float[0];
    private float[] b = new float[0];
    private float[] tile = new float[0];
    private float[] acc = new float[0];
    private long[] rows = new long[0];
    private final SgemmJob job = new SgemmJob();
    private final SgemmJob transposedJob = new SgemmJob();
    private final SgemmDriver.Share share = new SgemmDriver.Share();
    private final SgemmDriver.BlockTask blockTask = new SgemmDriver.BlockTask();
    private final SgemmBatch.Items items = new SgemmBatch.Items();
    /** The last epilogue {@link #transposedEpilogue} was asked for, and its answer. */
    private Epilogue epilogueSeen;
    private Epilogue epilogueTransposed;

    private SgemmBuffers() {}

    /** Returns the buffers of the current thread. */
    static SgemmBuffers local() {
        return LOCAL.get();
    }

    /** Returns this thread's A buffer of at least {@code size} floats (contents undefined). */
    float[] a(int size) {
        if (a.length < size) {
            a = new float[size];
        }
        return a;
    }

    /** Returns this thread's B buffer of at least {@code size} floats (contents undefined). */
    float[] b(int size) {
        if (b.length < size) {
            b = new float[size];
        }
        return b;
    }

    /** Returns this thread's tile buffer of at least {@code size} floats (contents undefined). */
    float[] tile(int size) {
        if (tile.length < size) {
            tile = new float[size];
        }
        return tile;
    }

    /** Returns this thread's tile accumulator (transposed jobs) of at least {@code size} floats. */
    float[] acc(int size) {
        if (acc.length < size) {
            acc = new float[size];
        }
        return acc;
    }

    /** Returns this thread's B row-index table of at least {@code size} entries (contents undefined). */
    long[] rows(int size) {
        if (rows.length < size) {
            rows = new long[size];
        }
        return rows;
    }

    /** Returns this thread's job for the calls it starts (filled by each call). */
    SgemmJob job() {
        return job;
    }

    /** Returns this thread's job for the transposed form of its call ({@link SgemmJob#transposed}). */
    SgemmJob transposedJob() {
        return transposedJob;
    }

    /** Returns this thread's threaded parts of a block ({@link SgemmDriver.BlockTask}, filled by each call). */
    SgemmDriver.BlockTask blockTask() {
        return blockTask;
    }

    /** Returns this thread's item-parallel batch task ({@link SgemmBatch.Items}, filled by each call). */
    SgemmBatch.Items items() {
        return items;
    }

    /** Returns this thread's share of a block's work (filled by each call). */
    SgemmDriver.Share share() {
        return share;
    }

    /**
     * Returns {@code ep} (null for none) with a per-row bias made per-column and the reverse, for
     * the transposed product; the last answer is kept, so a caller passing the same epilogue
     * again allocates nothing.
     */
    Epilogue transposedEpilogue(Epilogue ep) {
        if (ep == null || ep.bias() == Epilogue.Bias.NONE) {
            return ep; // an addend needs no change: it follows C's element indexes
        }
        if (ep != epilogueSeen) {
            epilogueTransposed = transposed(ep);
            epilogueSeen = ep;
        }
        return epilogueTransposed;
    }

    /** Returns {@code ep} (with a bias) with its bias's direction swapped, for the transposed product. */
    static Epilogue transposed(Epilogue ep) {
        return new Epilogue(ep.bias() == Epilogue.Bias.PER_ROW ? Epilogue.Bias.PER_COLUMN : Epilogue.Bias.PER_ROW,
                ep.biasSegment(), ep.biasOffset(), ep.activation(), ep.addendSegment(), ep.addendShift());
    }

    /** Returns this thread's tile buffer of at least {@code size} floats, all zero. */
    float[] zeroTile(int size) {
        float[] t = tile(size);
        Arrays.fill(t, 0f);
        return t;
    }
}
