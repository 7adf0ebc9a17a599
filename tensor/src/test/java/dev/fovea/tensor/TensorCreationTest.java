package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TensorCreationTest {
    @Test
    void zerosOnesFullAndScalar() {
        Tensor z = Tensor.zeros(2, 3);
        assertArrayEquals(new long[] {2, 3}, z.shape());
        assertArrayEquals(new long[] {3, 1}, z.strides());
        assertEquals(6, z.numel());
        assertEquals(2, z.rank());
        assertEquals(DType.FLOAT32, z.dtype());
        assertTrue(z.isContiguous());
        Ref.assertValues(z, 0, 0, 0, 0, 0, 0);
        Ref.assertValues(Tensor.ones(2, 2), 1, 1, 1, 1);
        Ref.assertValues(Tensor.full(-2.5f, 3), -2.5f, -2.5f, -2.5f);
        Tensor s = Tensor.scalar(7f);
        assertEquals(0, s.rank());
        assertEquals(1, s.numel());
        assertEquals(7f, s.item());
        assertEquals(0, Tensor.zeros(0, 4).numel());
        assertArrayEquals(new float[0], Tensor.zeros(3, 0).toArray());
    }

    @Test
    void likeFactories() {
        Tensor x = Tensor.zeros(2, 5);
        assertArrayEquals(x.shape(), Tensor.onesLike(x).shape());
        Ref.assertValues(Tensor.fullLike(Tensor.zeros(2), 3f), 3, 3);
        Ref.assertValues(Tensor.zerosLike(Tensor.ones(2)), 0, 0);
    }

    @Test
    void arange() {
        Ref.assertValues(Tensor.arange(4), 0, 1, 2, 3);
        Ref.assertValues(Tensor.arange(1, 2, 0.25f), 1, 1.25f, 1.5f, 1.75f);
        Ref.assertValues(Tensor.arange(3, 0, -1), 3, 2, 1);
        assertEquals(0, Tensor.arange(2, 2, 1).numel());
        assertEquals(3, Tensor.arange(0, 1, 0.4f).numel());
    }

    @Test
    void ofArrays() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(6f, a.get(1, 2));
        assertEquals(4f, a.get(-1, 0));
        Tensor v = Tensor.of(new float[] {1, 2});
        assertArrayEquals(new long[] {2}, v.shape());
        Tensor m = Tensor.of(new float[][] {{1, 2}, {3, 4}, {5, 6}});
        assertArrayEquals(new long[] {3, 2}, m.shape());
        Ref.assertValues(m, 1, 2, 3, 4, 5, 6);
        Tensor c = Tensor.of(new float[][][] {{{1}, {2}}, {{3}, {4}}});
        assertArrayEquals(new long[] {2, 2, 1}, c.shape());
        Tensor d = Tensor.of(new float[1][2][3][4]);
        assertArrayEquals(new long[] {1, 2, 3, 4}, d.shape());
    }

    @Test
    void ofCopiesTheData() {
        float[] data = {1, 2};
        Tensor t = Tensor.of(data);
        data[0] = 9;
        assertEquals(1f, t.get(0));
    }

    @Test
    void randomIsSeededAndReproducible() {
        Tensor a = Tensor.rand(42, 1000);
        Tensor b = Tensor.rand(42, 1000);
        assertArrayEquals(a.toArray(), b.toArray());
        assertFalse(java.util.Arrays.equals(a.toArray(), Tensor.rand(43, 1000).toArray()));
        for (float v : a.toArray()) {
            assertTrue(v >= 0f && v < 1f);
        }
        Tensor n = Tensor.randn(new SplittableRandom(1), 20000);
        assertEquals(0.0, n.mean().item(), 0.03);
        assertEquals(1.0, n.var().item(), 0.05);
        assertArrayEquals(Tensor.randn(5, 3).toArray(), Tensor.randn(new SplittableRandom(5), 3).toArray());
        assertNotEquals(Tensor.randn(5, 3).get(0), Tensor.randn(6, 3).get(0));
    }

    @Test
    void itemGetSetAndToArray() {
        Tensor t = Tensor.arange(6).reshape(2, 3);
        assertEquals(5f, t.get(1, 2));
        t.set(9f, 0, 1);
        assertEquals(9f, t.toArray()[1]);
        assertEquals(3f, Tensor.of(new float[] {3}, 1, 1).item());
        Ref.assertValues(t.t(), 0, 3, 9, 4, 2, 5);
    }

    @Test
    void badCreationArguments() {
        assertMessage(() -> Tensor.zeros(2, -1), "zeros: shape [2, -1] has size -1 at dimension 1");
        assertMessage(() -> Tensor.of(new float[5], 2, 3), "of: data has 5 values but shape [2, 3] needs 6");
        assertMessage(() -> Tensor.of(new float[][] {{1, 2}, {3}}), "of: data[1] has 1 elements but data[0] had 2");
        assertMessage(() -> Tensor.arange(0, 1, 0), "arange: step must not be 0");
        assertMessage(() -> Tensor.arange(0, Float.NaN, 1), "arange: start, end and step must be finite");
        assertMessage(() -> Tensor.arange(0, 5, -1), "arange: step -1.0 points away from end");
        assertMessage(() -> Tensor.zeros(2, 3).item(), "item: needs a tensor with one element, got shape [2, 3]");
        assertMessage(() -> Tensor.zeros(2, 3).get(2, 0), "get: index 2 is out of range for dim 0 of shape [2, 3]");
        assertMessage(() -> Tensor.zeros(2, 3).get(0), "get: got 1 indices for shape [2, 3]; expected 2");
        assertMessage(() -> Tensor.rand((SplittableRandom) null, 2), "rand: the random generator must not be null");
        assertMessage(() -> Tensor.zeros(2).size(1), "size: dim 1 is out of range for shape [2]; expected -1..0");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
