package dev.fovea.onnx;

/**
 * The element types Fovea computes with, with their ONNX {@code TensorProto.DataType} codes.
 *
 * <p>{@link #FLOAT} values are float32 {@link dev.fovea.tensor.Tensor}s; the integer and boolean
 * types are held as {@code long[]} (they carry shapes, indices and masks, never bulk data).
 * float64 initializers are narrowed to {@link #FLOAT} when a model is loaded.
 */
public enum ElementType {
    /** float32. */
    FLOAT(1, "float32"),
    /** uint8, held as long. */
    UINT8(2, "uint8"),
    /** int8, held as long. */
    INT8(3, "int8"),
    /** int32, held as long. */
    INT32(6, "int32"),
    /** int64. */
    INT64(7, "int64"),
    /** bool, held as 0 or 1. */
    BOOL(9, "bool");

    private final int onnxCode;
    private final String displayName;

    ElementType(int onnxCode, String displayName) {
        this.onnxCode = onnxCode;
        this.displayName = displayName;
    }

    /** Returns ONNX's {@code TensorProto.DataType} code of this type. */
    public int onnxCode() {
        return onnxCode;
    }

    /** Returns true for every type but {@link #FLOAT}. */
    public boolean isInteger() {
        return this != FLOAT;
    }

    /**
     * Returns the type computed for ONNX's data type {@code code}: float64 maps to {@link #FLOAT},
     * and {@code null} means Fovea does not compute with it (float16, strings, complex...).
     */
    static ElementType fromOnnx(int code) {
        return switch (code) {
            case 1, 11 -> FLOAT;
            case 2 -> UINT8;
            case 3 -> INT8;
            case 6 -> INT32;
            case 7 -> INT64;
            case 9 -> BOOL;
            default -> null;
        };
    }

    /** Returns ONNX's name for data type {@code code}, for messages. */
    static String onnxName(int code) {
        return switch (code) {
            case 0 -> "undefined";
            case 1 -> "float32";
            case 2 -> "uint8";
            case 3 -> "int8";
            case 4 -> "uint16";
            case 5 -> "int16";
            case 6 -> "int32";
            case 7 -> "int64";
            case 8 -> "string";
            case 9 -> "bool";
            case 10 -> "float16";
            case 11 -> "float64";
            case 12 -> "uint32";
            case 13 -> "uint64";
            case 14 -> "complex64";
            case 15 -> "complex128";
            case 16 -> "bfloat16";
            default -> "data type " + code;
        };
    }

    /** Wraps {@code v} to this type's range, as a C cast to it would. */
    long wrap(long v) {
        return switch (this) {
            case UINT8 -> v & 0xFF;
            case INT8 -> (byte) v;
            case INT32 -> (int) v;
            case BOOL -> v != 0 ? 1 : 0;
            default -> v;
        };
    }

    @Override
    public String toString() {
        return displayName;
    }
}
