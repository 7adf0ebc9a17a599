package dev.fovea.tensor.io;

import java.io.IOException;
import java.nio.ByteOrder;

/**
 * The parsed header of a {@code .npy} file: element type, byte order, storage order and shape.
 *
 * <p>{@link #parse} is a strict parser for the one Python literal a header holds, a dict with
 * exactly the keys {@code 'descr'} (a string), {@code 'fortran_order'} ({@code True} or
 * {@code False}) and {@code 'shape'} (a tuple of non-negative integers, Python 2's {@code L}
 * suffix allowed), in any order, with an optional trailing comma, followed only by spaces and
 * newlines. Nothing is evaluated; anything else is an {@link IOException}.
 *
 * @param dtype    the stored element type
 * @param order    byte order of multi-byte elements
 * @param fortran  true when elements are stored in column-major (Fortran) order
 * @param shape    dimensions, outermost first (empty for a 0-d array)
 */
record NpyHeader(Dtype dtype, ByteOrder order, boolean fortran, long[] shape) {
    /** Most dimensions accepted (NumPy 2 allows 64). */
    static final int MAX_DIMS = 64;

    /** Element types that can be read, all converted to float32. */
    enum Dtype {
        F4(4), F8(8), I4(4), I8(8), U1(1);

        /** Bytes per element. */
        final int size;

        Dtype(int size) {
            this.size = size;
        }
    }

    /** Parses a header dict. */
    static NpyHeader parse(String text) throws IOException {
        return new Parser(text).header();
    }

    /**
     * Number of elements: the product of the shape (1 for a 0-d array). Fails when the data in
     * the widest dtype (8 bytes) would not fit in a {@code long} byte count.
     */
    long count() throws IOException {
        try {
            return Npy.elementCount("shape", shape);
        } catch (IllegalArgumentException e) {
            throw new IOException("Invalid .npy: shape " + java.util.Arrays.toString(shape) + " has too many elements");
        }
    }

    /** Recursive-descent parser over the header text; {@code pos} is the next character. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        NpyHeader header() throws IOException {
            String descr = null;
            Boolean fortran = null;
            long[] shape = null;
            skipSpace();
            expect('{');
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    break;
                }
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                switch (key) {
                    case "descr" -> descr = once(descr, key, string());
                    case "fortran_order" -> fortran = once(fortran, key, bool());
                    case "shape" -> shape = once(shape, key, tuple());
                    default -> throw error("unexpected key '" + printable(key) + "'");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\n')) {
                pos++;
            }
            if (pos != s.length()) {
                throw error("unexpected text after the dict");
            }
            if (descr == null || fortran == null || shape == null) {
                throw error("missing key: need 'descr', 'fortran_order' and 'shape'");
            }
            return dtype(descr, fortran, shape);
        }

        private NpyHeader dtype(String descr, boolean fortran, long[] shape) throws IOException {
            if (descr.length() == 3) {
                char o = descr.charAt(0);
                ByteOrder order = o == '<' ? ByteOrder.LITTLE_ENDIAN : o == '>' ? ByteOrder.BIG_ENDIAN : null;
                String kind = descr.substring(1);
                if (kind.equals("u1") && (o == '|' || order != null)) {
                    return new NpyHeader(Dtype.U1, ByteOrder.LITTLE_ENDIAN, fortran, shape);
                }
                if (order != null) {
                    Dtype t = switch (kind) {
                        case "f4" -> Dtype.F4;
                        case "f8" -> Dtype.F8;
                        case "i4" -> Dtype.I4;
                        case "i8" -> Dtype.I8;
                        default -> null;
                    };
                    if (t != null) {
                        return new NpyHeader(t, order, fortran, shape);
                    }
                }
            }
            throw new IOException("Invalid .npy: unsupported dtype '" + printable(descr)
                    + "' (supported: <f4 <f8 <i4 <i8 |u1 and their big-endian '>' forms)");
        }

        private <T> T once(T previous, String key, T value) throws IOException {
            if (previous != null) {
                throw error("duplicate key '" + key + "'");
            }
            return value;
        }

        private String string() throws IOException {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw error("expected a quoted string");
            }
            int end = s.indexOf(q, pos + 1);
            if (end < 0) {
                throw error("unterminated string");
            }
            String v = s.substring(pos + 1, end);
            if (v.indexOf('\\') >= 0 || v.indexOf('\n') >= 0) {
                throw error("escapes and newlines are not accepted in strings");
            }
            pos = end + 1;
            return v;
        }

        private Boolean bool() throws IOException {
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            throw error("expected True or False");
        }

        private long[] tuple() throws IOException {
            expect('(');
            long[] dims = new long[MAX_DIMS];
            int n = 0;
            boolean comma = false;
            while (true) {
                skipSpace();
                if (peek() == ')') {
                    pos++;
                    break;
                }
                if (n == MAX_DIMS) {
                    throw error("more than " + MAX_DIMS + " dimensions");
                }
                dims[n++] = integer(n - 1);
                skipSpace();
                comma = peek() == ',';
                if (comma) {
                    pos++;
                } else if (peek() != ')') {
                    throw error("expected ',' or ')' in the shape");
                }
            }
            if (n == 1 && !comma) {
                throw error("a 1-d shape must be written (n,)");
            }
            return java.util.Arrays.copyOf(dims, n);
        }

        private long integer(int axis) throws IOException {
            if (peek() == '-') {
                throw error("shape[" + axis + "] is negative");
            }
            int start = pos;
            long v = 0;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                int digit = s.charAt(pos++) - '0';
                if (v > (Long.MAX_VALUE - digit) / 10) {
                    throw error("shape[" + axis + "] does not fit in 63 bits");
                }
                v = v * 10 + digit;
            }
            if (pos == start) {
                throw error("expected a non-negative integer in the shape");
            }
            if (peek() == 'L') {
                pos++;
            }
            return v;
        }

        private void skipSpace() {
            while (pos < s.length() && s.charAt(pos) == ' ') {
                pos++;
            }
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private void expect(char c) throws IOException {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private IOException error(String what) {
            String head = s.length() > 120 ? s.substring(0, 120) + "..." : s;
            return new IOException("Invalid .npy header: " + what + " at column " + pos + " in \"" + printable(head).strip()
                    + "\"");
        }

        private static String printable(String v) {
            StringBuilder b = new StringBuilder(v.length());
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                b.append(c >= 0x20 && c < 0x7f ? c : '?');
            }
            return b.toString();
        }
    }
}
