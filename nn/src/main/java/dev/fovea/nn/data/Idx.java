package dev.fovea.nn.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST, Fashion-MNIST, KMNIST and EMNIST, plain or gzipped (recognised by
 * the gzip magic, whatever the file name).
 *
 * <p><b>Format.</b> Two zero bytes, a type byte ({@code 0x08} unsigned byte, {@code 0x09} signed
 * byte, {@code 0x0B} short, {@code 0x0C} int, {@code 0x0D} float, {@code 0x0E} double), the number of
 * dimensions, each dimension as a big-endian 32-bit integer, then the big-endian elements in
 * row-major order.
 *
 * <p>The file is untrusted: the magic, the type, the dimensions and their product are checked
 * first, and the data is read into a buffer that grows with the bytes actually present (never
 * sized from the header's claim), so a lying header costs nothing. A file with fewer or more data
 * bytes than its dimensions need is an {@link IllegalArgumentException} naming the file and both
 * numbers.
 */
public final class Idx {
    /** Largest data section accepted, in bytes: what one Java array holds. */
    public static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;
    /** Most dimensions accepted (the format allows 255; real files have 1 to 4). */
    public static final int MAX_RANK = 16;

    private Idx() {}

    /** The element types of the format, by their type byte. */
    public enum Type {
        /** {@code 0x08}: unsigned byte (MNIST's pixels and labels). */
        UBYTE(0x08, 1),
        /** {@code 0x09}: signed byte. */
        BYTE(0x09, 1),
        /** {@code 0x0B}: big-endian 16-bit integer. */
        SHORT(0x0B, 2),
        /** {@code 0x0C}: big-endian 32-bit integer. */
        INT(0x0C, 4),
        /** {@code 0x0D}: big-endian float32. */
        FLOAT(0x0D, 4),
        /** {@code 0x0E}: big-endian float64. */
        DOUBLE(0x0E, 8);

        private final int code;
        private final int bytes;

        Type(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }

        static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    /**
     * A parsed IDX file.
     *
     * @param type the element type
     * @param dims the dimensions, outermost first (MNIST's training images: 60000, 28, 28)
     * @param data the elements' bytes as stored: big-endian, row-major
     */
    public record Array(Type type, int[] dims, byte[] data) {
        /** Checks the fields and that {@code data} holds exactly the elements {@code dims} counts. */
        public Array {
            Objects.requireNonNull(type, "Idx.Array: type is null");
            dims = dims.clone();
            Objects.requireNonNull(data, "Idx.Array: data is null");
            if (elements(dims) * type.bytes() != data.length) {
                throw new IllegalArgumentException("Idx.Array: dims " + Arrays.toString(dims) + " of " + type
                        + " need " + elements(dims) * type.bytes() + " bytes, data has " + data.length);
            }
        }

        /** The dimensions (a copy). */
        @Override
        public int[] dims() {
            return dims.clone();
        }

        /** The number of elements. */
        public long elements() {
            return elements(dims);
        }

        /** Element {@code i} (row-major) as an int: for the integer types only. */
        public int intAt(long i) {
            int at = Math.toIntExact(i * type.bytes());
            return switch (type) {
                case UBYTE -> data[at] & 0xff;
                case BYTE -> data[at];
                case SHORT -> (short) ((data[at] << 8) | (data[at + 1] & 0xff));
                case INT -> (data[at] << 24) | ((data[at + 1] & 0xff) << 16) | ((data[at + 2] & 0xff) << 8)
                        | (data[at + 3] & 0xff);
                case FLOAT, DOUBLE -> throw new IllegalStateException("Idx.Array: " + type + " is not an integer type");
            };
        }

        private static long elements(int[] dims) {
            long n = 1;
            for (int d : dims) {
                n *= d;
            }
            return n;
        }
    }

    /**
     * Reads an IDX file, gzipped or not.
     *
     * @throws IllegalArgumentException if the bytes are not a valid IDX file (the message names the file)
     * @throws IOException if the file cannot be read or its gzip stream is corrupt
     */
    public static Array read(Path file) throws IOException {
        return read(file, null);
    }

    /** {@link #read(Path)}, feeding the IDX bytes (after decompression) to {@code digest} when it is not null. */
    static Array read(Path file, MessageDigest digest) throws IOException {
        Objects.requireNonNull(file, "Idx.read: file is null");
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(digest == null ? in : new DigestInputStream(in, digest), file.toString());
        }
    }

    /**
     * Reads an IDX stream (not gzipped) to its end; {@code name} names it in messages.
     *
     * @throws IllegalArgumentException if the bytes are not a valid IDX file
     * @throws IOException if the stream cannot be read
     */
    public static Array read(InputStream in, String name) throws IOException {
        byte[] head = new byte[4];
        int got = in.readNBytes(head, 0, 4);
        if (got < 4) {
            throw error(name, "the file has " + got + " bytes, too few for the 4-byte magic number");
        }
        if (head[0] != 0 || head[1] != 0) {
            throw error(name, String.format("the magic number starts with 0x%02x 0x%02x, expected two zero bytes"
                    + " (is it an IDX file?)", head[0] & 0xff, head[1] & 0xff));
        }
        Type type = Type.of(head[2] & 0xff);
        if (type == null) {
            throw error(name, String.format("unknown element type 0x%02x (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or"
                    + " 0x0E)", head[2] & 0xff));
        }
        int rank = head[3] & 0xff;
        if (rank < 1 || rank > MAX_RANK) {
            throw error(name, "the file declares " + rank + " dimensions; expected 1 to " + MAX_RANK);
        }
        byte[] dimBytes = new byte[4 * rank];
        if (in.readNBytes(dimBytes, 0, dimBytes.length) < dimBytes.length) {
            throw error(name, "the file ends inside its " + rank + " dimension sizes");
        }
        int[] dims = new int[rank];
        long bytes = type.bytes();
        for (int i = 0; i < rank; i++) {
            dims[i] = ((dimBytes[4 * i] & 0xff) << 24) | ((dimBytes[4 * i + 1] & 0xff) << 16)
                    | ((dimBytes[4 * i + 2] & 0xff) << 8) | (dimBytes[4 * i + 3] & 0xff);
            if (dims[i] < 0) {
                throw error(name, "dimension " + i + " is " + Integer.toUnsignedString(dims[i])
                        + ", more than 2^31 - 1");
            }
            bytes = bytes > MAX_DATA_BYTES ? bytes : bytes * dims[i];
        }
        if (bytes > MAX_DATA_BYTES) {
            throw error(name, "dimensions " + Arrays.toString(dims) + " of " + type + " need more than "
                    + MAX_DATA_BYTES + " bytes, the most one array holds");
        }
        byte[] data = readAtMost(in, bytes + 1);
        if (data.length != bytes) {
            throw error(name, "dimensions " + Arrays.toString(dims) + " of " + type + " need " + bytes
                    + " data bytes, the file has " + (data.length > bytes ? "more" : data.length)
                    + (data.length > bytes ? " (trailing bytes)" : " (truncated)"));
        }
        return new Array(type, dims, data);
    }

    /** Reads up to {@code limit} bytes, growing the buffer with what arrives (never sized from a claim). */
    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        byte[] chunk = new byte[1 << 16];
        long left = limit;
        while (left > 0) {
            int n;
            try {
                n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
            } catch (EOFException e) {
                break; // a gzip stream cut short: reported as truncated data by the caller
            }
            if (n < 0) {
                break;
            }
            out.write(chunk, 0, n);
            left -= n;
        }
        return out.toByteArray();
    }

    private static IllegalArgumentException error(String name, String what) {
        return new IllegalArgumentException("Invalid IDX file " + name + ": " + what);
    }
}
