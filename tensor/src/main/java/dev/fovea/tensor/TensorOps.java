package dev.fovea.tensor;

import dev.fovea.tensor.functional.Activations;
import dev.fovea.tensor.ops.Arithmetic;
import dev.fovea.tensor.ops.Comparisons;
import dev.fovea.tensor.ops.Extrema;
import dev.fovea.tensor.ops.MatMul;
import dev.fovea.tensor.ops.Pointwise;
import dev.fovea.tensor.ops.Reductions;
import dev.fovea.tensor.ops.Split;
import dev.fovea.tensor.ops.Views;
import java.util.List;

/**
 * The op half of {@link Tensor}'s API: views, elementwise ops with NumPy broadcasting,
 * comparisons, reductions and matmul. It exists only to keep each source file short; {@link Tensor} is its one
 * subclass, and every method is documented as one of {@code Tensor}'s.
 */
abstract sealed class TensorOps permits Tensor {
    TensorOps() {}

    private Tensor self() {
        return (Tensor) this;
    }

    // ---------------------------------------------------------------- views

    /** Returns a view with {@code shape} (one size may be -1); fails if the strides do not allow one. */
    public Tensor view(long... shape) {
        return Views.view(self(), shape);
    }

    /** Returns {@code view(shape)} when possible, else a contiguous copy with that shape. */
    public Tensor reshape(long... shape) {
        return Views.reshape(self(), shape);
    }

    /** Returns a view with the dims reordered: result dim {@code i} is this tensor's dim {@code dims[i]}. */
    public Tensor permute(int... dims) {
        return Views.permute(self(), dims);
    }

    /** Returns a view with dims {@code dim0} and {@code dim1} swapped. */
    public Tensor transpose(int dim0, int dim1) {
        return Views.transpose(self(), dim0, dim1);
    }

    /** Returns the transpose of a tensor of rank at most 2. */
    public Tensor t() {
        return Views.t(self());
    }

    /** Returns the view of elements {@code [start, start+length)} along {@code dim}. */
    public Tensor narrow(int dim, long start, long length) {
        return Views.narrow(self(), dim, start, length);
    }

    /** Returns the view of elements {@code start, start+step, ...} below {@code end} along {@code dim}. */
    public Tensor slice(int dim, long start, long end, long step) {
        return Views.slice(self(), dim, start, end, step);
    }

    /** Returns the view at {@code index} along {@code dim}, with that dim removed. */
    public Tensor select(int dim, long index) {
        return Views.select(self(), dim, index);
    }

    /** Returns a view without the size-1 dims. */
    public Tensor squeeze() {
        return Views.squeeze(self());
    }

    /** Returns a view without dim {@code dim} if its size is 1 (else this tensor's geometry). */
    public Tensor squeeze(int dim) {
        return Views.squeeze(self(), dim);
    }

    /** Returns a view with a size-1 dim inserted at {@code dim} (in {@code -rank-1..rank}). */
    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(self(), dim);
    }

    /** Returns a view broadcast to {@code shape} (stride 0 on expanded dims; -1 keeps a size). */
    public Tensor expand(long... shape) {
        return Views.expand(self(), shape);
    }

    /** Returns a 1-d view (or copy) of all elements. */
    public Tensor flatten() {
        return Views.flatten(self(), 0, -1);
    }

    /** Returns the tensor with dims {@code startDim..endDim} merged into one. */
    public Tensor flatten(int startDim, int endDim) {
        return Views.flatten(self(), startDim, endDim);
    }

    /**
     * Returns {@code dim} cut into views of {@code splitSize} elements, the last one smaller when the
     * size is not a multiple ({@code torch.split(t, splitSize, dim)}).
     */
    public List<Tensor> split(long splitSize, int dim) {
        return Split.split(self(), splitSize, dim);
    }

    /** Returns {@code dim} cut into views of the given sizes, which must sum to its size ({@code torch.split}). */
    public List<Tensor> split(long[] sizes, int dim) {
        return Split.split(self(), sizes, dim);
    }

    /**
     * Returns {@code dim} cut into views of {@code ceil(size / chunks)} elements, the last smaller,
     * so possibly fewer than {@code chunks} of them ({@code torch.chunk}).
     */
    public List<Tensor> chunk(int chunks, int dim) {
        return Split.chunk(self(), chunks, dim);
    }

    /** Returns a view with {@code dim} replaced by dims of {@code sizes} (one may be -1), as {@code torch.unflatten}. */
    public Tensor unflatten(int dim, long... sizes) {
        return Split.unflatten(self(), dim, sizes);
    }

    /** Returns this tensor if it is contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        return Views.contiguous(self());
    }

    /** Returns a contiguous copy (gradients flow back to this tensor). */
    @Override
    public Tensor clone() {
        return Views.cloneTensor(self());
    }

    // ---------------------------------------------------------------- elementwise

    /** Returns {@code this + other}, broadcasting. */
    public Tensor add(Tensor other) {
        return Arithmetic.add(self(), other);
    }

    /** Returns {@code this + value}. */
    public Tensor add(float value) {
        return Arithmetic.add(self(), value);
    }

    /** Returns {@code this - other}, broadcasting. */
    public Tensor sub(Tensor other) {
        return Arithmetic.sub(self(), other);
    }

    /** Returns {@code this - value}. */
    public Tensor sub(float value) {
        return Arithmetic.sub(self(), value);
    }

    /** Returns {@code this * other}, broadcasting. */
    public Tensor mul(Tensor other) {
        return Arithmetic.mul(self(), other);
    }

    /** Returns {@code this * value}. */
    public Tensor mul(float value) {
        return Arithmetic.mul(self(), value);
    }

    /** Returns {@code this / other}, broadcasting. */
    public Tensor div(Tensor other) {
        return Arithmetic.div(self(), other);
    }

    /** Returns {@code this / value}. */
    public Tensor div(float value) {
        return Arithmetic.div(self(), value);
    }

    /** Returns {@code this ^ exponent} elementwise, broadcasting. */
    public Tensor pow(Tensor exponent) {
        return Arithmetic.pow(self(), exponent);
    }

    /** Returns {@code this ^ exponent} elementwise. */
    public Tensor pow(float exponent) {
        return Pointwise.pow(self(), exponent);
    }

    /** Returns the elementwise maximum, broadcasting (ties split the gradient evenly, as in PyTorch). */
    public Tensor maximum(Tensor other) {
        return Arithmetic.maximum(self(), other);
    }

    /** Returns the elementwise minimum, broadcasting (ties split the gradient evenly). */
    public Tensor minimum(Tensor other) {
        return Arithmetic.minimum(self(), other);
    }

    /** Returns {@code -this}. */
    public Tensor neg() {
        return Pointwise.neg(self());
    }

    /** Returns {@code |this|} (gradient 0 at 0). */
    public Tensor abs() {
        return Pointwise.abs(self());
    }

    /** Returns {@code e^this}. */
    public Tensor exp() {
        return Pointwise.exp(self());
    }

    /** Returns the natural logarithm. */
    public Tensor log() {
        return Pointwise.log(self());
    }

    /** Returns the square root. */
    public Tensor sqrt() {
        return Pointwise.sqrt(self());
    }

    /** Returns {@code max(self(), 0)} (gradient 0 at 0), as {@link Activations#relu}. */
    public Tensor relu() {
        return Activations.relu(self());
    }

    /** Returns {@code 1 / (1 + e^-this)}, as {@link Activations#sigmoid}. */
    public Tensor sigmoid() {
        return Activations.sigmoid(self());
    }

    /** Returns the hyperbolic tangent, as {@link Activations#tanh}. */
    public Tensor tanh() {
        return Activations.tanh(self());
    }

    /** Returns the values limited to {@code [min, max]} (either may be infinite; gradient 1 inside, bounds included). */
    public Tensor clamp(float min, float max) {
        return Pointwise.clamp(self(), min, max);
    }

    /** Returns 1 where {@code this == other}, else 0 (broadcasting; never requires grad). */
    public Tensor eq(Tensor other) {
        return Comparisons.compare("eq", self(), other);
    }

    /** Returns 1 where {@code this == value}, else 0. */
    public Tensor eq(float value) {
        return Comparisons.compare("eq", self(), value);
    }

    /** Returns 1 where {@code this != other}, else 0 (broadcasting). */
    public Tensor ne(Tensor other) {
        return Comparisons.compare("ne", self(), other);
    }

    /** Returns 1 where {@code this != value}, else 0. */
    public Tensor ne(float value) {
        return Comparisons.compare("ne", self(), value);
    }

    /** Returns 1 where {@code this < other}, else 0 (broadcasting). */
    public Tensor lt(Tensor other) {
        return Comparisons.compare("lt", self(), other);
    }

    /** Returns 1 where {@code this < value}, else 0. */
    public Tensor lt(float value) {
        return Comparisons.compare("lt", self(), value);
    }

    /** Returns 1 where {@code this <= other}, else 0 (broadcasting). */
    public Tensor le(Tensor other) {
        return Comparisons.compare("le", self(), other);
    }

    /** Returns 1 where {@code this <= value}, else 0. */
    public Tensor le(float value) {
        return Comparisons.compare("le", self(), value);
    }

    /** Returns 1 where {@code this > other}, else 0 (broadcasting). */
    public Tensor gt(Tensor other) {
        return Comparisons.compare("gt", self(), other);
    }

    /** Returns 1 where {@code this > value}, else 0. */
    public Tensor gt(float value) {
        return Comparisons.compare("gt", self(), value);
    }

    /** Returns 1 where {@code this >= other}, else 0 (broadcasting). */
    public Tensor ge(Tensor other) {
        return Comparisons.compare("ge", self(), other);
    }

    /** Returns 1 where {@code this >= value}, else 0. */
    public Tensor ge(float value) {
        return Comparisons.compare("ge", self(), value);
    }

    // ---------------------------------------------------------------- reductions

    /** Returns the sum of all elements as a scalar tensor. */
    public Tensor sum() {
        return Reductions.sum(self(), new int[0], true, false);
    }

    /** Returns the sum over {@code dim}, removing it. */
    public Tensor sum(int dim) {
        return sum(new int[] {dim}, false);
    }

    /** Returns the sum over {@code dim}, keeping it as size 1 if {@code keepdim}. */
    public Tensor sum(int dim, boolean keepdim) {
        return sum(new int[] {dim}, keepdim);
    }

    /** Returns the sum over {@code dims} (an empty array means all dims, as in PyTorch), keeping them if {@code keepdim}. */
    public Tensor sum(int[] dims, boolean keepdim) {
        return Reductions.sum(self(), dims, false, keepdim);
    }

    /** Returns the mean of all elements (NaN for an empty tensor). */
    public Tensor mean() {
        return Reductions.mean(self(), new int[0], true, false);
    }

    /** Returns the mean over {@code dim}, removing it. */
    public Tensor mean(int dim) {
        return mean(new int[] {dim}, false);
    }

    /** Returns the mean over {@code dim}, keeping it if {@code keepdim}. */
    public Tensor mean(int dim, boolean keepdim) {
        return mean(new int[] {dim}, keepdim);
    }

    /** Returns the mean over {@code dims}, keeping them if {@code keepdim}. */
    public Tensor mean(int[] dims, boolean keepdim) {
        return Reductions.mean(self(), dims, false, keepdim);
    }

    /** Returns the unbiased variance (correction 1) of all elements. */
    public Tensor var() {
        return Reductions.var(self(), new int[0], true, true, false);
    }

    /** Returns the variance of all elements, divided by {@code N-1} if {@code unbiased} else by {@code N}. */
    public Tensor var(boolean unbiased) {
        return Reductions.var(self(), new int[0], true, unbiased, false);
    }

    /** Returns the unbiased variance over {@code dim}, removing it. */
    public Tensor var(int dim) {
        return var(new int[] {dim}, true, false);
    }

    /** Returns the variance over {@code dims} ({@code N-1} if {@code unbiased}), keeping them if {@code keepdim}. */
    public Tensor var(int[] dims, boolean unbiased, boolean keepdim) {
        return Reductions.var(self(), dims, false, unbiased, keepdim);
    }

    /** Returns the largest element (gradient goes to its first occurrence in row-major order). */
    public Tensor max() {
        return Extrema.max(self(), new int[0], true, false);
    }

    /** Returns the maxima over {@code dim} (gradient to the first maximum), keeping it if {@code keepdim}. */
    public Tensor max(int dim, boolean keepdim) {
        return Extrema.max(self(), new int[] {dim}, false, keepdim);
    }

    /** Returns the maxima over {@code dims} (PyTorch's {@code amax}, gradient to the first maximum). */
    public Tensor max(int[] dims, boolean keepdim) {
        return Extrema.max(self(), dims, false, keepdim);
    }

    /** Returns the smallest element (gradient goes to its first occurrence in row-major order). */
    public Tensor min() {
        return Extrema.min(self(), new int[0], true, false);
    }

    /** Returns the minima over {@code dim}, keeping it if {@code keepdim}. */
    public Tensor min(int dim, boolean keepdim) {
        return Extrema.min(self(), new int[] {dim}, false, keepdim);
    }

    /** Returns the minima over {@code dims}, keeping them if {@code keepdim}. */
    public Tensor min(int[] dims, boolean keepdim) {
        return Extrema.min(self(), dims, false, keepdim);
    }

    /** Returns the row-major flat index of the first largest element, as a float scalar. */
    public Tensor argmax() {
        return Extrema.argmax(self(), null, false);
    }

    /** Returns the index of the first maximum along {@code dim} (as floats), keeping it if {@code keepdim}. */
    public Tensor argmax(int dim, boolean keepdim) {
        return Extrema.argmax(self(), dim, keepdim);
    }

    /** Returns the row-major flat index of the first smallest element, as a float scalar. */
    public Tensor argmin() {
        return Extrema.argmin(self(), null, false);
    }

    /** Returns the index of the first minimum along {@code dim} (as floats), keeping it if {@code keepdim}. */
    public Tensor argmin(int dim, boolean keepdim) {
        return Extrema.argmin(self(), dim, keepdim);
    }

    // ---------------------------------------------------------------- matmul

    /**
     * Returns the matrix product with PyTorch's {@code matmul} semantics: 1-d·1-d is a dot
     * product, 2-d×2-d a matrix product, a 1-d operand gets a dim prepended (left) or appended
     * (right) and removed after, and batch dims (all but the last two) broadcast.
     */
    public Tensor matmul(Tensor other) {
        return MatMul.matmul(self(), other);
    }
}
