package dev.fovea.simd.conv;

/**
 * What a convolution reads outside its input, as PyTorch's {@code padding_mode}: {@code zeros}
 * (the default), {@code reflect} (mirror without repeating the edge: {@code c b | a b c | b a}),
 * {@code replicate} (repeat the edge) or {@code circular} (wrap around).
 */
public enum PaddingMode {
    /** Zeros outside the input. */
    ZEROS("zeros"),
    /** The input mirrored at its edges, the edge element not repeated; padding must be smaller than the input. */
    REFLECT("reflect"),
    /** The edge element repeated. */
    REPLICATE("replicate"),
    /** The input wrapped around; padding must not exceed the input. */
    CIRCULAR("circular");

    private final String wireName;

    PaddingMode(String wireName) {
        this.wireName = wireName;
    }

    /** Returns PyTorch's name of the mode ({@code zeros}, {@code reflect}, ...). */
    public String wireName() {
        return wireName;
    }

    /** Returns the mode with this PyTorch name, or throws naming the accepted ones. */
    public static PaddingMode fromWireName(String name) {
        for (PaddingMode m : values()) {
            if (m.wireName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("paddingMode must be zeros, reflect, replicate or circular, got '" + name + "'");
    }

    /**
     * Maps a coordinate {@code i} of the padded input (may be negative or {@code >= size}) to the
     * input coordinate it reads, or -1 for a zero. {@code size} is the input's extent.
     */
    public int sourceIndex(int i, int size) {
        if (i >= 0 && i < size) {
            return i;
        }
        return switch (this) {
            case ZEROS -> -1;
            case REFLECT -> {
                int period = 2 * (size - 1);
                if (period == 0) {
                    yield 0;
                }
                int r = Math.floorMod(i, period);
                yield r < size ? r : period - r;
            }
            case REPLICATE -> i < 0 ? 0 : size - 1;
            case CIRCULAR -> Math.floorMod(i, size);
        };
    }
}
