package dev.fovea.simd.pool;

import java.util.Arrays;

/**
 * The shape of one 1-, 2- or 3-d adaptive pooling (PyTorch's {@code adaptive_avg_pool*d} and
 * {@code adaptive_max_pool*d}): input {@code (n, c, in...)} pooled to a chosen output size
 * {@code (n, c, out...)}. Along each axis, output {@code o} pools the input positions
 * {@code [floor(o * in / out), ceil((o + 1) * in / out))}, so windows may differ in size by one and
 * may overlap. Internally three spatial axes (D, H, W), as {@link PoolSpec}.
 *
 * @param dims spatial dimensions (1, 2 or 3)
 * @param n batch size
 * @param c channels
 * @param in input extents per axis D, H, W (1 for missing axes)
 * @param out output extents per axis D, H, W (1 for missing axes)
 */
public record AdaptivePoolSpec(int dims, int n, int c, int[] in, int[] out) {
    /** Validates the values; {@code in} and {@code out} hold the {@code dims} spatial extents, outermost first. */
    public AdaptivePoolSpec {
        String what = "adaptive_pool" + dims + "d: ";
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException("adaptive pooling: dims must be 1, 2 or 3, got " + dims);
        }
        if (n < 0 || c < 1) {
            throw new IllegalArgumentException(what + "need n >= 0 and c >= 1, got n=" + n + ", c=" + c);
        }
        in = axes(what + "input", dims, in);
        out = axes(what + "output size", dims, out);
    }

    private static int[] axes(String name, int dims, int[] v) {
        if (v == null || (v.length != dims && v.length != 3)) {
            throw new IllegalArgumentException(name + " needs " + dims + " values, got " + Arrays.toString(v));
        }
        int[] r = {1, 1, 1};
        System.arraycopy(v, 0, r, 3 - v.length, v.length);
        for (int a = 3 - dims; a < 3; a++) {
            if (r[a] < 1) {
                throw new IllegalArgumentException(name + " sizes must be >= 1, got " + Arrays.toString(v));
            }
        }
        return r;
    }

    /** First input position of output {@code o} along {@code axis}: {@code floor(o * in / out)}. */
    public int start(int axis, int o) {
        return (int) ((long) o * in[axis] / out[axis]);
    }

    /** One past the last input position of output {@code o}: {@code ceil((o + 1) * in / out)}. */
    public int end(int axis, int o) {
        return (int) (((long) (o + 1) * in[axis] + out[axis] - 1) / out[axis]);
    }

    /** Number of planes, {@code n * c}. */
    public long planes() {
        return (long) n * c;
    }

    /** Elements of one input plane. */
    public long inPlane() {
        return (long) in[0] * in[1] * in[2];
    }

    /** Elements of one output plane. */
    public long outPlane() {
        return (long) out[0] * out[1] * out[2];
    }

    /** The input shape {@code (n, c, spatial...)}. */
    public long[] inputShape() {
        return shape(in);
    }

    /** The output shape {@code (n, c, spatial...)}. */
    public long[] outputShape() {
        return shape(out);
    }

    private long[] shape(int[] spatial) {
        long[] s = new long[dims + 2];
        s[0] = n;
        s[1] = c;
        for (int d = 0; d < dims; d++) {
            s[2 + d] = spatial[3 - dims + d];
        }
        return s;
    }

    /**
     * The equivalent fixed-window pooling when every input extent is a multiple of its output
     * extent (kernel = stride = in / out, no padding; global pooling is the case out = 1), else null.
     */
    public PoolSpec asFixedWindows() {
        int[] k = new int[dims];
        int[] ins = new int[dims];
        for (int d = 0; d < dims; d++) {
            int a = 3 - dims + d;
            if (in[a] % out[a] != 0) {
                return null;
            }
            k[d] = in[a] / out[a];
            ins[d] = in[a];
        }
        return PoolSpec.builder(dims).n(n).c(c).input(ins).kernel(k).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdaptivePoolSpec s && dims == s.dims && n == s.n && c == s.c
                && Arrays.equals(in, s.in) && Arrays.equals(out, s.out);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * dims + n) + c) + 17 * Arrays.hashCode(in) + Arrays.hashCode(out);
    }

    @Override
    public String toString() {
        return "adaptive_pool" + dims + "d(n=" + n + ", c=" + c + ", in="
                + Arrays.toString(Arrays.copyOfRange(in, 3 - dims, 3)) + ", out="
                + Arrays.toString(Arrays.copyOfRange(out, 3 - dims, 3)) + ")";
    }
}
