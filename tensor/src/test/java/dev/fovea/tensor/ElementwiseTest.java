package dev.fovea.tensor;

import static dev.fovea.tensor.TensorCreationTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;

/** Elementwise ops against a double-precision naive reference, over broadcast and strided shapes. */
class ElementwiseTest {
    private static final long[][][] SHAPE_PAIRS = {
        {{2, 3}, {2, 3}},
        {{2, 3}, {3}},
        {{4, 1}, {1, 5}},
        {{2, 1, 4}, {3, 1}},
        {{}, {3, 2}},
        {{5}, {}},
        {{1}, {7}},
        {{3, 0}, {1}},
        {{2, 3, 37}, {37}},
        {{300, 250}, {250}},
        {{1, 70000}, {70000}},
        {{64, 1}, {64, 600}},
    };

    private static Tensor input(long seed, long[] shape) {
        return Tensor.rand(seed, shape).mul(4f).sub(2f);
    }

    private static void checkBinary(BinaryOperator<Tensor> op, DoubleBinaryOperator ref, double rtol) {
        long seed = 1;
        for (long[][] pair : SHAPE_PAIRS) {
            Tensor a = input(seed++, pair[0]);
            Tensor b = input(seed++, pair[1]);
            Ref.assertClose(Ref.binary(a, b, ref), op.apply(a, b), rtol, 1e-6);
            Ref.assertClose(Ref.binary(b, a, ref), op.apply(b, a), rtol, 1e-6);
        }
        // non-contiguous operands: a transposed view and an expanded one
        Tensor at = input(99, new long[] {5, 3}).t();
        Tensor be = input(98, new long[] {1, 5}).expand(3, 5);
        Ref.assertClose(Ref.binary(at, be, ref), op.apply(at, be), rtol, 1e-6);
        Tensor sl = input(97, new long[] {4, 10}).slice(1, 1, 10, 3);
        Ref.assertClose(Ref.binary(sl, sl, ref), op.apply(sl, sl), rtol, 1e-6);
    }

    @Test
    void arithmetic() {
        checkBinary(Tensor::add, Double::sum, 1e-6);
        checkBinary(Tensor::sub, (x, y) -> x - y, 1e-6);
        checkBinary(Tensor::mul, (x, y) -> x * y, 1e-6);
        checkBinary(Tensor::div, (x, y) -> x / y, 1e-6);
        checkBinary(Tensor::maximum, Math::max, 0);
        checkBinary(Tensor::minimum, Math::min, 0);
    }

    @Test
    void powWithTensorAndScalarExponents() {
        Tensor base = Tensor.rand(3, 4, 5).add(0.5f);
        Tensor exp = Tensor.rand(4, 5).mul(3f).sub(1f);
        Ref.assertClose(Ref.binary(base, exp, Math::pow), base.pow(exp), 1e-5, 1e-6);
        Ref.assertClose(Ref.unary(base, x -> Math.pow(x, 2.5)), base.pow(2.5f), 1e-5, 1e-6);
        Ref.assertClose(Ref.unary(base, x -> x * x), base.pow(2f), 1e-6, 0);
    }

    @Test
    void scalarOperands() {
        Tensor x = input(5, new long[] {3, 4}).t();
        Ref.assertClose(Ref.unary(x, v -> v + 1.5), x.add(1.5f), 1e-6, 1e-7);
        Ref.assertClose(Ref.unary(x, v -> v - 1.5), x.sub(1.5f), 1e-6, 1e-7);
        Ref.assertClose(Ref.unary(x, v -> v * -3), x.mul(-3f), 1e-6, 0);
        Ref.assertClose(Ref.unary(x, v -> v / 4), x.div(4f), 1e-6, 0);
    }

    @Test
    void unaryOps() {
        Tensor x = input(7, new long[] {6, 33}).transpose(0, 1);
        Tensor pos = x.abs().add(0.1f);
        Ref.assertClose(Ref.unary(x, v -> -v), x.neg(), 0, 0);
        Ref.assertClose(Ref.unary(x, Math::abs), x.abs(), 0, 0);
        Ref.assertClose(Ref.unary(x, Math::exp), x.exp(), 1e-5, 0);
        Ref.assertClose(Ref.unary(pos, Math::log), pos.log(), 1e-5, 1e-6);
        Ref.assertClose(Ref.unary(pos, Math::sqrt), pos.sqrt(), 1e-6, 0);
        Ref.assertClose(Ref.unary(x, v -> Math.max(v, 0)), x.relu(), 0, 0);
        Ref.assertClose(Ref.unary(x, v -> 1 / (1 + Math.exp(-v))), x.sigmoid(), 1e-5, 1e-7);
        Ref.assertClose(Ref.unary(x, Math::tanh), x.tanh(), 1e-5, 1e-7);
        Ref.assertClose(Ref.unary(x, v -> Math.min(Math.max(v, -0.5), 1)), x.clamp(-0.5f, 1f), 0, 0);
        Ref.assertClose(Ref.unary(x, v -> Math.max(v, -0.5)), x.clamp(-0.5f, Float.POSITIVE_INFINITY), 0, 0);
    }

    @Test
    void comparisons() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new float[] {2, 2});
        Ref.assertValues(a.eq(b), 0, 1, 0, 0);
        Ref.assertValues(a.ne(b), 1, 0, 1, 1);
        Ref.assertValues(a.lt(b), 1, 0, 0, 0);
        Ref.assertValues(a.le(b), 1, 1, 0, 0);
        Ref.assertValues(a.gt(b), 0, 0, 1, 1);
        Ref.assertValues(a.ge(b), 0, 1, 1, 1);
        Ref.assertValues(a.gt(2.5f), 0, 0, 1, 1);
        Ref.assertValues(a.eq(3f), 0, 0, 1, 0);
        Ref.assertValues(a.ne(3f), 1, 1, 0, 1);
        Ref.assertValues(a.lt(2f), 1, 0, 0, 0);
        Ref.assertValues(a.le(2f), 1, 1, 0, 0);
        Ref.assertValues(a.ge(4f), 0, 0, 0, 1);
        Tensor w = a.requiresGrad(true);
        assertFalse(w.gt(b).requiresGrad());
    }

    @Test
    void where() {
        Tensor cond = Tensor.of(new float[] {1, 0, 1}, 3);
        Tensor a = Tensor.arange(6).reshape(2, 3);
        Tensor b = Tensor.full(-1f, 2, 1);
        Tensor w = Tensor.where(cond, a, b);
        assertArrayEquals(new long[] {2, 3}, w.shape());
        Ref.assertValues(w, 0, -1, 2, 3, -1, 5);
        assertMessage(() -> Tensor.where(Tensor.zeros(4), a, b), "where: cannot broadcast shapes [4] and [2, 3]");
    }

    @Test
    void broadcastErrorNamesOpShapesAndDimension() {
        assertMessage(() -> Tensor.zeros(2, 3).add(Tensor.zeros(4)),
                "add: cannot broadcast shapes [2, 3] and [4]: dimension 1 is 3 vs 4");
        assertMessage(() -> Tensor.zeros(5, 2, 3).mul(Tensor.zeros(4, 1, 3)),
                "mul: cannot broadcast shapes [5, 2, 3] and [4, 1, 3]: dimension 0 is 5 vs 4");
        assertMessage(() -> Tensor.zeros(2).clamp(Float.NaN, 1f), "clamp: bounds must not be NaN");
        assertMessage(() -> Tensor.zeros(2).div((Tensor) null), "div: other must not be null");
    }
}
