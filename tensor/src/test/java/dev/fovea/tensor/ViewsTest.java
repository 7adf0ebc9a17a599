package dev.fovea.tensor;

import static dev.fovea.tensor.TensorCreationTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ViewsTest {
    private static Tensor grid() {
        return Tensor.arange(24).reshape(2, 3, 4);
    }

    @Test
    void reshapeAndViewShareStorage() {
        Tensor x = grid();
        Tensor v = x.view(6, -1);
        assertArrayEquals(new long[] {6, 4}, v.shape());
        assertTrue(v.sharesStorageWith(x));
        v.set(100f, 5, 3);
        assertEquals(100f, x.get(1, 2, 3));
        Tensor r = x.reshape(-1);
        assertArrayEquals(new long[] {24}, r.shape());
        assertTrue(r.sharesStorageWith(x));
        assertArrayEquals(new long[] {}, Tensor.of(new float[] {3}).reshape().shape());
    }

    @Test
    void viewOfTransposeFailsAndReshapeCopies() {
        Tensor xt = grid().transpose(0, 2);
        assertMessage(() -> xt.view(24), "view: cannot view shape [4, 3, 2] with strides [1, 4, 12] as [24]");
        Tensor r = xt.reshape(24);
        assertFalse(r.sharesStorageWith(xt));
        assertEquals(grid().get(1, 0, 0), r.get(1));
        // merging dims that stay contiguous together is still a view
        Tensor p = grid().permute(1, 2, 0);
        assertTrue(p.view(12, 2).sharesStorageWith(p));
    }

    @Test
    void permuteTransposeAndT() {
        Tensor x = grid();
        Tensor p = x.permute(2, 0, 1);
        assertArrayEquals(new long[] {4, 2, 3}, p.shape());
        assertArrayEquals(new long[] {1, 12, 4}, p.strides());
        assertEquals(x.get(1, 2, 3), p.get(3, 1, 2));
        Tensor t = x.transpose(-1, 0);
        assertEquals(x.get(1, 0, 2), t.get(2, 0, 1));
        Tensor m = Tensor.arange(6).reshape(2, 3);
        Ref.assertValues(m.t(), 0, 3, 1, 4, 2, 5);
        assertArrayEquals(new long[] {3}, Tensor.zeros(3).t().shape());
        assertMessage(() -> x.t(), "t: expects a tensor with at most 2 dims, got shape [2, 3, 4]");
        assertMessage(() -> x.permute(0, 1), "permute: got 2 dims [0, 1] for shape [2, 3, 4]");
        assertMessage(() -> x.permute(0, 1, 1), "permute: dim 1 appears more than once");
    }

    @Test
    void narrowSliceAndSelect() {
        Tensor x = grid();
        Tensor n = x.narrow(2, 1, 2);
        assertArrayEquals(new long[] {2, 3, 2}, n.shape());
        assertEquals(x.get(1, 1, 2), n.get(1, 1, 1));
        Tensor s = x.slice(2, 0, 4, 3);
        assertArrayEquals(new long[] {2, 3, 2}, s.shape());
        assertEquals(x.get(0, 2, 3), s.get(0, 2, 1));
        Tensor tail = x.slice(-1, -2, Long.MAX_VALUE, 1);
        assertArrayEquals(new long[] {2, 3, 2}, tail.shape());
        assertEquals(0, x.slice(1, 2, 1, 1).size(1));
        Tensor sel = x.select(1, -1);
        assertArrayEquals(new long[] {2, 4}, sel.shape());
        sel.set(-5f, 1, 0);
        assertEquals(-5f, x.get(1, 2, 0));
        s.fill(7f);
        assertEquals(7f, x.get(1, 0, 3));
        assertEquals(5f, x.get(0, 1, 1));
        assertMessage(() -> x.narrow(2, 3, 2), "narrow: start 3 and length 2 do not fit dim 2 of shape [2, 3, 4]");
        assertMessage(() -> x.slice(0, 0, 2, 0), "slice: step must be positive, got 0");
        assertMessage(() -> x.select(1, 3), "select: index 3 is out of range for dim 1 of shape [2, 3, 4]; expected -3..2");
    }

    @Test
    void squeezeUnsqueezeFlatten() {
        Tensor x = Tensor.zeros(1, 3, 1, 2);
        assertArrayEquals(new long[] {3, 2}, x.squeeze().shape());
        assertArrayEquals(new long[] {3, 1, 2}, x.squeeze(0).shape());
        assertArrayEquals(new long[] {1, 3, 1, 2}, x.squeeze(1).shape());
        assertArrayEquals(new long[] {1, 3, 1, 2, 1}, x.unsqueeze(-1).shape());
        assertArrayEquals(new long[] {1, 1, 3, 1, 2}, x.unsqueeze(1).shape());
        Tensor g = grid();
        assertArrayEquals(new long[] {24}, g.flatten().shape());
        assertArrayEquals(new long[] {2, 12}, g.flatten(1, -1).shape());
        assertArrayEquals(new long[] {6, 4}, g.flatten(0, 1).shape());
        assertArrayEquals(new long[] {1}, Tensor.scalar(2).flatten().shape());
        assertMessage(() -> g.unsqueeze(4), "unsqueeze: dim 4 is out of range for shape [2, 3, 4]; expected -4..3");
        assertMessage(() -> g.flatten(2, 1), "flatten: startDim 2 comes after endDim 1");
    }

    @Test
    void expandUsesStrideZero() {
        Tensor col = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor e = col.expand(2, 3, 4);
        assertArrayEquals(new long[] {2, 3, 4}, e.shape());
        assertArrayEquals(new long[] {0, 1, 0}, e.strides());
        assertEquals(3f, e.get(1, 2, 3));
        assertArrayEquals(new long[] {3, 5}, col.expand(-1, 5).shape());
        assertMessage(() -> col.expand(3, 2, 4), "expand: cannot expand shape [3, 1] to [3, 2, 4]: dimension 1 has size 3");
        assertMessage(() -> col.expand(4), "expand: target shape [4] has fewer dims than the input shape [3, 1]");
        assertMessage(() -> e.fill(1f), "fill: cannot write to an expanded view");
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        Tensor x = grid();
        assertSame(x, x.contiguous());
        Tensor p = x.permute(2, 1, 0);
        assertFalse(p.isContiguous());
        Tensor c = p.contiguous();
        assertNotSame(p, c);
        assertTrue(c.isContiguous());
        assertFalse(c.sharesStorageWith(x));
        assertEquals(p.get(3, 2, 1), c.get(3, 2, 1));
        assertTrue(Tensor.zeros(3, 1).expand(3, 1).isContiguous());
        Tensor clone = x.clone();
        assertFalse(clone.sharesStorageWith(x));
        assertArrayEquals(x.toArray(), clone.toArray());
    }

    @Test
    void inPlaceUpdates() {
        Tensor x = Tensor.zeros(2, 3);
        x.copyFrom(Tensor.of(new float[] {1, 2, 3}));
        Ref.assertValues(x, 1, 2, 3, 1, 2, 3);
        x.addInPlace(Tensor.ones(2, 1), -2f);
        Ref.assertValues(x, -1, 0, 1, -1, 0, 1);
        x.mulInPlace(3f);
        Ref.assertValues(x, -3, 0, 3, -3, 0, 3);
        x.t().copyFrom(Tensor.arange(6).reshape(3, 2));
        Ref.assertValues(x, 0, 2, 4, 1, 3, 5);
        // overlapping source and destination in the same storage: the source is read first
        Tensor y = Tensor.arange(4);
        y.narrow(0, 1, 3).copyFrom(y.narrow(0, 0, 3));
        Ref.assertValues(y, 0, 0, 1, 2);
        assertMessage(() -> x.copyFrom(Tensor.zeros(4)), "copyFrom: cannot broadcast shapes [2, 3] and [4]");
        assertMessage(() -> Tensor.zeros(3).copyFrom(Tensor.zeros(2, 3)),
                "copyFrom: source of shape [2, 3] does not broadcast to the destination shape [3]");
    }
}
