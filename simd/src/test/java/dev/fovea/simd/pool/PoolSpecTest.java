package dev.fovea.simd.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.conv.Padding;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** {@link PoolSpec}'s output sizes (checked against PyTorch 1.13's {@code max_pool1d}), defaults and errors. */
class PoolSpecTest {
    private static int out1d(int in, int k, int s, int p, boolean ceil) {
        return PoolSpec.builder(1).c(1).input(in).kernel(k).stride(s).padding(p).ceilMode(ceil).build().out(2);
    }

    @Test
    void outputSizesEqualPyTorchs() {
        // torch.nn.functional.max_pool1d(torch.zeros(1, 1, in), k, s, p, ceil_mode=c).shape[-1]
        assertEquals(4, out1d(7, 3, 2, 1, false));
        assertEquals(4, out1d(7, 3, 2, 1, true));
        assertEquals(2, out1d(6, 3, 2, 0, false));
        assertEquals(3, out1d(6, 3, 2, 0, true));
        assertEquals(3, out1d(5, 2, 2, 1, true));   // the last window would start in the padding: dropped
        assertEquals(56, out1d(112, 3, 2, 1, false));
        assertEquals(5, out1d(13, 4, 3, 2, true));
    }

    @Test
    void strideDefaultsToTheKernelAndSameIsKerasSame() {
        PoolSpec s = PoolSpec.builder(2).n(2).c(3).input(7, 8).kernel(2).build();
        assertEquals(2, s.stride(1));
        assertArrayEquals(new long[] {2, 3, 3, 4}, s.outputShape());
        assertTrue(s.countIncludePad());
        PoolSpec same = PoolSpec.builder(2).c(1).input(7, 8).kernel(3).stride(2).padding(Padding.SAME).build();
        // Keras: out = ceil(in / stride); padding total (out - 1) * s + k - in, the odd one at the end.
        assertArrayEquals(new long[] {1, 1, 4, 4}, same.outputShape());
        assertEquals(1, same.padBegin(1));
        assertEquals(1, same.padEnd(1));
        assertEquals(0, same.padBegin(2));
        assertEquals(1, same.padEnd(2));
        assertFalse(same.countIncludePad(), "Keras' average pooling does not count padding");
    }

    @Test
    void badParametersNameTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PoolSpec.builder(1).c(1).input(5).kernel(3).stride(1).padding(2).build());
        assertTrue(e.getMessage().contains("at most half"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PoolSpec.builder(1).c(1).input(2).kernel(5).build());
        assertTrue(e.getMessage().contains("larger than the padded input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PoolSpec.builder(2).c(1).input(4, 4).kernel(2).padding(Padding.FULL).build());
        assertTrue(e.getMessage().contains("full"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PoolSpec.builder(1).c(1).input(2).kernel(2).dilation(3).padding(1).build());
        assertTrue(e.getMessage().contains("covers no input element"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PoolSpec.builder(2).c(1).input(4, 4).kernel(2, 2, 2));
        assertTrue(e.getMessage().contains("kernel needs 1 or 2 values"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PoolSpec.builder(2).c(0).input(4, 4).kernel(2).build());
        assertThrows(IllegalArgumentException.class, () -> PoolSpec.builder(2).c(1).input(4, 4).kernel(0).build());
        assertThrows(IllegalArgumentException.class, () -> PoolSpec.builder(2).c(1).input(4, 4).kernel(2).stride(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> PoolSpec.builder(2).c(1).input(4, 4).kernel(2).divisorOverride(-1).build());
        assertThrows(IllegalArgumentException.class, () -> PoolSpec.builder(4));
    }

    @Test
    void segmentsTooSmallAreRejectedBeforeAnyWork() {
        PoolSpec s = PoolSpec.builder(2).n(2).c(3).input(8, 8).kernel(2).build();
        MemorySegment in = PoolTester.floats(s.inputElements());
        MemorySegment out = PoolTester.floats(s.outputElements());
        ComputeContext ctx = ComputeContext.defaultContext();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pool.maxPool(s, in, 1, out, 0, null, 0, ctx));
        assertTrue(e.getMessage().contains("max_pool: input needs 384 floats from offset 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pool.avgPool(s, in, 0, PoolTester.floats(10), 0, ctx));
        assertTrue(e.getMessage().contains("avg_pool: output"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Pool.maxPool(s, in, 0, out, 0, PoolTester.ints(5), 0, ctx));
        assertTrue(e.getMessage().contains("indices need 96 int32"), e.getMessage());
        MemorySegment bad = PoolTester.ints(s.outputElements());
        bad.setAtIndex(PoolTester.I, 7, 64);
        e = assertThrows(IllegalArgumentException.class,
                () -> Pool.maxPoolBackward(s, out, 0, bad, 0, in, 0, ctx));
        assertTrue(e.getMessage().contains("index 64 at element 7 is outside the plane of 64"), e.getMessage());
    }

    @Test
    void adaptiveWindowsAreFloorAndCeil() {
        AdaptivePoolSpec a = new AdaptivePoolSpec(1, 1, 1, new int[] {10}, new int[] {4});
        // PyTorch: start = floor(o * 10 / 4), end = ceil((o + 1) * 10 / 4): [0,3) [2,5) [5,8) [7,10)
        assertArrayEquals(new int[] {0, 2, 5, 7}, new int[] {a.start(2, 0), a.start(2, 1), a.start(2, 2), a.start(2, 3)});
        assertArrayEquals(new int[] {3, 5, 8, 10}, new int[] {a.end(2, 0), a.end(2, 1), a.end(2, 2), a.end(2, 3)});
        assertNull(a.asFixedWindows());
        PoolSpec fixed = new AdaptivePoolSpec(2, 1, 1, new int[] {8, 6}, new int[] {4, 1}).asFixedWindows();
        assertEquals(2, fixed.kernel(1));
        assertEquals(6, fixed.kernel(2));
        assertThrows(IllegalArgumentException.class, () -> new AdaptivePoolSpec(2, 1, 1, new int[] {8, 6}, new int[] {0, 1}));
    }
}
