package dev.fovea.tensor.functional;

import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.resample.Resample;
import dev.fovea.simd.resample.ResampleMode;
import dev.fovea.simd.resample.ResampleSpec;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.ops.Checks;
import java.util.Arrays;

/**
 * The interpolation op behind {@link Resampling#interpolate}: checks the input and the options as
 * PyTorch does, computes the output size, runs {@link Resample} over the {@code n * c} planes and
 * records its gradient ({@code area} mode goes to adaptive average pooling, as in PyTorch).
 */
final class InterpolateOp {
    private InterpolateOp() {}

    static Tensor interpolate(Tensor input, InterpolateOptions o) {
        String op = "interpolate";
        Checks.live(op, "input", input);
        if (o == null) {
            throw new IllegalArgumentException(op + ": options must not be null");
        }
        String name = o.modeName();
        long[] shape = input.shape();
        int dims = checkRank(name, shape);
        boolean interpolating = !name.startsWith("nearest") && !name.equals("area");
        if (o.alignCorners() != null && !interpolating) {
            throw new IllegalArgumentException(op + ": alignCorners can only be set with the interpolating modes"
                    + " linear, bilinear, bicubic and trilinear, got mode '" + name + "'");
        }
        int[] in = new int[dims];
        for (int d = 0; d < dims; d++) {
            if (shape[2 + d] < 1 || shape[2 + d] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": spatial sizes must be 1 to 2^31-1, got input shape "
                        + Shape.toString(shape));
            }
            in[d] = (int) shape[2 + d];
        }
        double[] scales = scales(o, dims, shape);
        int[] out = outputSize(o, in, scales, shape);
        long[] outShape = shape.clone();
        for (int d = 0; d < dims; d++) {
            outShape[2 + d] = out[d];
        }
        if (name.equals("area")) {
            return PoolOp.adaptive(dims, false, input, out, false).values();
        }
        ResampleMode mode = switch (name) {
            case "nearest" -> ResampleMode.NEAREST;
            case "nearest-exact" -> ResampleMode.NEAREST_EXACT;
            case "bicubic" -> ResampleMode.CUBIC;
            default -> ResampleMode.LINEAR;
        };
        boolean align = o.alignCorners() != null && o.alignCorners();
        ResampleSpec s = ResampleSpec.of(mode, shape[0] * shape[1], in, out, align,
                scales == null || o.recomputeScaleFactor() ? null : scales);
        Tensor x = input.contiguous();
        Tensor y = Tensor.empty(outShape);
        Resample.forward(s, x.segment(), x.offset(), y.segment(), y.offset(), ComputeContext.current());
        return Autograd.record(op + "(" + name + ")", y, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(shape);
            Resample.backward(s, gc.segment(), gc.offset(), dx.segment(), dx.offset(), ComputeContext.current());
            return new Tensor[] {dx};
        }, x);
    }

    /** Checks that the input is 3-d to 5-d and fits the mode; returns its number of spatial dims. */
    private static int checkRank(String name, long[] shape) {
        if (shape.length < 3 || shape.length > 5) {
            throw new IllegalArgumentException("interpolate: input must be (n, c, w), (n, c, h, w) or (n, c, d, h, w),"
                    + " got shape " + Shape.toString(shape));
        }
        int dims = shape.length - 2;
        int needed = switch (name) {
            case "linear" -> 1;
            case "bilinear", "bicubic" -> 2;
            case "trilinear" -> 3;
            default -> dims;
        };
        if (needed != dims) {
            throw new IllegalArgumentException("interpolate: mode '" + name + "' needs a " + (needed + 2) + "-d input ("
                    + needed + " spatial dims), got shape " + Shape.toString(shape) + " (" + dims + " spatial dims)");
        }
        return dims;
    }

    /** The scale factor per axis, or null when a size is given; checks that exactly one of them is. */
    private static double[] scales(InterpolateOptions o, int dims, long[] shape) {
        int[] size = o.size();
        double[] factor = o.scaleFactor();
        if (size != null && factor != null) {
            throw new IllegalArgumentException("interpolate: only one of size " + Arrays.toString(size)
                    + " and scaleFactor " + Arrays.toString(factor) + " may be given");
        }
        if (size == null && factor == null) {
            throw new IllegalArgumentException("interpolate: either size or scaleFactor must be given (input shape "
                    + Shape.toString(shape) + ")");
        }
        if (size != null) {
            if (o.recomputeScaleFactor()) {
                throw new IllegalArgumentException("interpolate: recomputeScaleFactor is not meaningful with an"
                        + " explicit size " + Arrays.toString(size));
            }
            checkCount("size", size.length, dims, shape);
            return null;
        }
        checkCount("scaleFactor", factor.length, dims, shape);
        double[] scales = new double[dims];
        for (int d = 0; d < dims; d++) {
            scales[d] = factor[factor.length == 1 ? 0 : d];
        }
        return scales;
    }

    private static int[] outputSize(InterpolateOptions o, int[] in, double[] scales, long[] shape) {
        int[] size = o.size();
        int[] out = new int[in.length];
        for (int d = 0; d < in.length; d++) {
            double v = scales == null ? size[size.length == 1 ? 0 : d] : Math.floor(in[d] * scales[d]);
            if (!(v >= 1 && v <= Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("interpolate: output sizes must be 1 to 2^31-1, got "
                        + (long) v + " for spatial dim " + d + " (input shape " + Shape.toString(shape) + ", scaleFactor "
                        + Arrays.toString(scales) + ")");
            }
            out[d] = (int) v;
        }
        return out;
    }

    private static void checkCount(String what, int given, int dims, long[] shape) {
        if (given != 1 && given != dims) {
            throw new IllegalArgumentException("interpolate: " + what + " needs 1 or " + dims + " values for input"
                    + " shape " + Shape.toString(shape) + ", got " + given);
        }
    }
}
