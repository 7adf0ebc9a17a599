package dev.fovea.tensor.ops;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.internal.TensorAccess;
import java.util.Arrays;

/**
 * View ops: results share the input's storage (only {@link #reshape} of an incompatible layout,
 * {@link #contiguous} of a strided tensor and {@link #cloneTensor} copy). Each records a node whose
 * backward maps the gradient back to the input's geometry.
 */
public final class Views {
    private Views() {}

    static Tensor makeView(Tensor base, long[] shape, long[] strides, long offset) {
        return TensorAccess.get().view(base, shape, strides, offset);
    }

    /** See {@link Tensor#view(long...)}. */
    public static Tensor view(Tensor t, long... shape) {
        Checks.live("view", "input", t);
        long[] target = inferShape("view", t, shape);
        long[] strides = viewStrides(t, target);
        if (strides == null) {
            throw new IllegalArgumentException("view: cannot view shape " + Shape.toString(t.shape()) + " with strides "
                    + Arrays.toString(t.strides()) + " as " + Shape.toString(target)
                    + " without copying; use reshape() (which copies) or contiguous() first");
        }
        return recordReshape("view", t, makeView(t, target, strides, t.offset()));
    }

    /** See {@link Tensor#reshape(long...)}. */
    public static Tensor reshape(Tensor t, long... shape) {
        Checks.live("reshape", "input", t);
        long[] target = inferShape("reshape", t, shape);
        long[] strides = viewStrides(t, target);
        Tensor out = strides != null ? makeView(t, target, strides, t.offset())
                : makeView(Copy.contiguousCopy(t), target, Shape.contiguousStrides(target), 0);
        return recordReshape("reshape", t, out);
    }

    private static Tensor recordReshape(String op, Tensor in, Tensor out) {
        long[] inShape = in.shape();
        return Autograd.record(op, out, g -> new Tensor[] {g.reshape(inShape)}, in);
    }

    /** Resolves one {@code -1} in {@code shape} against {@code t}'s element count. */
    static long[] inferShape(String op, Tensor t, long[] shape) {
        long[] out = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1 && infer < 0) {
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid shape " + Arrays.toString(shape)
                        + " for input of shape " + Shape.toString(t.shape()) + ": sizes must be >= 0 with at most one -1");
            } else {
                known = Math.multiplyExact(known, out[i]);
            }
        }
        long numel = t.numel();
        if (infer >= 0 && known != 0 && numel % known == 0) {
            out[infer] = numel / known;
        } else if (infer >= 0 || known != numel) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape) + " is invalid for input of shape "
                    + Shape.toString(t.shape()) + " (" + numel + " elements)");
        }
        return out;
    }

    /** Returns strides viewing {@code t} as {@code shape} without a copy, or null (ATen's computeStride). */
    static long[] viewStrides(Tensor t, long[] shape) {
        long[] oldShape = t.shape();
        long[] oldStrides = t.strides();
        if (t.numel() == 0 || oldShape.length == 0) {
            return Shape.contiguousStrides(shape);
        }
        long[] strides = new long[shape.length];
        int viewD = shape.length - 1;
        long chunkBase = oldStrides[oldShape.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            tensorNumel *= oldShape[d];
            if (d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] == 1)) {
                    strides[viewD] = viewNumel * chunkBase;
                    viewNumel *= shape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBase = oldStrides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? strides : null;
    }

    /** See {@link Tensor#permute(int...)}. */
    public static Tensor permute(Tensor t, int... dims) {
        Checks.live("permute", "input", t);
        long[] shape = t.shape();
        if (dims.length != shape.length) {
            throw new IllegalArgumentException("permute: got " + dims.length + " dims " + Arrays.toString(dims)
                    + " for shape " + Shape.toString(shape) + "; expected a permutation of " + shape.length + " dims");
        }
        Shape.dimMask("permute", dims, shape);
        long[] strides = t.strides();
        long[] ns = new long[dims.length];
        long[] nst = new long[dims.length];
        int[] inverse = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = Shape.normalizeDim("permute", dims[i], shape.length, shape);
            ns[i] = shape[d];
            nst[i] = strides[d];
            inverse[d] = i;
        }
        Tensor out = makeView(t, ns, nst, t.offset());
        return Autograd.record("permute", out, g -> new Tensor[] {g.permute(inverse)}, t);
    }

    /** See {@link Tensor#transpose(int, int)}. */
    public static Tensor transpose(Tensor t, int dim0, int dim1) {
        Checks.live("transpose", "input", t);
        long[] shape = t.shape();
        int a = Shape.normalizeDim("transpose", dim0, shape.length, shape);
        int b = Shape.normalizeDim("transpose", dim1, shape.length, shape);
        long[] strides = t.strides();
        swap(shape, a, b);
        swap(strides, a, b);
        Tensor out = makeView(t, shape, strides, t.offset());
        return Autograd.record("transpose", out, g -> new Tensor[] {g.transpose(a, b)}, t);
    }

    private static void swap(long[] v, int i, int j) {
        long tmp = v[i];
        v[i] = v[j];
        v[j] = tmp;
    }

    /** See {@link Tensor#t()}. */
    public static Tensor t(Tensor t) {
        if (t.rank() > 2) {
            throw new IllegalArgumentException("t: expects a tensor with at most 2 dims, got shape "
                    + Shape.toString(t.shape()) + "; use transpose(dim0, dim1)");
        }
        return t.rank() == 2 ? transpose(t, 0, 1) : alias("t", t);
    }

    private static Tensor alias(String op, Tensor t) {
        Checks.live(op, "input", t);
        Tensor out = makeView(t, t.shape(), t.strides(), t.offset());
        return Autograd.record(op, out, g -> new Tensor[] {g}, t);
    }

    /** See {@link Tensor#narrow(int, long, long)}. */
    public static Tensor narrow(Tensor t, int dim, long start, long length) {
        long[] shape = t.shape();
        int d = Shape.normalizeDim("narrow", dim, shape.length, shape);
        long s = start < 0 ? start + shape[d] : start;
        if (s < 0 || s > shape[d] || length < 0 || s + length > shape[d]) {
            throw new IllegalArgumentException("narrow: start " + start + " and length " + length
                    + " do not fit dim " + dim + " of shape " + Shape.toString(shape) + " (size " + shape[d] + ")");
        }
        return slice(t, d, s, s + length, 1);
    }

    /** See {@link Tensor#slice(int, long, long, long)}; start and end are clamped as in Python slicing. */
    public static Tensor slice(Tensor t, int dim, long start, long end, long step) {
        Checks.live("slice", "input", t);
        long[] shape = t.shape();
        int d = Shape.normalizeDim("slice", dim, shape.length, shape);
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step + " (shape "
                    + Shape.toString(shape) + ")");
        }
        long size = shape[d];
        long s = Math.clamp(start < 0 ? start + size : start, 0, size);
        long e = Math.clamp(end < 0 ? end + size : end, s, size);
        long[] strides = t.strides();
        long offset = t.offset() + s * strides[d];
        shape[d] = Math.ceilDiv(e - s, step);
        strides[d] *= step;
        Tensor out = makeView(t, shape, strides, shape[d] == 0 ? t.offset() : offset);
        long[] inShape = t.shape();
        return Autograd.record("slice", out, g -> {
            Tensor gi = Tensor.zeros(inShape);
            gi.slice(d, s, e, step).copyFrom(g);
            return new Tensor[] {gi};
        }, t);
    }

    /** See {@link Tensor#select(int, long)}. */
    public static Tensor select(Tensor t, int dim, long index) {
        Checks.live("select", "input", t);
        long[] shape = t.shape();
        int d = Shape.normalizeDim("select", dim, shape.length, shape);
        long i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d]) {
            throw new IllegalArgumentException("select: index " + index + " is out of range for dim " + dim
                    + " of shape " + Shape.toString(shape) + "; expected " + (-shape[d]) + ".." + (shape[d] - 1));
        }
        long[] strides = t.strides();
        long offset = t.offset() + i * strides[d];
        Tensor out = makeView(t, remove(shape, d), remove(strides, d), offset);
        long[] inShape = t.shape();
        return Autograd.record("select", out, g -> {
            Tensor gi = Tensor.zeros(inShape);
            gi.select(d, i).copyFrom(g);
            return new Tensor[] {gi};
        }, t);
    }

    static long[] remove(long[] v, int i) {
        long[] out = new long[v.length - 1];
        System.arraycopy(v, 0, out, 0, i);
        System.arraycopy(v, i + 1, out, i, v.length - i - 1);
        return out;
    }

    static long[] insert(long[] v, int i, long value) {
        long[] out = new long[v.length + 1];
        System.arraycopy(v, 0, out, 0, i);
        out[i] = value;
        System.arraycopy(v, i, out, i + 1, v.length - i);
        return out;
    }

    /** See {@link Tensor#squeeze()}. */
    public static Tensor squeeze(Tensor t) {
        Checks.live("squeeze", "input", t);
        long[] shape = t.shape();
        long[] strides = t.strides();
        int kept = 0;
        for (long s : shape) {
            kept += s == 1 ? 0 : 1;
        }
        long[] ns = new long[kept];
        long[] nst = new long[kept];
        for (int d = 0, j = 0; d < shape.length; d++) {
            if (shape[d] != 1) {
                ns[j] = shape[d];
                nst[j++] = strides[d];
            }
        }
        return recordReshape("squeeze", t, makeView(t, ns, nst, t.offset()));
    }

    /** See {@link Tensor#squeeze(int)}. */
    public static Tensor squeeze(Tensor t, int dim) {
        Checks.live("squeeze", "input", t);
        long[] shape = t.shape();
        int d = Shape.normalizeDim("squeeze", dim, shape.length, shape);
        if (shape[d] != 1) {
            return alias("squeeze", t);
        }
        Tensor out = makeView(t, remove(shape, d), remove(t.strides(), d), t.offset());
        return recordReshape("squeeze", t, out);
    }

    /** See {@link Tensor#unsqueeze(int)}. */
    public static Tensor unsqueeze(Tensor t, int dim) {
        Checks.live("unsqueeze", "input", t);
        long[] shape = t.shape();
        int d = Shape.normalizeDim("unsqueeze", dim, shape.length + 1, shape);
        long[] strides = t.strides();
        long stride = d < shape.length ? shape[d] * strides[d] : 1;
        Tensor out = makeView(t, insert(shape, d, 1), insert(strides, d, stride), t.offset());
        return recordReshape("unsqueeze", t, out);
    }

    /** See {@link Tensor#expand(long...)}. */
    public static Tensor expand(Tensor t, long... shape) {
        Checks.live("expand", "input", t);
        long[] in = t.shape();
        long[] st = t.strides();
        if (shape.length < in.length) {
            throw new IllegalArgumentException("expand: target shape " + Arrays.toString(shape) + " has fewer dims than "
                    + "the input shape " + Shape.toString(in));
        }
        long[] ns = new long[shape.length];
        long[] nst = new long[shape.length];
        int lead = shape.length - in.length;
        for (int i = 0; i < shape.length; i++) {
            int j = i - lead;
            long want = shape[i];
            if (j < 0) {
                if (want < 0) {
                    throw new IllegalArgumentException("expand: size -1 is not allowed for the new leading dim " + i
                            + " in " + Arrays.toString(shape));
                }
                ns[i] = want;
            } else if (want == -1 || want == in[j]) {
                ns[i] = in[j];
                nst[i] = st[j];
            } else if (in[j] == 1 && want >= 0) {
                ns[i] = want;
            } else {
                throw new IllegalArgumentException("expand: cannot expand shape " + Shape.toString(in) + " to "
                        + Arrays.toString(shape) + ": dimension " + i + " has size " + in[j] + ", which is not 1");
            }
        }
        Tensor out = makeView(t, ns, nst, t.offset());
        return Autograd.record("expand", out, g -> new Tensor[] {Reductions.sumToShape(g, in)}, t);
    }

    /** See {@link Tensor#flatten(int, int)}. */
    public static Tensor flatten(Tensor t, int startDim, int endDim) {
        long[] shape = t.shape();
        if (shape.length == 0) {
            return reshape(t, 1);
        }
        int s = Shape.normalizeDim("flatten", startDim, shape.length, shape);
        int e = Shape.normalizeDim("flatten", endDim, shape.length, shape);
        if (s > e) {
            throw new IllegalArgumentException("flatten: startDim " + startDim + " comes after endDim " + endDim
                    + " for shape " + Shape.toString(shape));
        }
        long[] ns = new long[shape.length - (e - s)];
        System.arraycopy(shape, 0, ns, 0, s);
        ns[s] = Shape.numel(Arrays.copyOfRange(shape, s, e + 1));
        System.arraycopy(shape, e + 1, ns, s + 1, shape.length - e - 1);
        return reshape(t, ns);
    }

    /** See {@link Tensor#contiguous()}. */
    public static Tensor contiguous(Tensor t) {
        Checks.live("contiguous", "input", t);
        return t.isContiguous() ? t : cloneTensor(t);
    }

    /** See {@link Tensor#clone()}. */
    public static Tensor cloneTensor(Tensor t) {
        Tensor out = Copy.contiguousCopy(t);
        return Autograd.record("clone", out, g -> new Tensor[] {g}, t);
    }
}
