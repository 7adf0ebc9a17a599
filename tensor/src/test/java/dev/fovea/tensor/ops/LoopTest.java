package dev.fovea.tensor.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoopTest {
    @Test
    void contiguousOperandsMergeIntoOneRun() {
        Tensor out = Tensor.zeros(2, 3, 4);
        Loop loop = Loop.over(out.shape(), out, Tensor.zeros(2, 3, 4));
        assertEquals(1, loop.rank());
        assertEquals(24, loop.innerLength());
        assertEquals(1, loop.innerStride(1));
    }

    @Test
    void broadcastDimsKeepStrideZeroAndSizeOneDimsDisappear() {
        Tensor out = Tensor.zeros(5, 1, 7);
        Tensor row = Tensor.zeros(7);
        Loop loop = Loop.over(out.shape(), out, row);
        assertEquals(2, loop.rank());
        assertArrayEquals(new long[] {5, 7}, loop.shape());
        assertArrayEquals(new long[] {0, 1}, loop.strides(1));
        Tensor col = Tensor.zeros(5, 1, 1);
        Loop c = Loop.over(out.shape(), out, col);
        assertEquals(0, c.innerStride(1));
        assertArrayEquals(new long[] {5, 7}, c.shape());
    }

    @Test
    void everyElementIsVisitedOnceSequentiallyAndInParallel() {
        for (long[] shape : new long[][] {{3, 5}, {1, 200_000}, {7, 50_000}, {40_000, 3}, {1}, {0, 4}}) {
            for (boolean parallel : new boolean[] {false, true}) {
                Tensor out = Tensor.zeros(shape);
                long total = out.numel();
                boolean[] seen = new boolean[(int) total];
                AtomicLong count = new AtomicLong();
                Loop loop = Loop.over(shape, out);
                long stride = loop.innerStride(0);
                loop.run((off, n) -> {
                    for (long j = 0; j < n; j++) {
                        int at = (int) (off[0] + j * stride);
                        synchronized (seen) {
                            assertFalse(seen[at]);
                            seen[at] = true;
                        }
                    }
                    count.addAndGet(n);
                }, parallel);
                assertEquals(total, count.get());
            }
        }
    }

    @Test
    void matmulReadsTransposedViewsWithoutCopying() {
        Tensor a = Tensor.zeros(4, 6);
        assertEquals(new MatMul.Layout(false, 6), MatMul.layout(a));
        assertEquals(new MatMul.Layout(true, 6), MatMul.layout(a.t()));
        assertEquals(new MatMul.Layout(false, 6), MatMul.layout(a.narrow(1, 1, 3)));
        assertEquals(new MatMul.Layout(false, 1), MatMul.layout(Tensor.zeros(5, 1)));
        assertNull(MatMul.layout(Tensor.zeros(3, 1).expand(3, 4)));
        assertNull(MatMul.layout(a.slice(1, 0, 6, 2).t()));
        assertTrue(MatMul.layout(Tensor.zeros(2, 1, 4).expand(2, 3, 4)) == null);
    }
}
