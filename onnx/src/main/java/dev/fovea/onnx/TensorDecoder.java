package dev.fovea.onnx;

import com.google.protobuf.ByteString;
import dev.fovea.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.fovea.onnx.proto.OnnxProtos.TensorProto;
import dev.fovea.tensor.Scope;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Decodes ONNX {@code TensorProto}s (initializers, constants, test data) into {@link OnnxValue}s.
 * The file is untrusted: the element count implied by the dims must match the data actually
 * present before anything is allocated, and external data must lie inside the model's folder.
 */
final class TensorDecoder {
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TensorDecoder() {
    }

    /**
     * Decodes {@code proto}.
     *
     * @param baseDir the folder external data is resolved against, or null when there is none
     * @param what names the tensor in errors (e.g. "initializer 'conv1.weight'")
     */
    static OnnxValue decode(TensorProto proto, Path baseDir, String what) {
        long[] dims = new long[proto.getDimsCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = proto.getDims(i);
        }
        long count = Shapes.numel(dims, what + ": dims");
        int code = proto.getDataType();
        ElementType type = ElementType.fromOnnx(code);
        if (type == null) {
            throw new OnnxException(what + ": data type " + ElementType.onnxName(code) + " is not supported"
                    + " (supported: float32, float64, int64, int32, int8, uint8, bool)");
        }
        int width = byteWidth(code);
        if (proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return external(proto, dims, count, code, type, width, baseDir, what);
        }
        if (proto.hasRawData()) {
            ByteString raw = proto.getRawData();
            checkBytes(raw.size(), count, width, what, dims, "raw_data");
            return fromBytes(raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN), dims, (int) count, code,
                    type, what);
        }
        return fromTypedFields(proto, dims, count, code, type, what);
    }

    private static int byteWidth(int code) {
        return switch (code) {
            case 1, 6 -> 4;
            case 7, 11 -> 8;
            default -> 1;
        };
    }

    private static void checkBytes(long bytes, long count, int width, String what, long[] dims, String where) {
        if (count > Integer.MAX_VALUE || bytes != count * width) {
            throw new OnnxException(what + ": dims " + Arrays.toString(dims) + " need " + count + " elements ("
                    + (count > Long.MAX_VALUE / width ? "too many" : String.valueOf(count * width)) + " bytes), but "
                    + where + " has " + bytes + " bytes");
        }
    }

    private static OnnxValue fromBytes(ByteBuffer buf, long[] dims, int count, int code, ElementType type,
                                       String what) {
        if (type == ElementType.FLOAT) {
            Tensor t = allocate(dims);
            MemorySegment dst = t.segment();
            long base = t.offset() * Float.BYTES;
            if (code == 1) {
                MemorySegment.copy(MemorySegment.ofBuffer(buf), 0, dst, base, (long) count * Float.BYTES);
            } else {
                for (int i = 0; i < count; i++) {
                    dst.set(FLOAT_LE, base + (long) i * Float.BYTES, (float) buf.getDouble(i * 8));
                }
            }
            return OnnxValue.of(t);
        }
        long[] data = new long[count];
        for (int i = 0; i < count; i++) {
            data[i] = switch (code) {
                case 7 -> buf.getLong(i * 8);
                case 6 -> buf.getInt(i * 4);
                case 3 -> buf.get(i);
                default -> buf.get(i) & 0xFF;
            };
            data[i] = type.wrap(data[i]);
        }
        return OnnxValue.wrapLongs(type, data, dims);
    }

    private static OnnxValue fromTypedFields(TensorProto p, long[] dims, long count, int code, ElementType type,
                                             String what) {
        int present;
        String field;
        switch (code) {
            case 1 -> { present = p.getFloatDataCount(); field = "float_data"; }
            case 11 -> { present = p.getDoubleDataCount(); field = "double_data"; }
            case 7 -> { present = p.getInt64DataCount(); field = "int64_data"; }
            default -> { present = p.getInt32DataCount(); field = "int32_data"; }
        }
        if (present != count) {
            throw new OnnxException(what + ": dims " + Arrays.toString(dims) + " need " + count + " elements, but "
                    + field + " has " + present + (present == 0 && count > 0 ? " (and there is no raw_data)" : ""));
        }
        int n = (int) count;
        if (type == ElementType.FLOAT) {
            Tensor t = allocate(dims);
            MemorySegment dst = t.segment();
            long base = t.offset() * Float.BYTES;
            for (int i = 0; i < n; i++) {
                float v = code == 1 ? p.getFloatData(i) : (float) p.getDoubleData(i);
                dst.set(ValueLayout.JAVA_FLOAT, base + (long) i * Float.BYTES, v);
            }
            return OnnxValue.of(t);
        }
        long[] data = new long[n];
        for (int i = 0; i < n; i++) {
            data[i] = type.wrap(code == 7 ? p.getInt64Data(i) : p.getInt32Data(i));
        }
        return OnnxValue.wrapLongs(type, data, dims);
    }

    private static OnnxValue external(TensorProto p, long[] dims, long count, int code, ElementType type, int width,
                                      Path baseDir, String what) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : p.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLong(e.getValue(), "offset", what);
                case "length" -> length = parseLong(e.getValue(), "length", what);
                default -> { }
            }
        }
        if (location == null || location.isEmpty()) {
            throw new OnnxException(what + ": external data without a location");
        }
        if (baseDir == null) {
            throw new OnnxException(what + ": external data '" + location + "' needs the model's folder;"
                    + " load the model from a file (OnnxModel.load(Path)) rather than from bytes");
        }
        Path file = resolveInside(baseDir, location, what);
        long expected = count * width;
        if (count > Integer.MAX_VALUE) {
            throw new OnnxException(what + ": dims " + Arrays.toString(dims) + " hold " + count
                    + " elements, more than Fovea takes in one tensor (2^31 - 1)");
        }
        if (length >= 0 && length != expected) {
            throw new OnnxException(what + ": dims " + Arrays.toString(dims) + " need " + expected
                    + " bytes, but its external data length is " + length);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset < 0 || offset > size || size - offset < expected) {
                throw new OnnxException(what + ": external data '" + location + "' has " + size + " bytes; "
                        + expected + " bytes at offset " + offset + " do not fit in it");
            }
            if (type == ElementType.FLOAT && code == 1) {
                Tensor t = allocate(dims);
                ByteBuffer dst = t.segment().asSlice(t.offset() * Float.BYTES, expected).asByteBuffer();
                readFully(ch, dst, offset, what);
                return OnnxValue.of(t);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) expected);
            readFully(ch, buf, offset, what);
            return fromBytes(buf.flip().order(ByteOrder.LITTLE_ENDIAN), dims, (int) count, code, type, what);
        } catch (IOException e) {
            throw new OnnxException(what + ": cannot read external data '" + location + "': " + e, e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long offset, String what) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new OnnxException(what + ": external data ended early");
            }
            pos += n;
        }
    }

    /**
     * Resolves an external-data location against the model's folder, refusing absolute paths and
     * paths that leave the folder (also through symbolic links).
     */
    static Path resolveInside(Path baseDir, String location, String what) {
        Path rel;
        try {
            rel = Path.of(location);
        } catch (RuntimeException e) {
            throw new OnnxException(what + ": external data location '" + location + "' is not a valid path", e);
        }
        Path base = baseDir.toAbsolutePath().normalize();
        Path file = base.resolve(rel).normalize();
        if (rel.isAbsolute() || !file.startsWith(base) || file.equals(base)) {
            throw new OnnxException(what + ": external data location '" + location
                    + "' leaves the model's folder " + base + "; it must be a relative path inside it");
        }
        if (!Files.isRegularFile(file)) {
            throw new OnnxException(what + ": external data file " + file + " does not exist");
        }
        try {
            Path real = file.toRealPath();
            if (!real.startsWith(base.toRealPath(LinkOption.NOFOLLOW_LINKS).toRealPath())) {
                throw new OnnxException(what + ": external data location '" + location + "' resolves to " + real
                        + ", outside the model's folder " + base);
            }
        } catch (IOException e) {
            throw new OnnxException(what + ": cannot resolve external data '" + location + "': " + e, e);
        }
        return file;
    }

    private static long parseLong(String value, String key, String what) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new OnnxException(what + ": external data " + key + " '" + value + "' is not a number", e);
        }
    }

    /** Allocates a GC-managed tensor: model constants outlive any scope the loader runs in. */
    private static Tensor allocate(long[] dims) {
        try (var unscoped = Scope.suspend()) {
            return Tensor.empty(dims);
        }
    }
}
