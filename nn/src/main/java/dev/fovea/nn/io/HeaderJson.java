package dev.fovea.nn.io;

/**
 * A strict pull parser (and string writer) for the JSON of a safetensors header, and nothing more.
 *
 * <p><b>Why it exists.</b> House-style rule 6 allows no runtime dependency beyond the JDK in
 * {@code nn}, and the JDK has no JSON parser. The grammar a header uses is fixed and small, so
 * this class implements exactly RFC 8259 JSON tokens: objects, arrays, strings with every escape
 * ({@code \" \\ \/ \b \f \n \r \t \}{@code uXXXX}, surrogate pairs included), numbers, and the
 * literals {@code true}, {@code false} and {@code null}; the caller ({@link SafetensorsHeader})
 * applies the schema on top, decides which values it accepts where, and rejects duplicate keys.
 * It is exercised by the seeded mutation test {@code SafetensorsFuzzTest} and by
 * {@code HeaderJsonTest}.
 *
 * <p><b>Strictness.</b> Only space, tab, CR and LF count as whitespace. Strings may not hold raw
 * control characters or unpaired surrogate escapes; numbers may not have leading zeros or a
 * {@code +}; nothing may follow the top-level value but whitespace. The input is a {@code String}
 * the caller has already decoded as strict UTF-8, so malformed bytes are reported there.
 *
 * <p><b>Bounded.</b> The parser never recurses: nesting is an explicit stack of at most
 * {@link #MAX_DEPTH} levels (the header object, a tensor or metadata object, an array), so no
 * input, however deep, can overflow the Java stack. Syntax errors are {@link Syntax} exceptions
 * (an {@link IllegalArgumentException}) carrying the character position and the offending text.
 */
final class HeaderJson {
    /** Deepest nesting the schema needs: header object, tensor object, shape/offsets array. */
    static final int MAX_DEPTH = 3;

    /** The tokens; {@link #nextToken()} returns {@code null} at the end of the input. */
    enum Token { START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY, FIELD_NAME, STRING, INTEGER, FLOAT, TRUE, FALSE, NULL }

    /** A malformed header: the message names the offending text, {@link #position()} where it starts. */
    static final class Syntax extends IllegalArgumentException {
        private final int position;

        Syntax(String message, int position) {
            super(message);
            this.position = position;
        }

        /** Index of the offending character in the parsed text. */
        int position() {
            return position;
        }
    }

    // Container states: what the next token of the innermost container may be.
    private static final byte FIRST = 0; // after '{' or '[': a name (or value) or the end
    private static final byte VALUE = 1; // after a name: ':' and a value
    private static final byte NEXT = 2; // after a value: ',' or the end

    private final String s;
    private int pos;
    private final boolean[] isObject = new boolean[MAX_DEPTH + 1];
    private final byte[] state = new byte[MAX_DEPTH + 1];
    private int depth;
    private boolean rootDone;
    private Token token;
    private int tokenStart;
    private String text;

    HeaderJson(String s) {
        this.s = s;
    }

    /** The current token, {@code null} before the first and after the last. */
    Token currentToken() {
        return token;
    }

    /** The name, string value or number text of the current token. */
    String text() {
        return text;
    }

    /** Index in the text where the current token starts. */
    int tokenStart() {
        return tokenStart;
    }

    /**
     * Advances to the next token.
     *
     * @throws Syntax if the text is not JSON or nests deeper than {@link #MAX_DEPTH}
     */
    Token nextToken() {
        skipWhitespace();
        tokenStart = pos;
        text = null;
        if (depth > MAX_DEPTH) {
            throw new Syntax("values nest " + depth + " deep; a safetensors header nests at most " + MAX_DEPTH, pos);
        }
        if (depth == 0) {
            if (!rootDone) {
                return token = value();
            }
            if (pos < s.length()) {
                throw syntax("unexpected content after the header's JSON object");
            }
            return token = null;
        }
        int d = depth - 1;
        char c = at();
        if (state[d] == NEXT) {
            if (c == ',') {
                pos++;
                skipWhitespace();
                tokenStart = pos;
                state[d] = isObject[d] ? FIRST : VALUE;
                return token = isObject[d] ? name() : valueInArray(d);
            }
            return token = end(d, c, "',' or");
        }
        if (state[d] == FIRST) {
            if (c == (isObject[d] ? '}' : ']')) {
                return token = end(d, c, "");
            }
            return token = isObject[d] ? name() : valueInArray(d);
        }
        if (c != ':') {
            throw syntax("expected ':' after a name");
        }
        pos++;
        skipWhitespace();
        tokenStart = pos;
        state[d] = NEXT;
        return token = value();
    }

    private Token valueInArray(int d) {
        state[d] = NEXT;
        return value();
    }

    private Token end(int d, char c, String alternative) {
        char close = isObject[d] ? '}' : ']';
        if (c != close) {
            throw syntax("expected " + alternative + (alternative.isEmpty() ? "" : " ") + "'" + close + "'");
        }
        pos++;
        depth--;
        if (depth == 0) {
            rootDone = true;
        }
        return isObject[d] ? Token.END_OBJECT : Token.END_ARRAY;
    }

    private Token name() {
        if (at() != '"') {
            throw syntax("expected a name in double quotes");
        }
        text = string();
        state[depth - 1] = VALUE;
        return Token.FIELD_NAME;
    }

    /** Reads one value; a container is only opened (its contents come with later tokens). */
    private Token value() {
        char c = at();
        switch (c) {
            case '{', '[' -> {
                pos++;
                isObject[depth] = c == '{';
                state[depth] = FIRST;
                depth++;
                return c == '{' ? Token.START_OBJECT : Token.START_ARRAY;
            }
            case '"' -> {
                text = string();
                return scalarDone(Token.STRING);
            }
            case 't' -> {
                return literal("true", Token.TRUE);
            }
            case 'f' -> {
                return literal("false", Token.FALSE);
            }
            case 'n' -> {
                return literal("null", Token.NULL);
            }
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return scalarDone(number());
                }
                throw syntax(pos == s.length() ? "expected a value" : "expected a value (an object, array, string,"
                        + " number, true, false or null)");
            }
        }
    }

    private Token scalarDone(Token t) {
        if (depth == 0) {
            rootDone = true;
        }
        return t;
    }

    private Token literal(String word, Token t) {
        if (!s.startsWith(word, pos)) {
            throw syntax("expected a value (an object, array, string, number, true, false or null)");
        }
        pos += word.length();
        text = word;
        return scalarDone(t);
    }

    /** Reads {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
    private Token number() {
        int start = pos;
        if (s.charAt(pos) == '-') {
            pos++;
        }
        int intStart = pos;
        int digits = digits();
        if (digits == 0) {
            throw new Syntax("'-' must be followed by a digit in " + snippet(start), start);
        }
        boolean integer = true;
        if (at() == '.') {
            pos++;
            integer = false;
            if (digits() == 0) {
                throw new Syntax("a digit must follow the '.' in " + snippet(start), start);
            }
        }
        if (at() == 'e' || at() == 'E') {
            pos++;
            integer = false;
            if (at() == '+' || at() == '-') {
                pos++;
            }
            if (digits() == 0) {
                throw new Syntax("a digit must follow the exponent in " + snippet(start), start);
            }
        }
        text = s.substring(start, pos);
        if (digits > 1 && s.charAt(intStart) == '0') {
            throw new Syntax("the number " + abbreviate(text) + " has a leading zero", start);
        }
        return integer ? Token.INTEGER : Token.FLOAT;
    }

    private int digits() {
        int start = pos;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        return pos - start;
    }

    /** Reads a string starting at its opening quote; returns its value. */
    private String string() {
        int start = pos;
        pos++;
        int run = pos;
        StringBuilder sb = null;
        while (true) {
            if (pos >= s.length()) {
                throw new Syntax("the string starting " + snippet(start) + " is not closed", start);
            }
            char c = s.charAt(pos);
            if (c == '"') {
                String value = sb == null ? s.substring(run, pos) : sb.append(s, run, pos).toString();
                pos++;
                return value;
            }
            if (c < 0x20) {
                throw syntax(String.format("a string holds the raw control character U+%04X; it must be escaped", (int) c));
            }
            if (c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(s, run, pos);
                escape(sb);
                run = pos;
            } else {
                pos++;
            }
        }
    }

    /** Appends the character of the escape at {@code pos} and moves past it. */
    private void escape(StringBuilder sb) {
        int start = pos;
        char e = pos + 1 < s.length() ? s.charAt(pos + 1) : 0;
        pos += 2;
        switch (e) {
            case '"', '\\', '/' -> sb.append(e);
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
                char c = hex4(start);
                if (Character.isLowSurrogate(c)) {
                    throw new Syntax("the escape " + s.substring(start, pos) + " is a low surrogate without a high one",
                            start);
                }
                if (Character.isHighSurrogate(c)) {
                    char low = s.startsWith("\\u", pos) ? hex4(pos) : 0;
                    if (!Character.isLowSurrogate(low)) {
                        throw new Syntax("the escape " + s.substring(start, start + 6)
                                + " is a high surrogate not followed by a low one (\\uDC00 to \\uDFFF)", start);
                    }
                    sb.append(c);
                    c = low;
                }
                sb.append(c);
            }
            default -> throw new Syntax("invalid escape '" + s.substring(start, Math.min(pos, s.length())) + "'"
                    + " (JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", start);
        }
    }

    /** Reads the four hex digits of the {@code \}{@code u} escape starting at {@code escape}. */
    private char hex4(int escape) {
        pos = escape + 2;
        int value = 0;
        for (int i = 0; i < 4; i++, pos++) {
            int digit = pos < s.length() ? Character.digit(s.charAt(pos), 16) : -1;
            if (digit < 0 || s.charAt(pos) > 'f') { // Character.digit also takes non-ASCII digits
                throw new Syntax("the escape " + snippet(escape, 6) + " needs four hex digits", escape);
            }
            value = value << 4 | digit;
        }
        return (char) value;
    }

    private void skipWhitespace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** The character at {@code pos}, or 0 at the end (0 never starts a valid token here). */
    private char at() {
        return pos < s.length() ? s.charAt(pos) : 0;
    }

    /** Describes the current value token for "expected X, got Y" messages. */
    String describe() {
        if (token == null) {
            return "the end of the header";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case STRING -> "the string \"" + abbreviate(text) + "\"";
            case INTEGER, FLOAT -> "the number " + abbreviate(text);
            default -> abbreviate(text == null ? token.toString() : text);
        };
    }

    private Syntax syntax(String message) {
        return new Syntax(message + (pos < s.length() ? " at " + snippet(pos) : " at the end of the header"), pos);
    }

    private String snippet(int from) {
        return snippet(from, 20);
    }

    /** Up to {@code max} characters of the text from {@code from}, quoted, with control characters shown as escapes. */
    private String snippet(int from, int max) {
        int end = Math.min(s.length(), from + max);
        StringBuilder sb = new StringBuilder("'");
        for (int i = from; i < end; i++) {
            char c = s.charAt(i);
            if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append(end < s.length() ? "...'" : "'").toString();
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /**
     * Appends {@code value} as a JSON string as the reference writer (serde_json) does: {@code "}
     * and {@code \} escaped, {@code \b \f \n \r \t} as short escapes, other control characters as
     * lowercase {@code \}{@code u00xx}, and everything else (including non-ASCII and {@code /}) as is.
     */
    static StringBuilder appendString(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
