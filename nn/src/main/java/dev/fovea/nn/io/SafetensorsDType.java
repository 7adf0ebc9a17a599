package dev.fovea.nn.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The safetensors element types Fovea reads, by their header names, each with its size and its
 * conversion to float32 (Fovea's tensor type). PyTorch writes {@code num_batches_tracked} as
 * {@code I64} and Hugging Face checkpoints often hold {@code F16} or {@code BF16}; all of them load
 * into float32 tensors. The conversions are Java's: {@code F64} and integers round to the nearest
 * float32 (integers above 2^24 may lose their last bits), {@code F16} and {@code BF16} widen
 * exactly, {@code BOOL} gives 0 or 1.
 */
enum SafetensorsDType {
    F32(4), F64(8), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble LE_F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int bytes;

    SafetensorsDType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element in the file. */
    int bytes() {
        return bytes;
    }

    /** The type named {@code name} in a header (case-sensitive, as the format), or null if Fovea cannot read it. */
    static SafetensorsDType byName(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The names {@link #byName} knows, for error messages. */
    static String known() {
        StringBuilder s = new StringBuilder();
        for (SafetensorsDType t : values()) {
            s.append(s.isEmpty() ? "" : ", ").append(t.name());
        }
        return s.toString();
    }

    /**
     * Converts {@code count} little-endian elements of this type at byte 0 of {@code src} to
     * float32 in {@code dst} (native order) from element {@code dstIndex} on.
     */
    void toFloats(MemorySegment src, int count, MemorySegment dst, long dstIndex) {
        if (this == F32) {
            MemorySegment.copy(src, LE_F32, 0, dst, ValueLayout.JAVA_FLOAT, dstIndex * Float.BYTES, count);
            return;
        }
        for (int i = 0; i < count; i++) {
            float v = switch (this) {
                case F32 -> src.getAtIndex(LE_F32, i);
                case F64 -> (float) src.getAtIndex(LE_F64, i);
                case F16 -> Float.float16ToFloat(src.getAtIndex(LE_I16, i));
                case BF16 -> Float.intBitsToFloat((src.getAtIndex(LE_I16, i) & 0xffff) << 16);
                case I64 -> (float) src.getAtIndex(LE_I64, i);
                case I32 -> (float) src.getAtIndex(LE_I32, i);
                case I16 -> src.getAtIndex(LE_I16, i);
                case I8 -> src.get(ValueLayout.JAVA_BYTE, i);
                case U8 -> src.get(ValueLayout.JAVA_BYTE, i) & 0xff;
                case BOOL -> src.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1f : 0f;
            };
            dst.setAtIndex(ValueLayout.JAVA_FLOAT, dstIndex + i, v);
        }
    }
}
