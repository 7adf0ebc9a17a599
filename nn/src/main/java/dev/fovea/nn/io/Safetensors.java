package dev.fovea.nn.io;

import dev.fovea.tensor.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes float32 tensors in the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, the state-dict format of Hugging Face and PyTorch.
 *
 * <p><b>Format.</b> An 8-byte little-endian header length {@code N}; {@code N} bytes of UTF-8 JSON
 * mapping each tensor name to {@code {"dtype":"F32","shape":[...],"data_offsets":[begin,end]}}, with
 * an optional {@code "__metadata__"} object of strings; then the little-endian data, offsets
 * counting from its first byte. Fovea writes {@code F32}; it reads {@code F32} and converts
 * {@code F64, F16, BF16, I64, I32, I16, I8, U8, BOOL} to float32 as it reads them (PyTorch stores
 * {@code num_batches_tracked} as {@code I64}; see {@code SafetensorsDType} for the rounding); other
 * dtypes (such as the 8-bit floats) are rejected by name.
 *
 * <p><b>Reading</b> treats the file as untrusted: the header length (at most
 * {@link #MAX_HEADER_BYTES}), the UTF-8 and JSON, every field, shape and offset, and the layout
 * (tensors must tile the data section without overlaps or gaps, as the reference implementation
 * requires) are validated before any tensor is allocated. Problems with the bytes are
 * {@link IllegalArgumentException}s naming the file, the tensor and the numbers; failures to read
 * are {@link IOException}s. Tensors are allocated in the current {@link dev.fovea.tensor.Scope}.
 *
 * <p><b>Writing</b> produces the same bytes as the reference implementation: metadata first, then
 * tensors sorted by name (UTF-8 byte order) and laid out in that order without gaps, the header
 * padded with spaces so that the data starts 8-byte aligned.
 */
public final class Safetensors {
    /** Longest JSON header accepted or written, in bytes; the reference implementation's limit. */
    public static final int MAX_HEADER_BYTES = 100_000_000;

    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Bytes staged per read or write call: data goes through a buffer to fix the byte order. */
    private static final int CHUNK = 1 << 20;
    private static final Comparator<String> UTF8_ORDER = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private Safetensors() {}

    /**
     * The tensors and metadata of a file.
     *
     * @param tensors  the tensors in header order (a {@link LinkedHashMap})
     * @param metadata the {@code __metadata__} entries in header order, empty if the file has none
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** Checks that neither map is null. */
        public Contents {
            Objects.requireNonNull(tensors, "Contents: tensors is null");
            Objects.requireNonNull(metadata, "Contents: metadata is null");
        }
    }

    /**
     * Reads the tensors of a safetensors file, in header order.
     *
     * @throws IllegalArgumentException if the file is not a valid safetensors file of readable dtypes
     * @throws IOException              if it cannot be read
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return readContents(file).tensors();
    }

    /**
     * Reads the tensors and the {@code __metadata__} of a safetensors file.
     *
     * @throws IllegalArgumentException if the file is not a valid safetensors file of readable dtypes
     * @throws IOException              if it cannot be read
     */
    public static Contents readContents(Path file) throws IOException {
        Objects.requireNonNull(file, "Safetensors.read: file is null");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < Long.BYTES) {
                throw new IllegalArgumentException(SafetensorsHeader.prefix(file) + "the file has " + size
                        + " bytes, too few for the 8-byte header length");
            }
            ByteBuffer lengthField = ByteBuffer.allocate(Long.BYTES);
            readFully(ch, lengthField, 0, file, "the header length");
            long headerBytes = lengthField.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (headerBytes < 0 || headerBytes > MAX_HEADER_BYTES) {
                throw new IllegalArgumentException(SafetensorsHeader.prefix(file) + "header length "
                        + Long.toUnsignedString(headerBytes) + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            if (headerBytes > size - Long.BYTES) {
                throw new IllegalArgumentException(SafetensorsHeader.prefix(file) + "header length " + headerBytes
                        + " runs past the end of the file: only " + (size - Long.BYTES) + " bytes follow the length field");
            }
            byte[] header = new byte[(int) headerBytes];
            readFully(ch, ByteBuffer.wrap(header), Long.BYTES, file, "the header");
            long dataStart = Long.BYTES + headerBytes;
            SafetensorsHeader parsed = SafetensorsHeader.parse(file, header, size - dataStart);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment staging = arena.allocate(Math.min(CHUNK, Math.max(size - dataStart, Long.BYTES)));
                for (SafetensorsHeader.Entry e : parsed.entries()) {
                    Tensor t = Tensor.empty(e.shape());
                    readFloats(ch, dataStart + e.begin(), e.dtype(), t.segment(), e.numel(), staging, file, e.name());
                    tensors.put(e.name(), t);
                }
            }
            return new Contents(tensors, parsed.metadata());
        }
    }

    /**
     * Reads {@code count} little-endian elements of {@code type} at {@code position} into
     * {@code dst} as float32 in native order.
     */
    private static void readFloats(FileChannel ch, long position, SafetensorsDType type, MemorySegment dst, long count,
            MemorySegment staging, Path file, String name) throws IOException {
        long done = 0;
        while (done < count) {
            int n = (int) Math.min(count - done, staging.byteSize() / type.bytes());
            ByteBuffer chunk = staging.asSlice(0, (long) n * type.bytes()).asByteBuffer();
            readFully(ch, chunk, position + done * type.bytes(), file, "tensor " + SafetensorsHeader.quote(name));
            type.toFloats(staging, n, dst, done);
            done += n;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position, Path file, String what)
            throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, at);
            if (n < 0) {
                throw new EOFException(SafetensorsHeader.prefix(file) + "unexpected end of file at byte " + at
                        + " while reading " + what + " (did the file shrink while being read?)");
            }
            at += n;
        }
    }

    /**
     * Writes {@code tensors} to {@code file} (replacing it) with no metadata.
     *
     * @throws IllegalArgumentException if a name is empty, {@code "__metadata__"} or not encodable
     * @throws IOException              if the file cannot be written
     */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} and {@code metadata} (the {@code __metadata__} entry, left out when
     * empty) to {@code file}, replacing it. Non-contiguous tensors are written in row-major order.
     *
     * @throws IllegalArgumentException if a name is empty, {@code "__metadata__"} or not encodable,
     *                                  or the header would exceed {@link #MAX_HEADER_BYTES}
     * @throws IOException              if the file cannot be written
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(file, "Safetensors.write: file is null");
        Objects.requireNonNull(tensors, "Safetensors.write: tensors is null");
        Objects.requireNonNull(metadata, "Safetensors.write: metadata is null");
        List<String> names = new ArrayList<>(tensors.keySet());
        long maxBytes = 0;
        for (String name : names) {
            checkString(name, "tensor name", false);
            if (name.equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("Safetensors.write: a tensor cannot be named " + name);
            }
            Tensor t = Objects.requireNonNull(tensors.get(name), () -> "Safetensors.write: tensor '" + name + "' is null");
            maxBytes = Math.max(maxBytes, t.numel() * Float.BYTES);
        }
        metadata.forEach((k, v) -> {
            checkString(k, "metadata key", false);
            Objects.requireNonNull(v, () -> "Safetensors.write: metadata value of '" + k + "' is null");
            checkString(v, "metadata value", true);
        });
        names.sort(UTF8_ORDER);
        byte[] header = header(names, tensors, metadata);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES + header.length).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(header.length).put(header).flip();
            writeFully(ch, prefix);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment staging = arena.allocate(Math.min(CHUNK, Math.max(maxBytes, Float.BYTES)));
                for (String name : names) {
                    writeFloats(ch, tensors.get(name).contiguous(), staging);
                }
            }
        }
    }

    private static void checkString(String s, String what, boolean mayBeEmpty) {
        Objects.requireNonNull(s, () -> "Safetensors.write: a " + what + " is null");
        if (s.isEmpty() && !mayBeEmpty) {
            throw new IllegalArgumentException("Safetensors.write: a " + what + " is empty");
        }
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(s)) {
            throw new IllegalArgumentException("Safetensors.write: " + what + " " + SafetensorsHeader.quote(s)
                    + " has an unpaired surrogate and cannot be written as UTF-8");
        }
    }

    /** Returns the JSON header, padded with spaces so that 8 + its length is a multiple of 8. */
    private static byte[] header(List<String> names, Map<String, Tensor> tensors, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            HeaderJson.appendString(json, SafetensorsHeader.METADATA_KEY).append(":{");
            List<String> keys = new ArrayList<>(metadata.keySet());
            keys.sort(UTF8_ORDER);
            for (String k : keys) {
                HeaderJson.appendString(json, k).append(':');
                HeaderJson.appendString(json, metadata.get(k)).append(',');
            }
            json.setCharAt(json.length() - 1, '}');
            json.append(',');
        }
        long offset = 0;
        for (String name : names) {
            Tensor t = tensors.get(name);
            long end = offset + Math.multiplyExact(t.numel(), (long) Float.BYTES);
            HeaderJson.appendString(json, name).append(":{\"dtype\":\"F32\",\"shape\":[");
            long[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                json.append(i == 0 ? "" : ",").append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]},");
            offset = end;
        }
        if (json.length() > 1) {
            json.setLength(json.length() - 1); // the last ','
        }
        json.append('}');
        byte[] utf8 = json.toString().getBytes(StandardCharsets.UTF_8);
        int padding = (Long.BYTES - utf8.length % Long.BYTES) % Long.BYTES;
        byte[] out = Arrays.copyOf(utf8, utf8.length + padding);
        Arrays.fill(out, utf8.length, out.length, (byte) ' ');
        if (out.length > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("Safetensors.write: the header of " + names.size() + " tensors takes "
                    + out.length + " bytes, over the limit of " + MAX_HEADER_BYTES);
        }
        return out;
    }

    /** Writes a contiguous tensor's floats little-endian, staged through {@code staging}. */
    private static void writeFloats(FileChannel ch, Tensor t, MemorySegment staging) throws IOException {
        MemorySegment src = t.segment();
        long count = t.numel();
        long done = 0;
        while (done < count) {
            int n = (int) Math.min(count - done, staging.byteSize() / Float.BYTES);
            MemorySegment.copy(src, ValueLayout.JAVA_FLOAT, (t.offset() + done) * Float.BYTES, staging, LE_FLOAT, 0, n);
            writeFully(ch, staging.asSlice(0, (long) n * Float.BYTES).asByteBuffer());
            done += n;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            ch.write(src);
        }
    }
}
