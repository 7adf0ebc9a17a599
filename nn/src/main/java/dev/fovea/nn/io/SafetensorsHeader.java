package dev.fovea.nn.io;

import dev.fovea.nn.io.HeaderJson.Syntax;
import dev.fovea.nn.io.HeaderJson.Token;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed and validated JSON header of a safetensors file: its tensor entries in header order
 * and its {@code __metadata__}. Every number is checked here, before the reader allocates.
 */
record SafetensorsHeader(List<Entry> entries, Map<String, String> metadata) {
    /** Key of the optional string-to-string metadata object. */
    static final String METADATA_KEY = "__metadata__";

    /**
     * One tensor: its element type, shape, element count and byte range {@code [begin, end)} in
     * the data section.
     */
    record Entry(String name, SafetensorsDType dtype, long[] shape, long numel, long begin, long end) {}

    /**
     * Parses {@code header} (the bytes after the length field) and validates it against a data
     * section of {@code dataBytes} bytes.
     *
     * @throws IllegalArgumentException naming {@code file}, the tensor and the numbers at fault
     */
    static SafetensorsHeader parse(Path file, byte[] header, long dataBytes) {
        String json = decodeUtf8(file, header);
        if (!json.startsWith("{")) {
            throw error(file, "the header does not start with '{' (a JSON object)");
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        HeaderJson p = new HeaderJson(json);
        try {
            p.nextToken();
            boolean sawMetadata = false;
            Set<String> names = new HashSet<>();
            while (p.nextToken() == Token.FIELD_NAME) {
                String name = p.text();
                if (name.equals(METADATA_KEY)) {
                    next(p, METADATA_KEY);
                    if (sawMetadata) {
                        throw error(file, "the header has more than one " + METADATA_KEY + " entry");
                    }
                    sawMetadata = true;
                    parseMetadata(file, p, metadata);
                } else {
                    String where = "tensor " + quote(name);
                    next(p, where);
                    if (name.isEmpty()) {
                        throw error(file, "a tensor has an empty name");
                    }
                    if (!names.add(name)) {
                        throw error(file, where + " appears more than once in the header");
                    }
                    entries.add(parseEntry(file, p, where, name, dataBytes));
                }
            }
            // The parser only lets '}' end the object; after it, only whitespace may follow.
            p.nextToken();
        } catch (Syntax e) {
            throw new IllegalArgumentException(prefix(file) + "the header is not valid JSON: " + e.getMessage()
                    + " (at byte " + utf8Offset(json, e.position()) + " of the header)", e);
        }
        checkLayout(file, entries, dataBytes);
        return new SafetensorsHeader(entries, metadata);
    }

    private static String decodeUtf8(Path file, byte[] header) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw error(file, "the " + header.length + "-byte header is not valid UTF-8");
        }
    }

    /** Advances {@code p}, naming {@code where} in a syntax error. */
    private static Token next(HeaderJson p, String where) {
        try {
            return p.nextToken();
        } catch (Syntax e) {
            throw new Syntax(where + ": " + e.getMessage(), e.position());
        }
    }

    /** Byte offset in the UTF-8 header of character {@code index} of its decoded text. */
    private static long utf8Offset(String json, int index) {
        long bytes = 0;
        for (int i = 0; i < index; i++) {
            char c = json.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a pair is 4 bytes
        }
        return bytes;
    }

    private static void parseMetadata(Path file, HeaderJson p, Map<String, String> out) {
        if (p.currentToken() == Token.NULL) {
            return;
        }
        if (p.currentToken() != Token.START_OBJECT) {
            throw error(file, METADATA_KEY + " must be an object of strings, got " + p.describe());
        }
        while (next(p, METADATA_KEY) == Token.FIELD_NAME) {
            String key = p.text();
            if (next(p, METADATA_KEY + " entry " + quote(key)) != Token.STRING) {
                throw error(file, METADATA_KEY + " entry " + quote(key) + " must be a string, got " + p.describe());
            }
            if (out.put(key, p.text()) != null) {
                throw error(file, METADATA_KEY + " has key " + quote(key) + " more than once");
            }
        }
    }

    /** Parses one {@code {"dtype", "shape", "data_offsets"}} object and checks its numbers. */
    private static Entry parseEntry(Path file, HeaderJson p, String where, String name, long dataBytes) {
        if (p.currentToken() != Token.START_OBJECT) {
            throw error(file, where + ": expected an object with dtype, shape and data_offsets, got " + p.describe());
        }
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (next(p, where) == Token.FIELD_NAME) {
            String field = p.text();
            boolean repeated = switch (field) {
                case "dtype" -> {
                    if (next(p, where + ": dtype") != Token.STRING) {
                        throw error(file, where + ": dtype must be a string, got " + p.describe());
                    }
                    boolean seen = dtype != null;
                    dtype = p.text();
                    yield seen;
                }
                case "shape" -> {
                    next(p, where + ": shape");
                    boolean seen = shape != null;
                    shape = longArray(file, p, where + ": shape");
                    yield seen;
                }
                case "data_offsets" -> {
                    next(p, where + ": data_offsets");
                    boolean seen = offsets != null;
                    offsets = longArray(file, p, where + ": data_offsets");
                    yield seen;
                }
                default -> throw error(file, where + ": unknown field " + quote(field)
                        + " (expected dtype, shape and data_offsets)");
            };
            if (repeated) {
                throw error(file, where + ": field " + quote(field) + " appears more than once");
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            throw error(file, where + ": missing field " + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        return check(file, where, name, dtype, shape, offsets, dataBytes);
    }

    private static Entry check(Path file, String where, String name, String dtype, long[] shape, long[] offsets,
            long dataBytes) {
        SafetensorsDType type = SafetensorsDType.byName(dtype);
        if (type == null) {
            throw error(file, where + " has dtype " + dtype + "; readable dtypes are " + SafetensorsDType.known());
        }
        long numel = 1;
        long nonZeroProduct = 1;
        try {
            for (long size : shape) {
                if (size < 0) {
                    throw error(file, where + ": shape " + Arrays.toString(shape) + " has a negative size " + size);
                }
                numel = Math.multiplyExact(numel, size);
                // Strides multiply the non-zero sizes even when another size is 0, so they must fit too.
                nonZeroProduct = Math.multiplyExact(nonZeroProduct, Math.max(size, 1));
            }
        } catch (ArithmeticException e) {
            throw error(file, where + ": shape " + Arrays.toString(shape) + " has more elements than a long can count");
        }
        if (offsets.length != 2) {
            throw error(file, where + ": data_offsets must be [begin, end], got " + Arrays.toString(offsets));
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin) {
            throw error(file, where + ": data_offsets [" + begin + ", " + end + "] must satisfy 0 <= begin <= end");
        }
        if (end > dataBytes) {
            throw error(file, where + ": data_offsets [" + begin + ", " + end + "] end beyond the data section of "
                    + dataBytes + " bytes");
        }
        if (numel > (end - begin) / type.bytes() || numel * type.bytes() != end - begin) {
            throw error(file, where + ": shape " + Arrays.toString(shape) + " of " + type + " needs " + numel + " x "
                    + type.bytes() + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new Entry(name, type, shape, numel, begin, end);
    }

    /**
     * Reads a JSON array of integers that each fit a long; signs pass here so that {@link #check}
     * can name a negative size or offset.
     */
    private static long[] longArray(Path file, HeaderJson p, String what) {
        if (p.currentToken() != Token.START_ARRAY) {
            throw error(file, what + " must be an array of integers, got " + p.describe());
        }
        long[] values = new long[4];
        int n = 0;
        while (next(p, what) != Token.END_ARRAY) {
            if (p.currentToken() != Token.INTEGER) {
                throw error(file, what + " must hold integers only, got " + p.describe());
            }
            long value;
            try {
                value = Long.parseLong(p.text());
            } catch (NumberFormatException e) {
                throw error(file, what + " holds " + HeaderJson.abbreviate(p.text())
                        + ", which does not fit a 64-bit integer");
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, 2 * n);
            }
            values[n++] = value;
        }
        return Arrays.copyOf(values, n);
    }

    /**
     * Checks that the tensors, sorted by offset, tile the data section from 0 to its end without
     * overlaps or gaps, as the reference implementation requires.
     */
    private static void checkLayout(Path file, List<Entry> entries, long dataBytes) {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin() != expected) {
                String range = "tensor " + quote(e.name()) + " data_offsets [" + e.begin() + ", " + e.end() + "]";
                throw error(file, e.begin() < expected
                        ? range + " overlap tensor " + quote(previous.name()) + ", which ends at " + expected
                        : range + " leave a gap of " + (e.begin() - expected) + " bytes after "
                                + (previous == null ? "the start of the data section" : "tensor " + quote(previous.name())
                                        + ", which ends at " + expected));
            }
            expected = e.end();
            previous = e;
        }
        if (expected != dataBytes) {
            throw error(file, "the tensors cover " + expected + " bytes but the data section has " + dataBytes
                    + " (" + (dataBytes - expected) + " bytes unaccounted for)");
        }
    }

    /** Returns a name in single quotes, cut to 200 chars: names come from the file and may be huge. */
    static String quote(String name) {
        return "'" + (name.length() <= 200 ? name : name.substring(0, 200) + "...") + "'";
    }

    static String prefix(Path file) {
        return "Safetensors: " + file + ": ";
    }

    private static IllegalArgumentException error(Path file, String message) {
        return new IllegalArgumentException(prefix(file) + message);
    }
}
