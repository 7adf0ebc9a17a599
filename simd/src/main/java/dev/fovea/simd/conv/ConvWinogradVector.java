package dev.fovea.simd.conv;

import dev.fovea.simd.internal.FloatSpecies;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API 1-d Winograd transforms for {@link ConvWinogradTransforms}: lane {@code l} is tile
 * {@code t + l}, so each of the {@code alpha} inputs is one contiguous load and the transform is
 * straight-line arithmetic on named locals. The methods are deliberately tiny (one 1-d transform
 * per loop iteration, no arrays of {@code FloatVector}): big Vector API methods can stay in C1 and
 * run 10x slower (PERFORMANCE-NOTES.md, "Traps found"). Loaded only on the vector path.
 */
final class ConvWinogradVector {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = FloatSpecies.LANES;
    private static final ByteOrder O = ByteOrder.nativeOrder();

    private ConvWinogradVector() {}

    /** Rounds {@code nt} up to whole vectors; the caller's rows are {@code ld >= } that long. */
    static int roundUp(int nt, int ld) {
        int c = (nt + L - 1) / L * L;
        assert c <= ld : "staging row of " + ld + " floats is shorter than " + c;
        return c;
    }

    private static FloatVector load(MemorySegment s, long off) {
        return FloatVector.fromMemorySegment(S, s, off * Float.BYTES, O);
    }

    private static void store(FloatVector v, MemorySegment d, long off) {
        v.intoMemorySegment(d, off * Float.BYTES, O);
    }

    /** 1-d B^T of F(4x4,3x3) over {@code count} (a multiple of the lanes) tiles. */
    static void inputF4(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t += L) {
            FloatVector d0 = load(s, sOff + t);
            FloatVector d1 = load(s, sOff + ss + t);
            FloatVector d2 = load(s, sOff + 2 * ss + t);
            FloatVector d3 = load(s, sOff + 3 * ss + t);
            FloatVector d4 = load(s, sOff + 4 * ss + t);
            FloatVector d5 = load(s, sOff + 5 * ss + t);
            FloatVector a = d4.sub(d2.mul(4f));
            FloatVector b = d3.sub(d1.mul(4f));
            FloatVector c = d4.sub(d2);
            FloatVector e = d3.sub(d1).mul(2f);
            store(d0.mul(4f).sub(d2.mul(5f)).add(d4), d, dOff + t);
            store(a.add(b), d, dOff + ds + t);
            store(a.sub(b), d, dOff + 2 * ds + t);
            store(c.add(e), d, dOff + 3 * ds + t);
            store(c.sub(e), d, dOff + 4 * ds + t);
            store(d1.mul(4f).sub(d3.mul(5f)).add(d5), d, dOff + 5 * ds + t);
        }
    }

    /** 1-d A^T of F(4x4,3x3) over {@code count} tiles. */
    static void outputF4(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t += L) {
            FloatVector m0 = load(s, sOff + t);
            FloatVector m1 = load(s, sOff + ss + t);
            FloatVector m2 = load(s, sOff + 2 * ss + t);
            FloatVector m3 = load(s, sOff + 3 * ss + t);
            FloatVector m4 = load(s, sOff + 4 * ss + t);
            FloatVector m5 = load(s, sOff + 5 * ss + t);
            FloatVector p12 = m1.add(m2);
            FloatVector d12 = m1.sub(m2);
            FloatVector p34 = m3.add(m4);
            FloatVector d34 = m3.sub(m4);
            store(m0.add(p12).add(p34), d, dOff + t);
            store(d12.add(d34.mul(2f)), d, dOff + ds + t);
            store(p12.add(p34.mul(4f)), d, dOff + 2 * ds + t);
            store(d12.add(d34.mul(8f)).add(m5), d, dOff + 3 * ds + t);
        }
    }

    /** 1-d B^T of F(2x2,3x3) over {@code count} tiles. */
    static void inputF2(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t += L) {
            FloatVector d0 = load(s, sOff + t);
            FloatVector d1 = load(s, sOff + ss + t);
            FloatVector d2 = load(s, sOff + 2 * ss + t);
            FloatVector d3 = load(s, sOff + 3 * ss + t);
            store(d0.sub(d2), d, dOff + t);
            store(d1.add(d2), d, dOff + ds + t);
            store(d2.sub(d1), d, dOff + 2 * ds + t);
            store(d1.sub(d3), d, dOff + 3 * ds + t);
        }
    }

    /** 1-d A^T of F(2x2,3x3) over {@code count} tiles. */
    static void outputF2(MemorySegment s, long sOff, long ss, MemorySegment d, long dOff, long ds, int count) {
        for (int t = 0; t < count; t += L) {
            FloatVector m0 = load(s, sOff + t);
            FloatVector m1 = load(s, sOff + ss + t);
            FloatVector m2 = load(s, sOff + 2 * ss + t);
            FloatVector m3 = load(s, sOff + 3 * ss + t);
            store(m0.add(m1).add(m2), d, dOff + t);
            store(m1.sub(m2).sub(m3), d, dOff + ds + t);
        }
    }
}
