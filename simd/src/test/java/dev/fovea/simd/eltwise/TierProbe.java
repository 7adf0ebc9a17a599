package dev.fovea.simd.eltwise;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The subprocess of {@link EltwiseTierTest}: runs the transcendental kernels over a fixed seeded
 * input once cold (first call, interpreted), then again after {@code args[0]} warm-up calls of
 * every case on a short input (so that C1 and C2 compile the loop bodies and tails), and prints
 * the kernel path ({@code # vector 512-bit ...}), then one line per case:
 * {@code name coldHash warmHash}. Hashes are FNV-1a over
 * {@link Float#floatToIntBits} (NaNs collapse to one pattern: payloads are not promised).
 *
 * <p>Cases: the four unary ops, POW through its three loops, POW with the literal exponents 2
 * and 0.5 (which C2 rewrites when it sees them as constants), and {@code Math.pow} in double
 * (the premise of POW's determinism, hashed on all 64 bits). The {@code control} line, the
 * Vector API's own lanewise EXP, is printed for information and not asserted: it shows whether
 * the run reached code that differs from the interpreter.
 */
public final class TierProbe {
    /** 64 whole vectors of 16 lanes plus a tail for every width. */
    static final int N = 16 * 64 + 13;
    /** Short input for the warm-up calls: whole vectors and a tail at every width. */
    static final int WARM_N = 16 * 2 + 13;

    private TierProbe() {}

    /** Prints the hash lines; {@code args[0]} is the number of warm-up rounds. */
    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        System.out.println("# " + dev.fovea.simd.Simd.describe());
        SplittableRandom r = new SplittableRandom(20240611);
        float[] xv = new float[N];
        float[] pv = new float[N];
        for (int i = 0; i < N; i++) {
            xv[i] = switch (i % 4) {
                case 0 -> Float.intBitsToFloat(r.nextInt()); // any float: huge, tiny, subnormal, NaN
                case 1 -> (float) (r.nextDouble() * 40 - 20);
                case 2 -> (float) (r.nextDouble() * 4);
                default -> TestData.SPECIALS[r.nextInt(TestData.SPECIALS.length)];
            };
            pv[i] = i % 2 == 0 ? (float) r.nextInt(-6, 7) : (float) (r.nextDouble() * 18 - 9);
        }
        MemorySegment x = TestData.segment(xv, 0);
        MemorySegment p = TestData.segment(pv, 0);
        MemorySegment y = Arena.ofAuto().allocate((long) N * Float.BYTES, 64);
        double[] dy = new double[N];

        Map<String, Consumer<Integer>> cases = new LinkedHashMap<>();
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.SIGMOID}) {
            cases.put(op.name(), n -> Eltwise.unary(op, x, 0, 1, y, 0, 1, n));
        }
        cases.put("POW", n -> Eltwise.binary(BinaryOp.POW, x, 0, 1, p, 0, 1, y, 0, 1, n));
        cases.put("POW_xs", n -> Eltwise.binaryScalar(BinaryOp.POW, x, 0, 1, 1.7f, y, 0, 1, n));
        cases.put("POW_sx", n -> Eltwise.scalarBinary(BinaryOp.POW, 2.5f, p, 0, 1, y, 0, 1, n));
        cases.put("POW_2", n -> Eltwise.binaryScalar(BinaryOp.POW, x, 0, 1, 2f, y, 0, 1, n));
        cases.put("POW_half", n -> Eltwise.binaryScalar(BinaryOp.POW, x, 0, 1, 0.5f, y, 0, 1, n));
        cases.put("Math.pow", n -> mathPow(xv, pv, dy, n));
        boolean control = dev.fovea.simd.Simd.VECTOR;
        if (control) {
            cases.put("control", n -> lanewiseExp(xv, dy, n));
        }

        Map<String, Long> cold = new LinkedHashMap<>();
        for (var c : cases.entrySet()) {
            c.getValue().accept(N);
            cold.put(c.getKey(), hash(c.getKey(), y, dy));
        }
        for (int k = 0; k < rounds; k++) {
            for (Consumer<Integer> c : cases.values()) {
                c.accept(WARM_N);
            }
        }
        for (var c : cases.entrySet()) {
            c.getValue().accept(N);
            System.out.println(c.getKey() + " " + Long.toHexString(cold.get(c.getKey())) + " "
                    + Long.toHexString(hash(c.getKey(), y, dy)));
        }
    }

    private static void mathPow(float[] a, float[] b, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = Math.pow(a[i], b[i]);
        }
    }

    private static void lanewiseExp(float[] a, double[] out, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        float[] tmp = new float[s.length()];
        java.util.Arrays.fill(out, 0.0);
        for (int i = 0; i + s.length() <= n; i += s.length()) {
            FloatVector.fromArray(s, a, i).lanewise(VectorOperators.EXP).intoArray(tmp, 0);
            for (int j = 0; j < tmp.length; j++) {
                out[i + j] = tmp[j];
            }
        }
    }

    private static long hash(String name, MemorySegment y, double[] dy) {
        long h = 0xcbf29ce484222325L;
        boolean dbl = name.equals("Math.pow") || name.equals("control");
        for (int i = 0; i < N; i++) {
            long bits = dbl ? Double.doubleToLongBits(dy[i])
                    : Float.floatToIntBits(y.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            h = (h ^ bits) * 0x100000001b3L;
        }
        return h;
    }
}
