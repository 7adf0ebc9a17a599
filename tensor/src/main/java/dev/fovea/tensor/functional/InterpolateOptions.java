package dev.fovea.tensor.functional;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The immutable parameters of {@link Resampling#interpolate}, as PyTorch's
 * {@code F.interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor)}.
 * Start from a mode (PyTorch's default is {@code nearest}, {@link #DEFAULT}), then give exactly
 * one of the output size or the scale factor; every setter returns a new options object:
 *
 * <pre>{@code
 * InterpolateOptions.mode("bilinear").scaleFactor(2).alignCorners(false)   // nn.Upsample(scale_factor=2, mode='bilinear')
 * InterpolateOptions.mode("nearest").size(7, 7)
 * }</pre>
 *
 * <p>Modes: {@code nearest} (PyTorch's legacy rule, {@code src = floor(dst * scale)}),
 * {@code nearest-exact} ({@code src = floor((dst + 0.5) * scale)}), {@code linear} (3-d input),
 * {@code bilinear} (4-d), {@code bicubic} (4-d; Keys' kernel with {@code A = -0.75}, border
 * indices clamped, no clamping of the values), {@code trilinear} (5-d) and {@code area} (adaptive
 * average pooling to the output size). The size and the scale factor take one value (every
 * spatial axis) or one per axis. With a scale factor the output size is {@code floor(in * scale)}
 * and the sampling uses {@code 1 / scale}, as PyTorch does, unless
 * {@link #recomputeScaleFactor(boolean)} says to sample with {@code in / out} instead.
 * {@code alignCorners} (default false) applies to the linear and cubic modes only. PyTorch's
 * {@code antialias} is not supported.
 */
public final class InterpolateOptions {
    /** The interpolation modes, by PyTorch's names. */
    static final List<String> MODES = List.of("nearest", "nearest-exact", "linear", "bilinear", "bicubic",
            "trilinear", "area");

    /** Nearest, no size or scale factor yet (PyTorch's default mode). */
    public static final InterpolateOptions DEFAULT = new InterpolateOptions("nearest", null, null, null, false);

    private final String mode;
    private final int[] size;
    private final double[] scaleFactor;
    private final Boolean alignCorners;
    private final boolean recomputeScaleFactor;

    private InterpolateOptions(String mode, int[] size, double[] scaleFactor, Boolean alignCorners,
                               boolean recomputeScaleFactor) {
        this.mode = mode;
        this.size = size;
        this.scaleFactor = scaleFactor;
        this.alignCorners = alignCorners;
        this.recomputeScaleFactor = recomputeScaleFactor;
    }

    /**
     * Options with interpolation mode {@code mode} (PyTorch's name) and nothing else set.
     *
     * @throws IllegalArgumentException naming the accepted modes if {@code mode} is not one of them
     */
    public static InterpolateOptions mode(String mode) {
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("interpolate: mode must be one of " + MODES + ", got '" + mode + "'");
        }
        return new InterpolateOptions(mode, null, null, null, false);
    }

    /** The output spatial size (PyTorch {@code size}): one value for every axis, or one per axis, each >= 1. */
    public InterpolateOptions size(int... size) {
        Objects.requireNonNull(size, "interpolate: size");
        if (size.length == 0 || Arrays.stream(size).anyMatch(v -> v < 1)) {
            throw new IllegalArgumentException("interpolate: size needs values >= 1, got " + Arrays.toString(size));
        }
        return new InterpolateOptions(mode, size.clone(), scaleFactor, alignCorners, recomputeScaleFactor);
    }

    /** The scale factor (PyTorch {@code scale_factor}): one value for every axis, or one per axis, positive and finite. */
    public InterpolateOptions scaleFactor(double... scaleFactor) {
        Objects.requireNonNull(scaleFactor, "interpolate: scaleFactor");
        if (scaleFactor.length == 0 || Arrays.stream(scaleFactor).anyMatch(v -> !(v > 0 && Double.isFinite(v)))) {
            throw new IllegalArgumentException("interpolate: scaleFactor needs positive finite values, got "
                    + Arrays.toString(scaleFactor));
        }
        return new InterpolateOptions(mode, size, scaleFactor.clone(), alignCorners, recomputeScaleFactor);
    }

    /** PyTorch's {@code align_corners} (linear and cubic modes only; unset means false). */
    public InterpolateOptions alignCorners(boolean alignCorners) {
        return new InterpolateOptions(mode, size, scaleFactor, alignCorners, recomputeScaleFactor);
    }

    /** PyTorch's {@code recompute_scale_factor}: sample with {@code in / out} rather than {@code 1 / scaleFactor}. */
    public InterpolateOptions recomputeScaleFactor(boolean recompute) {
        return new InterpolateOptions(mode, size, scaleFactor, alignCorners, recompute);
    }

    /** The mode's PyTorch name. */
    public String modeName() {
        return mode;
    }

    /** The output size as given (a copy), or null. */
    public int[] size() {
        return size == null ? null : size.clone();
    }

    /** The scale factors as given (a copy), or null. */
    public double[] scaleFactor() {
        return scaleFactor == null ? null : scaleFactor.clone();
    }

    /** {@code align_corners} as given, or null when unset. */
    public Boolean alignCorners() {
        return alignCorners;
    }

    /** Whether the sampling scale is recomputed from the sizes. */
    public boolean recomputeScaleFactor() {
        return recomputeScaleFactor;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InterpolateOptions p && toString().equals(p.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "InterpolateOptions[mode=" + mode + ", size=" + Arrays.toString(size) + ", scaleFactor="
                + Arrays.toString(scaleFactor) + ", alignCorners=" + (alignCorners == null ? "unset" : alignCorners)
                + ", recomputeScaleFactor=" + recomputeScaleFactor + "]";
    }
}
