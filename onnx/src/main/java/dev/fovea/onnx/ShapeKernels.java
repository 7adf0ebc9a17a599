package dev.fovea.onnx;

import static dev.fovea.onnx.Kernels.floats;
import static dev.fovea.onnx.Kernels.longs;
import static dev.fovea.onnx.Kernels.one;
import static dev.fovea.onnx.Kernels.present;
import static dev.fovea.onnx.Kernels.value;

import dev.fovea.onnx.Kernels.Kernel;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Kernels that move, select or create data: reshapes, transposes, slicing, gathering,
 * concatenation, padding, resizing and the shape-computing ops (Shape, Constant, Range...).
 * Float data uses Fovea's views and ops where they exist; integer data (shapes and indices,
 * always small) and the rarer float cases go through a flat index map.
 */
final class ShapeKernels {
    private ShapeKernels() {
    }

    static void register(Map<String, Kernel> k) {
        k.put("Identity", (n, in) -> one(value(n, in, 0)));
        k.put("Constant", ShapeKernels::constant);
        k.put("ConstantOfShape", ShapeKernels::constantOfShape);
        k.put("Shape", ShapeKernels::shape);
        k.put("Reshape", ShapeKernels::reshape);
        k.put("Flatten", ShapeKernels::flatten);
        k.put("Squeeze", ShapeKernels::squeeze);
        k.put("Unsqueeze", ShapeKernels::unsqueeze);
        k.put("Transpose", ShapeKernels::transpose);
        k.put("Concat", ShapeKernels::concat);
        k.put("Split", ShapeKernels::split);
        k.put("Slice", ShapeKernels::slice);
        k.put("Gather", ShapeKernels::gather);
        k.put("Expand", ShapeKernels::expand);
        k.put("Range", ShapeKernels::range);
        k.put("Pad", ShapeKernels::pad);
        k.put("Resize", Resize::resize);
        k.put("Upsample", Resize::upsample);
    }

    // ---- value helpers ----------------------------------------------------------------------

    /** The value with another shape of the same element count (no copy). */
    static OnnxValue reshaped(OnnxValue v, long[] shape) {
        return v.isFloat() ? OnnxValue.of(v.tensor().reshape(shape))
                : OnnxValue.wrapLongs(v.type(), v.longsRef(), shape);
    }

    /** Builds the value of {@code outShape} whose element i is {@code src}'s flat element index[i]. */
    static OnnxValue gatherFlat(OnnxValue src, long[] outShape, int[] index) {
        if (src.isFloat()) {
            float[] a = src.tensor().contiguous().toArray();
            float[] out = new float[index.length];
            for (int i = 0; i < index.length; i++) {
                out[i] = a[index[i]];
            }
            return Kernels.floatValue(out, outShape);
        }
        long[] a = src.longsRef();
        long[] out = new long[index.length];
        for (int i = 0; i < index.length; i++) {
            out[i] = a[index[i]];
        }
        return OnnxValue.wrapLongs(src.type(), out, outShape);
    }

    /**
     * The flat source index of every element of a strided selection: per dim a start, a step
     * (any sign) and a count, over a source of shape {@code src}.
     */
    static int[] stridedIndex(long[] src, long[] start, long[] step, long[] count) {
        long[] strides = Shapes.strides(src);
        int total = (int) Shapes.numel(count);
        int[] out = new int[total];
        int rank = src.length;
        long[] idx = new long[rank];
        for (int i = 0; i < total; i++) {
            long flat = 0;
            for (int d = 0; d < rank; d++) {
                flat += (start[d] + idx[d] * step[d]) * strides[d];
            }
            out[i] = (int) flat;
            for (int d = rank - 1; d >= 0 && ++idx[d] == count[d]; d--) {
                idx[d] = 0;
            }
        }
        return out;
    }

    private static long[] shapeArgument(Node n, OnnxValue[] in, int i) {
        OnnxValue v = value(n, in, i);
        if (v.isFloat() || v.rank() > 1) {
            throw new OnnxException(n + ": input " + i + " must be a 1-d int64 tensor, got " + v);
        }
        return v.longsRef();
    }

    // ---- constants and shapes ---------------------------------------------------------------

    private static OnnxValue[] constant(Node n, OnnxValue[] in) {
        OnnxValue t = n.getTensor("value");
        if (t != null) {
            return one(t);
        }
        if (n.has("value_float")) {
            return one(Kernels.floatValue(new float[] {n.getFloat("value_float", 0)}, new long[0]));
        }
        float[] fs = n.getFloats("value_floats");
        if (fs != null) {
            return one(Kernels.floatValue(fs, new long[] {fs.length}));
        }
        if (n.has("value_int")) {
            return one(OnnxValue.wrapLongs(ElementType.INT64, new long[] {n.getInt("value_int", 0)}, new long[0]));
        }
        long[] is = n.getInts("value_ints");
        if (is != null) {
            return one(OnnxValue.wrapLongs(ElementType.INT64, is, new long[] {is.length}));
        }
        throw new OnnxException(n + ": needs a value, value_float(s) or value_int(s) attribute (sparse and string"
                + " constants are not supported)");
    }

    private static OnnxValue[] constantOfShape(Node n, OnnxValue[] in) {
        long[] shape = shapeArgument(n, in, 0).clone();
        int count = (int) Kernels.checkCreated(n, shape);
        OnnxValue v = n.getTensor("value");
        if (v != null && v.numel() != 1) {
            throw new OnnxException(n + ": attribute 'value' must hold one element, got " + v);
        }
        if (v == null || v.isFloat()) {
            float fill = v == null ? 0f : v.tensor().contiguous().toArray()[0];
            return one(OnnxValue.of(Tensor.full(fill, shape)));
        }
        long[] out = new long[count];
        Arrays.fill(out, v.longsRef()[0]);
        return one(OnnxValue.wrapLongs(v.type(), out, shape));
    }

    private static OnnxValue[] shape(Node n, OnnxValue[] in) {
        long[] s = value(n, in, 0).shapeRef();
        int rank = s.length;
        long start = n.getInt("start", 0);
        long end = n.getInt("end", rank);
        int b = (int) Math.clamp(start < 0 ? start + rank : start, 0, rank);
        int e = (int) Math.clamp(end < 0 ? end + rank : end, 0, rank);
        long[] out = Arrays.copyOfRange(s, b, Math.max(b, e));
        return one(OnnxValue.wrapLongs(ElementType.INT64, out, new long[] {out.length}));
    }

    private static OnnxValue[] reshape(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        long[] target = (n.opset < 5 ? n.requireInts("shape") : shapeArgument(n, in, 1)).clone();
        boolean allowZero = n.getInt("allowzero", 0) != 0;
        long[] s = x.shapeRef();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0 && !allowZero) {
                if (i >= s.length) {
                    throw new OnnxException(n + ": shape " + Arrays.toString(target) + " copies dim " + i
                            + " (0), but the input " + Arrays.toString(s) + " has rank " + s.length);
                }
                target[i] = s[i];
            }
            if (target[i] == -1) {
                if (infer >= 0) {
                    throw new OnnxException(n + ": shape " + Arrays.toString(target) + " has more than one -1");
                }
                infer = i;
            } else if (target[i] < 0) {
                throw new OnnxException(n + ": shape " + Arrays.toString(target) + " has a negative dim");
            } else {
                known *= target[i];
            }
        }
        long numel = x.numel();
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new OnnxException(n + ": cannot reshape " + Arrays.toString(s) + " (" + numel + " elements) to "
                        + Arrays.toString(target));
            }
            target[infer] = numel / known;
        }
        if (Shapes.numel(target) != numel) {
            throw new OnnxException(n + ": cannot reshape " + Arrays.toString(s) + " (" + numel + " elements) to "
                    + Arrays.toString(target));
        }
        return one(reshaped(x, target));
    }

    private static OnnxValue[] flatten(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        long[] s = x.shapeRef();
        long axisAttr = n.getInt("axis", 1);
        if (axisAttr < -s.length || axisAttr > s.length) {
            throw new OnnxException(n + ": axis " + axisAttr + " is outside [" + (-s.length) + ", " + s.length + "]");
        }
        int axis = (int) (axisAttr < 0 ? axisAttr + s.length : axisAttr);
        long outer = Shapes.numel(Arrays.copyOfRange(s, 0, axis));
        return one(reshaped(x, new long[] {outer, Shapes.numel(Arrays.copyOfRange(s, axis, s.length))}));
    }

    private static long[] axesArgument(Node n, OnnxValue[] in, int since) {
        if (n.opset >= since) {
            return present(in, 1) ? longs(n, in, 1) : null;
        }
        return n.getInts("axes");
    }

    private static OnnxValue[] squeeze(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        long[] s = x.shapeRef();
        long[] axes = axesArgument(n, in, 13);
        boolean[] drop = new boolean[s.length];
        if (axes == null || axes.length == 0) {
            for (int i = 0; i < s.length; i++) {
                drop[i] = s[i] == 1;
            }
        } else {
            for (long a : axes) {
                int d = Shapes.axis(a, s.length, n);
                if (s[d] != 1) {
                    throw new OnnxException(n + ": cannot squeeze dim " + d + " of shape " + Arrays.toString(s)
                            + ": its size is not 1");
                }
                drop[d] = true;
            }
        }
        long[] out = new long[s.length];
        int r = 0;
        for (int i = 0; i < s.length; i++) {
            if (!drop[i]) {
                out[r++] = s[i];
            }
        }
        return one(reshaped(x, Arrays.copyOf(out, r)));
    }

    private static OnnxValue[] unsqueeze(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        long[] axes = axesArgument(n, in, 13);
        if (axes == null) {
            throw new OnnxException(n + ": axes are required");
        }
        long[] s = x.shapeRef();
        int rank = s.length + axes.length;
        boolean[] added = new boolean[rank];
        for (long a : axes) {
            int d = Shapes.axis(a, rank, n);
            if (added[d]) {
                throw new OnnxException(n + ": axes " + Arrays.toString(axes) + " repeat dim " + d);
            }
            added[d] = true;
        }
        long[] out = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = added[i] ? 1 : s[j++];
        }
        return one(reshaped(x, out));
    }

    private static OnnxValue[] transpose(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        int rank = x.rank();
        long[] permAttr = n.getInts("perm");
        int[] perm = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = permAttr == null ? rank - 1 - i : Shapes.axis(permAttr[i], rank, n);
            if (seen[perm[i]] || (permAttr != null && permAttr.length != rank)) {
                throw new OnnxException(n + ": perm " + Arrays.toString(permAttr) + " is not a permutation of "
                        + rank + " dims");
            }
            seen[perm[i]] = true;
        }
        if (x.isFloat()) {
            return one(x.tensor().permute(perm).contiguous());
        }
        long[] s = x.shapeRef();
        long[] outShape = new long[rank];
        long[] step = new long[rank];
        long[] strides = Shapes.strides(s);
        for (int i = 0; i < rank; i++) {
            outShape[i] = s[perm[i]];
            step[i] = strides[perm[i]];
        }
        // Output element idx reads the input at the permuted strides.
        int[] mapped = new int[(int) x.numel()];
        long[] idx = new long[rank];
        for (int i = 0; i < mapped.length; i++) {
            long flat = 0;
            for (int d = 0; d < rank; d++) {
                flat += idx[d] * step[d];
            }
            mapped[i] = (int) flat;
            for (int d = rank - 1; d >= 0 && ++idx[d] == outShape[d]; d--) {
                idx[d] = 0;
            }
        }
        return one(gatherFlat(x, outShape, mapped));
    }

    private static OnnxValue[] concat(Node n, OnnxValue[] in) {
        List<OnnxValue> parts = new ArrayList<>();
        for (OnnxValue v : in) {
            if (v != null) {
                parts.add(v);
            }
        }
        if (parts.isEmpty()) {
            throw new OnnxException(n + ": needs at least one input");
        }
        OnnxValue first = parts.get(0);
        int rank = first.rank();
        if (n.opset >= 4 && !n.has("axis")) {
            throw new OnnxException(n + ": attribute 'axis' is required");
        }
        int axis = Shapes.axis(n.getInt("axis", 1), rank, n);
        long total = 0;
        for (OnnxValue v : parts) {
            long[] s = v.shapeRef();
            if (v.isFloat() != first.isFloat() || s.length != rank) {
                throw new OnnxException(n + ": inputs " + parts + " must share type and rank");
            }
            for (int d = 0; d < rank; d++) {
                if (d != axis && s[d] != first.shapeRef()[d]) {
                    throw new OnnxException(n + ": inputs " + parts + " differ outside axis " + axis);
                }
            }
            total += s[axis];
        }
        if (first.isFloat()) {
            List<Tensor> ts = new ArrayList<>();
            for (OnnxValue v : parts) {
                ts.add(v.tensor());
            }
            return one(Tensor.cat(ts, axis));
        }
        long[] outShape = first.shape();
        outShape[axis] = total;
        long outer = Shapes.numel(Arrays.copyOfRange(outShape, 0, axis));
        long inner = Shapes.numel(Arrays.copyOfRange(outShape, axis + 1, rank));
        long[] out = new long[(int) Shapes.numel(outShape)];
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (OnnxValue v : parts) {
                int chunk = (int) (v.shapeRef()[axis] * inner);
                System.arraycopy(v.longsRef(), (int) (o * chunk), out, pos, chunk);
                pos += chunk;
            }
        }
        return one(OnnxValue.wrapLongs(first.type(), out, outShape));
    }

    private static OnnxValue[] split(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        int axis = Shapes.axis(n.getInt("axis", 0), x.rank(), n);
        long dim = x.shapeRef()[axis];
        int outs = n.outputs.size();
        long[] sizes = n.opset >= 13 ? (present(in, 1) ? longs(n, in, 1) : null) : n.getInts("split");
        if (sizes == null || sizes.length == 0) {
            long parts = n.has("num_outputs") ? n.getInt("num_outputs", outs) : outs;
            if (parts < 1) {
                throw new OnnxException(n + ": num_outputs must be >= 1");
            }
            long each = (dim + parts - 1) / parts;
            if (!n.has("num_outputs") && dim % parts != 0) {
                throw new OnnxException(n + ": dim " + axis + " of size " + dim + " does not split evenly into "
                        + parts + " outputs");
            }
            sizes = new long[(int) parts];
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.max(0, Math.min(each, dim - i * each));
            }
        }
        if (Arrays.stream(sizes).sum() != dim || Arrays.stream(sizes).anyMatch(v -> v < 0)
                || sizes.length != outs) {
            throw new OnnxException(n + ": split " + Arrays.toString(sizes) + " must be " + outs
                    + " sizes >= 0 adding up to dim " + axis + " of " + Arrays.toString(x.shapeRef()));
        }
        OnnxValue[] out = new OnnxValue[sizes.length];
        long start = 0;
        for (int i = 0; i < sizes.length; i++) {
            out[i] = narrow(x, axis, start, sizes[i]);
            start += sizes[i];
        }
        return out;
    }

    /** A contiguous copy of {@code length} entries of {@code axis} from {@code start}. */
    static OnnxValue narrow(OnnxValue x, int axis, long start, long length) {
        if (x.isFloat()) {
            return OnnxValue.of(x.tensor().narrow(axis, start, length).contiguous());
        }
        long[] s = x.shapeRef();
        long[] st = new long[s.length];
        long[] step = new long[s.length];
        long[] count = s.clone();
        Arrays.fill(step, 1);
        st[axis] = start;
        count[axis] = length;
        return gatherFlat(x, count, stridedIndex(s, st, step, count));
    }

    private static OnnxValue[] slice(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (n.opset < 10) {
            starts = n.requireInts("starts");
            ends = n.requireInts("ends");
            axes = n.getInts("axes");
        } else {
            starts = longs(n, in, 1);
            ends = longs(n, in, 2);
            axes = present(in, 3) ? longs(n, in, 3) : null;
            steps = present(in, 4) ? longs(n, in, 4) : null;
        }
        long[] s = x.shapeRef();
        int rank = s.length;
        if (ends.length != starts.length || (axes != null && axes.length != starts.length)
                || (steps != null && steps.length != starts.length)) {
            throw new OnnxException(n + ": starts " + Arrays.toString(starts) + ", ends " + Arrays.toString(ends)
                    + ", axes and steps must have the same length");
        }
        long[] begin = new long[rank];
        long[] step = new long[rank];
        long[] count = s.clone();
        Arrays.fill(step, 1);
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < starts.length; i++) {
            int d = Shapes.axis(axes == null ? i : axes[i], rank, n);
            if (seen[d]) {
                throw new OnnxException(n + ": axes " + Arrays.toString(axes) + " repeat dim " + d);
            }
            seen[d] = true;
            long st = steps == null ? 1 : steps[i];
            if (st == 0) {
                throw new OnnxException(n + ": steps must not be 0");
            }
            long dim = s[d];
            long b = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (st > 0) {
                b = Math.clamp(b, 0, dim);
                e = Math.clamp(e, 0, dim);
                count[d] = Math.max(0, (e - b + st - 1) / st);
            } else {
                b = Math.clamp(b, 0, dim - 1);
                e = Math.clamp(e, -1, dim - 1);
                count[d] = Math.max(0, (b - e + (-st) - 1) / (-st));
            }
            begin[d] = b;
            step[d] = st;
        }
        if (x.isFloat() && Arrays.stream(step).allMatch(v -> v > 0)) {
            Tensor t = x.tensor();
            for (int d = 0; d < rank; d++) {
                if (count[d] != s[d]) {
                    t = t.slice(d, begin[d], count[d] == 0 ? begin[d] : begin[d] + (count[d] - 1) * step[d] + 1,
                            step[d]);
                }
            }
            return one(t.contiguous());
        }
        return one(gatherFlat(x, count, stridedIndex(s, begin, step, count)));
    }

    private static OnnxValue[] gather(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        OnnxValue indices = value(n, in, 1);
        if (indices.isFloat()) {
            throw new OnnxException(n + ": indices must be int32 or int64, got float32");
        }
        long[] s = x.shapeRef();
        if (s.length == 0) {
            throw new OnnxException(n + ": data must have rank >= 1");
        }
        int axis = Shapes.axis(n.getInt("axis", 0), s.length, n);
        long dim = s[axis];
        long[] idx = indices.longsRef();
        long[] is = indices.shapeRef();
        long[] outShape = new long[s.length - 1 + is.length];
        System.arraycopy(s, 0, outShape, 0, axis);
        System.arraycopy(is, 0, outShape, axis, is.length);
        System.arraycopy(s, axis + 1, outShape, axis + is.length, s.length - axis - 1);
        long outer = Shapes.numel(Arrays.copyOfRange(s, 0, axis));
        long inner = Shapes.numel(Arrays.copyOfRange(s, axis + 1, s.length));
        int total = (int) Kernels.checkCreated(n, outShape);
        int[] map = new int[total];
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (long j : idx) {
                if (j < -dim || j >= dim) {
                    throw new OnnxException(n + ": index " + j + " is outside [" + (-dim) + ", " + dim
                            + ") for dim " + axis + " of " + Arrays.toString(s));
                }
                long base = (o * dim + (j < 0 ? j + dim : j)) * inner;
                for (long i = 0; i < inner; i++) {
                    map[pos++] = (int) (base + i);
                }
            }
        }
        return one(gatherFlat(x, outShape, map));
    }

    private static OnnxValue[] expand(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        long[] shape = Shapes.broadcast(x.shapeRef(), shapeArgument(n, in, 1), n);
        Kernels.checkCreated(n, shape);
        if (x.isFloat()) {
            Tensor t = x.tensor();
            long[] s = x.shapeRef();
            long[] full = new long[shape.length];
            Arrays.fill(full, 1);
            System.arraycopy(s, 0, full, shape.length - s.length, s.length);
            return one(t.reshape(full).expand(shape).contiguous());
        }
        OnnxValue zeros = OnnxValue.wrapLongs(x.type(), new long[(int) Shapes.numel(shape)], shape);
        return one(MathKernels.broadcastLongs(n, x, zeros, (a, b) -> a));
    }

    private static OnnxValue[] range(Node n, OnnxValue[] in) {
        OnnxValue start = value(n, in, 0);
        double s = Kernels.scalar(n, in, 0);
        double limit = Kernels.scalar(n, in, 1);
        double delta = Kernels.scalar(n, in, 2);
        if (delta == 0) {
            throw new OnnxException(n + ": delta must not be 0");
        }
        long count = Math.max(0, (long) Math.ceil((limit - s) / delta));
        Kernels.checkCreated(n, new long[] {count});
        if (start.isFloat()) {
            float[] out = new float[(int) count];
            float fs = (float) s;
            float fd = (float) delta;
            for (int i = 0; i < count; i++) {
                out[i] = fs + i * fd;
            }
            return one(Kernels.floatValue(out, new long[] {count}));
        }
        long[] out = new long[(int) count];
        for (int i = 0; i < count; i++) {
            out[i] = (long) s + i * (long) delta;
        }
        return one(OnnxValue.wrapLongs(start.type(), out, new long[] {count}));
    }

    private static OnnxValue[] pad(Node n, OnnxValue[] in) {
        OnnxValue x = value(n, in, 0);
        int rank = x.rank();
        String mode = n.getString("mode", "constant");
        long[] pads;
        double fill = 0;
        long[] axes = null;
        if (n.opset < 11) {
            pads = n.getInts(n.opset < 2 ? "paddings" : "pads");
            if (pads == null) {
                throw new OnnxException(n + ": attribute 'pads' is required");
            }
            fill = n.getFloat("value", 0f);
        } else {
            pads = longs(n, in, 1);
            if (present(in, 2)) {
                fill = Kernels.scalar(n, in, 2);
            }
            if (present(in, 3)) {
                axes = longs(n, in, 3);
            }
        }
        int[] dims = new int[axes == null ? rank : axes.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = axes == null ? i : Shapes.axis(axes[i], rank, n);
        }
        if (pads.length != 2 * dims.length) {
            throw new OnnxException(n + ": pads " + Arrays.toString(pads) + " must have 2 x " + dims.length
                    + " values for input " + Arrays.toString(x.shapeRef()));
        }
        long[] begin = new long[rank];
        long[] end = new long[rank];
        for (int i = 0; i < dims.length; i++) {
            begin[dims[i]] = pads[i];
            end[dims[i]] = pads[dims.length + i];
        }
        return one(PadKernel.pad(n, x, begin, end, mode, fill));
    }
}
