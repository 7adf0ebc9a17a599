package dev.fovea.simd.eltwise;

import dev.fovea.simd.Simd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/** Inputs, sizes and float comparisons shared by the eltwise and reduce tests. */
public final class TestData {
    /** Values that break naive kernels: NaNs, infinities, signed zeros, subnormals, extremes. */
    public static final float[] SPECIALS = {
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 0.5f, 2f,
        Float.intBitsToFloat(0x7fc12345), // a NaN with a payload
    };

    private TestData() {}

    /** Vector lanes of the running path (1 on the scalar path). */
    public static int lanes() {
        return Simd.floatLanes();
    }

    /**
     * Sizes hitting every tail of the running vector width, and the tails of 4-, 8- and 16-lane
     * widths as well, so that each surefire run (bits 0/256/512) covers them all.
     */
    public static long[] sizes() {
        int l = lanes();
        return LongStream.of(0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 35, 67, l - 1, l, l + 1, 2L * l + 3, 4L * l * 64 + 5,
                        1000, 4099)
                .filter(n -> n >= 0).distinct().sorted().toArray();
    }

    /** Uniform floats in {@code [lo, hi)}, with about one in {@code specialEvery} taken from {@link #SPECIALS}. */
    public static float[] random(long seed, int n, float lo, float hi, int specialEvery) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = specialEvery > 0 && r.nextInt(specialEvery) == 0
                    ? SPECIALS[r.nextInt(SPECIALS.length)]
                    : (float) (lo + (hi - lo) * r.nextDouble());
        }
        return v;
    }

    /** A native segment holding {@code v} after {@code pad} floats of padding, with 3 floats after. */
    public static MemorySegment segment(float[] v, int pad) {
        MemorySegment s = Arena.ofAuto().allocate((long) (v.length + pad + 3) * Float.BYTES, 64);
        s.fill((byte) 0x7f);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT, (long) pad * Float.BYTES, v.length);
        return s;
    }

    /** A native segment of {@code floats} floats filled with a recognisable NaN pattern. */
    public static MemorySegment output(long floats) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(1, floats) * Float.BYTES, 64);
        s.fill((byte) 0x7f);
        return s;
    }

    /** The float at element {@code i}. */
    public static float get(MemorySegment s, long i) {
        return s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
    }

    /** All floats of {@code s}. */
    public static float[] all(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Distance in units in the last place; 0 for two NaNs or for +0 vs -0, max for NaN vs number. */
    public static long ulps(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) {
            return Float.isNaN(a) && Float.isNaN(b) ? 0 : Long.MAX_VALUE;
        }
        return Math.abs(ordered(a) - ordered(b));
    }

    private static long ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits >= 0 ? bits : -(long) (bits & 0x7fffffff);
    }

    /** True when {@code a} and {@code b} are the same float (any NaN equals any NaN; -0 differs from +0). */
    public static boolean same(float a, float b) {
        return Float.floatToIntBits(a) == Float.floatToIntBits(b);
    }

    /** Short description of an array for failure messages. */
    public static String head(float[] v) {
        return Arrays.toString(Arrays.copyOf(v, Math.min(v.length, 8))) + (v.length > 8 ? "..." : "");
    }
}
