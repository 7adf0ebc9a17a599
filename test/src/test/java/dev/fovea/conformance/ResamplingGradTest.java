package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.InterpolateOptions;
import dev.fovea.tensor.functional.Resampling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Padding, interpolation and pixel shuffling: gradients against central finite differences
 * ({@link GradientChecker}; every op here is linear in its input, so the differences are exact up
 * to rounding), views as inputs, and argument errors that name the op, the argument and the shapes.
 */
class ResamplingGradTest {
    private static long[] p(long... v) {
        return v;
    }

    @Test
    void padGradients() {
        Tensor x3 = Tensor.randn(1, 2, 3, 7);
        Tensor x4 = Tensor.randn(2, 2, 3, 5, 6);
        Tensor x5 = Tensor.randn(3, 1, 2, 3, 4, 5);
        for (String mode : new String[] {"constant", "reflect", "replicate", "circular"}) {
            GradientChecker.of("pad1d " + mode, in -> Resampling.pad(in[0], p(3, -2), mode)).check(x3);
            GradientChecker.of("pad2d " + mode, in -> Resampling.pad(in[0], p(2, 3, -1, 2), mode)).check(x4);
            GradientChecker.of("pad3d " + mode, in -> Resampling.pad(in[0], p(1, 2, 2, -1, 1, 1), mode)).check(x5);
        }
        GradientChecker.of("pad constant value, every dim", in -> Resampling.pad(in[0], p(1, 0, -1, 2, 1, 1, 0, 1),
                "constant", 2.5f)).check(x4);
        GradientChecker.of("pad reflect unbatched", in -> Resampling.pad(in[0], p(1, 2, 2, 1), "reflect"))
                .check(Tensor.randn(4, 3, 4, 5));
        GradientChecker.of("pad replicate of a transposed view", in -> Resampling.pad(in[0].transpose(2, 3),
                p(2, 1, 0, 3), "replicate")).check(x4);
    }

    @Test
    void interpolateGradients() {
        Tensor x1 = Tensor.randn(5, 2, 3, 6);
        Tensor x2 = Tensor.randn(6, 1, 2, 5, 6);
        Tensor x3 = Tensor.randn(7, 1, 2, 3, 4, 5);
        for (boolean align : new boolean[] {false, true}) {
            String a = " align=" + align;
            GradientChecker.of("linear up" + a, in -> Resampling.interpolate(in[0],
                    InterpolateOptions.mode("linear").scaleFactor(2.5).alignCorners(align))).check(x1);
            GradientChecker.of("linear down" + a, in -> Resampling.interpolate(in[0],
                    InterpolateOptions.mode("linear").size(4).alignCorners(align))).check(x1);
            GradientChecker.of("bilinear up" + a, in -> Resampling.interpolate(in[0],
                    InterpolateOptions.mode("bilinear").size(9, 11).alignCorners(align))).check(x2);
            GradientChecker.of("bilinear down" + a, in -> Resampling.interpolate(in[0],
                    InterpolateOptions.mode("bilinear").scaleFactor(0.6, 0.7).alignCorners(align))).check(x2);
            GradientChecker.of("bicubic up" + a, in -> Resampling.interpolate(in[0],
                    InterpolateOptions.mode("bicubic").scaleFactor(1.7).alignCorners(align))).check(x2);
            GradientChecker.of("bicubic down" + a, in -> Resampling.interpolate(in[0],
                    InterpolateOptions.mode("bicubic").size(3, 4).alignCorners(align))).check(x2);
            GradientChecker.of("trilinear" + a, in -> Resampling.interpolate(in[0],
                    InterpolateOptions.mode("trilinear").size(5, 3, 8).alignCorners(align))).check(x3);
        }
        for (String mode : new String[] {"nearest", "nearest-exact"}) {
            GradientChecker.of(mode + " 1d", in -> Resampling.interpolate(in[0],
                    InterpolateOptions.mode(mode).scaleFactor(1.7))).check(x1);
            GradientChecker.of(mode + " 2d down", in -> Resampling.interpolate(in[0],
                    InterpolateOptions.mode(mode).size(3, 4))).check(x2);
            GradientChecker.of(mode + " 3d", in -> Resampling.interpolate(in[0],
                    InterpolateOptions.mode(mode).scaleFactor(2, 1.5, 0.8))).check(x3);
        }
        GradientChecker.of("area", in -> Resampling.interpolate(in[0], InterpolateOptions.mode("area").size(3, 4)))
                .check(x2);
        GradientChecker.of("bilinear of a permuted view", in -> Resampling.interpolate(in[0].permute(0, 1, 3, 2),
                InterpolateOptions.mode("bilinear").scaleFactor(2))).check(x2);
    }

    @Test
    void pixelShuffleGradientsAndInverse() {
        Tensor x = Tensor.randn(8, 2, 8, 3, 2);
        GradientChecker.of("pixel_shuffle", in -> Resampling.pixelShuffle(in[0], 2)).check(x);
        GradientChecker.of("pixel_unshuffle", in -> Resampling.pixelUnshuffle(in[0], 3)).check(Tensor.randn(9, 2, 6, 3));
        Tensor y = Resampling.pixelShuffle(x, 2);
        assertArrayEquals(new long[] {2, 2, 6, 4}, y.shape());
        assertArrayEquals(x.toArray(), Resampling.pixelUnshuffle(y, 2).toArray());
        // PyTorch's order: out[c][h r + i][w r + j] = in[c r^2 + i r + j][h][w].
        assertEquals(x.get(1, 1 * 4 + 1 * 2 + 0, 2, 1), y.get(1, 1, 2 * 2 + 1, 1 * 2));
    }

    @Test
    void constantPaddingCropsAndFills() {
        Tensor x = Tensor.arange(10).reshape(2, 5);
        Tensor y = Resampling.pad(x, p(-2, 1, 1, 0), "constant", 7f);
        assertArrayEquals(new long[] {3, 4}, y.shape());
        assertArrayEquals(new float[] {7, 7, 7, 7, 2, 3, 4, 7, 7, 8, 9, 7}, y.toArray());
        assertArrayEquals(new long[] {2, 0}, Resampling.pad(x, p(-5, 0)).shape());
        assertArrayEquals(new float[] {7, 7, 7}, Resampling.pad(x, p(-7, 5, 0, -1), "constant", 7f).toArray());
    }

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' should mention " + part);
        }
    }

    @Test
    void badArgumentsNameTheOpAndShapes() {
        Tensor x = Tensor.randn(1, 1, 2, 4, 5);
        assertMessage(() -> Resampling.pad(x, p(0, 0, 4, 0), "reflect"), "pad", "reflect", "(4, 0)", "[1, 2, 4, 5]");
        assertMessage(() -> Resampling.pad(x, p(5, 0, 0, 0), "reflect"), "reflect", "(5, 0)");
        assertMessage(() -> Resampling.pad(x, p(1, 1), "reflect"), "reflect", "3-d", "[1, 2, 4, 5]");
        assertMessage(() -> Resampling.pad(x, p(1, 1, 1)), "pad", "3 values");
        assertMessage(() -> Resampling.pad(x, p(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)), "pad", "10 values", "[1, 2, 4, 5]");
        assertMessage(() -> Resampling.pad(x, p(1, 1, 1, 1, 1, 1, 1, 1), "replicate"), "replicate", "[1, 2, 4, 5]");
        assertMessage(() -> Resampling.pad(x, p(6, 0, 0, 0), "circular"), "circular", "(6, 0)");
        assertMessage(() -> Resampling.pad(x, p(1, 1), "reflect", 1f), "reflect", "value");
        assertMessage(() -> Resampling.pad(x, p(1, 1), "zeros"), "pad", "constant", "'zeros'");
        assertMessage(() -> Resampling.pad(x, p(0, 0, -3, -2)), "pad", "negative", "[1, 2, 4, 5]");

        Tensor img = Tensor.randn(2, 1, 3, 4, 5);
        assertMessage(() -> Resampling.interpolate(img, InterpolateOptions.mode("bilinear").size(8, 8).scaleFactor(2)),
                "interpolate", "only one of size", "scaleFactor");
        assertMessage(() -> Resampling.interpolate(img, InterpolateOptions.mode("bilinear")), "interpolate",
                "either size or scaleFactor", "[1, 3, 4, 5]");
        assertMessage(() -> Resampling.interpolate(img, InterpolateOptions.DEFAULT), "either size or scaleFactor");
        assertMessage(() -> Resampling.interpolate(Tensor.randn(3, 1, 2, 3, 4, 5),
                InterpolateOptions.mode("bicubic").scaleFactor(2)), "interpolate", "bicubic", "4-d", "[1, 2, 3, 4, 5]");
        assertMessage(() -> Resampling.interpolate(img, InterpolateOptions.mode("trilinear").scaleFactor(2)),
                "trilinear", "5-d", "[1, 3, 4, 5]");
        assertMessage(() -> Resampling.interpolate(img, InterpolateOptions.mode("nearest").size(8).alignCorners(true)),
                "alignCorners", "nearest");
        assertMessage(() -> Resampling.interpolate(img, InterpolateOptions.mode("nearest").size(8, 8, 8)),
                "size", "1 or 2 values", "[1, 3, 4, 5]");
        assertMessage(() -> Resampling.interpolate(img, InterpolateOptions.mode("nearest").scaleFactor(0.1)),
                "output sizes", "[1, 3, 4, 5]");
        assertMessage(() -> Resampling.interpolate(img, InterpolateOptions.mode("bilinear").size(4, 4)
                .recomputeScaleFactor(true)), "recomputeScaleFactor", "size");
        assertMessage(() -> InterpolateOptions.mode("cubic"), "interpolate", "bicubic", "'cubic'");
        assertMessage(() -> Resampling.interpolate(Tensor.randn(4, 3, 4), InterpolateOptions.mode("nearest").size(2)),
                "interpolate", "(n, c, w)", "[3, 4]");

        assertMessage(() -> Resampling.pixelShuffle(Tensor.randn(5, 1, 7, 2, 2), 2), "pixel_shuffle",
                "divisible", "upscale_factor^2 = 4", "7 channels", "[1, 7, 2, 2]");
        assertMessage(() -> Resampling.pixelShuffle(Tensor.randn(5, 4, 2), 2), "pixel_shuffle", "3 dims", "[4, 2]");
        assertMessage(() -> Resampling.pixelShuffle(Tensor.randn(5, 1, 4, 2, 2), 0), "upscale_factor", "0");
        assertMessage(() -> Resampling.pixelUnshuffle(Tensor.randn(5, 1, 1, 5, 4), 2), "pixel_unshuffle",
                "height", "[1, 1, 5, 4]");
    }
}
