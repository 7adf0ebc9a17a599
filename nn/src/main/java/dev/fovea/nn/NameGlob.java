package dev.fovea.nn;

import java.util.regex.Pattern;

/**
 * Glob patterns over dotted state-dict names ({@code layer1.0.conv1.weight}) for
 * {@link Module#requiresGrad(boolean, String)}, with the semantics of
 * {@link java.nio.file.FileSystem#getPathMatcher}'s globs, the dot playing the role of the path
 * separator. The pattern matches the whole name:
 *
 * <ul>
 *   <li>{@code *} any run of characters within one segment (no dot): {@code fc.*} is
 *       {@code fc.weight} and {@code fc.bias}, not {@code fc.0.weight};
 *   <li>{@code **} any run of characters, dots included: {@code layer4.**}, {@code **.bias};
 *   <li>{@code ?} one character other than a dot;
 *   <li>{@code [abc]}, {@code [1-3]}, {@code [!0-9]} one character (never a dot) of, or with
 *       {@code !} not of, a set;
 *   <li>{@code {a,b,c}} any of the comma-separated alternatives, which may contain the above;
 *   <li>{@code \} makes the next character literal; every other character is itself.
 * </ul>
 */
final class NameGlob {
    private NameGlob() {}

    /**
     * The regular expression equivalent to {@code glob}.
     *
     * @throws IllegalArgumentException for an unclosed {@code [} or {@code {}, a stray {@code }},
     *     an empty set or a trailing {@code \}
     */
    static Pattern compile(String glob) {
        if (glob == null || glob.isEmpty()) {
            throw new IllegalArgumentException("glob: the pattern must be non-empty, got '" + glob + "'");
        }
        StringBuilder re = new StringBuilder();
        int braces = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    boolean twice = i + 1 < glob.length() && glob.charAt(i + 1) == '*';
                    re.append(twice ? ".*" : "[^.]*");
                    i += twice ? 1 : 0;
                }
                case '?' -> re.append("[^.]");
                case '[' -> i = charClass(glob, i, re);
                case '{' -> {
                    braces++;
                    re.append("(?:");
                }
                case '}' -> {
                    if (braces == 0) {
                        throw error(glob, "'}' at " + i + " closes no '{'");
                    }
                    braces--;
                    re.append(')');
                }
                case ',' -> re.append(braces > 0 ? "|" : ",");
                case '\\' -> {
                    if (i + 1 == glob.length()) {
                        throw error(glob, "a trailing '\\' escapes nothing");
                    }
                    re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (braces > 0) {
            throw error(glob, "a '{' is not closed");
        }
        return Pattern.compile(re.toString());
    }

    /** Appends the set starting with the {@code [} at {@code open}; returns the index of its {@code ]}. */
    private static int charClass(String glob, int open, StringBuilder re) {
        int i = open + 1;
        boolean negate = i < glob.length() && glob.charAt(i) == '!';
        i += negate ? 1 : 0;
        int close = glob.indexOf(']', i);
        if (close < 0) {
            throw error(glob, "the '[' at " + open + " is not closed");
        }
        if (close == i) {
            throw error(glob, "the set at " + open + " is empty");
        }
        // [[set]&&[^.]]: the inner brackets make '^' negate the set alone, not the intersection.
        re.append("[[").append(negate ? "^" : "");
        for (int k = i; k < close; k++) {
            char c = glob.charAt(k);
            re.append(c == '-' || Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c);
        }
        re.append("]&&[^.]]");
        return close;
    }

    private static IllegalArgumentException error(String glob, String why) {
        return new IllegalArgumentException("glob '" + glob + "': " + why);
    }
}
