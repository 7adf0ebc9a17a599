package dev.fovea.nn;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.StringJoiner;

/**
 * Python's spelling of values in {@link Module#extraRepr()}, so that a layer prints as
 * {@code str(torch_module)} does: {@code 1e-05} rather than Java's {@code 1.0E-5}.
 */
final class PyRepr {
    /** Python's {@code repr(float)} switches to exponent notation below 1e-4 and from 1e16. */
    private static final int MIN_PLAIN_EXPONENT = -4;
    private static final int MAX_PLAIN_EXPONENT = 16;

    private PyRepr() {}

    /**
     * Python's {@code repr} of a float: the shortest digits that read back as {@code v} (from Java's
     * {@link Double#toString}), as {@code 0.0001}, {@code 1e-05}, {@code 1.0}, {@code 1e+16},
     * {@code nan}, {@code inf}.
     */
    static String pyFloat(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        if (d.precision() == 2) {
            // Java gives two digits where one reads back (Double.toString's spec); Python gives one,
            // which matters for subnormals only: 4.9E-324 is Python's 5e-324.
            BigDecimal one = d.round(new MathContext(1, RoundingMode.HALF_EVEN));
            if (one.doubleValue() == v) {
                d = one.stripTrailingZeros();
            }
        }
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        String sign = v < 0 ? "-" : "";
        if (exponent >= MIN_PLAIN_EXPONENT && exponent < MAX_PLAIN_EXPONENT) {
            String plain = d.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "")
                + Math.abs(exponent);
    }

    /** Python's {@code True} or {@code False}. */
    static String pyBool(boolean b) {
        return b ? "True" : "False";
    }

    /** A Python tuple of the values' strings ({@code null} as {@code None}): {@code (2, 3)}, {@code (6,)}. */
    static String tuple(Object... values) {
        StringJoiner j = new StringJoiner(", ", "(", values.length == 1 ? ",)" : ")");
        for (Object v : values) {
            j.add(v == null ? "None" : v.toString());
        }
        return j.toString();
    }
}
