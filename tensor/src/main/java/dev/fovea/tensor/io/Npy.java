package dev.fovea.tensor.io;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0).
 *
 * <p><b>Reading</b> accepts float32, float64, int32, int64 (little- or big-endian) and uint8
 * elements in C or Fortran order, 0-d arrays and zero-size dimensions, and always produces a
 * float32 C-order {@link NpyArray} (float64 and int64 are rounded to nearest; Fortran data is
 * transposed). The input is untrusted: the magic, version, header length, header syntax (a
 * strict parser of the Python dict literal, which evaluates nothing), dtype and shape are validated, and the data size is checked against the
 * file size or the caller's limit, all <em>before</em> the caller's allocator is asked for
 * memory. Every problem with the bytes is an {@link IOException} whose message starts with
 * {@code "Invalid .npy"} or {@code "Truncated .npy"}; caller mistakes are
 * {@link IllegalArgumentException}s.
 *
 * <p><b>Writing</b> produces float32 little-endian C-order version 1.0 files whose header is
 * padded to 64 bytes exactly as NumPy's {@code np.save} pads it (version 2.0 only if the header
 * outgrows 65535 bytes).
 */
public final class Npy {
    /** Longest header accepted, in bytes; NumPy's own reader stops at 10000 by default. */
    public static final int MAX_HEADER_BYTES = 1 << 20;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int CHUNK = 1 << 16;
    /** NumPy leaves room for the first axis to grow to this many digits (format.GROWTH_AXIS_MAX_DIGITS). */
    private static final int GROWTH_DIGITS = 21;

    private Npy() {}

    /**
     * Reads a {@code .npy} file, which must hold exactly one array and nothing after it.
     *
     * @param allocateFloats returns a segment of at least the given number of floats; called once,
     *                       after validation, with a count the file's size vouches for
     */
    public static NpyArray read(Path path, LongFunction<MemorySegment> allocateFloats) throws IOException {
        Objects.requireNonNull(allocateFloats, "Npy.read: allocateFloats is null");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(ch, Long.MAX_VALUE, allocateFloats, true);
        }
    }

    /**
     * Reads one array from a channel, leaving it positioned after the array's data. If the channel
     * is a {@link SeekableByteChannel}, its remaining size is checked against the data size before
     * allocating.
     *
     * @param sizeLimitBytes largest array accepted, in bytes, counting both the stored data and the
     *                       float32 result; a larger header is rejected before any allocation
     */
    public static NpyArray read(ReadableByteChannel in, long sizeLimitBytes, LongFunction<MemorySegment> allocateFloats)
            throws IOException {
        Objects.requireNonNull(in, "Npy.read: in is null");
        Objects.requireNonNull(allocateFloats, "Npy.read: allocateFloats is null");
        if (sizeLimitBytes < 0) {
            throw new IllegalArgumentException("Npy.read: sizeLimitBytes must be >= 0, got " + sizeLimitBytes);
        }
        return read(in, sizeLimitBytes, allocateFloats, false);
    }

    /** Reads one array from a stream; see {@link #read(ReadableByteChannel, long, LongFunction)}. */
    public static NpyArray read(InputStream in, long sizeLimitBytes, LongFunction<MemorySegment> allocateFloats)
            throws IOException {
        Objects.requireNonNull(in, "Npy.read: in is null");
        return read(Channels.newChannel(in), sizeLimitBytes, allocateFloats);
    }

    private static NpyArray read(ReadableByteChannel ch, long limit, LongFunction<MemorySegment> alloc, boolean exact)
            throws IOException {
        long remaining = ch instanceof SeekableByteChannel s ? s.size() - s.position() : -1;
        NpyHeader h = readHeader(ch, remaining);
        long count = h.count();
        long dataBytes = count * h.dtype().size;
        long outBytes = count * Float.BYTES;
        if (Math.max(dataBytes, outBytes) > limit) {
            throw new IOException("Invalid .npy: shape " + Arrays.toString(h.shape()) + " needs " + Math.max(dataBytes, outBytes)
                    + " bytes, over the size limit of " + limit);
        }
        if (ch instanceof SeekableByteChannel s) {
            long avail = s.size() - s.position();
            if (avail < dataBytes) {
                throw new IOException("Truncated .npy: shape " + Arrays.toString(h.shape()) + " of " + h.dtype() + " needs "
                        + dataBytes + " data bytes, the file has " + avail);
            }
            if (exact && avail > dataBytes) {
                throw new IOException("Invalid .npy: " + (avail - dataBytes) + " unexpected bytes after the data of shape "
                        + Arrays.toString(h.shape()));
            }
        }
        MemorySegment out = allocate(alloc, count);
        readData(ch, h, count, out);
        return new NpyArray(h.shape(), out);
    }

    /**
     * Reads and checks the magic, version, header length and header, leaving {@code ch} at the
     * data. {@code remaining} is the input size if known, else -1.
     */
    private static NpyHeader readHeader(ReadableByteChannel ch, long remaining) throws IOException {
        ByteBuffer prelude = readFully(ch, 8, "magic and version");
        for (int i = 0; i < MAGIC.length; i++) {
            if (prelude.get(i) != MAGIC[i]) {
                throw new IOException("Invalid .npy: bad magic (expected \\x93NUMPY at offset 0)");
            }
        }
        int major = prelude.get(6) & 0xff;
        int minor = prelude.get(7) & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new IOException("Invalid .npy: unsupported format version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        int lenBytes = major == 1 ? 2 : 4;
        ByteBuffer lenBuf = readFully(ch, lenBytes, "header length").order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = major == 1 ? lenBuf.getShort(0) & 0xffffL : lenBuf.getInt(0) & 0xffffffffL;
        if (headerLen > MAX_HEADER_BYTES) {
            throw new IOException("Invalid .npy: header length " + headerLen + " exceeds " + MAX_HEADER_BYTES + " bytes");
        }
        if (remaining >= 0 && 8 + lenBytes + headerLen > remaining) {
            throw new IOException("Truncated .npy: header of " + headerLen + " bytes but only " + (remaining - 8 - lenBytes)
                    + " bytes follow");
        }
        ByteBuffer headerBytes = readFully(ch, (int) headerLen, "header");
        try {
            return NpyHeader.parse((major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).newDecoder()
                    .decode(headerBytes).toString());
        } catch (CharacterCodingException e) {
            throw new IOException("Invalid .npy: the version 3.0 header is not valid UTF-8", e);
        }
    }

    private static MemorySegment allocate(LongFunction<MemorySegment> alloc, long count) {
        MemorySegment seg = alloc.apply(count);
        if (seg == null || seg.byteSize() < count * Float.BYTES || seg.isReadOnly()) {
            throw new IllegalArgumentException("Npy.read: allocateFloats(" + count + ") returned "
                    + (seg == null ? "null" : seg.isReadOnly() ? "a read-only segment" : seg.byteSize() + " bytes")
                    + ", need " + count * Float.BYTES + " writable bytes");
        }
        return seg.asSlice(0, count * Float.BYTES);
    }

    /** Reads {@code n} bytes or fails with "Truncated .npy". */
    private static ByteBuffer readFully(ReadableByteChannel ch, int n, String what) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        fill(ch, b, what);
        return b.flip();
    }

    private static void fill(ReadableByteChannel ch, ByteBuffer b, String what) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("Truncated .npy: end of input in the " + what + " (" + b.position() + " of "
                        + b.limit() + " bytes)");
            }
        }
    }

    /** Streams the data in chunks, converting to float32 and placing elements in C order. */
    private static void readData(ReadableByteChannel ch, NpyHeader h, long count, MemorySegment out) throws IOException {
        int size = h.dtype().size;
        boolean direct = h.dtype() == NpyHeader.Dtype.F4 && h.order() == ByteOrder.nativeOrder();
        COrderCursor cursor = h.fortran() ? new CFromFortranCursor(h.shape()) : new COrderCursor();
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(h.order());
        MemorySegment bufSeg = MemorySegment.ofBuffer(buf);
        long done = 0;
        while (done < count) {
            int n = (int) Math.min(CHUNK / size, count - done);
            buf.clear().limit(n * size);
            fill(ch, buf, "data (element " + done + " of " + count + ")");
            if (direct && !h.fortran()) {
                MemorySegment.copy(bufSeg, 0, out, done * Float.BYTES, (long) n * Float.BYTES);
            } else {
                for (int i = 0; i < n; i++) {
                    out.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, cursor.next(), element(buf, i * size, h.dtype()));
                }
            }
            done += n;
        }
    }

    private static float element(ByteBuffer b, int at, NpyHeader.Dtype t) {
        return switch (t) {
            case F4 -> b.getFloat(at);
            case F8 -> (float) b.getDouble(at);
            case I4 -> (float) b.getInt(at);
            case I8 -> (float) b.getLong(at);
            case U1 -> (float) (b.get(at) & 0xff);
        };
    }

    /** Destination index of each stored element: sequential for C-order data. */
    private static class COrderCursor {
        private long next;

        long next() {
            return next++;
        }
    }

    /**
     * Destination C-order index of each element stored in Fortran order: an odometer over the
     * indices with the first axis fastest, keeping the C offset updated incrementally.
     */
    private static final class CFromFortranCursor extends COrderCursor {
        private final long[] dims;
        private final long[] cStride;
        private final long[] idx;
        private long offset;
        private boolean started;

        CFromFortranCursor(long[] dims) {
            this.dims = dims;
            this.cStride = new long[dims.length];
            this.idx = new long[dims.length];
            long s = 1;
            for (int k = dims.length - 1; k >= 0; k--) {
                cStride[k] = s;
                s *= dims[k];
            }
        }

        @Override
        long next() {
            if (!started || dims.length == 0) {
                started = true;
                return offset;
            }
            int k = 0;
            idx[0]++;
            offset += cStride[0];
            while (idx[k] == dims[k] && k + 1 < dims.length) {
                offset -= cStride[k] * dims[k];
                idx[k] = 0;
                k++;
                idx[k]++;
                offset += cStride[k];
            }
            return offset;
        }
    }

    /**
     * Writes {@code product(shape)} floats of {@code data}, starting at element
     * {@code offsetElements} and contiguous in C order, as a float32 little-endian {@code .npy}
     * file (created or truncated).
     *
     * @throws IllegalArgumentException for a negative dimension, an element count that overflows,
     *                                  or a segment too small for the offset plus the elements
     */
    public static void write(Path path, long[] shape, MemorySegment data, long offsetElements) throws IOException {
        checkWrite(shape, data, offsetElements);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            write(ch, shape, data, offsetElements);
        }
    }

    /** Writes one array to a channel; see {@link #write(Path, long[], MemorySegment, long)}. */
    public static void write(WritableByteChannel out, long[] shape, MemorySegment data, long offsetElements)
            throws IOException {
        Objects.requireNonNull(out, "Npy.write: out is null");
        long count = checkWrite(shape, data, offsetElements);
        writeAll(out, ByteBuffer.wrap(header(shape)));
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(CHUNK / Float.BYTES, count - done);
            buf.clear();
            for (int i = 0; i < n; i++) {
                buf.putFloat(data.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, offsetElements + done + i));
            }
            writeAll(out, buf.flip());
            done += n;
        }
    }

    private static long checkWrite(long[] shape, MemorySegment data, long offsetElements) {
        Objects.requireNonNull(shape, "Npy.write: shape is null");
        Objects.requireNonNull(data, "Npy.write: data is null");
        long count = elementCount("Npy.write", shape);
        if (offsetElements < 0 || offsetElements > data.byteSize() / Float.BYTES - count) {
            throw new IllegalArgumentException("Npy.write: data holds " + data.byteSize() / Float.BYTES + " floats, shape "
                    + Arrays.toString(shape) + " needs " + count + " from offsetElements=" + offsetElements);
        }
        return count;
    }

    /** Product of {@code shape}, rejecting negative dimensions and counts whose float64 bytes overflow. */
    static long elementCount(String who, long[] shape) {
        long n = 1;
        for (int k = 0; k < shape.length; k++) {
            if (shape[k] < 0) {
                throw new IllegalArgumentException(who + ": shape[" + k + "] = " + shape[k] + " is negative in "
                        + Arrays.toString(shape));
            }
            if (shape[k] != 0 && n > Long.MAX_VALUE / 8 / shape[k]) {
                throw new IllegalArgumentException(who + ": shape " + Arrays.toString(shape) + " has too many elements");
            }
            n *= shape[k];
        }
        return n;
    }

    /** The prelude and header NumPy writes for a float32 C-order array of this shape. */
    static byte[] header(long[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
        for (int k = 0; k < shape.length; k++) {
            dict.append(k > 0 ? ", " : "").append(shape[k]);
        }
        dict.append(shape.length == 1 ? ",), }" : "), }");
        if (shape.length > 0) {
            dict.repeat(' ', Math.max(0, GROWTH_DIGITS - Long.toString(shape[0]).length()));
        }
        int hlen = dict.length() + 1;
        int prefix = hlen + 64 - (10 + hlen) % 64 <= 0xffff ? 10 : 12; // version 2.0 only when 1.0 cannot hold it
        int pad = 64 - (prefix + hlen) % 64;
        int total = hlen + pad;
        ByteBuffer b = ByteBuffer.allocate(prefix + total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (prefix == 10 ? 1 : 2)).put((byte) 0);
        if (prefix == 10) {
            b.putShort((short) total);
        } else {
            b.putInt(total);
        }
        b.put(dict.toString().getBytes(StandardCharsets.ISO_8859_1));
        while (b.remaining() > 1) {
            b.put((byte) ' ');
        }
        return b.put((byte) '\n').array();
    }

    private static void writeAll(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }
}
