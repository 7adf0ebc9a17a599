package dev.fovea.tensor.functional;

import dev.fovea.simd.conv.PaddingMode;
import dev.fovea.simd.parallel.ComputeContext;
import dev.fovea.simd.resample.Pad;
import dev.fovea.simd.resample.PadSpec;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.ops.Checks;
import java.util.Arrays;
import java.util.List;

/**
 * The padding op behind {@link Resampling#pad}, with PyTorch's {@code F.pad} semantics: the pad
 * list holds (begin, end) pairs from the last dim backwards; negative amounts crop. Constant
 * padding works on any number of dims and is pure data movement (a filled output and one strided
 * copy of the kept input; its gradient is the matching slice of the output's). The border modes
 * pad the last 1 to 3 dims of a batched or unbatched input through the {@link Pad} kernels.
 */
final class PadOp {
    static final List<String> MODES = List.of("constant", "reflect", "replicate", "circular");

    private PadOp() {}

    /** Pads {@code input}; {@code value} is null unless the caller gave one (constant mode only). */
    static Tensor pad(Tensor input, long[] pad, String mode, Float value) {
        Checks.live("pad", "input", input);
        long[] shape = input.shape();
        if (pad == null || pad.length % 2 != 0) {
            throw new IllegalArgumentException("pad: the pad list needs (begin, end) pairs from the last dim backwards,"
                    + " got " + (pad == null ? "null" : pad.length + " values " + Arrays.toString(pad)));
        }
        if (pad.length / 2 > shape.length) {
            throw new IllegalArgumentException("pad: " + pad.length + " values pad " + pad.length / 2
                    + " dims, but the input of shape " + Shape.toString(shape) + " has only " + shape.length);
        }
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("pad: mode must be one of " + MODES + ", got '" + mode + "'");
        }
        if (value != null && !mode.equals("constant")) {
            throw new IllegalArgumentException("pad: mode '" + mode + "' takes no value (only constant padding does)");
        }
        long[] outShape = shape.clone();
        for (int i = 0; i < pad.length / 2; i++) {
            int d = shape.length - 1 - i;
            outShape[d] = shape[d] + pad[2 * i] + pad[2 * i + 1];
            if (outShape[d] < 0) {
                throw new IllegalArgumentException("pad: padding (" + pad[2 * i] + ", " + pad[2 * i + 1] + ") of dim " + d
                        + " gives a negative size " + outShape[d] + " for input shape " + Shape.toString(shape));
            }
        }
        if (mode.equals("constant")) {
            return constant(input, pad, value == null ? 0f : value, outShape);
        }
        return border(input, pad, PaddingMode.fromWireName(mode), outShape);
    }

    private static Tensor constant(Tensor input, long[] pad, float value, long[] outShape) {
        long[] shape = input.shape();
        int k = pad.length / 2;
        long[] inStart = new long[k];
        long[] outStart = new long[k];
        long[] keep = new long[k];
        for (int i = 0; i < k; i++) {
            int d = shape.length - 1 - i;
            keep[i] = Math.max(0, shape[d] + Math.min(pad[2 * i], 0) + Math.min(pad[2 * i + 1], 0));
            inStart[i] = Math.min(Math.max(-pad[2 * i], 0), shape[d]);
            outStart[i] = Math.min(Math.max(pad[2 * i], 0), outShape[d]);
        }
        Tensor out = Tensor.full(value, outShape);
        region(out, outStart, keep).copyFrom(region(input.detach(), inStart, keep));
        return Autograd.record("pad(constant)", out, g -> {
            Tensor gx = Tensor.zeros(shape);
            region(gx, inStart, keep).copyFrom(region(g, outStart, keep));
            return new Tensor[] {gx};
        }, input);
    }

    /** The view of {@code t} starting at {@code start[i]} with {@code length[i]} elements in dim {@code rank - 1 - i}. */
    private static Tensor region(Tensor t, long[] start, long[] length) {
        Tensor r = t;
        for (int i = 0; i < start.length; i++) {
            r = r.narrow(t.rank() - 1 - i, start[i], length[i]);
        }
        return r;
    }

    private static Tensor border(Tensor input, long[] pad, PaddingMode mode, long[] outShape) {
        long[] shape = input.shape();
        int k = pad.length / 2;
        if (k < 1 || k > 3 || shape.length < k + 1 || shape.length > k + 2) {
            throw new IllegalArgumentException("pad: " + mode.wireName() + " padding of the last " + k + " dims needs a "
                    + (k + 1) + "-d (unbatched) or " + (k + 2) + "-d input, and pads 1 to 3 dims; got " + pad.length
                    + " values for input shape " + Shape.toString(shape));
        }
        int[] in = new int[k];
        int[] begin = new int[k];
        int[] end = new int[k];
        long planes = 1;
        for (int d = 0; d < shape.length - k; d++) {
            planes *= shape[d];
        }
        for (int a = 0; a < k; a++) {
            int dim = shape.length - k + a;
            int i = k - 1 - a;
            in[a] = toInt(shape[dim], shape, pad);
            begin[a] = toInt(pad[2 * i], shape, pad);
            end[a] = toInt(pad[2 * i + 1], shape, pad);
        }
        PadSpec s;
        try {
            s = PadSpec.of(mode, planes, in, begin, end);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (input shape " + Shape.toString(shape) + ", pad "
                    + Arrays.toString(pad) + ")", e);
        }
        Tensor x = input.contiguous();
        Tensor y = Tensor.empty(outShape);
        Pad.pad(s, x.segment(), x.offset(), y.segment(), y.offset(), ComputeContext.current());
        return Autograd.record("pad(" + mode.wireName() + ")", y, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(shape);
            Pad.padBackward(s, gc.segment(), gc.offset(), dx.segment(), dx.offset(), ComputeContext.current());
            return new Tensor[] {dx};
        }, x);
    }

    private static int toInt(long v, long[] shape, long[] pad) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pad: sizes and amounts must fit in 32 bits for border padding, got input"
                    + " shape " + Shape.toString(shape) + " and pad " + Arrays.toString(pad));
        }
        return (int) v;
    }
}
