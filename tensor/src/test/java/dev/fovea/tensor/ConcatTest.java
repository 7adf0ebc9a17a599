package dev.fovea.tensor;

import static dev.fovea.tensor.TensorCreationTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConcatTest {
    @Test
    void catAlongEachDim() {
        Tensor a = Tensor.arange(6).reshape(2, 3);
        Tensor b = Tensor.arange(6, 10, 1).reshape(2, 2);
        Tensor c = Tensor.cat(1, a, b);
        assertArrayEquals(new long[] {2, 5}, c.shape());
        Ref.assertValues(c, 0, 1, 2, 6, 7, 3, 4, 5, 8, 9);
        Tensor r = Tensor.cat(List.of(a, a.mul(-1f)), 0);
        assertArrayEquals(new long[] {4, 3}, r.shape());
        Ref.assertValues(r, 0, 1, 2, 3, 4, 5, 0, -1, -2, -3, -4, -5);
        Ref.assertValues(Tensor.cat(-1, a.t(), Tensor.zeros(3, 0), a.t()), 0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5);
    }

    @Test
    void stackAddsADim() {
        Tensor a = Tensor.of(new float[] {1, 2});
        Tensor b = Tensor.of(new float[] {3, 4});
        Tensor s0 = Tensor.stack(0, a, b);
        assertArrayEquals(new long[] {2, 2}, s0.shape());
        Ref.assertValues(s0, 1, 2, 3, 4);
        Tensor s1 = Tensor.stack(List.of(a, b), -1);
        Ref.assertValues(s1, 1, 3, 2, 4);
        assertArrayEquals(new long[] {3}, Tensor.stack(0, Tensor.scalar(1), Tensor.scalar(2), Tensor.scalar(3)).shape());
    }

    @Test
    void errors() {
        assertMessage(() -> Tensor.cat(0, Tensor.zeros(2, 3), Tensor.zeros(2, 4)),
                "cat: tensor 1 has shape [2, 4] but tensor 0 has shape [2, 3]; sizes must match except in dim 0");
        assertMessage(() -> Tensor.cat(0, Tensor.zeros(2, 3), Tensor.zeros(3)), "cat: tensor 1 has shape [3]");
        assertMessage(() -> Tensor.cat(2, Tensor.zeros(2, 3)), "cat: dim 2 is out of range for shape [2, 3]");
        assertMessage(() -> Tensor.cat(List.of(), 0), "cat: needs at least one tensor, got none");
        assertMessage(() -> Tensor.stack(0, Tensor.zeros(2), Tensor.zeros(3)),
                "stack: tensor 1 has shape [3] but tensor 0 has shape [2]; all must be equal");
        assertMessage(() -> Tensor.stack(3, Tensor.zeros(2)), "stack: dim 3 is out of range for shape [2]; expected -2..1");
    }
}
