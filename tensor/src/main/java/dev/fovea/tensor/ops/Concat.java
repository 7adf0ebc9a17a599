package dev.fovea.tensor.ops;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.autograd.Autograd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Joining tensors: {@code cat} along an existing dim and {@code stack} along a new one. */
public final class Concat {
    private Concat() {}

    /** See {@link Tensor#cat(List, int)}. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("cat: needs at least one tensor, got none");
        }
        Tensor first = Checks.live("cat", "tensor 0", tensors.get(0));
        long[] shape = first.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException("cat: cannot concatenate scalars (tensor 0 has shape []); use stack");
        }
        int d = Shape.normalizeDim("cat", dim, shape.length, shape);
        long total = 0;
        long[] starts = new long[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = Checks.live("cat", "tensor " + i, tensors.get(i));
            long[] s = t.shape();
            if (!sameExcept(s, shape, d)) {
                throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shape.toString(s)
                        + " but tensor 0 has shape " + Shape.toString(shape) + "; sizes must match except in dim " + d);
            }
            starts[i] = total;
            total += s[d];
        }
        long[] outShape = shape.clone();
        outShape[d] = total;
        Tensor out = Tensor.empty(outShape);
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            Tensor part = Views.makeView(out, t.shape(), out.strides(), out.offset() + starts[i] * out.strides()[d]);
            Copy.copyRuns(t, part);
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        long[] lengths = Arrays.stream(inputs).mapToLong(t -> t.shape()[d]).toArray();
        boolean[] need = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            need[i] = inputs[i].requiresGrad();
        }
        int count = inputs.length;
        return Autograd.record("cat", out, g -> {
            Tensor[] grads = new Tensor[count];
            for (int i = 0; i < grads.length; i++) {
                grads[i] = need[i] ? g.narrow(d, starts[i], lengths[i]) : null;
            }
            return grads;
        }, inputs);
    }

    private static boolean sameExcept(long[] a, long[] b, int dim) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (i != dim && a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /** See {@link Tensor#stack(List, int)}. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: needs at least one tensor, got none");
        }
        long[] shape = Checks.live("stack", "tensor 0", tensors.get(0)).shape();
        int d = Shape.normalizeDim("stack", dim, shape.length + 1, shape);
        List<Tensor> expanded = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = Checks.live("stack", "tensor " + i, tensors.get(i));
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shape.toString(t.shape())
                        + " but tensor 0 has shape " + Shape.toString(shape) + "; all must be equal");
            }
            expanded.add(t.unsqueeze(d));
        }
        return cat(expanded, d);
    }
}
