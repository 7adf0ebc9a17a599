package dev.fovea.simd.gemm;

/**
 * An {@link Epilogue} decoded into primitives for the vector kernels' tile stores: which bias,
 * which register activation and its constants. The stores read these once per tile and then
 * branch on ints, so no method taking or returning a vector sits between the tile's load and its
 * store. Such a helper ({@code finish(FloatVector, ...)}) was not always inlined by C2: after some
 * sequences of activations it stayed a call, every vector was boxed on the heap (230 KB per
 * 100^3 call at 256 bits) and the GEMM ran several times slower.
 */
final class TileEpilogue {
    /** {@link #bias} codes. */
    static final int BIAS_NONE = 0;
    static final int BIAS_ROW = 1;
    static final int BIAS_COLUMN = 2;
    /** {@link #activation} codes; {@link #ACT_OTHER} is an {@link Activation.Function}, run after the store. */
    static final int ACT_NONE = 0;
    static final int ACT_RELU = 1;
    static final int ACT_CLIP = 2;
    static final int ACT_LEAKY = 3;
    static final int ACT_OTHER = 4;

    private TileEpilogue() {}

    /** The bias code of {@code e} (null: none). */
    static int bias(Epilogue e) {
        if (e == null) {
            return BIAS_NONE;
        }
        return switch (e.bias()) {
            case NONE -> BIAS_NONE;
            case PER_ROW -> BIAS_ROW;
            case PER_COLUMN -> BIAS_COLUMN;
        };
    }

    /** The activation code of {@code e} (null: none). */
    static int activation(Epilogue e) {
        Activation a = e == null ? Activation.IDENTITY : e.activation();
        return switch (a) {
            case Activation.Identity i -> ACT_NONE;
            case Activation.Relu r -> ACT_RELU;
            case Activation.Clip c -> ACT_CLIP;
            case Activation.LeakyRelu l -> ACT_LEAKY;
            case Activation.Function f -> ACT_OTHER;
        };
    }

    /** The clip's lower bound, else 0. */
    static float lo(Epilogue e) {
        return e != null && e.activation() instanceof Activation.Clip c ? c.lo() : 0f;
    }

    /** The clip's upper bound, else 0. */
    static float hi(Epilogue e) {
        return e != null && e.activation() instanceof Activation.Clip c ? c.hi() : 0f;
    }

    /** The addend's segment, else null. */
    static java.lang.foreign.MemorySegment addend(Epilogue e) {
        return e == null ? null : e.addendSegment();
    }

    /** The addend's shift in bytes (its element index minus C's, times 4), else 0. */
    static long addendShiftBytes(Epilogue e) {
        return e == null ? 0 : e.addendShift() * Float.BYTES;
    }

    /** The leaky ReLU's slope, else 0. */
    static float slope(Epilogue e) {
        return e != null && e.activation() instanceof Activation.LeakyRelu l ? l.slope() : 0f;
    }
}
