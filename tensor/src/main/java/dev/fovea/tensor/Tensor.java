package dev.fovea.tensor;

import dev.fovea.simd.eltwise.Eltwise;
import dev.fovea.tensor.autograd.Autograd;
import dev.fovea.tensor.autograd.Node;
import dev.fovea.tensor.internal.TensorAccess;
import dev.fovea.tensor.ops.Arithmetic;
import dev.fovea.tensor.ops.Checks;
import dev.fovea.tensor.ops.Concat;
import dev.fovea.tensor.ops.Copy;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * An n-dimensional float32 array in off-heap memory, with views, NumPy-broadcasting ops and
 * reverse-mode autograd (PyTorch semantics).
 *
 * <p><b>Layout.</b> A tensor is a shape, strides (in elements, may be 0 for broadcast dims) and
 * an element offset over a 64-byte aligned storage segment. Users see row-major NCHW order. View
 * ops ({@link #reshape}, {@link #permute}, {@link #narrow}, {@link #expand}...) share storage:
 * writing through a view changes the base.
 *
 * <p><b>Memory.</b> Storage is GC-managed unless the tensor is created inside a {@link Scope},
 * which frees it when it closes; using a freed tensor throws {@link IllegalStateException}.
 *
 * <p><b>Autograd.</b> Ops on tensors that {@linkplain #requiresGrad() require grad} record a
 * {@link Node} while {@link Grad} is on; {@link #backward()} accumulates {@link #grad()} into the
 * leaves. Negative dims count from the end, as in PyTorch. Bad arguments throw
 * {@link IllegalArgumentException} naming the op, the argument and the shapes.
 *
 * <p>Tensors are not thread-safe for concurrent writes; concurrent reads are fine. The view,
 * elementwise, reduction and matmul methods are declared in the package-private superclass
 * {@code TensorOps} only to keep source files short.
 */
public final class Tensor extends TensorOps {
    static {
        TensorAccess.install(new Access());
    }

    private final Storage storage;
    private final long[] shape;
    private final long[] strides;
    private final long offset;
    private final long numel;
    private boolean requiresGrad;
    private Node gradFn;
    private Tensor grad;

    private Tensor(Storage storage, long[] shape, long[] strides, long offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.numel = Shape.numel(shape);
    }

    static Tensor allocate(long[] shape, Scope owner) {
        return new Tensor(Storage.allocate(Shape.numel(shape), owner), shape, Shape.contiguousStrides(shape), 0);
    }

    /** Returns the storage this tensor views. */
    Storage storage() {
        return storage;
    }

    /** Returns a contiguous tensor of {@code shape} over all of {@code storage}. */
    static Tensor wrap(Storage storage, long[] shape) {
        return new Tensor(storage, shape, Shape.contiguousStrides(shape), 0);
    }

    // ---------------------------------------------------------------- creation

    /** Returns a new contiguous tensor of {@code shape} whose values are unspecified (zero today). */
    public static Tensor empty(long... shape) {
        return allocate(Shape.checkSizes("empty", "shape", shape), Scope.current());
    }

    /** Returns a new tensor of {@code shape} filled with 0. */
    public static Tensor zeros(long... shape) {
        return allocate(Shape.checkSizes("zeros", "shape", shape), Scope.current());
    }

    /** Returns a new tensor of {@code shape} filled with 1. */
    public static Tensor ones(long... shape) {
        return full(1f, shape);
    }

    /** Returns a new tensor of {@code shape} filled with {@code value}. */
    public static Tensor full(float value, long... shape) {
        return TensorFactory.full("full", value, shape);
    }

    /** Returns a scalar (rank 0) tensor holding {@code value}. */
    public static Tensor scalar(float value) {
        return TensorFactory.full("scalar", value);
    }

    /** Returns zeros with {@code like}'s shape. */
    public static Tensor zerosLike(Tensor like) {
        return zeros(like.shape);
    }

    /** Returns ones with {@code like}'s shape. */
    public static Tensor onesLike(Tensor like) {
        return ones(like.shape);
    }

    /** Returns {@code value} repeated in {@code like}'s shape. */
    public static Tensor fullLike(Tensor like, float value) {
        return full(value, like.shape);
    }

    /** Returns the 1-d tensor {@code [0, 1, ..., end-1]}. */
    public static Tensor arange(float end) {
        return arange(0f, end, 1f);
    }

    /**
     * Returns the 1-d tensor {@code start, start+step, ...} of values below {@code end} (above it
     * for a negative step), with {@code ceil((end-start)/step)} elements computed in double.
     *
     * @throws IllegalArgumentException if an argument is not finite, step is 0, or step points away from end
     */
    public static Tensor arange(float start, float end, float step) {
        return TensorFactory.arange(start, end, step);
    }

    /**
     * Returns a tensor of {@code shape} holding a copy of {@code data} in row-major order; with no
     * shape, a 1-d tensor of {@code data.length} elements.
     *
     * @throws IllegalArgumentException if {@code data.length} differs from the shape's element count
     */
    public static Tensor of(float[] data, long... shape) {
        return TensorFactory.of(data, shape);
    }

    /** Returns a 2-d tensor copied from a rectangular array of rows. */
    public static Tensor of(float[][] rows) {
        return TensorFactory.of(rows);
    }

    /** Returns a 3-d tensor copied from a rectangular nested array. */
    public static Tensor of(float[][][] data) {
        return TensorFactory.of((Object) data);
    }

    /** Returns a 4-d tensor (e.g. NCHW) copied from a rectangular nested array. */
    public static Tensor of(float[][][][] data) {
        return TensorFactory.of((Object) data);
    }

    /** Returns a tensor of {@code shape} with values uniform in {@code [0, 1)} drawn from {@code rng}. */
    public static Tensor rand(RandomGenerator rng, long... shape) {
        return TensorFactory.random("rand", rng, false, shape);
    }

    /** Returns a tensor of {@code shape} uniform in {@code [0, 1)} from a generator seeded with {@code seed}. */
    public static Tensor rand(long seed, long... shape) {
        return rand(TensorFactory.generator(seed), shape);
    }

    /** Returns a tensor of {@code shape} with standard normal values drawn from {@code rng}. */
    public static Tensor randn(RandomGenerator rng, long... shape) {
        return TensorFactory.random("randn", rng, true, shape);
    }

    /** Returns a tensor of {@code shape} standard normal from a generator seeded with {@code seed}. */
    public static Tensor randn(long seed, long... shape) {
        return randn(TensorFactory.generator(seed), shape);
    }

    /**
     * Reads a {@code .npy} file (float32, or float64/int64/int32/uint8 converted to float32; C or
     * Fortran order). The header is validated before anything is allocated.
     *
     * @throws java.io.UncheckedIOException if the file cannot be read or is not a valid {@code .npy}
     */
    public static Tensor load(Path path) {
        return TensorFactory.load(path);
    }

    /**
     * Writes this tensor to {@code path} as a float32 C-order {@code .npy} file.
     *
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    public void save(Path path) {
        TensorFactory.save(this, path);
    }

    // ---------------------------------------------------------------- geometry and data

    /** Returns a copy of the sizes, outermost first ({@code []} for a scalar). */
    public long[] shape() {
        return shape.clone();
    }

    /** Returns the size of dimension {@code dim} (negative counts from the end). */
    public long size(int dim) {
        return shape[Shape.normalizeDim("size", dim, shape.length, shape)];
    }

    /** Returns the number of dimensions (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** Returns the number of elements. */
    public long numel() {
        return numel;
    }

    /** Returns the element type (always {@link DType#FLOAT32} today). */
    public DType dtype() {
        return DType.FLOAT32;
    }

    /** Returns a copy of the strides, in elements (0 for broadcast dims). */
    public long[] strides() {
        return strides.clone();
    }

    /** Returns the offset of element {@code [0, ..., 0]} in {@link #segment()}, in elements. */
    public long offset() {
        return offset;
    }

    /**
     * Returns the whole storage segment this tensor views, for passing to kernels together with
     * {@link #offset()} and {@link #strides()}. Writing to it writes every view of the storage.
     *
     * @throws IllegalStateException if the storage was freed when its Scope closed
     */
    public MemorySegment segment() {
        checkAlive("segment");
        return storage.segment();
    }

    /** Returns false once the scope owning this tensor's storage has closed. */
    public boolean isAlive() {
        return storage.isAlive();
    }

    /** Returns true if the elements are laid out row-major with no gaps (size-1 dims ignored). */
    public boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1) {
                if (strides[i] != expected) {
                    return false;
                }
                expected *= shape[i];
            }
        }
        return true;
    }

    /** Returns true if {@code other} views the same storage as this tensor. */
    public boolean sharesStorageWith(Tensor other) {
        return storage == other.storage;
    }

    /** Returns the element at {@code index} (one index per dim, negative counts from the end). */
    public float get(long... index) {
        checkAlive("get");
        return storage.segment().getAtIndex(ValueLayout.JAVA_FLOAT, elementOffset("get", index));
    }

    /**
     * Sets the element at {@code index} (no autograd; refused on tensors that require grad while
     * grad mode is on).
     */
    public Tensor set(float value, long... index) {
        Checks.writable("set", this);
        storage.segment().setAtIndex(ValueLayout.JAVA_FLOAT, elementOffset("set", index), value);
        return this;
    }

    private long elementOffset(String op, long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(op + ": got " + index.length + " indices for shape "
                    + Shape.toString(shape) + "; expected " + shape.length);
        }
        long at = offset;
        for (int d = 0; d < index.length; d++) {
            long i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) {
                throw new IllegalArgumentException(op + ": index " + index[d] + " is out of range for dim " + d
                        + " of shape " + Shape.toString(shape) + "; expected " + (-shape[d]) + ".." + (shape[d] - 1));
            }
            at += i * strides[d];
        }
        return at;
    }

    /**
     * Returns the value of a one-element tensor.
     *
     * @throws IllegalArgumentException if the tensor has more or fewer than one element
     */
    public float item() {
        if (numel != 1) {
            throw new IllegalArgumentException("item: needs a tensor with one element, got shape " + Shape.toString(shape));
        }
        checkAlive("item");
        return storage.segment().getAtIndex(ValueLayout.JAVA_FLOAT, offset);
    }

    /** Returns the elements in row-major order as a new array. */
    public float[] toArray() {
        checkAlive("toArray");
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("toArray: " + numel + " elements do not fit a Java array (shape "
                    + Shape.toString(shape) + ")");
        }
        Tensor dense = isContiguous() ? this : Copy.contiguousCopy(this);
        float[] out = new float[(int) numel];
        MemorySegment.copy(dense.storage.segment(), ValueLayout.JAVA_FLOAT, dense.offset * Float.BYTES, out, 0, out.length);
        return out;
    }

    void checkAlive(String op) {
        if (!storage.isAlive()) {
            throw new IllegalStateException(op + ": tensor storage was freed when its Scope closed (shape "
                    + Shape.toString(shape) + ")");
        }
    }

    /**
     * Returns a PyTorch-like rendering, e.g. {@code tensor([[1., 2.], [3., 4.]], shape=[2, 2])}
     * (on several lines), eliding the middle of tensors with more than 1000 elements.
     */
    @Override
    public String toString() {
        return TensorFormat.format(this);
    }

    // ---------------------------------------------------------------- autograd

    /** Returns true if gradients flow to this tensor (a leaf set so, or the result of a recorded op). */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Sets whether this leaf accumulates a gradient in {@link #backward()}; returns this.
     *
     * @throws IllegalStateException if this is not a leaf (it has a {@link #gradFn()})
     */
    public Tensor requiresGrad(boolean requires) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can change requiresGrad; this one was made by '"
                    + gradFn.name() + "'. Use detach() to get a leaf");
        }
        this.requiresGrad = requires;
        return this;
    }

    /** Returns the accumulated gradient of this leaf, or null before any backward reached it. */
    public Tensor grad() {
        return grad;
    }

    /** Drops the accumulated gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        grad = null;
    }

    /** Returns the node of the op that made this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /** Returns true if this tensor was not made by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Returns a leaf view of the same storage that does not require grad. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset);
    }

    /** Backpropagates from this one-element tensor, releasing the graph; see {@link #backward(Tensor, boolean)}. */
    public void backward() {
        Autograd.backward(this, null, false);
    }

    /** Backpropagates from this one-element tensor, keeping the graph if {@code retainGraph}. */
    public void backward(boolean retainGraph) {
        Autograd.backward(this, null, retainGraph);
    }

    /** Backpropagates {@code gradient} (this tensor's shape), releasing the graph. */
    public void backward(Tensor gradient) {
        Autograd.backward(this, gradient, false);
    }

    /**
     * Accumulates into the {@link #grad()} of every leaf this tensor depends on the gradient of
     * {@code sum(this * gradient)}.
     *
     * @param gradient the gradient with respect to this tensor, or null for one-element tensors (1)
     * @param retainGraph keep the graph so that backward can run through it again
     * @throws IllegalStateException if this tensor does not require grad, or the graph was released
     * @throws IllegalArgumentException if {@code gradient}'s shape is not this tensor's
     */
    public void backward(Tensor gradient, boolean retainGraph) {
        Autograd.backward(this, gradient, retainGraph);
    }

    // ---------------------------------------------------------------- in-place (no autograd)

    /** Copies {@code src} (broadcast to this shape) into this tensor's elements; returns this. */
    public Tensor copyFrom(Tensor src) {
        Copy.copyInto("copyFrom", src, this);
        return this;
    }

    /** Sets every element to {@code value}; returns this. */
    public Tensor fill(float value) {
        Copy.fill("fill", this, value);
        return this;
    }

    /** Adds {@code alpha * other} (broadcast to this shape) to this tensor's elements; returns this. */
    public Tensor addInPlace(Tensor other, float alpha) {
        Copy.addInPlace("addInPlace", this, other, alpha);
        return this;
    }

    /** Multiplies every element by {@code factor}; returns this. */
    public Tensor mulInPlace(float factor) {
        Copy.scaleInPlace("mulInPlace", this, factor);
        return this;
    }

    // ---------------------------------------------------------------- where, cat, stack

    /** Returns, elementwise and broadcasting, {@code a} where {@code condition != 0}, else {@code b}. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return Arithmetic.where(condition, a, b);
    }

    /** Joins {@code tensors} along existing dim {@code dim}; all other sizes must match. */
    public static Tensor cat(int dim, Tensor... tensors) {
        return Concat.cat(List.of(tensors), dim);
    }

    /** Joins {@code tensors} along existing dim {@code dim}; all other sizes must match. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Concat.cat(tensors, dim);
    }

    /** Stacks equally shaped {@code tensors} along a new dim {@code dim}. */
    public static Tensor stack(int dim, Tensor... tensors) {
        return Concat.stack(List.of(tensors), dim);
    }

    /** Stacks equally shaped {@code tensors} along a new dim {@code dim}. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Concat.stack(tensors, dim);
    }

    // ---------------------------------------------------------------- internals

    static void fillKernel(Tensor t, float value) {
        Eltwise.fill(t.storage.segment(), t.offset, 1, value, t.numel);
    }

    private static final class Access extends TensorAccess {
        @Override
        public Tensor view(Tensor base, long[] shape, long[] strides, long offset) {
            return new Tensor(base.storage, shape, strides, offset);
        }

        @Override
        public void attachNode(Tensor t, Node node) {
            t.gradFn = node;
            t.requiresGrad = true;
        }

        @Override
        public Tensor zerosBeside(Tensor like, long[] shape) {
            return allocate(shape, like.storage.owner());
        }

        @Override
        public Tensor uninitialized(long[] shape) {
            long[] s = Shape.checkSizes("uninitialized", "shape", shape);
            return new Tensor(Storage.allocate(Shape.numel(s), Scope.current(), false), s, Shape.contiguousStrides(s), 0);
        }

        @Override
        public void setGrad(Tensor leaf, Tensor grad) {
            leaf.grad = grad;
        }
    }
}
