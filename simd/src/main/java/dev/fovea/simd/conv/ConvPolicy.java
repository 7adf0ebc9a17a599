package dev.fovea.simd.conv;

/**
 * How {@link Conv#plan} picks an algorithm: {@link #AUTO} by shape with the named crossovers
 * below, or one forced algorithm (which throws with the reason if it cannot run a spec; only
 * AUTO falls back). {@link #fromSystemProperty()} honours {@code -Dfovea.conv.algo=NAME}.
 *
 * @param forced the forced algorithm's wire name, or null for automatic choice
 * @param winogradMinChannels AUTO uses Winograd for 3x3 stride-1 convolutions with at least this
 *     many input channels per group (fewer channels leave the transforms, not the GEMMs, dominant)
 * @param winogradMinOutput AUTO uses Winograd only if the output is at least this high and wide
 * @param winogradF4MinTiles AUTO uses F(4x4,3x3) only if the batch has at least this many of its
 *     4x4 output tiles ({@code n * ceil(outH / 4) * ceil(outW / 4)}), else F(2x2,3x3): with few
 *     tiles the transformed filters (36/9 of the weights for F(4x4), 16/9 for F(2x2)) dominate.
 *     ResNet-18 layer 4 at batch 1 (7x7, 512 channels, 4 tiles; Zen 4, 1 thread): F(4x4) 3.03 ms,
 *     F(2x2) 2.27 ms, implicit GEMM 3.26 ms; at batch 8 (32 tiles) F(4x4) 9.4 ms, F(2x2) 14.8 ms;
 *     VGG-16 conv5_3 at batch 1 (16 tiles) F(4x4) 4.7 ms, F(2x2) 6.0 ms
 * @param implicitGemmMaxWideRatio AUTO uses implicit GEMM for a kernel larger than 1x1 only
 *     if its GEMM's wide columns (computed over the padded width, or the width of a stride phase,
 *     see {@link ConvImplicitGemm}) are
 *     at most this many times the output's pixels, and more than 16 (with fewer, im2col's GEMM runs
 *     transposed, which implicit GEMM's indirect B cannot). Zen 4, 1 thread, 3x3 pad 1, 256
 *     channels, batch 4, implicit GEMM vs im2col: 4x4 output (ratio 1.375) 1.65 vs 1.73 ms, 3x3
 *     (1.44) 1.23 vs 1.20, 2x2 (1.5) 1.12 vs 0.77. Strided, batch 1, the same against im2col
 *     (JMH, two runs): ResNet-18's 7x7 stride-2 stem (ratio 1.03) 1.44-1.55x, AlexNet's 11x11
 *     stride-4 conv1 (1.04) 1.62-1.74x, ResNet-18's 3x3 stride-2 conv of layer2 (1.04) 1.16-1.40x,
 *     of layer4 (1.12, a 7x7 output) 0.96-1.09x. 1x1 kernels always go to implicit GEMM.
 */
public record ConvPolicy(String forced, int winogradMinChannels, int winogradMinOutput, int winogradF4MinTiles,
                         double implicitGemmMaxWideRatio) {
    /** The system property that forces an algorithm: {@code -Dfovea.conv.algo=im2col}. */
    public static final String ALGO_PROPERTY = "fovea.conv.algo";
    /** Default of {@link #winogradMinChannels}. */
    public static final int WINOGRAD_MIN_CHANNELS = 16;
    /** Default of {@link #winogradMinOutput}. */
    public static final int WINOGRAD_MIN_OUTPUT = 4;
    /** Default of {@link #winogradF4MinTiles}. */
    public static final int WINOGRAD_F4_MIN_TILES = 16;
    /** Default of {@link #implicitGemmMaxWideRatio}. */
    public static final double IMPLICIT_GEMM_MAX_WIDE_RATIO = 1.4;
    /** Automatic choice with the default crossovers. */
    public static final ConvPolicy AUTO = new ConvPolicy(null, WINOGRAD_MIN_CHANNELS, WINOGRAD_MIN_OUTPUT,
            WINOGRAD_F4_MIN_TILES, IMPLICIT_GEMM_MAX_WIDE_RATIO);

    /** Validates the crossovers and the forced name. */
    public ConvPolicy {
        if (forced != null) {
            Conv.algorithm(forced);
        }
        if (winogradMinChannels < 1 || winogradMinOutput < 1 || winogradF4MinTiles < 1
                || !(implicitGemmMaxWideRatio >= 1)) {
            throw new IllegalArgumentException("crossovers must be >= 1, got winogradMinChannels="
                    + winogradMinChannels + ", winogradMinOutput=" + winogradMinOutput + ", winogradF4MinTiles="
                    + winogradF4MinTiles + ", implicitGemmMaxWideRatio=" + implicitGemmMaxWideRatio);
        }
    }

    /** A policy that always uses the named algorithm ({@code naive}, {@code im2col}, ...). */
    public static ConvPolicy force(String name) {
        return new ConvPolicy(name, WINOGRAD_MIN_CHANNELS, WINOGRAD_MIN_OUTPUT, WINOGRAD_F4_MIN_TILES,
                IMPLICIT_GEMM_MAX_WIDE_RATIO);
    }

    /** {@link #force} of {@code -Dfovea.conv.algo} when set (and not {@code auto}), else {@link #AUTO}. */
    public static ConvPolicy fromSystemProperty() {
        String name = System.getProperty(ALGO_PROPERTY);
        if (name == null || name.isBlank() || name.trim().equals("auto")) {
            return AUTO;
        }
        try {
            return force(name.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + ALGO_PROPERTY + "=" + name + ": " + e.getMessage() + ", or auto",
                    e);
        }
    }

    /** True if this policy chooses by shape. */
    public boolean isAuto() {
        return forced == null;
    }
}
