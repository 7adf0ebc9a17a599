package dev.fovea.simd.resample;

/**
 * How {@link Resample} maps output coordinates to input samples, per axis, as PyTorch's
 * {@code interpolate} modes (the number of axes is the spec's, so {@link #LINEAR} is PyTorch's
 * {@code linear}, {@code bilinear} and {@code trilinear}).
 */
public enum ResampleMode {
    /** PyTorch's legacy {@code nearest}: {@code src = min(floor(dst * scale), in - 1)}. */
    NEAREST(1),
    /** PyTorch's {@code nearest-exact}: {@code src = min(floor((dst + 0.5) * scale), in - 1)}. */
    NEAREST_EXACT(1),
    /** Linear interpolation between the two neighbours of the source coordinate. */
    LINEAR(2),
    /** Keys' cubic convolution with {@code A = -0.75} over four neighbours, indices clamped to the input. */
    CUBIC(4);

    private final int taps;

    ResampleMode(int taps) {
        this.taps = taps;
    }

    /** Returns the number of input samples one output sample reads along one axis. */
    public int taps() {
        return taps;
    }

    /** Returns true for the modes whose source coordinate depends on {@code align_corners}. */
    public boolean interpolates() {
        return this == LINEAR || this == CUBIC;
    }
}
