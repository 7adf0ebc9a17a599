package dev.fovea.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.io.HeaderJson.Token;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The header parser on its own (tokens, escapes, numbers, limits) and through {@link Safetensors#read}. */
class HeaderJsonTest {
    @TempDir
    Path dir;

    /** All tokens of {@code json}, with the text of names, strings and numbers after their token. */
    static List<String> tokens(String json) {
        HeaderJson p = new HeaderJson(json);
        List<String> out = new ArrayList<>();
        for (Token t = p.nextToken(); t != null; t = p.nextToken()) {
            out.add(t.name());
            if (p.text() != null && t != Token.TRUE && t != Token.FALSE && t != Token.NULL) {
                out.add(p.text());
            }
        }
        return out;
    }

    static String syntaxError(String json) {
        return assertThrows(HeaderJson.Syntax.class, () -> tokens(json)).getMessage();
    }

    Path file(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Path p = dir.resolve("h" + System.nanoTime() + ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    static String entry(String name, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    @Test
    void tokenizesTheHeaderGrammarWithRfcWhitespace() {
        assertEquals(List.of("START_OBJECT", "FIELD_NAME", "a", "START_OBJECT", "FIELD_NAME", "s", "START_ARRAY",
                "INTEGER", "0", "INTEGER", "-12", "FLOAT", "1.5e-3", "END_ARRAY", "FIELD_NAME", "n", "NULL",
                "FIELD_NAME", "t", "TRUE", "FIELD_NAME", "x", "STRING", "", "END_OBJECT", "END_OBJECT"),
                tokens(" \t\r\n{ \"a\" :\n{\"s\":[ 0 , -12,1.5e-3 ],\"n\":null,\"t\":true,\"x\":\"\"} }\r\n "));
    }

    @Test
    void decodesEveryEscape() {
        assertEquals(List.of("STRING", "\" \\ / \b \f \n \r \t A é \uD83D\uDE00"),
                tokens("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 \\uD83D\\ude00\""));
    }

    @Test
    void rejectsBadEscapesAndRawControlCharacters() {
        assertTrue(syntaxError("\"\\x\"").contains("invalid escape '\\x'"));
        assertTrue(syntaxError("\"\\u12G4\"").contains("needs four hex digits"));
        assertTrue(syntaxError("\"\\u12\"").contains("needs four hex digits"));
        assertTrue(syntaxError("\"\\u０１２３\"").contains("needs four hex digits"), "fullwidth digits are not hex");
        assertTrue(syntaxError("\"\\uDE00\"").contains("low surrogate without a high one"));
        assertTrue(syntaxError("\"\\uD83D\"").contains("high surrogate not followed by a low one"));
        assertTrue(syntaxError("\"\\uD83D\\u0041\"").contains("high surrogate not followed by a low one"));
        assertTrue(syntaxError("\"a\nb\"").contains("raw control character U+000A"));
        assertTrue(syntaxError("\"a\u0000\"").contains("raw control character U+0000"));
        assertTrue(syntaxError("\"abc").contains("is not closed"));
    }

    @Test
    void rejectsMalformedNumbersAndLiterals() {
        assertTrue(syntaxError("[01]").contains("the number 01 has a leading zero"));
        assertTrue(syntaxError("[-00]").contains("leading zero"));
        assertTrue(syntaxError("[+1]").contains("expected a value"));
        assertTrue(syntaxError("[-]").contains("'-' must be followed by a digit"));
        assertTrue(syntaxError("[1.]").contains("a digit must follow the '.'"));
        assertTrue(syntaxError("[1e]").contains("a digit must follow the exponent"));
        assertTrue(syntaxError("[.5]").contains("expected a value"));
        assertTrue(syntaxError("[1 2]").contains("expected ',' or ']'"));
        assertTrue(syntaxError("[nul]").contains("expected a value"));
        assertTrue(syntaxError("[NaN]").contains("expected a value"));
        assertTrue(syntaxError("[1,]").contains("expected a value"));
        assertTrue(syntaxError("{\"a\":1,}").contains("expected a name in double quotes"));
        assertTrue(syntaxError("{'a':1}").contains("expected a name in double quotes"));
        assertTrue(syntaxError("{\"a\" 1}").contains("expected ':'"));
        assertTrue(syntaxError("{\"a\":1").contains("at the end of the header"));
        assertTrue(syntaxError("\u00A0{}").contains("expected a value"), "no-break space is not JSON whitespace");
    }

    @Test
    void rejectsTrailingContent() {
        assertTrue(syntaxError("{} x").contains("unexpected content after the header's JSON object at 'x'"));
        assertTrue(syntaxError("{}}").contains("unexpected content"));
        assertEquals(List.of("START_OBJECT", "END_OBJECT"), tokens("{}  \n"));
    }

    @Test
    void nestingIsCappedWithoutRecursion() {
        String deep = "[".repeat(100_000);
        assertTrue(syntaxError(deep).contains("nest 4 deep; a safetensors header nests at most 3"));
        assertTrue(syntaxError("{\"a\":{\"b\":[{}]}}").contains("nest 4 deep"));
        assertTrue(syntaxError("{\"a\":{\"b\":[[]]}}").contains("nest 4 deep"));
        assertEquals(12, tokens("{\"a\":{\"b\":[1]}}").size(), "three levels are fine");
    }

    @Test
    void deepNestingInAFileIsAnIllegalArgumentException() throws IOException {
        String open = "[".repeat(100_000);
        var asValue = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(file("{\"w\":" + open, 0)));
        assertTrue(asValue.getMessage().contains("tensor 'w': expected an object with dtype, shape and data_offsets,"
                + " got an array"), asValue.getMessage());
        var inShape = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.read(file("{\"w\":{\"dtype\":\"F32\",\"shape\":" + open, 0)));
        assertTrue(inShape.getMessage().contains("tensor 'w': shape must hold integers only, got an array"),
                inShape.getMessage());
        var atTop = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(file("{" + open, 0)));
        assertTrue(atTop.getMessage().contains("not valid JSON: expected a name in double quotes at '[[[["),
                atTop.getMessage());
    }

    @Test
    void numbersAtTheLongLimit() throws IOException {
        long max = Long.MAX_VALUE;
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(file("{" + entry("w", "[1]",
                "[0," + max + "]") + "}", 4)));
        assertTrue(e.getMessage().contains("data_offsets [0, " + max + "] end beyond the data section"), e.getMessage());
        var over = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(file("{" + entry("w", "[1]",
                "[0,9223372036854775808]") + "}", 4)));
        assertTrue(over.getMessage().contains("tensor 'w': data_offsets holds 9223372036854775808, which does not fit"
                + " a 64-bit integer"), over.getMessage());
        var min = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(file("{" + entry("w",
                "[-9223372036854775808]", "[0,4]") + "}", 4)));
        assertTrue(min.getMessage().contains("has a negative size -9223372036854775808"), min.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[01]", "[1e2]", "[1E+2]", "[-0.0]", "[+1]", "[ 0x1 ]"})
    void badShapeNumbersNameTheField(String shape) throws IOException {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.read(file("{" + entry("w", shape, "[0,4]") + "}", 4)));
        assertTrue(e.getMessage().contains("tensor 'w': shape"), e.getMessage());
    }

    @Test
    void leadingZeroInOffsetsNamesTheFieldAndPosition() throws IOException {
        String header = "{" + entry("w", "[1]", "[00,4]") + "}";
        Path p = file(header, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(p));
        assertEquals("Safetensors: " + p + ": the header is not valid JSON: tensor 'w': data_offsets: the number 00"
                + " has a leading zero (at byte " + header.indexOf("00") + " of the header)", e.getMessage());
    }

    @Test
    void positionsAreUtf8Bytes() throws IOException {
        String header = "{\"é\uD83D\uDE00\":{\"dtype\":F32}}";
        Path p = file(header, 0);
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(p));
        int bytes = header.substring(0, header.indexOf("F32")).getBytes(StandardCharsets.UTF_8).length;
        assertTrue(e.getMessage().endsWith("(at byte " + bytes + " of the header)"), e.getMessage());
        assertTrue(e.getMessage().contains("tensor 'é\uD83D\uDE00': dtype: expected a value"), e.getMessage());
    }

    @Test
    void escapedNamesAndMetadataRoundTrip() throws IOException {
        String name = "a\"b\\c/d\u0001\u001f\b\f\n\r\té\uD83D\uDE00";
        Path p = dir.resolve("escapes.safetensors");
        Safetensors.write(p, Map.of(name, Tensor.scalar(3f)), Map.of("k\n", "v\u0000\"", "empty", ""));
        String header = new String(Files.readAllBytes(p), 8, 100, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"a\\\"b\\\\c/d\\u0001\\u001f\\b\\f\\n\\r\\té\uD83D\uDE00\""), header);
        Safetensors.Contents c = Safetensors.readContents(p);
        assertEquals(List.of(name), List.copyOf(c.tensors().keySet()));
        assertEquals(3f, c.tensors().get(name).item());
        assertEquals(Map.of("k\n", "v\u0000\"", "empty", ""), c.metadata());
    }

    @Test
    void escapedNamesFromOtherWritersAreDecoded() throws IOException {
        Path p = file("{\"\\u0077\\/x\":{\"dtype\":\"F\\u0033\\u0032\",\"shape\":[],\"data_offsets\":[0,4]}}", 4);
        Map<String, Tensor> read = Safetensors.read(p);
        assertArrayEquals(new long[0], read.get("w/x").shape());
    }
}
