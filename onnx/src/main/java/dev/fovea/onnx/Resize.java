package dev.fovea.onnx;

import static dev.fovea.onnx.Kernels.floats;
import static dev.fovea.onnx.Kernels.present;

import dev.fovea.tensor.Tensor;
import java.util.Arrays;

/**
 * ONNX {@code Resize} (opsets 10 to 19) and {@code Upsample}: nearest and (multi)linear modes with
 * every coordinate transformation mode and rounding rule, as separable passes over the resized
 * axes. Cubic interpolation and antialiasing are refused with a clear message.
 */
final class Resize {
    private Resize() {
    }

    static OnnxValue[] resize(Node n, OnnxValue[] in) {
        Tensor x = floats(n, in, 0);
        int rank = x.rank();
        String mode = n.getString("mode", "nearest");
        if (n.opset < 11) {
            return Kernels.one(run(n, x, scalesOf(n, in, 1, rank), null, mode, "asymmetric", "floor", null, 0f));
        }
        if (n.getInt("antialias", 0) != 0) {
            throw new OnnxException(n + ": antialias=1 is not supported");
        }
        long[] axesAttr = n.getInts("axes");
        int[] axes = new int[axesAttr == null ? rank : axesAttr.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = axesAttr == null ? i : Shapes.axis(axesAttr[i], rank, n);
        }
        float[] scales = null;
        long[] sizes = null;
        if (present(in, 3) && in[3].numel() > 0) {
            sizes = Kernels.longs(n, in, 3);
        } else if (present(in, 2) && in[2].numel() > 0) {
            scales = Kernels.toFloatArray(in[2]);
        } else {
            throw new OnnxException(n + ": needs scales or sizes");
        }
        int given = sizes != null ? sizes.length : scales.length;
        if (given != axes.length) {
            throw new OnnxException(n + ": " + (sizes != null ? "sizes " + Arrays.toString(sizes)
                    : "scales " + Arrays.toString(scales)) + " must have " + axes.length + " values");
        }
        float[] fullScales = new float[rank];
        long[] fullSizes = null;
        Arrays.fill(fullScales, 1f);
        if (sizes != null) {
            fullSizes = x.shape();
            String policy = n.getString("keep_aspect_ratio_policy", "stretch");
            double common = policy.equals("not_larger") ? Double.MAX_VALUE : 0;
            for (int i = 0; i < axes.length; i++) {
                double r = (double) sizes[i] / x.size(axes[i]);
                common = policy.equals("not_larger") ? Math.min(common, r) : Math.max(common, r);
            }
            for (int i = 0; i < axes.length; i++) {
                long size = switch (policy) {
                    case "stretch" -> sizes[i];
                    case "not_larger", "not_smaller" -> Math.round(common * x.size(axes[i]));
                    default -> throw new OnnxException(n + ": keep_aspect_ratio_policy '" + policy + "' is unknown");
                };
                if (size < 0) {
                    throw new OnnxException(n + ": sizes " + Arrays.toString(sizes) + " must be >= 0");
                }
                fullSizes[axes[i]] = size;
                fullScales[axes[i]] = policy.equals("stretch") ? (float) size / x.size(axes[i]) : (float) common;
            }
        } else {
            for (int i = 0; i < axes.length; i++) {
                fullScales[axes[i]] = scales[i];
            }
        }
        float[] roi = null;
        String transform = n.getString("coordinate_transformation_mode", "half_pixel");
        if (transform.equals("tf_crop_and_resize")) {
            if (!present(in, 1)) {
                throw new OnnxException(n + ": tf_crop_and_resize needs the roi input");
            }
            float[] r = Kernels.toFloatArray(in[1]);
            if (r.length != 2 * axes.length) {
                throw new OnnxException(n + ": roi " + Arrays.toString(r) + " must have 2 x " + axes.length
                        + " values");
            }
            roi = new float[2 * rank];
            for (int d = 0; d < rank; d++) {
                roi[rank + d] = 1f;
            }
            for (int i = 0; i < axes.length; i++) {
                roi[axes[i]] = r[i];
                roi[rank + axes[i]] = r[axes.length + i];
            }
        }
        return Kernels.one(run(n, x, fullScales, fullSizes, mode, transform,
                n.getString("nearest_mode", "round_prefer_floor"), roi, n.getFloat("extrapolation_value", 0f)));
    }

    static OnnxValue[] upsample(Node n, OnnxValue[] in) {
        if (n.opset < 7) {
            throw new OnnxException(n + ": Upsample before opset 7 (experimental, width_scale/height_scale) is not"
                    + " supported");
        }
        Tensor x = floats(n, in, 0);
        float[] scales = n.opset < 9 ? n.getFloats("scales") : scalesOf(n, in, 1, x.rank());
        if (scales == null || scales.length != x.rank()) {
            throw new OnnxException(n + ": scales must have one value per dim of " + Arrays.toString(x.shape()));
        }
        String mode = n.getString("mode", "nearest");
        return Kernels.one(run(n, x, scales, null, mode.equals("bilinear") ? "linear" : mode, "asymmetric", "floor",
                null, 0f));
    }

    private static float[] scalesOf(Node n, OnnxValue[] in, int i, int rank) {
        float[] s = Kernels.toFloatArray(Kernels.value(n, in, i));
        if (s.length != rank) {
            throw new OnnxException(n + ": scales " + Arrays.toString(s) + " must have " + rank + " values");
        }
        return s;
    }

    private static OnnxValue run(Node n, Tensor x, float[] scales, long[] sizes, String mode, String transform,
                                 String nearestMode, float[] roi, float extrapolation) {
        if (!mode.equals("nearest") && !mode.equals("linear")) {
            throw new OnnxException(n + ": mode '" + mode + "' is not supported (nearest and linear are)");
        }
        long[] shape = x.shape();
        int rank = shape.length;
        long[] out = sizes != null ? sizes.clone() : new long[rank];
        for (int d = 0; d < rank; d++) {
            if (!(scales[d] > 0)) {
                throw new OnnxException(n + ": scales " + Arrays.toString(scales) + " must be > 0");
            }
            if (sizes == null) {
                out[d] = (long) Math.floor(shape[d] * (double) scales[d]);
            }
        }
        Kernels.checkCreated(n, out);
        float[] data = x.contiguous().toArray();
        long[] cur = shape.clone();
        for (int d = 0; d < rank; d++) {
            boolean identity = out[d] == shape[d] && scales[d] == 1f && roi == null;
            if (identity) {
                continue;
            }
            data = pass(n, data, cur, d, out[d], scales[d], mode, transform, nearestMode, roi, extrapolation);
            cur[d] = out[d];
        }
        return Kernels.floatValue(data, cur);
    }

    /** Resizes axis {@code d} of {@code data} (shape {@code cur}) to {@code outLen}. */
    private static float[] pass(Node n, float[] data, long[] cur, int d, long outLen, float scale, String mode,
                                String transform, String nearestMode, float[] roi, float extrapolation) {
        long inLen = cur[d];
        long outer = Shapes.numel(Arrays.copyOfRange(cur, 0, d));
        long inner = Shapes.numel(Arrays.copyOfRange(cur, d + 1, cur.length));
        float[] result = new float[(int) (outer * outLen * inner)];
        int rank = cur.length;
        for (long o = 0; o < outLen; o++) {
            double xo = original(n, transform, o, scale, inLen, outLen, roi == null ? 0 : roi[d],
                    roi == null ? 1 : roi[rank + d]);
            boolean outside = transform.equals("tf_crop_and_resize") && (xo < 0 || xo > inLen - 1);
            long i0;
            long i1;
            float w;
            if (mode.equals("nearest")) {
                i0 = Math.clamp(round(xo, nearestMode), 0, inLen - 1);
                i1 = i0;
                w = 0;
            } else {
                double c = Math.clamp(xo, 0, inLen - 1);
                i0 = (long) Math.floor(c);
                i1 = Math.min(i0 + 1, inLen - 1);
                w = (float) (c - i0);
            }
            for (long a = 0; a < outer; a++) {
                long src = a * inLen * inner;
                long dst = (a * outLen + o) * inner;
                for (long b = 0; b < inner; b++) {
                    float v;
                    if (outside) {
                        v = extrapolation;
                    } else {
                        float v0 = data[(int) (src + i0 * inner + b)];
                        v = w == 0 ? v0 : v0 + w * (data[(int) (src + i1 * inner + b)] - v0);
                    }
                    result[(int) (dst + b)] = v;
                }
            }
        }
        return result;
    }

    private static double original(Node n, String transform, long o, float scale, long inLen, long outLen,
                                   float roiStart, float roiEnd) {
        return switch (transform) {
            case "half_pixel" -> (o + 0.5) / scale - 0.5;
            case "pytorch_half_pixel" -> outLen > 1 ? (o + 0.5) / scale - 0.5 : 0;
            // ONNX's reference takes the resized length as input length x scale, unrounded, here.
            case "align_corners" -> outLen == 1 ? 0 : o * (double) (inLen - 1) / (inLen * (double) scale - 1);
            case "asymmetric" -> o / (double) scale;
            case "tf_half_pixel_for_nn" -> (o + 0.5) / scale;
            case "tf_crop_and_resize" -> outLen > 1
                    ? roiStart * (inLen - 1) + o * (roiEnd - roiStart) * (inLen - 1) / (inLen * (double) scale - 1)
                    : 0.5 * (roiStart + roiEnd) * (inLen - 1);
            default -> throw new OnnxException(n + ": coordinate_transformation_mode '" + transform
                    + "' is not supported");
        };
    }

    private static long round(double x, String nearestMode) {
        return switch (nearestMode) {
            case "round_prefer_floor" -> (long) Math.ceil(x - 0.5);
            case "round_prefer_ceil" -> (long) Math.floor(x + 0.5);
            case "floor" -> (long) Math.floor(x);
            case "ceil" -> (long) Math.ceil(x);
            default -> throw new OnnxException("Resize: nearest_mode '" + nearestMode + "' is not one of"
                    + " round_prefer_floor, round_prefer_ceil, floor, ceil");
        };
    }
}
