package dev.fovea.nn.init;

/**
 * The standard normal distribution's CDF and its inverse in double precision, for
 * {@link Init#truncNormal}: the CDF by Hart's rational approximation as given by G. West, "Better
 * approximations to cumulative normal functions" (Wilmott 2005); the inverse by P. J. Acklam's
 * rational approximation refined by one Halley step on that CDF. Checked against Python's
 * {@code statistics.NormalDist} (InitTest): relative error of the CDF below 1e-8 down to
 * {@code x = -37} (below 1e-13 for {@code |x| <= 3}), inverse within 1e-9 absolute for
 * {@code p >= 1e-100}, far below float32 resolution.
 */
final class StandardNormal {
    private static final double[] A = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    private static final double[] B = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01};
    private static final double[] C = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    private static final double[] D = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
        3.754408661907416e+00};
    private static final double P_LOW = 0.02425;
    private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);

    private StandardNormal() {}

    /** {@code P(Z <= x)}; 0 below -37 and 1 above 37, where the double result would round there anyway. */
    static double cdf(double x) {
        double ax = Math.abs(x);
        double tail;
        if (ax > 37) {
            tail = 0;
        } else if (ax < 7.07106781186547) {
            double e = Math.exp(-ax * ax / 2);
            double num = 3.52624965998911e-02 * ax + 0.700383064443688;
            num = num * ax + 6.37396220353165;
            num = num * ax + 33.912866078383;
            num = num * ax + 112.079291497871;
            num = num * ax + 221.213596169931;
            num = num * ax + 220.206867912376;
            double den = 8.83883476483184e-02 * ax + 1.75566716318264;
            den = den * ax + 16.064177579207;
            den = den * ax + 86.7807322029461;
            den = den * ax + 296.564248779674;
            den = den * ax + 637.333633378831;
            den = den * ax + 793.826512519948;
            den = den * ax + 440.413735824752;
            tail = e * num / den;
        } else {
            double f = ax + 0.65;
            f = ax + 4 / f;
            f = ax + 3 / f;
            f = ax + 2 / f;
            f = ax + 1 / f;
            tail = Math.exp(-ax * ax / 2) / f / SQRT_2PI;
        }
        return x > 0 ? 1 - tail : tail;
    }

    /** The {@code x} with {@code cdf(x) = p}, for {@code 0 < p < 1}. */
    static double inverseCdf(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("StandardNormal.inverseCdf: p must be in (0, 1), got " + p);
        }
        double x;
        if (p < P_LOW) {
            double q = Math.sqrt(-2 * Math.log(p));
            x = tail(q);
        } else if (p <= 1 - P_LOW) {
            double q = p - 0.5;
            double r = q * q;
            x = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
                    / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
        } else {
            double q = Math.sqrt(-2 * Math.log1p(-p));
            x = -tail(q);
        }
        double c = cdf(x);
        if (c > 0 && c < 1) {
            // One Halley step takes Acklam's 1e-9 relative error to the CDF's accuracy.
            double u = (c - p) * SQRT_2PI * Math.exp(x * x / 2);
            x -= u / (1 + x * u / 2);
        }
        return x;
    }

    private static double tail(double q) {
        return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
    }

    /** The standard normal density. */
    static double pdf(double x) {
        return Math.exp(-x * x / 2) / SQRT_2PI;
    }
}
