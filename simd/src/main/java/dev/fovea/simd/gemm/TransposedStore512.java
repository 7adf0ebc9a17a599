package dev.fovea.simd.gemm;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.impl.generated.ActivationVectorOps;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The transposed store of two vertically adjacent 8 x 32 tiles of a transposed 512-bit job
 * ({@link MicroKernel#storeTransposedPair}), in the JVM's one 512-bit species.
 */
final class TransposedStore512 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int L = 16;
    private static final int MR = 8;
    private static final int NR = 32;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private TransposedStore512() {}

    /**
     * The gather map of {@link #pair}: lanes 0-7 are rows 0-7 of a tile's column
     * (NR floats apart), lanes 8-15 the same rows of the next A panel's tile, {@code NC * MR}
     * floats further in the transposed job's sum buffer.
     */
    private static final int[] PAIR_COLUMN = pairColumn();

    private static int[] pairColumn() {
        int[] map = new int[L];
        for (int i = 0; i < L; i++) {
            map[i] = (i / MR) * SgemmDriver.NC * MR + (i % MR) * NR;
        }
        return map;
    }

    /**
     * {@link MicroKernel#storeTransposedPair} for the 8 x 32 tiles of {@link SgemmKernel512}: one
     * column of the two tiles (16 rows of C^T, 16 contiguous floats of a row of C) per vector: a
     * gather from the sum buffer, the epilogue, one store. The scalar transposed store it replaces
     * took 27% of a 256 x 16 x 256 product with A pre-packed (a Winograd GEMM of ResNet-18's
     * layer 3 at batch 1) on Intel Xeon family 6 model 207.
     */
    static void pair(float[] acc, int ti, int cols, MemorySegment c, long cIdx, int ldc, float alpha, float beta,
                     Epilogue epilogue, int row0, int col0) {
        // the epilogue decoded once; no vector crosses a method call below (see TileEpilogue)
        int bias = TileEpilogue.bias(epilogue);
        int act = TileEpilogue.activation(epilogue);
        float lo = TileEpilogue.lo(epilogue);
        float hi = TileEpilogue.hi(epilogue);
        float slope = TileEpilogue.slope(epilogue);
        MemorySegment biasSeg = bias == TileEpilogue.BIAS_NONE ? null : epilogue.biasSegment();
        long biasOff = bias == TileEpilogue.BIAS_NONE ? 0 : epilogue.biasOffset();
        MemorySegment addend = TileEpilogue.addend(epilogue);
        long addendShift = TileEpilogue.addendShiftBytes(epilogue);
        FloatVector vb = FloatVector.broadcast(S, beta);
        // in the transposed frame a per-row bias runs along the 16 lanes, a per-column one is one value per q
        FloatVector rowBias = bias == TileEpilogue.BIAS_ROW
                ? FloatVector.fromMemorySegment(S, biasSeg, (biasOff + row0) * Float.BYTES, NO) : null;
        for (int q = 0; q < cols; q++) {
            FloatVector x = FloatVector.fromArray(S, acc, ti + q, PAIR_COLUMN, 0).mul(alpha);
            long at = (cIdx + (long) q * ldc) * Float.BYTES;
            if (beta != 0f) {
                x = FloatVector.fromMemorySegment(S, c, at, NO).fma(vb, x);
            }
            if (bias == TileEpilogue.BIAS_ROW) {
                x = x.add(rowBias);
            } else if (bias == TileEpilogue.BIAS_COLUMN) {
                x = x.add(biasSeg.getAtIndex(F, biasOff + col0 + q));
            }
            if (addend != null) {
                x = x.add(FloatVector.fromMemorySegment(S, addend, at + addendShift, NO));
            }
            if (act == TileEpilogue.ACT_RELU) {
                x = x.max(0f);
            } else if (act == TileEpilogue.ACT_CLIP) {
                x = x.max(lo).min(hi);
            } else if (act == TileEpilogue.ACT_LEAKY) {
                x = x.blend(x.mul(slope), x.lt(0f));
            }
            x.intoMemorySegment(c, at, NO);
            if (act == TileEpilogue.ACT_OTHER) {
                ActivationFunction f = ((Activation.Function) epilogue.activation()).function();
                ActivationVectorOps.forward(f.kind(), f.alpha(), f.beta(), c, at / Float.BYTES, c, at / Float.BYTES, L);
            }
        }
    }
}
