package dev.fovea.nn.init;

/**
 * The orthogonal factor of a matrix as {@code torch.nn.init.orthogonal_} computes it, for
 * {@link Init#orthogonal}: for a {@code rows x cols} matrix {@code M} (row-major), the reduced QR
 * decomposition of {@code M} (of {@code M^T} when {@code rows < cols}, transposed back), with each
 * column of {@code Q} multiplied by the sign of {@code R}'s diagonal entry, which makes the result
 * unique (it is the {@code Q} whose {@code R} has a positive diagonal) whatever QR algorithm is
 * used. Householder reflections in double precision; {@code O(max * min^2)} work.
 */
final class Orthogonal {
    private Orthogonal() {}

    /** The sign-corrected orthogonal factor of {@code m} ({@code rows x cols}, row-major), same layout. */
    static double[] of(double[] m, int rows, int cols) {
        boolean transpose = rows < cols;
        int r = transpose ? cols : rows;
        int c = transpose ? rows : cols;
        double[][] a = new double[r][c];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (transpose) {
                    a[j][i] = m[i * cols + j];
                } else {
                    a[i][j] = m[i * cols + j];
                }
            }
        }
        double[][] q = thinQ(a, r, c);
        double[] out = new double[rows * cols];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                if (transpose) {
                    out[j * cols + i] = q[i][j];
                } else {
                    out[i * cols + j] = q[i][j];
                }
            }
        }
        return out;
    }

    /**
     * Householder QR of {@code a} ({@code r x c}, {@code r >= c}, overwritten): returns the
     * {@code r x c} factor {@code Q} with its columns signed so that {@code R}'s diagonal is
     * non-negative.
     */
    private static double[][] thinQ(double[][] a, int r, int c) {
        double[][] v = new double[c][];
        double[] diag = new double[c];
        for (int k = 0; k < c; k++) {
            double norm = 0;
            for (int i = k; i < r; i++) {
                norm += a[i][k] * a[i][k];
            }
            norm = Math.sqrt(norm);
            // Reflect x onto -sign(x0) |x| e0 so that v = x - alpha e0 suffers no cancellation.
            double alpha = a[k][k] >= 0 ? -norm : norm;
            double[] vk = new double[r - k];
            for (int i = k; i < r; i++) {
                vk[i - k] = a[i][k];
            }
            vk[0] -= alpha;
            double vNorm = 0;
            for (double x : vk) {
                vNorm += x * x;
            }
            vNorm = Math.sqrt(vNorm);
            if (vNorm > 0) {
                for (int i = 0; i < vk.length; i++) {
                    vk[i] /= vNorm;
                }
                reflect(a, vk, k, k, c);
            }
            v[k] = vk;
            diag[k] = vNorm > 0 ? alpha : a[k][k];
        }
        double[][] q = new double[r][c];
        for (int j = 0; j < c; j++) {
            q[j][j] = 1;
        }
        for (int k = c - 1; k >= 0; k--) {
            reflect(q, v[k], k, 0, c);
        }
        for (int j = 0; j < c; j++) {
            if (diag[j] < 0) {
                for (int i = 0; i < r; i++) {
                    q[i][j] = -q[i][j];
                }
            }
        }
        return q;
    }

    /** Applies {@code I - 2 v v^T} to rows {@code from..} and columns {@code [col0, cols)} of {@code m}. */
    private static void reflect(double[][] m, double[] v, int from, int col0, int cols) {
        // Row by row, so that a tall matrix is read along its rows (its memory order).
        double[] dots = new double[cols];
        for (int i = 0; i < v.length; i++) {
            double[] row = m[from + i];
            for (int j = col0; j < cols; j++) {
                dots[j] += v[i] * row[j];
            }
        }
        for (int i = 0; i < v.length; i++) {
            double[] row = m[from + i];
            double s = 2 * v[i];
            for (int j = col0; j < cols; j++) {
                row[j] -= s * dots[j];
            }
        }
    }
}
